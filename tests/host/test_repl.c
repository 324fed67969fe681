/*
 * test_repl.c - replacement policies (mm/repl*.c) and the frame pool that
 * drives them (mm/pool.c over mm/sim/pool_soft.c).
 *
 * - conformance, for every registry entry: driven directly with random
 *   events and through a pool with random references, the policy only ever
 *   names resident victims, its view of the resident set matches the model's,
 *   its check() passes, and a fixed seed gives the same run twice;
 * - exact fault counts of OPT, LRU, FIFO, Clock (and Second-Chance, which
 *   decides like Clock) on the smaller shared LIRS traces against the plain
 *   simulator in refsim.h; Belady's anomaly for FIFO;
 * - hand-derived cases: LIRS on a loop, NRU's classes and seeds, writeback
 *   and swap-in accounting, the pool's error paths.
 */
#include <stdlib.h>
#include "htest.h"
#include "host_alloc.h"
#include "refsim.h"
#include "trace_load.h"
#include "pool.h"
#include "pool_soft.h"
#include "mmlib.h"

/* Diagnostics from check functions, printed as "# " lines. */
static char diag_line[512];

static void put_stdout(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(diag_line);
		if (s[i] == '\n' || len + 1 == sizeof diag_line) {
			printf("# %s\n", diag_line);
			diag_line[0] = 0;
		}
		if (s[i] != '\n') {
			len = strlen(diag_line);
			diag_line[len] = s[i];
			diag_line[len + 1] = 0;
		}
	}
}

static struct mm_sink diag = { put_stdout, NULL };

/* ---- registry ------------------------------------------------------------ */

static void put_buf(void *ctx, const char *s, size_t n)
{
	strncat(ctx, s, n);
}

HTEST(repl_registry_lookup)
{
	EXPECT_TRUE(repl_count() >= 9);
	EXPECT_TRUE(repl_lookup("lru") == &repl_lru_ops);
	EXPECT_TRUE(repl_lookup("LRU") == &repl_lru_ops);
	EXPECT_TRUE(repl_lookup("second-chance") == &repl_sc_ops);
	EXPECT_TRUE(repl_lookup("Second-Chance") == &repl_sc_ops);
	EXPECT_TRUE(repl_lookup("sc") == &repl_sc_ops);
	EXPECT_TRUE(repl_lookup("belady") == &repl_opt_ops);
	EXPECT_TRUE(repl_lookup("1") == &repl_nru_ops);
	EXPECT_TRUE(repl_lookup("2") == &repl_fifo_ops);
	EXPECT_TRUE(repl_lookup("3") == &repl_sc_ops);
	EXPECT_TRUE(repl_lookup("4") == &repl_lru_ops);
	EXPECT_TRUE(repl_by_memman(4) == &repl_lru_ops);
	EXPECT_TRUE(repl_lookup("0") == NULL);
	EXPECT_TRUE(repl_lookup("5") == NULL);
	EXPECT_TRUE(repl_lookup("lr") == NULL);
	EXPECT_TRUE(repl_lookup("lrux") == NULL);
	EXPECT_TRUE(repl_lookup("") == NULL);
	EXPECT_TRUE(repl_by_memman(0) == NULL);
	EXPECT_TRUE(repl_lookup("clock") == &repl_clock_ops);
	EXPECT_TRUE(repl_lookup("LIRS") == &repl_lirs_ops);

	char list[4096] = "";
	struct mm_sink sink = { put_buf, list };
	repl_list(&sink);
	for (size_t i = 0; i < repl_count(); i++) {
		const struct repl_ops *ops = repl_at(i);
		char word[32];
		snprintf(word, sizeof word, " %s ", ops->name);
		EXPECT_TRUE(strstr(list, word) != NULL);
		EXPECT_TRUE(repl_lookup(ops->name) == ops);
		for (size_t j = 0; j < i; j++) EXPECT_TRUE(strcmp(repl_at(j)->name, ops->name) != 0);
	}
	EXPECT_TRUE(strstr(list, "4: lru") != NULL);
	EXPECT_TRUE(repl_at(repl_count()) == NULL);
}

/* ---- conformance: direct ------------------------------------------------------ */

#define DIRECT_STEPS 2500

/* Drive ops with random events against a model of which slots are
 * resident; returns a digest of the victims chosen (for determinism).
 * take: evictions through take_victim (the policy has it). */
