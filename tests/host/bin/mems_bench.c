/*
 * mems_bench.c - MeMS (mm/heap/mems.c) against the C library's malloc/free on the
 * same workload, in the same run, on the host.
 *
 * The workload, for N live blocks with N in 10, 1000, 100000 (or --n N):
 * N mallocs of random sizes (the fill), then R rounds of "free live block k
 * (chosen at random), malloc a new random size into slot k", so N blocks stay
 * live. Sizes: 8..511 bytes, one request in 32 8..8192 bytes (up to two
 * pages). One seeded sequence of sizes and victims, made before either
 * allocator runs, drives both: the same calls in the same order. Neither
 * side writes into the blocks. MeMS also answers a mems_get of a random
 * live block's fourth byte per round, timed apart (the C library has no
 * counterpart).
 *
 * The same workload also runs on a straightforward linked-list MeMS of the
 * kind the seeds describe (tests/host/bin/mems_list.h: malloc, free and get
 * walk the lists), the baseline for scale: what the index is worth. It
 * starts from the layout the fill leaves (built from MeMS's, since filling
 * 100000 blocks by walking the lists would take minutes) and runs the first
 * rounds of the same sequence for up to about a second; then a fresh MeMS
 * runs the same fill and rounds and both must print the same stats.
 *
 * What is measured:
 *   - throughput (the ratio that counts): ns per round (one free and one
 *     malloc) with CLOCK_MONOTONIC; each side runs T trials (default 5),
 *     alternating, each from a fresh heap and the same fill; a trial times
 *     the rounds in chunks of CHUNK_ROUNDS, and each chunk counts its best
 *     time over the trials (so a chunk that another process interrupted on
 *     a shared machine does not count, on either side);
 *   - latency: each operation timed alone with the time-stamp counter (its
 *     own overhead taken off, converted to ns by a calibration against
 *     CLOCK_MONOTONIC), median and 99th percentile, from one more run.
 *
 *     BENCH mems_round_n1000 value=<ns> unit=ns       (MeMS, free + malloc)
 *     BENCH mems_libc_round_n1000 value=<ns> unit=ns  (the C library)
 *     BENCH mems_vs_libc_ratio_n1000 value=<x.yy> (goal: 2.0 or less)  (MeMS / C library)
 *     BENCH mems_list_round_n1000 value=<ns> unit=ns  (the linked-list baseline)
 *     BENCH mems_list_vs_mems_ratio_n1000 value=<x.y> (baseline / MeMS)
 *     BENCH mems_malloc_n1000 median=<ns> p99=<ns> unit=ns   (and _free, _get,
 *     BENCH mems_libc_malloc_n1000 median=<ns> p99=<ns> unit=ns   _libc_free)
 *     BENCH mems_vs_libc_median_ratio_n1000 value=<x.yy>  (malloc + free medians)
 *     BENCH mems_vs_libc_ratio value=<x.yy>       (geometric mean over the N)
 *     BENCH mems_scaling value=<x.yy>   (MeMS ns per round, largest N / smallest)
 *     BENCH mems_libc_scaling value=<x.yy>   (the same for the C library)
 *
 * The pager hands MeMS its nodes from one region reserved with mmap at start
 * (bump allocation, never touched by the bench), as the original MeMS mapped
 * its nodes with mmap: the nodes' pages then do not sit among MeMS's own
 * bookkeeping in the C library's heap. --pager heap maps each node with
 * aligned_alloc instead (mm/'s host tests do that), to see the difference.
 * The metadata allocator is the C library's malloc.
 *
 * `make build/host/mems_bench` builds it with sanitizers (slow, for checking
 * only). For meaningful numbers build it without them, from the repo root:
 *
 *     tools/bench-mems    (builds build/bench/mems_bench at -O2 and runs it)
 *
 * Options: [ROUNDS] (default 200000), --n N (one size only), --trials T
 * (default 5), --pager mmap|heap, --no-list (skip the baseline), --count
 * (no timing: run each side's rounds once, for counting instructions).
 * Instruction counts per round, deterministic:
 *
 *     valgrind --tool=callgrind --callgrind-out-file=build/cg.out \
 *         --toggle-collect=libc_rounds --toggle-collect=mems_rounds \
 *         build/mems_bench --count --n 1000 100000
 *     callgrind_annotate --inclusive=yes build/cg.out | grep _rounds
 *
 * and divide by ROUNDS.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "../host_alloc.h"
#include "mems.h"
#include "mems_list.h"

/* ---- the pager and metadata allocator ---- */

#define REGION_BYTES (768u << 20)

