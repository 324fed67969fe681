/*
 * repl_table.c - every replacement policy against Belady's OPT on real
 * traces, on the host build of mm/ (pool + software backend).
 *
 *   build/host/repl_table [--tick N] [DIR]
 *       The LIRS block traces of DIR (default tests/data/traces/lirs) at
 *       100, 200, 500 and 1000 frames (loop: 512 only): misses / OPT's
 *       misses per policy and case, the best online policy of each case,
 *       the average over the 37 cases without backf, scan and zigzag (the
 *       set the goal is stated on) and over all, each trace's best online
 *       policy and its gap to OPT, and BENCH lines:
 *         BENCH repl_<policy>_vs_opt value=<x> (goal: ...)
 *         BENCH repl_best_vs_opt_lirs value=<x> policy=<name> (goal: ...)
 *   build/host/repl_table --harvest N1,N2,... [DIR]
 *       The same 37 cases with A/D bits harvested only every N references,
 *       as a sweeping kernel sees them: between harvests the policy hears
 *       only of faults (page_in); every access, the faulting one included,
 *       sets the page's A bit (the software backend's touch), and every N
 *       references pool_tick tells the policy of each page whose A bit was
 *       set since the last harvest and then ticks it. OPT's misses are the
 *       exact ones. Average ratio per policy and N, and
 *         BENCH repl_<policy>_vs_opt_harvest<N> value=<x> (goal: ...)
 *   build/host/repl_table --address [DIR]
 *       The SPEC address traces of DIR (default tests/data/traces/address;
 *       page = address >> 12) at 4, 8, 16 and 32 frames (their working
 *       sets are a few dozen pages; gzip and mcf stream through theirs and
 *       miss little more than once per page at any size), the same table,
 *       and BENCH repl_<policy>_vs_opt_address and repl_best_vs_opt_address
 *       lines.
 *   build/host/repl_table --curve TRACE F1 F2 ...
 *       faults per policy at each frame count, as a whitespace table for
 *       gnuplot (used by tools/plot-faults).
 *
 * --tick N sets the references between ticks in the exact modes (default:
 * the frame count, as in tools/replay). `make host` builds this with
 * sanitizers, which is slow for the full tables; tools/bench-repl builds
 * build/bench/repl_table at -O2 and runs all three (about a minute).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../trace_load.h"
#include "pool.h"
#include "pool_soft.h"
#include "mmlib.h"

#define GOAL 1.10
#define GOAL_TEXT "(goal: 1.10 or less)"
#define MAX_POLICIES 32
#define MAX_CASES 128
#define MAX_HARVESTS 8

static long tick_arg = -1;

/* ---- replays ------------------------------------------------------------------ */

struct replay {
	struct pool_soft soft;
	struct pool pool;
	struct pool_backend be;
};

static int replay_open(struct replay *r, const struct repl_ops *policy, uint32_t nframes, uint32_t tick_every)
{
	struct pool_config cfg = { nframes, policy, 1, tick_every };
	if (pool_soft_init(&r->soft, nframes, &host_malloc) != 0) return -1;
	r->be = pool_soft_backend(&r->soft);
	if (pool_init(&r->pool, &cfg, &r->be, &host_malloc) != 0) {
		pool_soft_fini(&r->soft);
		return -1;
	}
	return 0;
}

static void replay_close(struct replay *r)
{
	pool_fini(&r->pool);
	pool_soft_fini(&r->soft);
}

/* Faults of policy on t with nframes, A/D sampled after every reference;
 * -1 on error. */
static long long run(const struct trace *t, const struct repl_ops *policy, uint32_t nframes)
{
	struct replay r;
	if (replay_open(&r, policy, nframes, tick_arg < 0 ? nframes : (uint32_t)tick_arg) != 0) return -1;
	int e = pool_replay(&r.pool, t->refs, t->nrefs);
	long long faults = e ? -1 : (long long)r.pool.stats.faults;
	replay_close(&r);
	return faults;
}

