/*
 * test_repl_partial.c - replacement policies asked for a victim while some
 * frames are free (repl.h: select_victim may be called whenever one slot is
 * resident, several times in a row with a page_out of each victim between):
 * the page-out daemon freeing frames ahead of need, a victim isolated while
 * it is written back and put back when the write fails.
 *
 * - for every registry entry: fill the frames, then take victims one after
 *   the other down to one resident page; then random page_in, referenced,
 *   tick, faults, daemon bursts, isolations and put-backs, releases with
 *   free frames present. Every victim is resident and check() passes after
 *   every step;
 * - hand-worked cases, from each algorithm, of the choice with free frames
 *   for Clock, LIRS, ARC, CLOCK-Pro and a shadow policy (duel).
 */
#include <stdlib.h>
#include "htest.h"
#include "repl_drive.h"
#include "mmlib.h"

/* Diagnostics from check functions, printed as one "# " line each. */
static void put_diag(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	printf("# %.*s", (int)n, s);
	if (n && s[n - 1] != '\n') printf("\n");
}

static struct mm_sink diag = { put_diag, NULL };

/* ---- a model of the frames ------------------------------------------------ */

enum { FREE, RESIDENT, ISOLATED }; /* ISOLATED: out, being written back */

struct partial {
	const struct repl_ops *ops;
	void *state;
	uint32_t n, nres, nisolated;
	uint8_t *where;     /* per slot */
	uint64_t *page;     /* per slot (resident or isolated) */
	uint8_t *page_used; /* per page: resident or isolated somewhere */
	uint32_t npages;
	uint32_t *next_use; /* the future handed to OPT */
	uint32_t nrefs;
	struct repl_future future;
	struct mm_rng rng;
	uint32_t step;
	bool failed;
};

static bool partial_init(struct partial *p, const struct repl_ops *ops, uint32_t n, uint32_t steps, uint64_t seed)
{
	memset(p, 0, sizeof *p);
	p->ops = ops;
	p->n = n;
	p->state = malloc(ops->state_size(n));
	p->where = calloc(n, 1);
	p->page = calloc(n, sizeof *p->page);
	p->npages = 3 * n + 4;
	p->page_used = calloc(p->npages, 1);
	p->nrefs = steps + 1;
	p->next_use = malloc(p->nrefs * sizeof *p->next_use);
	mm_rng_seed(&p->rng, seed * 7919 + n);
	for (uint32_t i = 0; i < p->nrefs; i++)
		p->next_use[i] = mm_rng_below(&p->rng, 4) ? i + 1 + mm_rng_below(&p->rng, 4 * n + 50) : REPL_NEVER;
	p->future = (struct repl_future){ p->next_use, p->nrefs, 0 };
	if (ops->init(p->state, n, seed) != 0) {
		htest_fail(__FILE__, __LINE__, "%s: init(%u) failed", ops->name, n);
		return false;
	}
	if (ops->needs_future) ops->set_future(p->state, &p->future);
	return true;
}

static void partial_fini(struct partial *p)
{
	free(p->state);
	free(p->where);
	free(p->page);
	free(p->page_used);
	free(p->next_use);
}

/* After every step: check() passes and the policy tracks exactly the
 * resident slots. */
static bool partial_verify(struct partial *p, const char *what)
{
	if (p->ops->check(p->state, &diag) != 0) {
		htest_fail(__FILE__, __LINE__, "%s/%u: check failed after %s (step %u)", p->ops->name, p->n, what, p->step);
		return false;
	}
	for (uint32_t s = 0; s < p->n; s++) {
		if (p->ops->tracks(p->state, s) != (p->where[s] == RESIDENT)) {
			htest_fail(__FILE__, __LINE__, "%s/%u: after %s (step %u) slot %u tracked %d, state %u", p->ops->name,
				   p->n, what, p->step, s, p->ops->tracks(p->state, s), p->where[s]);
			return false;
		}
	}
	return true;
}

static uint32_t random_slot(struct partial *p, uint8_t where)
{
	uint32_t s;
	do s = mm_rng_below(&p->rng, p->n); while (p->where[s] != where);
	return s;
}

