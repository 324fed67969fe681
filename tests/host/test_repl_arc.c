/*
 * test_repl_arc.c - ARC (mm/repl/repl_arc.c) on reference strings worked by
 * hand from Fig. 4 of Megiddo and Modha (FAST 2003), and against a
 * textbook ARC written here (it knows the faulting page when it replaces,
 * as the paper does, and keeps p in a double) on real traces.
 *
 * Notation in the comments: lists MRU first, c frames, p the target of T1.
 */
#include "htest.h"
#include "repl_drive.h"
#include "trace_load.h"

/* ---- a textbook ARC: four arrays kept MRU first, O(c) per step ------------- */

struct tb_list {
	uint64_t v[4096];
	int n;
};

struct tb_arc {
	int c;
	double p;
	struct tb_list t1, t2, b1, b2;
};

static int tb_find(const struct tb_list *l, uint64_t x)
{
	for (int i = 0; i < l->n; i++)
		if (l->v[i] == x) return i;
	return -1;
}

static void tb_del(struct tb_list *l, int i)
{
	memmove(l->v + i, l->v + i + 1, (size_t)(l->n - i - 1) * sizeof l->v[0]);
	l->n--;
}

static void tb_push(struct tb_list *l, uint64_t x)
{
	memmove(l->v + 1, l->v, (size_t)l->n * sizeof l->v[0]);
	l->v[0] = x;
	l->n++;
}

static uint64_t tb_pop_lru(struct tb_list *l)
{
	return l->v[--l->n];
}

/* REPLACE(x, p): returns the page evicted. */
static uint64_t tb_replace(struct tb_arc *a, bool x_in_b2)
{
	int t1 = a->t1.n;
	if (t1 >= 1 && ((x_in_b2 && t1 == a->p) || t1 > a->p)) {
		uint64_t v = tb_pop_lru(&a->t1);
		tb_push(&a->b1, v);
		return v;
	}
	uint64_t v = tb_pop_lru(&a->t2);
	tb_push(&a->b2, v);
	return v;
}

/* One reference; returns DRIVE_HIT, DRIVE_FREE or the page evicted. */
static uint64_t tb_ref(struct tb_arc *a, uint64_t x)
{
	int i, c = a->c;
	if ((i = tb_find(&a->t1, x)) >= 0 || (i = tb_find(&a->t2, x)) >= 0) { /* case I */
		tb_del(tb_find(&a->t1, x) >= 0 ? &a->t1 : &a->t2, i);
		tb_push(&a->t2, x);
		return DRIVE_HIT;
	}
	if ((i = tb_find(&a->b1, x)) >= 0) { /* case II */
		double d = a->b1.n >= a->b2.n ? 1.0 : (double)a->b2.n / a->b1.n;
		a->p = a->p + d < c ? a->p + d : c;
		uint64_t v = tb_replace(a, false);
		tb_del(&a->b1, tb_find(&a->b1, x));
		tb_push(&a->t2, x);
		return v;
	}
	if ((i = tb_find(&a->b2, x)) >= 0) { /* case III */
		double d = a->b2.n >= a->b1.n ? 1.0 : (double)a->b1.n / a->b2.n;
		a->p = a->p - d > 0 ? a->p - d : 0;
		uint64_t v = tb_replace(a, true);
		tb_del(&a->b2, tb_find(&a->b2, x));
		tb_push(&a->t2, x);
		return v;
	}
	uint64_t v = DRIVE_FREE; /* case IV */
	int l1 = a->t1.n + a->b1.n, all = l1 + a->t2.n + a->b2.n;
	if (l1 == c) {
		if (a->t1.n < c) {
			tb_pop_lru(&a->b1);
			v = tb_replace(a, false);
		} else {
			v = tb_pop_lru(&a->t1);
		}
	} else if (all >= c) {
		if (all == 2 * c) tb_pop_lru(&a->b2);
		v = tb_replace(a, false);
	}
	tb_push(&a->t1, x);
	return v;
}

static void tb_init(struct tb_arc *a, int c)
{
	memset(a, 0, sizeof *a);
	a->c = c;
}

/* ---- hand-worked strings ----------------------------------------------------- */

#define H DRIVE_HIT
#define F DRIVE_FREE