static uint64_t conform_direct(const struct repl_ops *ops, uint32_t n, uint64_t seed, bool take)
{
	void *state = malloc(ops->state_size(n));
	uint32_t *next_use = malloc(DIRECT_STEPS * sizeof *next_use);
	bool *resident = calloc(n, sizeof *resident);
	uint64_t *page = calloc(n, sizeof *page);
	uint32_t npages = 3 * n + 2;
	bool *page_in_use = calloc(npages, 1);
	struct mm_rng rng;
	uint64_t digest = 1469598103934665603ull;
	mm_rng_seed(&rng, seed * 7919 + n);
	if (ops->init(state, n, seed) != 0) {
		htest_fail(__FILE__, __LINE__, "%s: init(%u) failed", ops->name, n);
		goto out;
	}
	struct repl_future future = { next_use, DIRECT_STEPS, 0 };
	for (uint32_t i = 0; i < DIRECT_STEPS; i++)
		next_use[i] = mm_rng_below(&rng, 4) ? i + 1 + mm_rng_below(&rng, 5000) : REPL_NEVER;
	if (ops->needs_future) ops->set_future(state, &future);
	uint32_t nres = 0;
	for (uint32_t step = 0; step < DIRECT_STEPS; step++) {
		future.now = step;
		uint32_t r = mm_rng_below(&rng, 100);
		if (r < 50) { /* a fault: a page that is not resident arrives */
			uint32_t slot;
			if (nres < n) {
				do slot = mm_rng_below(&rng, n); while (resident[slot]);
			} else {
				slot = take ? ops->take_victim(state) : ops->select_victim(state);
				if (slot >= n || !resident[slot]) {
					htest_fail(__FILE__, __LINE__, "%s/%u: victim %u is not resident", ops->name, n, slot);
					goto out;
				}
				digest = (digest ^ slot) * 1099511628211ull;
				if (!take) ops->page_out(state, slot);
				resident[slot] = false;
				page_in_use[page[slot]] = false;
				nres--;
			}
			uint32_t p;
			do p = mm_rng_below(&rng, npages); while (page_in_use[p]);
			ops->page_in(state, slot, p, mm_rng_below(&rng, 2));
			resident[slot] = true;
			page[slot] = p;
			page_in_use[p] = true;
			nres++;
		} else if (r < 85 && nres) {
			uint32_t slot;
			do slot = mm_rng_below(&rng, n); while (!resident[slot]);
			ops->referenced(state, slot, mm_rng_below(&rng, 4) != 0, mm_rng_below(&rng, 2));
		} else if (r < 93) {
			ops->tick(state);
		} else if (nres) { /* the owner releases a page */
			uint32_t slot;
			do slot = mm_rng_below(&rng, n); while (!resident[slot]);
			ops->page_out(state, slot);
			resident[slot] = false;
			page_in_use[page[slot]] = false;
			nres--;
		}
		if (ops->check(state, &diag) != 0) {
			htest_fail(__FILE__, __LINE__, "%s/%u: check failed at step %u", ops->name, n, step);
			goto out;
		}
		for (uint32_t s = 0; s < n; s++) {
			if (ops->tracks(state, s) != resident[s]) {
				htest_fail(__FILE__, __LINE__, "%s/%u: step %u: slot %u tracked %d, resident %d",
					   ops->name, n, step, s, ops->tracks(state, s), resident[s]);
				goto out;
			}
		}
	}
out:
	free(state);
	free(next_use);
	free(resident);
	free(page);
	free(page_in_use);
	return digest;
}

HTEST(repl_conformance_direct)
{
	static const uint32_t sizes[] = { 1, 2, 3, 7, 64 };
	for (size_t i = 0; i < repl_count(); i++) {
		const struct repl_ops *ops = repl_at(i);
		for (size_t k = 0; k < MM_ARRAY_SIZE(sizes); k++) {
			uint64_t a = conform_direct(ops, sizes[k], 11, false);
			uint64_t b = conform_direct(ops, sizes[k], 11, false);
			EXPECT_TRUE(a == b);
			/* take_victim decides as select_victim + page_out do */
			if (ops->take_victim) EXPECT_TRUE(conform_direct(ops, sizes[k], 11, true) == a);
		}
		void *state = malloc(ops->state_size(1));
		EXPECT_EQ(ops->init(state, 0, 1), -MM_EINVAL);
		free(state);
	}
}

/* ---- conformance: through a pool ------------------------------------------ */

/* A backend that forwards to pool_soft and keeps its own model of which
 * pages are loaded, the order of evictions, and can be told to fail. */
struct model_be {
	struct pool_soft soft;
	struct pool_backend inner;
	bool loaded[4096];
	uint32_t evicted[4096]; /* per page: evictions so far */
	uint32_t nloaded, max_loaded;
	uint64_t digest;
	int fail_evict, fail_load; /* error to return, or 0 */
};

static int model_evict(void *ctx, uint32_t slot, uint64_t page)
{
	struct model_be *m = ctx;
	if (m->fail_evict) return m->fail_evict;
	int r = m->inner.evict(m->inner.ctx, slot, page);
	if (r >= 0) {
		if (!m->loaded[page]) htest_fail(__FILE__, __LINE__, "evict of page %llu not loaded", (unsigned long long)page);
		m->loaded[page] = false;
		m->evicted[page]++;
		m->nloaded--;
		m->digest = (m->digest ^ page) * 1099511628211ull;
	}
	return r;
}

static int model_load(void *ctx, uint32_t slot, uint64_t page, bool is_write)
{
	struct model_be *m = ctx;
	if (m->fail_load) return m->fail_load;
	int r = m->inner.load(m->inner.ctx, slot, page, is_write);
	if (r >= 0) {
		if (m->loaded[page]) htest_fail(__FILE__, __LINE__, "load of page %llu twice", (unsigned long long)page);
		m->loaded[page] = true;
		if (++m->nloaded > m->max_loaded) m->max_loaded = m->nloaded;
	}
	return r;
}