struct region {
	char *base;
	size_t used, live_pages;
	int heap; /* map with aligned_alloc instead */
};

static struct region region;

static int pg_map(void *ctx, size_t npages, void **kaddr)
{
	struct region *r = ctx;
	size_t nbytes = npages * MEMS_PAGE_SIZE;
	if (r->heap) {
		void *k = aligned_alloc(MEMS_PAGE_SIZE, nbytes);
		if (!k) return -MM_ENOMEM;
		*kaddr = k;
		return 0;
	}
	if (nbytes > REGION_BYTES - r->used) return -MM_ENOMEM;
	*kaddr = r->base + r->used;
	r->used += nbytes;
	r->live_pages += npages;
	return 0;
}

static void pg_unmap(void *ctx, void *kaddr, size_t npages)
{
	struct region *r = ctx;
	if (r->heap) {
		free(kaddr);
		return;
	}
	r->live_pages -= npages;
	if (!r->live_pages) r->used = 0; /* the instance finished: start over */
}

static paddr_t pg_phys(void *ctx, const void *kaddr)
{
	(void)ctx;
	return paddr_make((uint32_t)(uintptr_t)kaddr); /* the host has none: the pointer's low bits */
}

/* ---- timing ---- */

static double ns_per_tick;
static uint64_t tick_overhead;

/* The time-stamp counter, fenced so that the operation between two readings
 * has finished (loads included) and nothing after has started. */
static inline uint64_t tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void calibrate(void)
{
	uint64_t t0 = now_ns(), c0 = tsc();
	while (now_ns() - t0 < 50000000ull) {}
	uint64_t t1 = now_ns(), c1 = tsc();
	ns_per_tick = (double)(t1 - t0) / (double)(c1 - c0);
	uint64_t d[1001];
	for (int i = 0; i < 1001; i++) {
		uint64_t a = tsc();
		d[i] = tsc() - a;
	}
	qsort(d, 1001, sizeof d[0], cmp_u64);
	tick_overhead = d[500];
}

struct samples {
	uint64_t *t;
	size_t n;
};

static void add(struct samples *s, uint64_t ticks)
{
	s->t[s->n++] = ticks > tick_overhead ? ticks - tick_overhead : 0;
}

struct figures {
	double med, p99; /* ns */
};

static struct figures report(const char *name, size_t n_live, struct samples *s)
{
	struct figures f;
	qsort(s->t, s->n, sizeof s->t[0], cmp_u64);
	f.med = (double)s->t[s->n / 2] * ns_per_tick;
	f.p99 = (double)s->t[s->n * 99 / 100] * ns_per_tick;
	printf("BENCH %s_n%zu median=%.0f p99=%.0f unit=ns\n", name, n_live, f.med, f.p99);
	return f;
}

/* ---- the workload ---- */

struct workload {
	size_t n_live, rounds;
	size_t *fill_sizes;  /* n_live */
	size_t *sizes;       /* rounds */
	uint32_t *victims;   /* rounds */
	uint32_t *probes;    /* rounds: which live block mems_get looks into */
};

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static size_t rnd_size(void)
{
	if (rnd() % 32 == 0) return 8 + rnd() % 8185;
	return 8 + rnd() % 504;
}

static void make_workload(struct workload *w, size_t n_live, size_t rounds)
{
	rng_state = 0x9e3779b97f4a7c15ull ^ n_live;
	w->n_live = n_live;
	w->rounds = rounds;
	w->fill_sizes = malloc(n_live * sizeof *w->fill_sizes);
	w->sizes = malloc(rounds * sizeof *w->sizes);
	w->victims = malloc(rounds * sizeof *w->victims);
	w->probes = malloc(rounds * sizeof *w->probes);
	if (!w->fill_sizes || !w->sizes || !w->victims || !w->probes) abort();
	for (size_t i = 0; i < n_live; i++) w->fill_sizes[i] = rnd_size();
	for (size_t i = 0; i < rounds; i++) {
		w->sizes[i] = rnd_size();
		w->victims[i] = rnd() % (uint32_t)n_live;
		w->probes[i] = rnd() % (uint32_t)n_live;
	}
}

static void free_workload(struct workload *w)
{
	free(w->fill_sizes);
	free(w->sizes);
	free(w->victims);
	free(w->probes);
}

/* ---- the C library ---- */

static void **libc_fill(const struct workload *w)
{
	void **live = malloc(w->n_live * sizeof *live);
	if (!live) abort();
	for (size_t i = 0; i < w->n_live; i++)
		if (!(live[i] = malloc(w->fill_sizes[i]))) abort();
	return live;
}