/* A page not resident or isolated anywhere comes into free slot s. */
static void load(struct partial *p, uint32_t s)
{
	uint32_t x;
	do x = mm_rng_below(&p->rng, p->npages); while (p->page_used[x]);
	p->ops->page_in(p->state, s, x, mm_rng_below(&p->rng, 2));
	p->where[s] = RESIDENT;
	p->page[s] = x;
	p->page_used[x] = 1;
	p->nres++;
}

/* select_victim: it must name a resident slot, and one not named before
 * (each one named is out by the time of the next call). */
static uint32_t victim(struct partial *p)
{
	uint32_t s = p->ops->select_victim(p->state);
	if (s >= p->n || p->where[s] != RESIDENT) {
		htest_fail(__FILE__, __LINE__, "%s/%u: step %u: victim %u is not resident (%u of %u resident)",
			   p->ops->name, p->n, p->step, s, p->nres, p->n);
		p->failed = true;
		return REPL_NO_SLOT;
	}
	return s;
}

/* Slot s leaves: freed (its page forgotten) or isolated (page kept). */
static void put_out(struct partial *p, uint32_t s, bool isolate)
{
	p->ops->page_out(p->state, s);
	p->nres--;
	if (isolate) {
		p->where[s] = ISOLATED;
		p->nisolated++;
	} else {
		p->where[s] = FREE;
		p->page_used[p->page[s]] = 0;
	}
}

/* ---- (a) victims one after the other, down to one resident page --------- */

/* Fill the frames, run faults on a full memory (a few references each), then
 * drain. Returns false on a failure already reported. */
static bool fill_churn_drain(struct partial *p)
{
	for (uint32_t s = 0; s < p->n; s++) {
		if (p->where[s] != FREE) continue;
		p->future.now = p->step++ % p->nrefs;
		load(p, s);
		if (!partial_verify(p, "a fill")) return false;
	}
	for (uint32_t i = 0; i < 6 * p->n + 10; i++) {
		p->future.now = p->step++ % p->nrefs;
		if (mm_rng_below(&p->rng, 3)) {
			p->ops->referenced(p->state, random_slot(p, RESIDENT), true, mm_rng_below(&p->rng, 2));
		} else {
			uint32_t v = victim(p);
			if (v == REPL_NO_SLOT) return false;
			put_out(p, v, false);
			load(p, v);
		}
		if (i % 7 == 0) p->ops->tick(p->state);
		if (!partial_verify(p, "a fault on a full memory")) return false;
	}
	while (p->nres > 1) {
		p->future.now = p->step++ % p->nrefs;
		uint32_t v = victim(p);
		if (v == REPL_NO_SLOT) return false;
		put_out(p, v, false);
		if (!partial_verify(p, "an eviction ahead")) return false;
	}
	return true;
}

static void drain_one(const struct repl_ops *ops, uint32_t n)
{
	struct partial p;
	if (partial_init(&p, ops, n, 40 * n + 100, 3)) {
		/* twice: the second time over whatever the drain left behind */
		if (fill_churn_drain(&p)) fill_churn_drain(&p);
	}
	partial_fini(&p);
}

HTEST(repl_partial_drain_every_policy)
{
	static const uint32_t sizes[] = { 1, 2, 3, 7, 100 };
	for (size_t i = 0; i < repl_count(); i++)
		for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) drain_one(repl_at(i), sizes[k]);
}

/* ---- (b) random events with free frames present ------------------------------ */

#define RANDOM_STEPS 4000