static unsigned model_harvest(void *ctx, uint32_t slot)
{
	struct model_be *m = ctx;
	return m->inner.harvest(m->inner.ctx, slot);
}

static void model_touch(void *ctx, uint32_t slot, bool is_write)
{
	struct model_be *m = ctx;
	m->inner.touch(m->inner.ctx, slot, is_write);
}

static struct pool_backend model_init(struct model_be *m, uint32_t n)
{
	memset(m, 0, sizeof *m);
	pool_soft_init(&m->soft, n, &host_malloc);
	m->inner = pool_soft_backend(&m->soft);
	m->digest = 1469598103934665603ull;
	struct pool_backend b = { model_evict, model_load, model_harvest, model_touch, m, 0 };
	return b;
}

#define POOL_REFS 2500

struct run_result {
	uint64_t digest;
	struct pool_stats stats;
};

static struct run_result conform_pool(const struct repl_ops *ops, uint32_t n, uint64_t seed)
{
	struct run_result res = { 0, { 0, 0, 0, 0, 0, 0 } };
	struct model_be *m = malloc(sizeof *m);
	struct pool_backend be = model_init(m, n);
	struct pool pool;
	struct pool_config cfg = { n, ops, seed, 1 + n / 2 };
	struct mm_rng rng;
	mm_rng_seed(&rng, seed + n);
	uint32_t npages = 3 * n + 3;
	struct trace_ref *refs = malloc(POOL_REFS * sizeof *refs);
	uint32_t *next_use = NULL;
	uint64_t hits = 0, releases = 0;
	for (uint32_t i = 0; i < POOL_REFS; i++) { /* a hot third and the rest */
		uint32_t hot = mm_rng_below(&rng, 3) != 0;
		refs[i].page = hot ? mm_rng_below(&rng, n / 2 + 1) : mm_rng_below(&rng, npages);
		refs[i].is_write = mm_rng_below(&rng, 5) == 0;
	}
	if (pool_init(&pool, &cfg, &be, &host_malloc) != 0) {
		htest_fail(__FILE__, __LINE__, "%s: pool_init(%u)", ops->name, n);
		goto out;
	}
	if (ops->needs_future) {
		trace_next_use(refs, POOL_REFS, &host_malloc, &next_use);
		pool_set_future(&pool, next_use, POOL_REFS);
	}
	for (uint32_t i = 0; i < POOL_REFS; i++) {
		uint64_t page = refs[i].page;
		bool expect_hit = m->loaded[page];
		int r = pool_reference(&pool, page, refs[i].is_write);
		if (r != (expect_hit ? 0 : 1)) {
			htest_fail(__FILE__, __LINE__, "%s/%u: ref %u to page %llu returned %d, model says %s",
				   ops->name, n, i, (unsigned long long)page, r, expect_hit ? "hit" : "miss");
			break;
		}
		hits += expect_hit;
		if (mm_rng_below(&rng, 40) == 0) { /* an owner gives a page up */
			uint64_t gone = mm_rng_below(&rng, npages);
			if (m->loaded[gone]) {
				/* the owner unmaps it itself; the soft backend forgets it too */
				int slot = pool_lookup(&pool, gone);
				EXPECT_EQ(pool_release(&pool, gone), 0);
				pool_soft_discard(&m->soft, (uint32_t)slot);
				m->loaded[gone] = false;
				m->nloaded--;
				releases++;
			} else {
				EXPECT_EQ(pool_release(&pool, gone), -MM_ENOENT);
			}
		}
		if (pool_check(&pool, &diag) != 0) {
			htest_fail(__FILE__, __LINE__, "%s/%u: pool_check failed after ref %u", ops->name, n, i);
			break;
		}
		if (i % 128 == 0 && pool_soft_check(&m->soft, &diag) != 0) {
			htest_fail(__FILE__, __LINE__, "%s/%u: soft check failed", ops->name, n);
			break;
		}
	}
	EXPECT_TRUE(m->max_loaded <= n);
	EXPECT_EQ(pool.nresident, m->nloaded);
	EXPECT_TRUE(pool.stats.refs == POOL_REFS);
	EXPECT_TRUE(pool.stats.faults == POOL_REFS - hits);
	/* every fault either filled a free slot or evicted: */
	EXPECT_TRUE(pool.stats.faults - pool.stats.evictions == pool.nresident + releases);
	res.digest = m->digest;
	res.stats = pool.stats;
	pool_fini(&pool);
out:
	free(next_use);
	free(refs);
	pool_soft_fini(&m->soft);
	free(m);
	return res;
}

HTEST(repl_conformance_pool)
{
	static const uint32_t sizes[] = { 1, 2, 5, 32 };
	for (size_t i = 0; i < repl_count(); i++) {
		const struct repl_ops *ops = repl_at(i);
		for (size_t k = 0; k < MM_ARRAY_SIZE(sizes); k++) {
			struct run_result a = conform_pool(ops, sizes[k], 5);
			struct run_result b = conform_pool(ops, sizes[k], 5);
			EXPECT_TRUE(a.digest == b.digest);
			EXPECT_TRUE(a.stats.faults == b.stats.faults);
			EXPECT_TRUE(a.stats.writebacks == b.stats.writebacks);
		}
	}
}