/* Faults with A/D bits harvested every `every` references (see the top). */
static long long run_harvest(const struct trace *t, const struct repl_ops *policy, uint32_t nframes, uint32_t every)
{
	struct replay r;
	if (policy->needs_future || replay_open(&r, policy, nframes, 0) != 0) return -1;
	long long faults = 0;
	for (size_t i = 0; i < t->nrefs; i++) {
		int slot = pool_lookup(&r.pool, t->refs[i].page);
		if (slot < 0) {
			slot = pool_fault(&r.pool, t->refs[i].page, t->refs[i].is_write);
			if (slot < 0) {
				faults = -1;
				break;
			}
			faults++;
		}
		r.be.touch(r.be.ctx, (uint32_t)slot, t->refs[i].is_write);
		if ((i + 1) % every == 0) pool_tick(&r.pool);
	}
	replay_close(&r);
	return faults;
}

/* ---- the cases ------------------------------------------------------------------ */

struct tcase {
	char trace[64];
	uint32_t frames;
	bool in_goal_set;  /* counted in the average the goal is stated on */
	long long opt;
	double ratio[MAX_POLICIES];
};

static struct tcase cases[MAX_CASES];
static int ncases;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.trace.gz files of dir, sorted; returns how many. */
static int list_traces(const char *dir, char **names, int max)
{
	DIR *d = opendir(dir);
	if (!d) {
		perror(dir);
		return -1;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name);
		if (len > 9 && strcmp(e->d_name + len - 9, ".trace.gz") == 0) names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof *names, by_name);
	return n;
}

enum set { SET_LIRS, SET_ADDRESS };

/* The frame counts of a trace in a set; returns how many. */
static int sizes_of(enum set set, const char *name, uint32_t *sizes)
{
	if (set == SET_ADDRESS) { /* their working sets are a few dozen pages */
		static const uint32_t small[] = { 4, 8, 16, 32 };
		memcpy(sizes, small, sizeof small);
		return 4;
	}
	if (strcmp(name, "loop") == 0) {
		sizes[0] = 512;
		return 1;
	}
	static const uint32_t usual[] = { 100, 200, 500, 1000 };
	memcpy(sizes, usual, sizeof usual);
	return 4;
}

static bool in_goal_set(enum set set, const char *name)
{
	return set == SET_ADDRESS ||
	       (strcmp(name, "backf") != 0 && strcmp(name, "scan") != 0 && strcmp(name, "zigzag") != 0);
}

/* Load every trace of dir into memory, one at a time, and call fn on each
 * of its cases. 0 or 1 on error. */
typedef int (*case_fn)(const struct trace *t, struct tcase *c);

static int for_each_case(const char *dir, enum set set, bool goal_set_only, case_fn fn)
{
	char *names[64];
	int ntraces = list_traces(dir, names, 64);
	if (ntraces <= 0) return fprintf(stderr, "repl_table: no *.trace.gz in %s\n", dir), 1;
	for (int i = 0; i < ntraces; i++) {
		char path[4096], name[64];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		snprintf(name, sizeof name, "%.*s", (int)(strlen(names[i]) - 9), names[i]);
		free(names[i]);
		if (goal_set_only && !in_goal_set(set, name)) continue;
		struct trace t;
		if (trace_load(path, &t) != 0) return 1;
		uint32_t sizes[4];
		int nsizes = sizes_of(set, name, sizes);
		for (int s = 0; s < nsizes && ncases < MAX_CASES; s++) {
			struct tcase *c = &cases[ncases++];
			snprintf(c->trace, sizeof c->trace, "%s", name);
			c->frames = sizes[s];
			c->in_goal_set = in_goal_set(set, name);
			c->opt = run(&t, &repl_opt_ops, sizes[s]);
			if (c->opt <= 0) return fprintf(stderr, "repl_table: opt failed on %s\n", name), 1;
			if (fn(&t, c) != 0) return 1;
		}
		trace_free(&t, &host_malloc);
	}
	return 0;
}

/* ---- the exact tables ----------------------------------------------------------- */

static size_t npolicies(void)
{
	size_t n = repl_count();
	return n < MAX_POLICIES ? n : MAX_POLICIES;
}

static bool online(size_t p)
{
	return !repl_at(p)->needs_future;
}

/* The online policy with the lowest ratio among ratio[] (a case, or averages). */
static size_t best_of(const double *ratio)
{
	size_t best = (size_t)-1;
	for (size_t p = 0; p < npolicies(); p++)
		if (online(p) && (best == (size_t)-1 || ratio[p] < ratio[best])) best = p;
	return best;
}