/* One random event; returns false once a failure has been reported. */
static bool random_step(struct partial *p)
{
	uint32_t r = mm_rng_below(&p->rng, 100);
	const char *what = "a reference";
	if (r < 25) { /* a fault: a free frame if there is one, else a victim */
		what = "a fault";
		if (p->nres + p->nisolated < p->n) {
			load(p, random_slot(p, FREE));
		} else if (p->nres) {
			uint32_t v = victim(p);
			if (v == REPL_NO_SLOT) return false;
			put_out(p, v, false);
			load(p, v);
		}
	} else if (r < 55) {
		if (p->nres)
			p->ops->referenced(p->state, random_slot(p, RESIDENT), mm_rng_below(&p->rng, 4) != 0,
					   mm_rng_below(&p->rng, 2));
	} else if (r < 60) {
		what = "a tick";
		p->ops->tick(p->state);
	} else if (r < 70) { /* the daemon frees a few frames ahead */
		what = "an eviction ahead";
		for (uint32_t k = 1 + mm_rng_below(&p->rng, 4); k && p->nres; k--) {
			uint32_t v = victim(p);
			if (v == REPL_NO_SLOT) return false;
			put_out(p, v, false);
			if (!partial_verify(p, what)) return false;
		}
	} else if (r < 80) { /* a victim isolated for its write-back */
		what = "an isolation";
		if (p->nres) {
			uint32_t v = victim(p);
			if (v == REPL_NO_SLOT) return false;
			put_out(p, v, true);
		}
	} else if (r < 90) { /* a write-back ends: done (frame free) or failed (back) */
		if (p->nisolated) {
			uint32_t s = random_slot(p, ISOLATED);
			p->nisolated--;
			if (mm_rng_below(&p->rng, 2)) {
				what = "a failed write-back";
				p->ops->page_in(p->state, s, p->page[s], false);
				p->where[s] = RESIDENT;
				p->nres++;
			} else {
				what = "a finished write-back";
				p->where[s] = FREE;
				p->page_used[p->page[s]] = 0;
			}
		}
	} else if (p->nres) { /* the owner releases a page */
		what = "a release";
		put_out(p, random_slot(p, RESIDENT), false);
	}
	return partial_verify(p, what);
}

static void random_run(const struct repl_ops *ops, uint32_t n, uint64_t seed)
{
	struct partial p;
	if (partial_init(&p, ops, n, RANDOM_STEPS, seed)) {
		for (p.step = 0; p.step < RANDOM_STEPS; p.step++) {
			p.future.now = p.step;
			if (!random_step(&p)) break;
		}
	}
	partial_fini(&p);
}

HTEST(repl_partial_random_every_policy)
{
	static const uint32_t sizes[] = { 1, 2, 3, 100 };
	for (size_t i = 0; i < repl_count(); i++)
		for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
			for (uint64_t seed = 1; seed <= 3; seed++) random_run(repl_at(i), sizes[k], seed);
}

/* ---- (c) by hand ------------------------------------------------------------- */

#define H DRIVE_HIT
#define F DRIVE_FREE

static void expect_refs(struct repl_drive *d, const uint64_t *refs, const uint64_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t got = drive_ref(d, refs[i]);
		if (got != want[i])
			htest_fail(__FILE__, __LINE__, "%s: reference %zu (page %llu): got %lld, want %lld", d->ops->name, i,
				   (unsigned long long)refs[i], (long long)got, (long long)want[i]);
	}
	EXPECT_EQ(d->ops->check(d->state, &diag), 0);
}

HTEST(repl_partial_clock_passes_free_slots)
{
	/* 4 frames; slot: page, * R set, ^ the hand.
	 *  1 2 3 4   [0:1* 1:2* 2:3* 3:4*] ^0
	 *  5         the hand clears every R, wraps, evicts 1 at slot 0 and
	 *            stops at 1: [0:5* 1:2 2:3 3:4] ^1
	 *  ahead     2 (slot 1), then 3 (slot 2), then 4 (slot 3): R clear,
	 *            the hand stops past each: [0:5* 1:- 2:- 3:-] ^0
	 *  6         the lowest free slot, 1: [0:5* 1:6* 2:- 3:-] ^0
	 *  ahead     slot 0: R cleared, slot 1: R cleared, slots 2 and 3 are
	 *            free and passed (naming one would be naming no page),
	 *            slot 0: R clear, 5 goes; the hand stops at 1.
	 *  ahead     slot 1: 6, R clear. */
	static const uint64_t refs[] = { 1, 2, 3, 4, 5 };
	static const uint64_t want[] = { F, F, F, F, 1 };
	struct repl_drive d;
	drive_init(&d, &repl_clock_ops, 4);
	expect_refs(&d, refs, want, 5);
	EXPECT_EQ(drive_evict(&d), 2);
	EXPECT_EQ(drive_evict(&d), 3);
	EXPECT_EQ(drive_evict(&d), 4);
	EXPECT_EQ(drive_ref(&d, 6), F);
	EXPECT_EQ(drive_evict(&d), 5);
	EXPECT_EQ(repl_clock_ops.check(d.state, &diag), 0);
	EXPECT_EQ(drive_evict(&d), 6);
	EXPECT_EQ(repl_clock_ops.check(d.state, &diag), 0);
	drive_fini(&d);
}