/* ---- exact counts against refsim ------------------------------------------- */

static long pool_faults(const struct trace *t, const struct repl_ops *ops, uint32_t n)
{
	struct pool_soft soft;
	struct pool pool;
	struct pool_config cfg = { n, ops, 1, n };
	pool_soft_init(&soft, n, &host_malloc);
	struct pool_backend be = pool_soft_backend(&soft);
	if (pool_init(&pool, &cfg, &be, &host_malloc) != 0) return -1;
	int e = pool_replay(&pool, t->refs, t->nrefs);
	long faults = e ? -1 : (long)pool.stats.faults;
	pool_fini(&pool);
	pool_soft_fini(&soft);
	return faults;
}

static uint64_t *pages_of(const struct trace *t)
{
	uint64_t *p = malloc(t->nrefs * sizeof *p);
	for (size_t i = 0; i < t->nrefs; i++) p[i] = t->refs[i].page;
	return p;
}

static void exact_on(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "tests/data/traces/lirs/%s.trace.gz", name);
	struct trace t;
	if (trace_load(path, &t) != 0) {
		htest_fail(__FILE__, __LINE__, "cannot load %s", path);
		return;
	}
	uint64_t *pages = pages_of(&t);
	long n = (long)t.nrefs;
	static const uint32_t sizes[] = { 100, 500 };
	for (size_t k = 0; k < 2; k++) {
		uint32_t f = sizes[k];
		long opt = refsim_opt(pages, n, f), lru = refsim_lru(pages, n, f);
		long fifo = refsim_fifo(pages, n, f), clock = refsim_clock(pages, n, f);
		EXPECT_EQ(pool_faults(&t, &repl_opt_ops, f), opt);
		EXPECT_EQ(pool_faults(&t, &repl_lru_ops, f), lru);
		EXPECT_EQ(pool_faults(&t, &repl_fifo_ops, f), fifo);
		EXPECT_EQ(pool_faults(&t, &repl_clock_ops, f), clock);
		EXPECT_EQ(pool_faults(&t, &repl_sc_ops, f), clock);
		/* 2 * frames: LIRS_NONRESIDENT_FACTOR in mm/repl/repl_lirs.c */
		EXPECT_EQ(pool_faults(&t, &repl_lirs_ops, f), refsim_lirs(pages, n, f, 2 * f));
		/* sanity of the models themselves: OPT is a lower bound */
		EXPECT_LE(opt, lru);
		EXPECT_LE(opt, fifo);
		EXPECT_LE(opt, clock);
		for (size_t p = 0; p < repl_count(); p++) EXPECT_LE(opt, pool_faults(&t, repl_at(p), f));
	}
	free(pages);
	trace_free(&t, &host_malloc);
}

HTEST(repl_exact_cs) { exact_on("cs"); }
HTEST(repl_exact_gli) { exact_on("gli"); }
HTEST(repl_exact_backf) { exact_on("backf"); }
HTEST(repl_exact_cpp) { exact_on("cpp"); }

static long faults_of_pages(const uint64_t *pages, size_t n, const struct repl_ops *ops, uint32_t frames)
{
	struct trace t;
	t.nrefs = n;
	t.refs = malloc(n * sizeof *t.refs);
	for (size_t i = 0; i < n; i++) {
		t.refs[i].page = pages[i];
		t.refs[i].is_write = 0;
	}
	long f = pool_faults(&t, ops, frames);
	free(t.refs);
	return f;
}

HTEST(repl_belady_anomaly_fifo)
{
	static const uint64_t s[] = { 1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5 };
	EXPECT_EQ(faults_of_pages(s, 12, &repl_fifo_ops, 3), 9);
	EXPECT_EQ(faults_of_pages(s, 12, &repl_fifo_ops, 4), 10);
	EXPECT_EQ(refsim_fifo(s, 12, 3), 9);
	EXPECT_EQ(refsim_fifo(s, 12, 4), 10);
	/* a stack algorithm has no anomaly: LRU 10 then 8, OPT 7 then 6 */
	EXPECT_EQ(faults_of_pages(s, 12, &repl_lru_ops, 3), 10);
	EXPECT_EQ(faults_of_pages(s, 12, &repl_lru_ops, 4), 8);
	EXPECT_EQ(faults_of_pages(s, 12, &repl_opt_ops, 3), 7);
	EXPECT_EQ(faults_of_pages(s, 12, &repl_opt_ops, 4), 6);
}

/* ---- LIRS and duel on hand-analysed patterns --------------------------------- */

HTEST(repl_lirs_loop_by_hand)
{
	/* 3 frames: 2 LIR + 1 resident HIR. Loop 1 2 3 4 ten times. First pass:
	 * 4 misses (1, 2 become LIR; 3, then 4 take the HIR frame). Every later
	 * pass: 1 and 2 hit (LIR), 3 and 4 miss through the HIR frame: 2 misses.
	 * 4 + 9 * 2 = 22; LRU misses all 40. */
	uint64_t s[40];
	for (int i = 0; i < 40; i++) s[i] = 1 + i % 4;
	EXPECT_EQ(faults_of_pages(s, 40, &repl_lirs_ops, 3), 22);
	EXPECT_EQ(faults_of_pages(s, 40, &repl_lru_ops, 3), 40);
}

