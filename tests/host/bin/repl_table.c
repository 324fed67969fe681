/*
 * repl_table.c - every replacement policy against Belady's OPT on the LIRS
 * block traces, on the host build of mm/ (pool + software backend).
 *
 *   build/host/repl_table [--tick N] [DIR]
 *       DIR defaults to tests/data/traces/lirs (relative to the repo root).
 *       For each trace at 100, 200, 500 and 1000 frames (loop: 512 only)
 *       prints misses / OPT's misses per policy, then one line per policy
 *       with the average ratio:  BENCH repl_<policy>_vs_opt value=<x.xxx>
 *   build/host/repl_table --curve TRACE F1 F2 ...
 *       faults per policy at each frame count, as a whitespace table for
 *       gnuplot (used by tools/plot-faults).
 *
 * --tick N sets the references between ticks (default: the frame count, as
 * in tools/replay). `make host` builds this with sanitizers, which is slow
 * for the full table; for speed build it without them:
 *
 *   tools/bench-repl    (builds build/bench/repl_table at -O2 and runs it)
 *
 * (about 10 s for the whole table; the sanitized build takes about 40 s).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../trace_load.h"
#include "pool.h"
#include "pool_soft.h"
#include "mmlib.h"

static long tick_arg = -1;

/* Faults of policy on t with nframes, or -1 on error. */
static long long run(const struct trace *t, const struct repl_ops *policy, uint32_t nframes)
{
	struct pool_soft soft;
	struct pool pool;
	struct pool_config cfg = { nframes, policy, 1, tick_arg < 0 ? nframes : (uint32_t)tick_arg };
	if (pool_soft_init(&soft, nframes, &host_malloc) != 0) return -1;
	struct pool_backend be = pool_soft_backend(&soft);
	if (pool_init(&pool, &cfg, &be, &host_malloc) != 0) {
		pool_soft_fini(&soft);
		return -1;
	}
	int e = pool_replay(&pool, t->refs, t->nrefs);
	long long faults = e ? -1 : (long long)pool.stats.faults;
	pool_fini(&pool);
	pool_soft_fini(&soft);
	return faults;
}

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
	const char *dir = arg < argc ? argv[arg] : "tests/data/traces/lirs";
	char *names[64];
	int ntraces = list_traces(dir, names, 64);
	if (ntraces <= 0) return fprintf(stderr, "repl_table: no *.trace.gz in %s\n", dir), 1;

	size_t npol = repl_count();
	double sum[16] = { 0 };
	int cases = 0;
	printf("%-16s %6s %8s", "trace", "frames", "opt_miss");
	for (size_t p = 0; p < npol; p++) printf(" %7s", repl_at(p)->name);
	printf("\n");
	for (int i = 0; i < ntraces; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		struct trace t;
		if (trace_load(path, &t) != 0) return 1;
		static const uint32_t usual[] = { 100, 200, 500, 1000 }, loop[] = { 512 };
		bool is_loop = strcmp(names[i], "loop.trace.gz") == 0;
		const uint32_t *sizes = is_loop ? loop : usual;
		int nsizes = is_loop ? 1 : 4;
		for (int s = 0; s < nsizes; s++) {
			long long opt = run(&t, &repl_opt_ops, sizes[s]);
			if (opt <= 0) return fprintf(stderr, "repl_table: opt failed on %s\n", names[i]), 1;
			printf("%-16.*s %6u %8lld", (int)(strlen(names[i]) - 9), names[i], sizes[s], opt);
			for (size_t p = 0; p < npol; p++) {
				long long f = run(&t, repl_at(p), sizes[s]);
				if (f < 0) return fprintf(stderr, "repl_table: %s failed\n", repl_at(p)->name), 1;
				double ratio = (double)f / (double)opt;
				sum[p] += ratio;
				printf(" %7.3f", ratio);
			}
			printf("\n");
			fflush(stdout);
			cases++;
		}
		trace_free(&t, &host_malloc);
		free(names[i]);
	}
	printf("%-16s %6s %8s", "average", "", "");
	for (size_t p = 0; p < npol; p++) printf(" %7.3f", sum[p] / cases);
	printf("\n");
	for (size_t p = 0; p < npol; p++)
		printf("BENCH repl_%s_vs_opt value=%.3f\n", repl_at(p)->name, sum[p] / cases);
	return 0;
}
