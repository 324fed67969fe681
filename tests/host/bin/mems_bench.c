/*
 * mems_bench.c - MeMS (mm/mems.c) against the C library's malloc/free on the
 * same workload, on the host.
 *
 * Workload, for N live blocks with N in 10, 1000, 100000: N mallocs of random
 * sizes, then rounds of "free a random live block, malloc a new random size in
 * its place" (the live count stays N), then a random mems_get per round on
 * MeMS. Sizes: 8..511 bytes, one request in 32 8..8192 bytes (up to 2 pages).
 * The same seeded sequence drives both allocators. Each operation is timed
 * alone with the time-stamp counter (its own overhead taken off), converted to
 * ns by a calibration against CLOCK_MONOTONIC; the lines give the median and
 * the 99th percentile:
 *
 *     BENCH mems_malloc_n1000 median=<ns> p99=<ns> unit=ns      (MeMS)
 *     BENCH mems_libc_malloc_n1000 median=<ns> p99=<ns> unit=ns (the C library)
 *     BENCH mems_vs_libc_ratio_n1000 value=<x.yy>  (MeMS malloc+free medians / libc's)
 *     BENCH mems_vs_libc_mean_ratio_n1000 value=<x.yy>  (the same with means)
 *     BENCH mems_vs_libc_ratio value=<x.yy>        (geometric mean over the N)
 *     BENCH mems_scaling value=<x.yy>  (MeMS malloc+free median, N=100000 / N=10)
 *
 * `make build/host/mems_bench` builds it with sanitizers (slow, for checking
 * only). For meaningful numbers build it without them, from the repo root:
 *
 *     gcc -O2 -m32 -I. -Imm tests/host/bin/mems_bench.c mm/mems.c \
 *         mm/mems_index.c mm/fmt.c mm/mmlib.c tests/host/env_host.c -lm \
 *         -o build/mems_bench && build/mems_bench
 *
 * An optional argument sets the number of rounds per N (default 200000).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../../../mm/mems.h"

/* ---- the pager and metadata allocator ---- */

static int pg_map(void *ctx, size_t npages, void **kaddr)
{
	(void)ctx;
	void *k = aligned_alloc(MEMS_PAGE_SIZE, npages * MEMS_PAGE_SIZE);
	if (!k) return -MM_ENOMEM;
	*kaddr = k;
	return 0;
}

static void pg_unmap(void *ctx, void *kaddr, size_t npages)
{
	(void)ctx;
	(void)npages;
	free(kaddr);
}

static paddr_t pg_phys(void *ctx, const void *kaddr)
{
	(void)ctx;
	return (paddr_t)(uintptr_t)kaddr;
}

static void *meta_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void meta_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
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
	double med, p99, mean; /* ns */
};

static struct figures summarize(struct samples *s)
{
	struct figures f;
	double sum = 0;
	for (size_t i = 0; i < s->n; i++) sum += (double)s->t[i];
	qsort(s->t, s->n, sizeof s->t[0], cmp_u64);
	f.med = (double)s->t[s->n / 2] * ns_per_tick;
	f.p99 = (double)s->t[s->n * 99 / 100] * ns_per_tick;
	f.mean = sum / (double)s->n * ns_per_tick;
	return f;
}

static struct figures report(const char *name, size_t n_live, struct samples *s)
{
	struct figures f = summarize(s);
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

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

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
	w->n_live = n_live;
	w->rounds = rounds;
	w->fill_sizes = malloc(n_live * sizeof *w->fill_sizes);
	w->sizes = malloc(rounds * sizeof *w->sizes);
	w->victims = malloc(rounds * sizeof *w->victims);
	w->probes = malloc(rounds * sizeof *w->probes);
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

struct result {
	struct figures malloc, free;
};

static struct result run_libc(const struct workload *w)
{
	void **live = malloc(w->n_live * sizeof *live);
	struct samples sm = { malloc(w->rounds * sizeof(uint64_t)), 0 };
	struct samples sf = { malloc(w->rounds * sizeof(uint64_t)), 0 };
	for (size_t i = 0; i < w->n_live; i++) live[i] = malloc(w->fill_sizes[i]);
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
	for (size_t i = 0; i < w->n_live; i++) free(live[i]);
	struct result res;
	res.malloc = report("mems_libc_malloc", w->n_live, &sm);
	res.free = report("mems_libc_free", w->n_live, &sf);
	free(sm.t);
	free(sf.t);
	free(live);
	return res;
}

static struct result run_mems(const struct workload *w)
{
	struct mems_pager pg = { pg_map, pg_unmap, pg_phys, NULL };
	struct mm_allocator meta = { meta_alloc, meta_free, NULL };
	struct mems m = { 0 };
	if (mems_init(&m, &pg, &meta) < 0) abort();
	uint64_t *live = malloc(w->n_live * sizeof *live);
	struct samples sm = { malloc(w->rounds * sizeof(uint64_t)), 0 };
	struct samples sf = { malloc(w->rounds * sizeof(uint64_t)), 0 };
	struct samples sg = { malloc(w->rounds * sizeof(uint64_t)), 0 };
	volatile uintptr_t sink = 0;
	for (size_t i = 0; i < w->n_live; i++) {
		live[i] = mems_malloc(&m, w->fill_sizes[i]);
		if (!live[i]) abort();
	}
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
	if (mems_check(&m, NULL) < 0) {
		fprintf(stderr, "mems_check failed after the run\n");
		abort();
	}
	struct mems_stats st;
	mems_get_stats(&m, &st);
	fprintf(stderr, "# N=%zu: %zu segments, %zu nodes, %llu pages, %llu bytes in holes\n",
		w->n_live, st.nsegs, st.nnodes, (unsigned long long)st.npages,
		(unsigned long long)st.hole_bytes);
	mems_finish(&m);
	struct result res;
	res.malloc = report("mems_malloc", w->n_live, &sm);
	res.free = report("mems_free", w->n_live, &sf);
	report("mems_get", w->n_live, &sg);
	free(sm.t);
	free(sf.t);
	free(sg.t);
	free(live);
	return res;
}

int main(int argc, char **argv)
{
	static const size_t lives[] = { 10, 1000, 100000 };
	size_t rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	if (rounds < 100) rounds = 100;
	calibrate();
	double log_ratio = 0, first = 0, last = 0;
	for (size_t i = 0; i < sizeof lives / sizeof lives[0]; i++) {
		struct workload w;
		make_workload(&w, lives[i], rounds);
		struct result lib = run_libc(&w);
		struct result mem = run_mems(&w);
		double ratio = (mem.malloc.med + mem.free.med) / (lib.malloc.med + lib.free.med);
		double mean_ratio = (mem.malloc.mean + mem.free.mean) / (lib.malloc.mean + lib.free.mean);
		printf("BENCH mems_vs_libc_ratio_n%zu value=%.2f\n", lives[i], ratio);
		printf("BENCH mems_vs_libc_mean_ratio_n%zu value=%.2f\n", lives[i], mean_ratio);
		log_ratio += log(ratio);
		if (i == 0) first = mem.malloc.med + mem.free.med;
		last = mem.malloc.med + mem.free.med;
		free_workload(&w);
	}
	printf("BENCH mems_vs_libc_ratio value=%.2f\n",
	       exp(log_ratio / (double)(sizeof lives / sizeof lives[0])));
	printf("BENCH mems_scaling value=%.2f\n", last / first);
	return 0;
}