HTEST(repl_duel_follows_the_better_expert)
{
	/* A loop one fifth larger than memory: LRU misses every reference, LIRS
	 * keeps its LIR pages; duel must end up close to LIRS. */
	enum { N = 100, LOOP = 120, PASSES = 30 };
	uint64_t *s = malloc(LOOP * PASSES * sizeof *s);
	for (int i = 0; i < LOOP * PASSES; i++) s[i] = (uint64_t)(i % LOOP);
	long lru = faults_of_pages(s, LOOP * PASSES, &repl_lru_ops, N);
	long lirs = faults_of_pages(s, LOOP * PASSES, &repl_lirs_ops, N);
	long duel = faults_of_pages(s, LOOP * PASSES, &repl_duel_ops, N);
	EXPECT_EQ(lru, LOOP * PASSES);
	EXPECT_LT(lirs, lru / 3);
	EXPECT_LT(duel, lirs + lirs / 4 + LOOP);
	/* Sweeps up and down over 2N pages: LRU keeps the pages the reversal
	 * needs first (N hits per sweep); LIRS does worse; duel follows LRU. */
	long k = 0;
	for (int pass = 0; pass < 15; pass++)
		for (int i = 0; i < 2 * N; i++) s[k++] = (uint64_t)(pass % 2 ? 2 * N - 1 - i : i);
	lru = faults_of_pages(s, (size_t)k, &repl_lru_ops, N);
	lirs = faults_of_pages(s, (size_t)k, &repl_lirs_ops, N);
	duel = faults_of_pages(s, (size_t)k, &repl_duel_ops, N);
	EXPECT_EQ(lru, 2 * N + 14 * N);
	EXPECT_LT(lru, lirs);
	EXPECT_LT(duel, lru + lru / 10);
	free(s);
}

/* ---- NRU ------------------------------------------------------------------- */

/* Run NRU on 16 frames through a scripted scenario; record 40 victims and
 * check each is in the lowest R/M class of the model. */
static void nru_run(uint64_t seed, uint32_t *victims)
{
	enum { N = 16 };
	const struct repl_ops *ops = &repl_nru_ops;
	void *state = malloc(ops->state_size(N));
	bool r[N], m[N];
	struct mm_rng rng;
	mm_rng_seed(&rng, 99); /* the scenario is fixed; only NRU's seed varies */
	ops->init(state, N, seed);
	for (uint32_t s = 0; s < N; s++) {
		bool w = s % 3 == 0;
		ops->page_in(state, s, s, w);
		r[s] = true;
		m[s] = w;
	}
	for (int v = 0; v < 40; v++) {
		if (v % 10 == 0) {
			ops->tick(state);
			for (int s = 0; s < N; s++) r[s] = false;
		}
		for (int k = 0; k < 3; k++) {
			uint32_t s = mm_rng_below(&rng, N);
			bool d = mm_rng_below(&rng, 4) == 0;
			ops->referenced(state, s, true, d);
			r[s] = true;
			m[s] = m[s] || d;
		}
		uint32_t victim = ops->select_victim(state);
		int lowest = 4;
		for (int s = 0; s < N; s++) lowest = (2 * r[s] + m[s]) < lowest ? (2 * r[s] + m[s]) : lowest;
		EXPECT_EQ(2 * r[victim] + m[victim], lowest);
		victims[v] = victim;
		ops->page_out(state, victim);
		bool w = mm_rng_below(&rng, 2);
		ops->page_in(state, victim, 100 + v, w);
		r[victim] = true;
		m[victim] = w;
	}
	free(state);
}

HTEST(repl_nru_classes_and_seeds)
{
	uint32_t a[40], b[40], c[40];
	nru_run(1, a);
	nru_run(1, b);
	nru_run(2, c);
	EXPECT_TRUE(memcmp(a, b, sizeof a) == 0);
	EXPECT_TRUE(memcmp(a, c, sizeof a) != 0);
	/* through the pool: the same seed replays identically, another differs */
	struct trace t;
	ASSERT_EQ(trace_load("tests/data/traces/lirs/cs.trace.gz", &t), 0);
	uint64_t faults[3];
	for (int k = 0; k < 3; k++) {
		struct pool_soft soft;
		struct pool pool;
		struct pool_config cfg = { 100, &repl_nru_ops, k == 2 ? 7 : 3, 100 };
		pool_soft_init(&soft, 100, &host_malloc);
		struct pool_backend be = pool_soft_backend(&soft);
		ASSERT_EQ(pool_init(&pool, &cfg, &be, &host_malloc), 0);
		EXPECT_EQ(pool_replay(&pool, t.refs, t.nrefs), 0);
		faults[k] = pool.stats.faults;
		pool_fini(&pool);
		pool_soft_fini(&soft);
	}
	EXPECT_TRUE(faults[0] == faults[1]);
	trace_free(&t, &host_malloc);
}

/* ---- writeback accounting ---------------------------------------------------- */