HTEST(repl_partial_lirs_refills_the_hir_set)
{
	/* 3 frames: 1% of them is no frame, so one is HIR and lir_max = 2.
	 * S from the top, n non-resident; Q from the front.
	 *  1 2 3     1 2 LIR, 3 HIR: S=[3 2 1] Q=[3]
	 *  1         LIR hit at S's bottom: to the top, prune: S=[1 3 2] Q=[3]
	 *  ahead     Q's front: 3 (LRU would give 2). 3 stays in S,
	 *            non-resident: S=[1 3n 2] Q=[]
	 *  ahead     Q is empty: the LIR page at S's bottom, 2, turns HIR and
	 *            leaves S; pruning drops 3n: S=[1] Q=[2]; 2 is the victim
	 *            and, out of S, is forgotten.
	 *  4         a new page while the LIR set is short: LIR. S=[4 1]
	 *  5         the LIR set is full (2): HIR. S=[5 4 1] Q=[5]
	 *  ahead     5, remembered: S=[5n 4 1] Q=[]
	 *  5 back    a failed write-back: 5 is in S, so loading it makes it
	 *            LIR and the bottom LIR page, 1, turns HIR: S=[5 4] Q=[1]
	 *  ahead     1. */
	static const uint64_t refs[] = { 1, 2, 3, 1 };
	static const uint64_t want[] = { F, F, F, H };
	struct repl_drive d;
	drive_init(&d, &repl_lirs_ops, 3);
	expect_refs(&d, refs, want, 4);
	EXPECT_EQ(drive_evict(&d), 3);
	EXPECT_EQ(drive_evict(&d), 2);
	EXPECT_EQ(repl_lirs_ops.check(d.state, &diag), 0);
	EXPECT_EQ(drive_ref(&d, 4), F);
	EXPECT_EQ(drive_ref(&d, 5), F);
	int slot5 = drive_slot_of(&d, 5);
	EXPECT_EQ(drive_evict(&d), 5);
	drive_put_back(&d, (uint32_t)slot5, 5);
	EXPECT_EQ(repl_lirs_ops.check(d.state, &diag), 0);
	EXPECT_EQ(drive_evict(&d), 1);
	EXPECT_EQ(repl_lirs_ops.check(d.state, &diag), 0);
	drive_fini(&d);
}

HTEST(repl_partial_arc_takes_from_the_other_list)
{
	/* c = 3, MRU first, p the target size of T1.
	 *  1 2 3     T1=[3 2 1]
	 *  1         T2=[1] T1=[3 2]
	 *  4         REPLACE, |T1|=2 > p=0: 2 to B1. T1=[4 3] T2=[1] B1=[2]
	 *  2         REPLACE first (p still 0): 3 to B1; then 2 is a hit in
	 *            B1 (|B1|=1 >= |B2|=0): p = 1, 2 to T2.
	 *            T1=[4] T2=[2 1] B1=[3]
	 *  ahead     |T1|=1 > p=1 no: T2's LRU, 1, to B2
	 *  ahead     the same: 2 to B2. T1=[4] T2=[]
	 *  ahead     T2 is chosen again but holds no resident page: T1's 4.
	 *  5         into a free frame, new: T1=[5], nothing trimmed.
	 * And the other way round: */
	static const uint64_t refs[] = { 1, 2, 3, 1, 4, 2 };
	static const uint64_t want[] = { F, F, F, H, 2, 3 };
	struct repl_drive d;
	drive_init(&d, &repl_arc_ops, 3);
	expect_refs(&d, refs, want, 6);
	EXPECT_EQ(drive_evict(&d), 1);
	EXPECT_EQ(drive_evict(&d), 2);
	EXPECT_EQ(drive_evict(&d), 4);
	EXPECT_EQ(repl_arc_ops.check(d.state, &diag), 0);
	EXPECT_EQ(drive_ref(&d, 5), F);
	EXPECT_EQ(repl_arc_ops.check(d.state, &diag), 0);
	drive_fini(&d);

	/*  1 2 3 1 2 3   T1=[] T2=[3 2 1], p=0
	 *  ahead         |T1|=0: T2's LRU, 1, to B2
	 *  ahead         2 to B2; then 3. */
	static const uint64_t refs2[] = { 1, 2, 3, 1, 2, 3 };
	static const uint64_t want2[] = { F, F, F, H, H, H };
	drive_init(&d, &repl_arc_ops, 3);
	expect_refs(&d, refs2, want2, 6);
	EXPECT_EQ(drive_evict(&d), 1);
	EXPECT_EQ(drive_evict(&d), 2);
	EXPECT_EQ(drive_evict(&d), 3);
	EXPECT_EQ(repl_arc_ops.check(d.state, &diag), 0);
	drive_fini(&d);
}