HTEST(repl_arc_by_hand_c3)
{
	/* c = 3, a string where Fig. 4 and mmk's ARC decide alike, through
	 * every case of the paper.
	 *  5 6      IV, directory not full: T1=[6 5]
	 *  5        I: hit, to T2: T1=[6] T2=[5]
	 *  4        IV: T1=[4 6] T2=[5] (memory now full)
	 *  8        IV-B: L1=2<3, 3 pages in the directory (>= c, < 2c):
	 *           REPLACE, |T1|=2 > p=0: T1's LRU 6 goes to B1.
	 *           T1=[8 4] T2=[5] B1=[6]
	 *  6        II: in B1; |B1|=1 >= |B2|=0 so p += 1 -> 1. REPLACE:
	 *           |T1|=2 > 1: 4 goes to B1 (mmk replaces with p=0 before it
	 *           knows the page: 2 > 0, the same victim). 6 to T2.
	 *           T1=[8] T2=[6 5] B1=[4]
	 *  3        IV-B: L1=2, 4 in the directory: REPLACE, |T1|=1 > p=1 no:
	 *           T2's LRU 5 goes to B2. T1=[3 8] T2=[6] B1=[4] B2=[5]
	 *  3 8      I, I: T1=[] T2=[8 3 6]
	 *  1        IV-B: L1=1, 5 pages: REPLACE, |T1|=0: 6 to B2.
	 *           T1=[1] T2=[8 3] B1=[4] B2=[6 5]
	 *  2        IV-B: L1=2, 6 = 2c pages: B2's LRU 5 is forgotten, then
	 *           REPLACE, |T1|=1 > 1 no: 3 to B2. T1=[2 1] T2=[8] B1=[4] B2=[3 6]
	 *  3        III: in B2; |B2|=2 >= |B1|=1 so p -= 1 -> 0. REPLACE with
	 *           3 in B2: |T1|=2 > 0: 1 to B1 (mmk, with p=1: 2 > 1, alike).
	 *           T1=[2] T2=[3 8] B1=[1 4] B2=[6]
	 *  5        IV-A: L1 = 1 + 2 = c and |T1| < c: B1's LRU 4 is forgotten,
	 *           REPLACE, |T1|=1 > 0: 2 to B1. T1=[5] T2=[3 8] B1=[2 1] B2=[6]
	 * 10 misses. */
	static const uint64_t refs[] = { 5, 6, 5, 4, 8, 6, 3, 3, 8, 1, 2, 3, 5 };
	static const uint64_t want[] = { F, F, H, F, 6, 4, 5, H, H, 6, 3, 1, 2 };
	enum { N = sizeof refs / sizeof refs[0] };
	uint64_t got[N];
	struct repl_drive d;
	drive_init(&d, &repl_arc_ops, 3);
	drive_run(&d, refs, N, got);
	for (int i = 0; i < N; i++) EXPECT_EQ(got[i], want[i]);
	EXPECT_EQ(d.misses, 10);
	EXPECT_EQ(repl_arc_ops.check(d.state, NULL), 0);
	drive_fini(&d);
	struct tb_arc *a = malloc(sizeof *a);
	tb_init(a, 3);
	for (int i = 0; i < N; i++) EXPECT_EQ(tb_ref(a, refs[i]), want[i]);
	free(a);
}

HTEST(repl_arc_by_hand_c2_adaptation_before_replace)
{
	/* c = 2. A ghost hit changes p and REPLACE already uses the new p
	 * (the pool names the missing page with will_load before it asks for
	 * a victim, as the paper's REPLACE(x, p) knows x).
	 *  1 2      T1=[2 1]
	 *  3        IV-A: L1 = |T1| = c: T1's LRU 1 leaves with no ghost
	 *           (mmk: REPLACE sends 1 to B1, then page_in forgets it).
	 *           T1=[3 2]
	 *  2        I: T1=[3] T2=[2]
	 *  4        IV-B: 2 pages: REPLACE, |T1|=1 > 0: 3 to B1. T1=[4] T2=[2] B1=[3]
	 *  3        II: |B1|=1 >= |B2|=0: p += 1 -> 1; REPLACE with p=1:
	 *           |T1|=1 > 1 no: T2's 2 to B2. T1=[4] T2=[3] B2=[2]
	 *  4        I, a hit. T2=[4 3] B2=[2]
	 *  1        IV-B, 3 pages: REPLACE, |T1|=0: 3 to B2. T1=[1] T2=[4] B2=[3 2]
	 *  2        III: |B2|=2 >= |B1|=0: p -= 1 -> 0. REPLACE with 2 in B2:
	 *           |T1|=1 > 0: 1 to B1. T2=[2 4] B1=[1] B2=[3]
	 *  5        IV-B, 4 pages: L1 = 1 < c, all = 4 = 2c: B2's LRU 3 is
	 *           forgotten; REPLACE, |T1|=0: 4 to B2. T1=[5] T2=[2] B1=[1] B2=[4]
	 *  1        II: |B1|=1 >= |B2|=1: p += 1 -> 1; REPLACE with p=1:
	 *           |T1|=1 > 1 no: 2 to B2. T2=[1] T1=[5] B2=[2 4]
	 *  2        III: p -= max(|B1|/|B2|, 1) = 1 -> 0... with |T1|=1 > 0:
	 *           5 to B1. T2=[2 1] B1=[5] B2=[4]
	 *  6        IV-B, 4 pages: L1 = 1, all = 4 = 2c: B2's LRU 4 forgotten;
	 *           REPLACE, |T1|=0: 1 to B2. T1=[6] T2=[2] B1=[5] B2=[1]
	 *  1        III: |B2|=1 >= |B1|=1: p stays 0 (0 - 1 clipped). The tie
	 *           rule: |T1|=1 > 0 anyway: 6 to B1. T2=[1 2] B1=[6 5]
	 * 12 misses. */
	static const uint64_t refs[] = { 1, 2, 3, 2, 4, 3, 4, 1, 2, 5, 1, 2, 6, 1 };
	static const uint64_t want[] = { F, F, 1, H, 3, 2, H, 3, 1, 4, 2, 5, 1, 6 };
	enum { N = sizeof refs / sizeof refs[0] };
	uint64_t got[N];
	struct repl_drive d;
	drive_init(&d, &repl_arc_ops, 2);
	drive_run(&d, refs, N, got);
	for (int i = 0; i < N; i++) EXPECT_EQ(got[i], want[i]);
	EXPECT_EQ(d.misses, 12);
	EXPECT_EQ(repl_arc_ops.check(d.state, NULL), 0);
	drive_fini(&d);
	struct tb_arc *a = malloc(sizeof *a);
	tb_init(a, 2);
	for (int i = 0; i < N; i++) EXPECT_EQ(tb_ref(a, refs[i]), want[i]);
	free(a);
}

