/*
 * test_repl_sieve.c - SIEVE (mm/repl/repl_sieve.c) on strings worked by hand
 * from Algorithm 1 of Zhang et al. (NSDI 2024).
 *
 * Notation: the queue from the head (newest) to the tail, * marks a visited
 * page, ^ the hand.
 */
#include "htest.h"
#include "repl_drive.h"

#define H DRIVE_HIT
#define F DRIVE_FREE

HTEST(repl_sieve_by_hand)
{
	/* 4 frames.
	 *  1 2 3 4   [4 3 2 1], the hand at the tail (1)
	 *  1 2       hits: [4 3 2* 1*]
	 *  5         the hand passes 1* and 2* (bits cleared) and evicts 3;
	 *            it stays where 3 was, i.e. at the next newer page, 4.
	 *            [5 4^ 2 1]
	 *  6         4 is unvisited: evicted, the hand moves to 5. [6 5^ 2 1]
	 *  7 8       5, then 6: new pages go before old survivors. [8 7^ 2 1]
	 *  1 2       still resident: hits (LRU would have evicted both). */
	static const uint64_t refs[] = { 1, 2, 3, 4, 1, 2, 5, 6, 7, 8, 1, 2 };
	static const uint64_t want[] = { F, F, F, F, H, H, 3, 4, 5, 6, H, H };
	enum { N = sizeof refs / sizeof refs[0] };
	uint64_t got[N];
	struct repl_drive d;
	drive_init(&d, &repl_sieve_ops, 4);
	drive_run(&d, refs, N, got);
	for (int i = 0; i < N; i++) EXPECT_EQ(got[i], want[i]);
	EXPECT_EQ(d.misses, 8);
	drive_fini(&d);
	drive_init(&d, &repl_lru_ops, 4);
	drive_run(&d, refs, N, got);
	EXPECT_EQ(d.misses, 10);
	drive_fini(&d);
}

HTEST(repl_sieve_hand_wraps)
{
	/* 3 frames, every page visited: the hand goes round from the tail to
	 * the head clearing bits, wraps to the tail and evicts it.
	 *  1 2 3 1 2 3   [3* 2* 1*]
	 *  4             passes 1, 2, 3 (cleared), wraps, evicts 1; the hand
	 *                moves to 2. [4 3 2^]
	 *  5             2 is unvisited now: evicted. [5 4 3^]
	 *  3             hit. [5 4 3*^]
	 *  6             the hand is at 3, the tail: visited, cleared; the
	 *                next newer page, 4, is unvisited: evicted. */
	static const uint64_t refs[] = { 1, 2, 3, 1, 2, 3, 4, 5, 3, 6 };
	static const uint64_t want[] = { F, F, F, H, H, H, 1, 2, H, 4 };
	enum { N = sizeof refs / sizeof refs[0] };
	uint64_t got[N];
	struct repl_drive d;
	drive_init(&d, &repl_sieve_ops, 3);
	drive_run(&d, refs, N, got);
	for (int i = 0; i < N; i++) EXPECT_EQ(got[i], want[i]);
	EXPECT_EQ(repl_sieve_ops.check(d.state, NULL), 0);
	drive_fini(&d);
}