HTEST(repl_writebacks_read_only_trace)
{
	/* Never modified, a page is written out once, at its first eviction (it
	 * has no copy yet); later evictions drop it. So write-backs = distinct
	 * pages ever evicted, and every later fault on them is a swap-in: both
	 * counted here from the model backend's own record of evictions. */
	struct trace t;
	ASSERT_EQ(trace_load("tests/data/traces/lirs/cs.trace.gz", &t), 0);
	for (size_t p = 0; p < repl_count(); p++) {
		struct model_be *m = malloc(sizeof *m);
		struct pool_backend be = model_init(m, 100);
		struct pool pool;
		struct pool_config cfg = { 100, repl_at(p), 1, 100 };
		ASSERT_EQ(pool_init(&pool, &cfg, &be, &host_malloc), 0);
		uint32_t *next_use = NULL;
		trace_next_use(t.refs, t.nrefs, &host_malloc, &next_use);
		pool_set_future(&pool, next_use, t.nrefs);
		uint64_t reloads = 0, first_evictions = 0;
		for (size_t i = 0; i < t.nrefs; i++) {
			uint64_t page = t.refs[i].page;
			bool miss = !m->loaded[page];
			reloads += miss && m->evicted[page];
			ASSERT_TRUE(pool_reference(&pool, page, false) == (miss ? 1 : 0));
		}
		for (uint64_t q = 0; q < 4096; q++) first_evictions += m->evicted[q] > 0;
		EXPECT_TRUE(pool.stats.evictions > 0);
		EXPECT_TRUE(pool.stats.writebacks == first_evictions);
		EXPECT_TRUE(pool.stats.swapins == reloads);
		for (uint64_t q = 0; q < 4096; q++) EXPECT_LE(pool_soft_writes(&m->soft, q), 1);
		free(next_use);
		pool_fini(&pool);
		pool_soft_fini(&m->soft);
		free(m);
	}
	trace_free(&t, &host_malloc);
}

HTEST(repl_writebacks_by_hand)
{
	/* LRU, 2 frames; A=1 .. G=7. A page is written out when dirty or when it
	 * has no copy yet; a clean page with a copy is dropped.
	 *  w A  fault, zero-fill                      [A]
	 *  r B  fault, zero-fill                      [A B]
	 *  r C  evict A: dirty -> written (1)         [B C]
	 *  r A  evict B: no copy -> written (2); A read back (swap-in 1)
	 *  r D  evict C: no copy -> written (3)       [A D]
	 *  r E  evict A: clean, copy valid -> dropped, not rewritten
	 *  w A  evict D: written (4); A read back (swap-in 2), now dirty
	 *  r F  evict E: written (5)                  [A F]
	 *  r G  evict A: dirty -> written (6); A written twice in all
	 * faults 9, evictions 7, writebacks 6, swapins 2. */
	static const struct { uint64_t page; bool w; } seq[] = {
		{ 1, 1 }, { 2, 0 }, { 3, 0 }, { 1, 0 }, { 4, 0 }, { 5, 0 }, { 1, 1 }, { 6, 0 }, { 7, 0 },
	};
	static const uint64_t wb_after[] = { 0, 0, 1, 2, 3, 3, 4, 5, 6 };
	struct pool_soft soft;
	struct pool pool;
	struct pool_config cfg = { 2, &repl_lru_ops, 1, 0 };
	ASSERT_EQ(pool_soft_init(&soft, 2, &host_malloc), 0);
	struct pool_backend be = pool_soft_backend(&soft);
	ASSERT_EQ(pool_init(&pool, &cfg, &be, &host_malloc), 0);
	for (size_t i = 0; i < MM_ARRAY_SIZE(seq); i++) {
		EXPECT_EQ(pool_reference(&pool, seq[i].page, seq[i].w), 1);
		EXPECT_TRUE(pool.stats.writebacks == wb_after[i]);
		if (i == 2 || i == 5) EXPECT_EQ(pool_soft_writes(&soft, 1), 1);
	}
	EXPECT_TRUE(pool.stats.faults == 9);
	EXPECT_TRUE(pool.stats.evictions == 7);
	EXPECT_TRUE(pool.stats.writebacks == 6);
	EXPECT_TRUE(pool.stats.swapins == 2);
	EXPECT_EQ(pool_soft_writes(&soft, 1), 2);
	EXPECT_EQ(pool_soft_writes(&soft, 2), 1);
	EXPECT_EQ(pool_soft_writes(&soft, 7), 0);
	char line[128];
	struct mm_sink sink = { put_buf, line };
	line[0] = 0;
	pool_format_stats(&pool, &sink);
	EXPECT_STREQ(line, "refs=9 faults=9 evictions=7 writebacks=6");
	pool_fini(&pool);
	pool_soft_fini(&soft);
}

/* ---- the pool's mechanism and error paths --------------------------------------- */