static void print_header(void)
{
	printf("%-10s %6s %8s", "trace", "frames", "opt_miss");
	for (size_t p = 0; p < npolicies(); p++) printf(" %8s", repl_at(p)->name);
	printf("  best\n");
}

static int exact_case(const struct trace *t, struct tcase *c)
{
	printf("%-10s %6u %8lld", c->trace, c->frames, c->opt);
	for (size_t p = 0; p < npolicies(); p++) {
		long long f = run(t, repl_at(p), c->frames);
		if (f < 0) return fprintf(stderr, "repl_table: %s failed\n", repl_at(p)->name), 1;
		c->ratio[p] = (double)f / (double)c->opt;
		printf(" %8.3f", c->ratio[p]);
	}
	printf("  %s\n", repl_at(best_of(c->ratio))->name);
	fflush(stdout);
	return 0;
}

/* Average ratio per policy over the cases (goal set only, or all). */
static void averages(bool goal_set_only, double *avg)
{
	int n = 0;
	for (size_t p = 0; p < npolicies(); p++) avg[p] = 0;
	for (int i = 0; i < ncases; i++) {
		if (goal_set_only && !cases[i].in_goal_set) continue;
		n++;
		for (size_t p = 0; p < npolicies(); p++) avg[p] += cases[i].ratio[p];
	}
	for (size_t p = 0; p < npolicies(); p++) avg[p] = n ? avg[p] / n : 0;
}

static int count_cases(bool goal_set_only)
{
	int n = 0;
	for (int i = 0; i < ncases; i++) n += !goal_set_only || cases[i].in_goal_set;
	return n;
}

static void print_average_row(const char *label, const double *avg)
{
	printf("%-26s", label);
	for (size_t p = 0; p < npolicies(); p++) printf(" %8.3f", avg[p]);
	printf("  %s\n", repl_at(best_of(avg))->name);
}

/* For each trace: the online policy best on average over its sizes, and
 * its gap to OPT. */
static void print_trace_bests(void)
{
	printf("best online policy per trace (its misses / OPT's, averaged over the trace's sizes):\n");
	for (int i = 0; i < ncases;) {
		double avg[MAX_POLICIES] = { 0 };
		int j = i;
		for (; j < ncases && strcmp(cases[j].trace, cases[i].trace) == 0; j++)
			for (size_t p = 0; p < npolicies(); p++) avg[p] += cases[j].ratio[p];
		for (size_t p = 0; p < npolicies(); p++) avg[p] /= j - i;
		size_t b = best_of(avg);
		printf("  %-10s %-9s %.3f  gap to OPT %+5.1f%%%s\n", cases[i].trace, repl_at(b)->name, avg[b],
		       100 * (avg[b] - 1), cases[i].in_goal_set ? "" : "  (not in the goal set)");
		i = j;
	}
}

static void print_bench(const char *suffix, const double *avg)
{
	for (size_t p = 0; p < npolicies(); p++)
		if (online(p)) printf("BENCH repl_%s_vs_opt%s value=%.3f %s\n", repl_at(p)->name, suffix, avg[p], GOAL_TEXT);
}

static int exact_table(const char *dir, enum set set)
{
	print_header();
	if (for_each_case(dir, set, false, exact_case) != 0) return 1;
	double goal_avg[MAX_POLICIES], all_avg[MAX_POLICIES];
	averages(true, goal_avg);
	averages(false, all_avg);
	char label[64];
	snprintf(label, sizeof label, "average (%d cases, goal)", count_cases(true));
	print_average_row(label, goal_avg);
	if (count_cases(false) != count_cases(true)) {
		snprintf(label, sizeof label, "average (all %d cases)", count_cases(false));
		print_average_row(label, all_avg);
	}
	print_trace_bests();
	const char *suffix = set == SET_ADDRESS ? "_address" : "";
	print_bench(suffix, goal_avg);
	size_t b = best_of(goal_avg);
	printf("BENCH repl_best_vs_opt_%s value=%.3f policy=%s %s\n", set == SET_ADDRESS ? "address" : "lirs",
	       goal_avg[b], repl_at(b)->name, GOAL_TEXT);
	if (goal_avg[b] > GOAL)
		printf("note: no online policy reaches the goal here; see README (Benchmarks) for what stands in the way\n");
	return 0;
}

/* ---- harvesting every N ----------------------------------------------------------- */

