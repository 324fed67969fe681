/*
 * test_repl_clockpro.c - CLOCK-Pro (mm/repl/repl_clockpro.c) on reference
 * strings worked by hand from sections 3.2-3.4 of Jiang, Chen and Zhang
 * (USENIX ATC 2005).
 *
 * Notation: the clock from HAND_hot (the list tail) round to the list head;
 * H hot, C resident cold, N non-resident cold; t in its test period, r its
 * reference bit set. m frames, m_c the cold target (starts at 1 here).
 */
#include "htest.h"
#include "repl_drive.h"

#define H DRIVE_HIT
#define F DRIVE_FREE

static void expect_run(uint32_t m, const uint64_t *refs, const uint64_t *want, size_t n, long misses)
{
	uint64_t got[64];
	struct repl_drive d;
	drive_init(&d, &repl_clockpro_ops, m);
	for (size_t i = 0; i < n; i++) {
		got[i] = drive_ref(&d, refs[i]);
		if (got[i] != want[i])
			htest_fail(__FILE__, __LINE__, "clockpro, %u frames, reference %zu (page %llu): got %lld, want %lld",
				   m, i, (unsigned long long)refs[i], (long long)got[i], (long long)want[i]);
		if (repl_clockpro_ops.check(d.state, NULL) != 0)
			htest_fail(__FILE__, __LINE__, "clockpro: check failed after reference %zu", i);
	}
	EXPECT_EQ(d.misses, misses);
	drive_fini(&d);
}

HTEST(repl_clockpro_loop_by_hand)
{
	/* m = 3, m_c = 1: while memory fills, pages are hot until m - m_c = 2
	 * are, so 1 2 are hot and 3 cold: [1H 2H 3Ct].
	 *  4  HAND_cold from the tail passes 1H 2H to 3Ct, bit clear: 3 is
	 *     replaced but stays as 3Nt. 4 is new: cold at the head. [1H 2H 3Nt 4Ct]
	 *  1 2  hits: bits set. [1Hr 2Hr 3Nt 4Ct]
	 *  3  HAND_cold: 4Ct, bit clear: replaced, 4Nt. 3 faults while in its
	 *     test period: hot at the head, m_c = 2. Hot pages 3 > m - m_c = 1,
	 *     so HAND_hot runs from the tail: 1Hr, 2Hr spared (bits cleared),
	 *     4Nt ends its test (no access: m_c = 1) and leaves the clock, 3H
	 *     (bit clear) turns cold; it stops at 1H. [1H 2H 3C]
	 *  4  HAND_cold: 3C, bit clear, no test: replaced and gone. 4 is new
	 *     again (its entry left the clock): [1H 2H 4Ct]
	 *  1 2  hits. [1Hr 2Hr 4Ct]
	 *  3  HAND_cold: 4Ct replaced, 4Nt; 3 is new: [1Hr 2Hr 4Nt 3Ct]
	 *  4  HAND_cold: 3Ct replaced, 3Nt; 4 in its test period: hot, m_c = 2;
	 *     HAND_hot spares 1 and 2, ends 3's test (m_c = 1), turns 4 cold:
	 *     [1H 2H 4C], the state two passes back with 3 and 4 swapped.
	 * From the second pass on, 1 and 2 hit and 3, 4 miss: 4 + 3 * 2 = 10
	 * misses in four passes (LIRS: the same; LRU: 16). */
	static const uint64_t refs[] = { 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4 };
	static const uint64_t want[] = { F, F, F, 3, H, H, 4, 3, H, H, 4, 3, H, H, 4, 3 };
	expect_run(3, refs, want, 16, 10);
}

HTEST(repl_clockpro_scan_keeps_hot_pages)
{
	/* m = 4, m_c = 1: 1 2 hot (hit twice: bits set), then a scan. 100 is
	 * still hot (3 hot while memory fills), 101 cold. Each new page after
	 * it is cold at the head and in its test period; HAND_cold finds the
	 * newest cold page with its bit clear and replaces it, which stays as
	 * a non-resident test page. After 5 non-resident pages (> m) HAND_test
	 * ends the test period of the oldest (101). The hot pages are never
	 * looked at: 1 and 2 hit after the scan. */
	static const uint64_t refs[] = { 1, 2, 1, 2, 100, 101, 102, 103, 104, 105, 106, 1, 2 };
	static const uint64_t want[] = { F, F, H, H, F, F, 101, 102, 103, 104, 105, H, H };
	expect_run(4, refs, want, 13, 9);
	uint64_t got[13];
	struct repl_drive d;
	drive_init(&d, &repl_lru_ops, 4);
	drive_run(&d, refs, 13, got);
	EXPECT_EQ(d.misses, 11); /* LRU: the scan flushes 1 and 2 */
	drive_fini(&d);
}

HTEST(repl_clockpro_cold_target_adapts)
{
	/* m = 4, m_c = 1: 1 2 3 hot, 4 cold. [1H 2H 3H 4Ct]
	 *  5  4Ct replaced (4Nt); [1H 2H 3H 4Nt 5Ct]
	 *  4  5Ct replaced (5Nt). 4 faults in its test period: hot, m_c = 2, so
	 *     at most 2 hot pages: HAND_hot turns 1 cold, then 2 (bits clear),
	 *     and stops at 3H. [3H 5Nt 4H 1C 2C] - what was hot is now the
	 *     cold share the larger m_c asks for.
	 *  6  HAND_cold (at 1C since the hand passed it) replaces 1, no test:
	 *     gone. [3H 5Nt 4H 2C 6Ct]
	 *  5  2C replaced. 5 in its test period: hot, m_c = 3, at most 1 hot:
	 *     HAND_hot turns 3 then 4 cold, ends 6's test on its way (m_c = 2).
	 *     [5H 3C 4C 6C]
	 *  7  3C replaced: [5H 4C 6C 7Ct]
	 *  6  hit: [5H 4C 6Cr 7Ct]
	 *  1  4C replaced; HAND_cold stops at 6Cr. [5H 6Cr 7Ct 1Ct]
	 *  2  6Cr: bit set, not in a test period: cleared, a new test period,
	 *     to the head. 7Ct replaced (7Nt). [5H 7Nt 1Ct 6Ct 2Ct]
	 *  3  1Ct replaced (1Nt). [5H 7Nt 1Nt 6Ct 2Ct 3Ct]
	 * 12 misses. */
	static const uint64_t refs[] = { 1, 2, 3, 4, 5, 4, 6, 5, 7, 6, 1, 2, 3 };
	static const uint64_t want[] = { F, F, F, F, 4, 5, 1, 2, 3, H, 4, 7, 1 };
	expect_run(4, refs, want, 13, 12);
}

HTEST(repl_clockpro_loop_larger_than_memory)
{
	/* A loop of 120 pages in 100 frames, 30 passes: LRU and Clock miss on
	 * every reference; CLOCK-Pro keeps its hot pages as LIRS keeps its
	 * LIR pages, and misses exactly as often as LIRS does here. */
	enum { N = 100, LOOP = 120, REFS = 3600 };
	struct repl_drive d;
	long misses[2];
	const struct repl_ops *ops[2] = { &repl_clockpro_ops, &repl_lirs_ops };
	for (int k = 0; k < 2; k++) {
		drive_init(&d, ops[k], N);
		for (int i = 0; i < REFS; i++) drive_ref(&d, (uint64_t)(i % LOOP));
		misses[k] = d.misses;
		drive_fini(&d);
	}
	EXPECT_EQ(misses[0], misses[1]);
	EXPECT_LT(misses[0], REFS / 4);
}