HTEST(pool_errors_and_release)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct model_be *m = malloc(sizeof *m);
	struct pool_backend be = model_init(m, 4);
	struct pool pool;
	struct pool_config cfg = { 4, &repl_fifo_ops, 1, 0 };

	for (long k = 0; k < 3; k++) { /* every allocation failing in turn */
		ctx.fail_after = k;
		int e = pool_init(&pool, &cfg, &be, &al);
		if (e == 0) { pool_fini(&pool); break; }
		EXPECT_EQ(e, -MM_ENOMEM);
		EXPECT_EQ(ctx.live, 0);
	}
	ctx.fail_after = -1;
	struct pool_config bad = { 0, &repl_fifo_ops, 1, 0 };
	EXPECT_EQ(pool_init(&pool, &bad, &be, &al), -MM_EINVAL);
	struct pool_config none = { 4, NULL, 1, 0 };
	EXPECT_EQ(pool_init(&pool, &none, &be, &al), -MM_EINVAL);

	ASSERT_EQ(pool_init(&pool, &cfg, &be, &al), 0);
	for (uint64_t p = 10; p < 14; p++) EXPECT_EQ(pool_reference(&pool, p, false), 1);
	for (uint64_t p = 10; p < 14; p++) EXPECT_EQ(pool_lookup(&pool, p), (int)(p - 10));
	EXPECT_EQ(pool_fault(&pool, 12, false), -MM_EEXIST);
	EXPECT_EQ(pool_access_done(&pool, 99), -MM_ENOENT);

	/* a failing eviction counts nothing and keeps the victim resident,
	 * put back as if just loaded: FIFO 10 11 12 13 becomes 11 12 13 10 */
	m->fail_evict = -MM_EIO;
	EXPECT_EQ(pool_reference(&pool, 20, true), -MM_EIO);
	EXPECT_TRUE(pool.stats.faults == 4 && pool.stats.evictions == 0);
	EXPECT_EQ(pool.nresident, 4);
	EXPECT_EQ(pool.nbusy, 0);
	EXPECT_EQ(pool_lookup(&pool, 10), 0);
	EXPECT_EQ(pool_check(&pool, &diag), 0);
	m->fail_evict = 0;

	/* a failing load leaves the victim's slot free */
	m->fail_load = -MM_EIO;
	EXPECT_EQ(pool_reference(&pool, 20, true), -MM_EIO);
	EXPECT_EQ(pool.nresident, 3);
	EXPECT_EQ(pool_lookup(&pool, 11), -MM_ENOENT); /* FIFO's victim went */
	EXPECT_EQ(pool_lookup(&pool, 10), 0);
	EXPECT_EQ(pool_check(&pool, &diag), 0);
	m->fail_load = 0;
	EXPECT_EQ(pool_reference(&pool, 20, true), 1);
	EXPECT_EQ(pool_lookup(&pool, 20), 1); /* the lowest free slot */

	/* release frees a slot; the next fault takes the lowest free one */
	EXPECT_EQ(pool_release(&pool, 12), 0);
	pool_soft_discard(&m->soft, 2);
	m->loaded[12] = false;
	m->nloaded--;
	EXPECT_EQ(pool_release(&pool, 12), -MM_ENOENT);
	EXPECT_EQ(pool_check(&pool, &diag), 0);
	EXPECT_EQ(pool_reference(&pool, 30, false), 1);
	EXPECT_EQ(pool_lookup(&pool, 30), 2);
	EXPECT_EQ(pool_check(&pool, &diag), 0);
	pool_fini(&pool);
	EXPECT_EQ(ctx.live, 0);

	/* OPT without a future refuses, before changing anything */
	pool_soft_fini(&m->soft);
	be = model_init(m, 2);
	struct pool_config optc = { 2, &repl_opt_ops, 1, 0 };
	ASSERT_EQ(pool_init(&pool, &optc, &be, &al), 0);
	EXPECT_EQ(pool_reference(&pool, 1, false), -MM_EINVAL);
	EXPECT_TRUE(pool.stats.faults == 0 && pool.stats.refs == 0);
	uint32_t next_use[2] = { REPL_NEVER, REPL_NEVER };
	EXPECT_EQ(pool_set_future(&pool, next_use, 2), 0);
	EXPECT_EQ(pool_reference(&pool, 1, false), 1);
	EXPECT_EQ(pool_reference(&pool, 2, false), 1);
	EXPECT_EQ(pool_reference(&pool, 3, false), -MM_EINVAL); /* the future is used up */
	pool_fini(&pool);
	pool_soft_fini(&m->soft);
	free(m);
	EXPECT_EQ(ctx.live, 0);
}