HTEST(repl_arc_tie_rule_for_a_page_in_b2)
{
	/* c = 3, the shortest string (by a search over random ones) where the
	 * tie rule decides: |T1| = p when the missing page is in B2 sends T1's
	 * LRU page out; without the rule T2's would go.
	 *  1 2 2    T1=[1] T2=[2]
	 *  5        IV, 2 pages: T1=[5 1] T2=[2] (full)
	 *  4        IV-B: L1=2, 3 pages: REPLACE, |T1|=2 > p=0: 1 to B1.
	 *           T1=[4 5] T2=[2] B1=[1]
	 *  1        II: |B1|=1 >= |B2|=0: p -> 1; REPLACE, |T1|=2 > 1: 5 to B1.
	 *           T1=[4] T2=[1 2] B1=[5]
	 *  5        II: p -> 2; REPLACE, |T1|=1 > 2 no: 2 to B2.
	 *           T1=[4] T2=[5 1] B2=[2]
	 *  2        III: |B2|=1 >= |B1|=0: p -> 1; REPLACE with 2 in B2 and
	 *           |T1| = 1 = p: T1's 4 to B1 (the rule; else 1 to B2).
	 *           T2=[2 5 1] B1=[4] */
	static const uint64_t refs[] = { 1, 2, 2, 5, 4, 1, 5, 2 };
	static const uint64_t want[] = { F, F, H, F, 1, 5, 2, 4 };
	enum { N = sizeof refs / sizeof refs[0] };
	uint64_t got[N];
	struct repl_drive d;
	drive_init(&d, &repl_arc_ops, 3);
	drive_run(&d, refs, N, got);
	for (int i = 0; i < N; i++) EXPECT_EQ(got[i], want[i]);
	EXPECT_EQ(repl_arc_ops.check(d.state, NULL), 0);
	drive_fini(&d);
	struct tb_arc *a = malloc(sizeof *a);
	tb_init(a, 3);
	for (int i = 0; i < N; i++) EXPECT_EQ(tb_ref(a, refs[i]), want[i]);
	free(a);
}

/* ---- against the textbook ARC on traces ------------------------------------- */

static long textbook_misses(const struct trace *t, int c)
{
	struct tb_arc *a = malloc(sizeof *a);
	tb_init(a, c);
	long m = 0;
	for (size_t i = 0; i < t->nrefs; i++) m += tb_ref(a, t->refs[i].page) != DRIVE_HIT;
	free(a);
	return m;
}

static long mmk_misses(const struct trace *t, uint32_t c)
{
	struct repl_drive d;
	drive_init(&d, &repl_arc_ops, c);
	for (size_t i = 0; i < t->nrefs; i++) drive_ref(&d, t->refs[i].page);
	long m = d.misses;
	drive_fini(&d);
	return m;
}

HTEST(repl_arc_equals_the_textbook_on_traces)
{
	/* Fig. 4 to the letter: the same misses as the textbook ARC (p kept
	 * in a double there, in 32.32 fixed point here). */
	static const char *names[] = { "cs", "cpp", "ps", "multi1" };
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		char path[128];
		snprintf(path, sizeof path, "tests/data/traces/lirs/%s.trace.gz", names[k]);
		struct trace t;
		ASSERT_EQ(trace_load(path, &t), 0);
		for (int c = 16; c <= 64; c *= 2) {
			long tb = textbook_misses(&t, c), ours = mmk_misses(&t, (uint32_t)c);
			if (ours != tb)
				htest_fail(__FILE__, __LINE__, "arc on %s, %d frames: %ld misses, textbook %ld",
					   names[k], c, ours, tb);
		}
		trace_free(&t, &host_malloc);
	}
}
