/*
 * test_repl_irg.c - IRG (mm/repl/repl_irg.c) and the leader policy over it
 * (mm/repl/repl_leader.c) on strings worked by hand, and on patterns where
 * the answer is known: Belady's decisions on a loop, LRU's on sweeps.
 *
 * Notation: tN is the policy's clock (references it has heard of); a page's
 * key is last + gap, its predicted next reference; "never" for a page seen
 * once (key = last + 2^31). A victim is chosen before the faulting page is
 * counted, so "now" at a fault is the time of the reference before it.
 */
#include "htest.h"
#include "repl_drive.h"
#include "refsim.h"

#define H DRIVE_HIT
#define F DRIVE_FREE

HTEST(repl_irg_by_hand)
{
	/* 3 frames.
	 *  1 2 3 1 2 3   t1..t6: each page's gap is 3: keys 1:7, 2:8, 3:9
	 *  4   now 6, nothing overdue: the page due latest, 3 (key 9), goes
	 *      (LRU would evict 1). 4 is new (t7): key never.
	 *  2   t8: gap (3 + 3) / 2 = 3, key 11.
	 *  3   now 8: 1 is overdue (key 7) by 1, counted twice: 2; but 4 is
	 *      due never: 4 goes (a page seen once is tried first). 3 comes
	 *      back from the ghosts (last t6): t9, gap (3 + 3) / 2 = 3, key 12.
	 *  2   t10: gap (3 + 2) / 2 = 2, key 12.
	 *  3   t11: gap (3 + 2) / 2 = 2, key 13.
	 *  5   now 11: 1 is 4 late, counted 8; the latest due is 3, 2 ahead:
	 *      8 > 2, the overdue page 1 goes. */
	static const uint64_t refs[] = { 1, 2, 3, 1, 2, 3, 4, 2, 3, 2, 3, 5 };
	static const uint64_t want[] = { F, F, F, H, H, H, 3, H, 4, H, H, 1 };
	enum { N = sizeof refs / sizeof refs[0] };
	uint64_t got[N];
	struct repl_drive d;
	drive_init(&d, &repl_irg_ops, 3);
	drive_run(&d, refs, N, got);
	for (int i = 0; i < N; i++) EXPECT_EQ(got[i], want[i]);
	EXPECT_EQ(repl_irg_ops.check(d.state, NULL), 0);
	drive_fini(&d);
}

HTEST(repl_irg_immediate_repeat_is_one_reference)
{
	/* 2 frames: 1 1 1 2 1 2: the repeats of 1 are one access, so 1's gap
	 * is the 2 of t1 -> t3 (its t1 and 2's t2 between), not 1. Then 3 at
	 * now 4: 1 key 3 + 2 = 5, 2 key 4 + 2 = 6: 2 is due later and goes. */
	static const uint64_t refs[] = { 1, 1, 1, 2, 1, 2, 3 };
	static const uint64_t want[] = { F, H, H, F, H, H, 2 };
	enum { N = sizeof refs / sizeof refs[0] };
	uint64_t got[N];
	struct repl_drive d;
	drive_init(&d, &repl_irg_ops, 2);
	drive_run(&d, refs, N, got);
	for (int i = 0; i < N; i++) EXPECT_EQ(got[i], want[i]);
	drive_fini(&d);
}

static long drive_misses(const struct repl_ops *ops, uint32_t frames, const uint64_t *refs, size_t n)
{
	struct repl_drive d;
	drive_init(&d, ops, frames);
	for (size_t i = 0; i < n; i++) drive_ref(&d, refs[i]);
	long m = d.misses;
	drive_fini(&d);
	return m;
}

HTEST(repl_irg_is_belady_on_a_loop)
{
	/* A loop of 120 pages in 100 frames, 30 passes. Once every page has a
	 * gap (120), each prediction is exact and IRG evicts the page whose next
	 * use is farthest: Belady's choice. Only the first pass differs (pages
	 * seen once are predicted never), which costs one miss here. LRU misses
	 * every reference, LIRS a few dozen more than OPT. */
	enum { N = 100, LOOP = 120, REFS = LOOP * 30 };
	uint64_t *s = malloc(REFS * sizeof *s);
	for (int i = 0; i < REFS; i++) s[i] = (uint64_t)(i % LOOP);
	long opt = refsim_opt(s, REFS, N);
	long irg = drive_misses(&repl_irg_ops, N, s, REFS);
	EXPECT_LE(opt, irg);
	EXPECT_LE(irg, opt + 1);
	EXPECT_LT(irg, drive_misses(&repl_lirs_ops, N, s, REFS));
	EXPECT_EQ(drive_misses(&repl_lru_ops, N, s, REFS), REFS);
	free(s);
}

HTEST(repl_irg_scans_go_first)
{
	/* 8 frames: 1 2 1 2, then 20 new pages, twenty times over. The new
	 * pages have no gap and go newest first; 1 and 2 (gap 2, then about 22)
	 * stay and hit in every round after the first: 2 + 20 * 20 misses.
	 * LRU loses 1 and 2 to every scan: 40 more. */
	uint64_t s[480];
	size_t n = 0;
	for (uint64_t r = 0; r < 20; r++) {
		s[n++] = 1, s[n++] = 2, s[n++] = 1, s[n++] = 2;
		for (uint64_t i = 0; i < 20; i++) s[n++] = 1000 + r * 20 + i;
	}
	EXPECT_EQ(drive_misses(&repl_irg_ops, 8, s, n), 2 + 20 * 20);
	EXPECT_EQ(drive_misses(&repl_lru_ops, 8, s, n), 2 * 20 + 20 * 20);
}

/* ---- leader ------------------------------------------------------------------ */

HTEST(repl_leader_follows_the_better_expert)
{
	/* On the loop IRG is Belady's and LRU misses everything: leader
	 * follows IRG. On sweeps up and down over 2N pages LRU keeps what the
	 * reversal needs first (N hits per sweep) and IRG, predicting from the
	 * previous sweep, does worse: leader follows LRU, paying for the
	 * frames to converge at the start. */
	enum { N = 100, LOOP = 120, REFS = LOOP * 30 };
	uint64_t *s = malloc(REFS * sizeof *s);
	for (int i = 0; i < REFS; i++) s[i] = (uint64_t)(i % LOOP);
	long irg = drive_misses(&repl_irg_ops, N, s, REFS);
	EXPECT_LE(drive_misses(&repl_leader_ops, N, s, REFS), irg + LOOP);
	size_t k = 0;
	for (int pass = 0; pass < 15; pass++)
		for (int i = 0; i < 2 * N && k < REFS; i++) s[k++] = (uint64_t)(pass % 2 ? 2 * N - 1 - i : i);
	long lru = drive_misses(&repl_lru_ops, N, s, k);
	irg = drive_misses(&repl_irg_ops, N, s, k);
	long leader = drive_misses(&repl_leader_ops, N, s, k);
	EXPECT_EQ(lru, 2 * N + 14 * N);
	EXPECT_LT(lru, irg);
	EXPECT_LT(leader, lru + lru / 10);
	free(s);
}