HTEST(repl_partial_clockpro_runs_the_hot_hand)
{
	/* m = 3, m_c = 1. The clock from HAND_hot (the tail); H hot, C resident
	 * cold, N non-resident, t in a test period, r reference bit set.
	 *  1 2 3     hot until m - m_c = 2 are: [1H 2H 3Ct]
	 *  1         [1Hr 2H 3Ct]
	 *  ahead     HAND_cold: 3Ct, bit clear: the victim; it stays as 3Nt.
	 *            No resident cold page is left.
	 *  ahead     so HAND_hot runs: 1Hr is spared (bit cleared), 2H turns
	 *            cold, 3Nt's test ends (no access: m_c stays 1) and it
	 *            leaves the clock; it stops at 1H. [1H 2C]. HAND_cold:
	 *            2C, bit clear, no test period: the victim (LRU: 2 too,
	 *            but CLOCK-Pro gets there by demoting, not by recency).
	 *  4         a free frame, memory was full at the last replacement:
	 *            cold in a test period. [1H 4Ct]
	 *  1         [1Hr 4Ct]
	 *  ahead     4.
	 *  ahead     none cold: HAND_hot spares 1 (bit cleared), ends 4's test
	 *            period (4 leaves the clock), comes round to 1 and turns
	 *            it cold; HAND_cold takes it: 1. */
	static const uint64_t refs[] = { 1, 2, 3, 1 };
	static const uint64_t want[] = { F, F, F, H };
	struct repl_drive d;
	drive_init(&d, &repl_clockpro_ops, 3);
	expect_refs(&d, refs, want, 4);
	EXPECT_EQ(drive_evict(&d), 3);
	EXPECT_EQ(drive_evict(&d), 2);
	EXPECT_EQ(repl_clockpro_ops.check(d.state, &diag), 0);
	EXPECT_EQ(drive_ref(&d, 4), F);
	EXPECT_EQ(drive_ref(&d, 1), H);
	EXPECT_EQ(drive_evict(&d), 4);
	EXPECT_EQ(drive_evict(&d), 1);
	EXPECT_EQ(repl_clockpro_ops.check(d.state, &diag), 0);
	drive_fini(&d);
}

HTEST(repl_partial_duel_falls_back_to_lru)
{
	/* duel, 3 frames: LIRS leads (the first expert, and neither has missed
	 * less than the other). The real frames' recency is the order of the
	 * references.
	 *  1 2 3     both shadows hold 1 2 3; LIRS: 1 2 LIR, 3 HIR
	 *  2 1       hits. LIRS's victim is 3 (Q's front); real recency 1 2 3
	 *  ahead     no outsider, LIRS's choice 3 is resident: 3.
	 *  ahead     the shadows still hold 3 (they hear only of references),
	 *            LIRS names 3 again, which no frame holds: the least
	 *            recently used real page, 2.
	 *  ahead     the same: 1. */
	static const uint64_t refs[] = { 1, 2, 3, 2, 1 };
	static const uint64_t want[] = { F, F, F, H, H };
	struct repl_drive d;
	drive_init(&d, &repl_duel_ops, 3);
	expect_refs(&d, refs, want, 5);
	EXPECT_EQ(drive_evict(&d), 3);
	EXPECT_EQ(drive_evict(&d), 2);
	EXPECT_EQ(repl_duel_ops.check(d.state, &diag), 0);
	EXPECT_EQ(drive_evict(&d), 1);
	EXPECT_EQ(repl_duel_ops.check(d.state, &diag), 0);
	drive_fini(&d);
}