static void libc_empty(const struct workload *w, void **live)
{
	for (size_t i = 0; i < w->n_live; i++) free(live[i]);
	free(live);
}

/* Rounds from..to-1, as one loop (not inlined: callgrind counts it by name). */
__attribute__((noinline)) static void libc_rounds(const struct workload *w, void **live,
						  size_t from, size_t to)
{
	for (size_t r = from; r < to; r++) {
		uint32_t k = w->victims[r];
		free(live[k]);
		live[k] = malloc(w->sizes[r]);
		if (!live[k]) abort();
	}
}

#define CHUNK_ROUNDS 10000u

static size_t nchunks(const struct workload *w)
{
	return (w->rounds + CHUNK_ROUNDS - 1) / CHUNK_ROUNDS;
}

/* One trial: chunk c of the rounds took t[c] ns. */
static void libc_trial(const struct workload *w, uint64_t *t)
{
	void **live = libc_fill(w);
	for (size_t c = 0, r = 0; r < w->rounds; c++, r += CHUNK_ROUNDS) {
		size_t to = r + CHUNK_ROUNDS < w->rounds ? r + CHUNK_ROUNDS : w->rounds;
		uint64_t t0 = now_ns();
		libc_rounds(w, live, r, to);
		t[c] = now_ns() - t0;
	}
	libc_empty(w, live);
}

static struct figures libc_latency(const struct workload *w)
{
	void **live = libc_fill(w);
	struct samples sm = { malloc(w->rounds * sizeof(uint64_t)), 0 };
	struct samples sf = { malloc(w->rounds * sizeof(uint64_t)), 0 };
	for (size_t r = 0; r < w->rounds; r++) {
		uint32_t k = w->victims[r];
		uint64_t t0 = tsc();
		free(live[k]);
		uint64_t t1 = tsc();
		live[k] = malloc(w->sizes[r]);
		uint64_t t2 = tsc();
		if (!live[k]) abort();
		add(&sf, t1 - t0);
		add(&sm, t2 - t1);
	}
	libc_empty(w, live);
	struct figures fm = report("mems_libc_malloc", w->n_live, &sm);
	struct figures ff = report("mems_libc_free", w->n_live, &sf);
	free(sm.t);
	free(sf.t);
	struct figures sum = { fm.med + ff.med, fm.p99 + ff.p99 };
	return sum;
}

/* ---- MeMS ---- */

static uint64_t *mems_fill(struct mems *m, const struct workload *w)
{
	struct mems_pager pg = { pg_map, pg_unmap, pg_phys, &region };
	memset(m, 0, sizeof *m);
	if (mems_init(m, &pg, &host_malloc) < 0) abort();
	uint64_t *live = malloc(w->n_live * sizeof *live);
	if (!live) abort();
	for (size_t i = 0; i < w->n_live; i++)
		if (!(live[i] = mems_malloc(m, w->fill_sizes[i]))) abort();
	return live;
}

static void mems_empty(struct mems *m, const struct workload *w, uint64_t *live, int verbose)
{
	if (mems_check(m, NULL) < 0) {
		fprintf(stderr, "mems_check failed after the run\n");
		abort();
	}
	if (verbose) {
		struct mems_stats st;
		mems_get_stats(m, &st);
		printf("# N=%zu: %zu segments, %zu nodes, %llu pages, %llu bytes in holes\n",
		       w->n_live, st.nsegs, st.nnodes, (unsigned long long)st.npages,
		       (unsigned long long)st.hole_bytes);
	}
	mems_finish(m);
	free(live);
}

__attribute__((noinline)) static void mems_rounds(struct mems *m, const struct workload *w,
						  uint64_t *live, size_t from, size_t to)
{
	for (size_t r = from; r < to; r++) {
		uint32_t k = w->victims[r];
		if (mems_free(m, live[k]) < 0) abort();
		live[k] = mems_malloc(m, w->sizes[r]);
		if (!live[k]) abort();
	}
}

static void mems_trial(const struct workload *w, uint64_t *t)
{
	struct mems m;
	uint64_t *live = mems_fill(&m, w);
	for (size_t c = 0, r = 0; r < w->rounds; c++, r += CHUNK_ROUNDS) {
		size_t to = r + CHUNK_ROUNDS < w->rounds ? r + CHUNK_ROUNDS : w->rounds;
		uint64_t t0 = now_ns();
		mems_rounds(&m, w, live, r, to);
		t[c] = now_ns() - t0;
	}
	mems_empty(&m, w, live, 0);
}