HTEST(pool_reclaim_ahead_and_busy_slots)
{
	/* A page-out daemon's eviction: begin takes the policy's victim away
	 * (its slot busy: no fault may take it), the caller writes it, end
	 * frees the slot. FIFO over 4 slots holding 1 2 3 4 in slots 0..3. */
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct model_be *m = malloc(sizeof *m);
	struct pool_backend be = model_init(m, 4);
	struct pool pool;
	struct pool_config cfg = { 4, &repl_fifo_ops, 1, 0 };
	ASSERT_EQ(pool_init(&pool, &cfg, &be, &al), 0);
	for (uint64_t p = 1; p <= 4; p++) EXPECT_EQ(pool_reference(&pool, p, true), 1);
	uint64_t page = 0;
	EXPECT_EQ(pool_evict_begin(&pool, &page), 0); /* FIFO's oldest: 1 in slot 0 */
	EXPECT_EQ(page, 1);
	EXPECT_TRUE(pool.nbusy == 1 && pool.nresident == 3 && pool_free_slots(&pool) == 0);
	EXPECT_EQ(pool_lookup(&pool, 1), -MM_ENOENT);
	EXPECT_EQ(pool_check(&pool, &diag), 0);
	/* a fault meanwhile evicts the next victim (2, slot 1), not the busy slot */
	EXPECT_EQ(pool_reference(&pool, 5, false), 1);
	EXPECT_EQ(pool_lookup(&pool, 5), 1);
	EXPECT_EQ(pool.stats.evictions, 1);
	EXPECT_EQ(model_evict(m, 0, 1), 1); /* the daemon writes page 1 */
	pool_evict_end(&pool, 0, 1, 1, false);
	EXPECT_TRUE(pool.stats.evictions == 2 && pool.stats.reclaims == 1 && pool.stats.writebacks == 2);
	EXPECT_EQ(pool_free_slots(&pool), 1);
	EXPECT_EQ(pool_check(&pool, &diag), 0);
	/* the next fault takes the reclaimed slot without evicting */
	EXPECT_EQ(pool_reference(&pool, 6, false), 1);
	EXPECT_EQ(pool_lookup(&pool, 6), 0);
	EXPECT_EQ(pool.stats.evictions, 2);
	/* a failed write puts the victim (3) back as if just loaded: FIFO is
	 * now 4 5 6 3, so the next victim is 4 */
	EXPECT_EQ(pool_evict_begin(&pool, &page), 2);
	EXPECT_EQ(page, 3);
	pool_evict_end(&pool, 2, 3, -MM_EIO, false);
	EXPECT_EQ(pool_lookup(&pool, 3), 2);
	EXPECT_TRUE(pool.stats.evictions == 2 && pool.stats.reclaims == 1 && pool.nbusy == 0);
	EXPECT_EQ(pool_check(&pool, &diag), 0);
	EXPECT_EQ(pool_evict_begin(&pool, &page), 3);
	EXPECT_EQ(page, 4);
	/* every slot busy: a fault must wait */
	uint64_t p2, p3, p4;
	EXPECT_EQ(pool_evict_begin(&pool, &p2), 1);
	EXPECT_EQ(pool_evict_begin(&pool, &p3), 0);
	EXPECT_EQ(pool_evict_begin(&pool, &p4), 2);
	EXPECT_TRUE(p2 == 5 && p3 == 6 && p4 == 3);
	EXPECT_EQ(pool_evict_begin(&pool, &page), -MM_EAGAIN);
	EXPECT_EQ(pool_fault(&pool, 7, false), -MM_EAGAIN);
	EXPECT_EQ(pool_check(&pool, &diag), 0);
	pool_evict_end(&pool, 3, 4, -MM_EIO, false);
	pool_evict_end(&pool, 1, 5, -MM_EIO, false);
	pool_evict_end(&pool, 0, 6, -MM_EIO, false);
	pool_evict_end(&pool, 2, 3, -MM_EIO, false);
	EXPECT_TRUE(pool.nresident == 4 && pool.nbusy == 0);
	EXPECT_EQ(pool_check(&pool, &diag), 0);
	pool_fini(&pool);
	pool_soft_fini(&m->soft);
	free(m);
	EXPECT_EQ(ctx.live, 0);
}

HTEST(pool_kernel_path_matches_reference)
{
	/* The kernel calls pool_fault from #PF, the access sets A/D, then
	 * pool_access_done. Doing exactly that must count what pool_reference
	 * counts, for every policy (ticks included). */
	struct trace t;
	ASSERT_EQ(trace_load("tests/data/traces/lirs/gli.trace.gz", &t), 0);
	for (size_t p = 0; p < repl_count(); p++) {
		struct pool_stats st[2];
		for (int k = 0; k < 2; k++) {
			struct pool_soft soft;
			struct pool pool;
			struct pool_config cfg = { 200, repl_at(p), 9, 50 };
			pool_soft_init(&soft, 200, &host_malloc);
			struct pool_backend be = pool_soft_backend(&soft);
			ASSERT_EQ(pool_init(&pool, &cfg, &be, &host_malloc), 0);
			uint32_t *next_use = NULL;
			trace_next_use(t.refs, t.nrefs, &host_malloc, &next_use);
			pool_set_future(&pool, next_use, t.nrefs);
			for (size_t i = 0; i < t.nrefs; i++) {
				uint64_t page = t.refs[i].page;
				if (k == 0) {
					pool_reference(&pool, page, t.refs[i].is_write);
					continue;
				}
				int slot = pool_lookup(&pool, page);
				if (slot < 0) slot = pool_fault(&pool, page, t.refs[i].is_write);
				be.touch(be.ctx, (uint32_t)slot, t.refs[i].is_write); /* "the hardware" */
				pool_access_done(&pool, page);
			}
			st[k] = pool.stats;
			free(next_use);
			pool_fini(&pool);
			pool_soft_fini(&soft);
		}
		EXPECT_TRUE(st[0].faults == st[1].faults);
		EXPECT_TRUE(st[0].refs == st[1].refs && st[0].refs == t.nrefs);
	}
	trace_free(&t, &host_malloc);
}