static uint32_t harvests[MAX_HARVESTS];
static int nharvests;
static double harvest_sum[MAX_HARVESTS][MAX_POLICIES];

static int harvest_case(const struct trace *t, struct tcase *c)
{
	for (int h = 0; h < nharvests; h++)
		for (size_t p = 0; p < npolicies(); p++) {
			if (!online(p)) continue;
			long long f = run_harvest(t, repl_at(p), c->frames, harvests[h]);
			if (f < 0) return fprintf(stderr, "repl_table: %s failed\n", repl_at(p)->name), 1;
			harvest_sum[h][p] += (double)f / (double)c->opt;
		}
	fprintf(stderr, ".");
	return 0;
}

static int harvest_table(const char *dir, const char *list)
{
	for (const char *s = list; *s && nharvests < MAX_HARVESTS;) {
		long n = strtol(s, (char **)&s, 10);
		if (n <= 0) return fprintf(stderr, "repl_table: bad --harvest list %s\n", list), 1;
		harvests[nharvests++] = (uint32_t)n;
		if (*s == ',') s++;
	}
	if (for_each_case(dir, SET_LIRS, true, harvest_case) != 0) return 1;
	fprintf(stderr, "\n");
	printf("A/D bits harvested every N references: misses / OPT's, average of the %d cases\n", ncases);
	printf("%-10s", "policy");
	for (int h = 0; h < nharvests; h++) printf("  N=%-6u", harvests[h]);
	printf("\n");
	for (size_t p = 0; p < npolicies(); p++) {
		if (!online(p)) continue;
		printf("%-10s", repl_at(p)->name);
		for (int h = 0; h < nharvests; h++) printf("  %-8.3f", harvest_sum[h][p] / ncases);
		printf("\n");
	}
	for (int h = 0; h < nharvests; h++) {
		size_t best = (size_t)-1;
		for (size_t p = 0; p < npolicies(); p++) {
			if (!online(p)) continue;
			double v = harvest_sum[h][p] / ncases;
			printf("BENCH repl_%s_vs_opt_harvest%u value=%.3f %s\n", repl_at(p)->name, harvests[h], v, GOAL_TEXT);
			if (best == (size_t)-1 || harvest_sum[h][p] < harvest_sum[h][best]) best = p;
		}
		printf("BENCH repl_best_vs_opt_harvest%u value=%.3f policy=%s %s\n", harvests[h],
		       harvest_sum[h][best] / ncases, repl_at(best)->name, GOAL_TEXT);
	}
	return 0;
}

/* ---- curves for gnuplot ----------------------------------------------------------- */

static int curve(const char *path, int nsizes, char **sizes)
{
	struct trace t;
	if (trace_load(path, &t) != 0) return 1;
	printf("# frames");
	for (size_t p = 0; p < repl_count(); p++) printf(" %s", repl_at(p)->name);
	printf("\n");
	for (int i = 0; i < nsizes; i++) {
		uint32_t frames = (uint32_t)atol(sizes[i]);
		if (frames == 0) continue;
		printf("%u", frames);
		for (size_t p = 0; p < repl_count(); p++) printf(" %lld", run(&t, repl_at(p), frames));
		printf("\n");
	}
	trace_free(&t, &host_malloc);
	return 0;
}

int main(int argc, char **argv)
{
	int arg = 1;
	if (arg + 1 < argc && strcmp(argv[arg], "--tick") == 0) {
		tick_arg = atol(argv[arg + 1]);
		arg += 2;
	}
	if (arg < argc && strcmp(argv[arg], "--curve") == 0) {
		if (arg + 2 > argc) return fprintf(stderr, "usage: repl_table --curve TRACE F1 F2 ...\n"), 1;
		return curve(argv[arg + 1], argc - arg - 2, argv + arg + 2);
	}
	if (arg + 1 < argc && strcmp(argv[arg], "--harvest") == 0)
		return harvest_table(arg + 2 < argc ? argv[arg + 2] : "tests/data/traces/lirs", argv[arg + 1]);
	if (arg < argc && strcmp(argv[arg], "--address") == 0)
		return exact_table(arg + 1 < argc ? argv[arg + 1] : "tests/data/traces/address", SET_ADDRESS);
	return exact_table(arg < argc ? argv[arg] : "tests/data/traces/lirs", SET_LIRS);
}