/* ns per round from each chunk's best time over the trials. */
static double best_chunks(const struct workload *w, const uint64_t *t, int trials)
{
	size_t nc = nchunks(w);
	double sum = 0;
	for (size_t c = 0; c < nc; c++) {
		uint64_t best = t[c];
		for (int k = 1; k < trials; k++) best = t[k * nc + c] < best ? t[k * nc + c] : best;
		sum += (double)best;
	}
	return sum / (double)w->rounds;
}

static struct figures mems_latency(const struct workload *w)
{
	struct mems m;
	uint64_t *live = mems_fill(&m, w);
	struct samples sm = { malloc(w->rounds * sizeof(uint64_t)), 0 };
	struct samples sf = { malloc(w->rounds * sizeof(uint64_t)), 0 };
	struct samples sg = { malloc(w->rounds * sizeof(uint64_t)), 0 };
	volatile uintptr_t sink = 0;
	for (size_t r = 0; r < w->rounds; r++) {
		uint32_t k = w->victims[r];
		uint64_t t0 = tsc();
		int rc = mems_free(&m, live[k]);
		uint64_t t1 = tsc();
		live[k] = mems_malloc(&m, w->sizes[r]);
		uint64_t t2 = tsc();
		void *p = mems_get(&m, live[w->probes[r]] + 3);
		uint64_t t3 = tsc();
		if (rc < 0 || !live[k] || !p) abort();
		sink += (uintptr_t)p;
		add(&sf, t1 - t0);
		add(&sm, t2 - t1);
		add(&sg, t3 - t2);
	}
	mems_empty(&m, w, live, 1);
	struct figures fm = report("mems_malloc", w->n_live, &sm);
	struct figures ff = report("mems_free", w->n_live, &sf);
	report("mems_get", w->n_live, &sg);
	free(sm.t);
	free(sf.t);
	free(sg.t);
	struct figures sum = { fm.med + ff.med, fm.p99 + ff.p99 };
	return sum;
}

/* ---- the linked-list baseline ---- */

static int copy_seg(void *ctx, const struct mems_seg_info *si)
{
	struct mems_list *l = ctx;
	if (!l->tail || l->tail->start != si->node_start) {
		/* a node like MeMS's: ml_grow makes it one hole */
		struct ml_node *n = ml_grow(l, si->node_npages);
		if (!n || n->start != si->node_start) abort();
		free(n->first);
		n->first = NULL;
		n->nsegs = 0;
	}
	struct ml_node *n = l->tail;
	struct ml_seg *s = ml_new_seg(si->start, si->nbytes, si->process);
	if (!n->first) {
		n->first = s;
		n->nsegs = 1;
	} else {
		struct ml_seg *last = n->first;
		while (last->next) last = last->next;
		ml_link_after(n, last, s);
	}
	return 0;
}

/* The text mems_print_stats prints, or the list's. */
static void put_file(void *ctx, const char *str, size_t n)
{
	fwrite(str, 1, n, ctx);
}

static char *stats_of(struct mems *m, struct mems_list *l)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) abort();
	if (m) {
		struct mm_sink out = { put_file, f };
		mems_print_stats(m, &out);
	} else {
		mems_list_print_stats(l, f);
	}
	fclose(f);
	return buf;
}

/* The rounds on the list baseline, from the layout of MeMS's fill, for up
 * to budget_ns; ns per round, and the rounds run in *ran. Then checks that
 * MeMS after the same fill and rounds prints the same stats. */
static double list_throughput(const struct workload *w, uint64_t budget_ns, size_t *ran)
{
	struct mems m;
	uint64_t *mv = mems_fill(&m, w);
	struct mems_list l;
	struct mems_pager pg = { pg_map, pg_unmap, pg_phys, &region };
	mems_list_init(&l, &pg);
	mems_for_each_segment(&m, copy_seg, &l);
	uint64_t *live = malloc(w->n_live * sizeof *live);
	if (!live) abort();
	memcpy(live, mv, w->n_live * sizeof *live);
	size_t r = 0;
	uint64_t t0 = now_ns(), t1 = t0;
	while (r < w->rounds && t1 - t0 < budget_ns) {
		/* a batch, then a look at the clock */
		for (size_t end = r + 64 < w->rounds ? r + 64 : w->rounds; r < end; r++) {
			uint32_t k = w->victims[r];
			if (mems_list_free(&l, live[k]) < 0) abort();
			if (!(live[k] = mems_list_malloc(&l, w->sizes[r]))) abort();
		}
		t1 = now_ns();
	}
	*ran = r;
	/* the same rounds on MeMS */
	for (size_t q = 0; q < r; q++) {
		uint32_t k = w->victims[q];
		if (mems_free(&m, mv[k]) < 0) abort();
		if (!(mv[k] = mems_malloc(&m, w->sizes[q]))) abort();
	}
	if (memcmp(mv, live, w->n_live * sizeof *live) != 0) abort(); /* the same addresses */
	char *a = stats_of(&m, NULL), *b = stats_of(NULL, &l);
	if (strcmp(a, b) != 0) {
		fprintf(stderr, "the list baseline and MeMS disagree after %zu rounds\n", r);
		abort();
	}
	free(a);
	free(b);
	mems_list_finish(&l);
	mems_empty(&m, w, mv, 0);
	free(live);
	return (double)(t1 - t0) / (double)r;
}

/* ---- main ---- */

static void count_only(const struct workload *w)
{
	void **lv = libc_fill(w);
	libc_rounds(w, lv, 0, w->rounds);
	libc_empty(w, lv);
	struct mems m;
	uint64_t *mv = mems_fill(&m, w);
	mems_rounds(&m, w, mv, 0, w->rounds);
	mems_empty(&m, w, mv, 1);
	printf("# N=%zu: %zu rounds run once on each side\n", w->n_live, w->rounds);
}

int main(int argc, char **argv)
{
	static const size_t all_lives[] = { 10, 1000, 100000 };
	size_t lives[3], nlives = 3, rounds = 200000, one_n = 0;
	int trials = 5, count = 0, list = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--n") && i + 1 < argc) one_n = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--trials") && i + 1 < argc) trials = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--pager") && i + 1 < argc) region.heap = !strcmp(argv[++i], "heap");
		else if (!strcmp(argv[i], "--count")) count = 1;
		else if (!strcmp(argv[i], "--no-list")) list = 0;
		else rounds = strtoul(argv[i], NULL, 10);
	}
	if (rounds < 100) rounds = 100;
	if (trials < 1) trials = 1;
	memcpy(lives, all_lives, sizeof lives);
	if (one_n) {
		lives[0] = one_n;
		nlives = 1;
	}
	if (!region.heap) {
		region.base = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (region.base == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
	}
	if (!count) calibrate();
	double log_ratio = 0, first = 0, last = 0, lib_first = 0, lib_last = 0;
	for (size_t i = 0; i < nlives; i++) {
		struct workload w;
		make_workload(&w, lives[i], rounds);
		if (count) {
			count_only(&w);
			free_workload(&w);
			continue;
		}
		uint64_t *tl = malloc((size_t)trials * nchunks(&w) * sizeof *tl);
		uint64_t *tm = malloc((size_t)trials * nchunks(&w) * sizeof *tm);
		if (!tl || !tm) abort();
		for (int t = 0; t < trials; t++) {
			libc_trial(&w, tl + (size_t)t * nchunks(&w));
			mems_trial(&w, tm + (size_t)t * nchunks(&w));
		}
		double lib = best_chunks(&w, tl, trials), mem = best_chunks(&w, tm, trials);
		free(tl);
		free(tm);
		struct figures lat_lib = libc_latency(&w), lat_mem = mems_latency(&w);
		printf("BENCH mems_round_n%zu value=%.1f unit=ns\n", lives[i], mem);
		printf("BENCH mems_libc_round_n%zu value=%.1f unit=ns\n", lives[i], lib);
		printf("BENCH mems_vs_libc_ratio_n%zu value=%.2f (goal: 2.0 or less)\n", lives[i], mem / lib);
		printf("BENCH mems_vs_libc_median_ratio_n%zu value=%.2f\n", lives[i],
		       lat_mem.med / lat_lib.med);
		if (list) {
			size_t ran = 0;
			double lst = list_throughput(&w, 1000000000ull, &ran);
			printf("# N=%zu: the list baseline ran %zu rounds and ends as MeMS does\n", lives[i], ran);
			printf("BENCH mems_list_round_n%zu value=%.1f unit=ns\n", lives[i], lst);
			printf("BENCH mems_list_vs_mems_ratio_n%zu value=%.1f\n", lives[i], lst / mem);
		}
		log_ratio += log(mem / lib);
		if (i == 0) {
			first = mem;
			lib_first = lib;
		}
		last = mem;
		lib_last = lib;
		free_workload(&w);
	}
	if (!count) {
		printf("BENCH mems_vs_libc_ratio value=%.2f\n", exp(log_ratio / (double)nlives));
		printf("BENCH mems_scaling value=%.2f\n", last / first);
		printf("BENCH mems_libc_scaling value=%.2f\n", lib_last / lib_first);
	}
	return 0;
}
