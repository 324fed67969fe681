/*
 * test_frame.c - host tests of the buddy frame allocator (mm/frame.c) and of
 * the naive bitmap baseline (tests/bench/frame_bitmap.c).
 *
 * The reference is a model with one byte per frame (reserved / free /
 * allocated). The free lists a fully coalesced buddy system must hold are
 * derived from the model alone: a block of order k at an aligned p is listed
 * exactly when all its frames are free and its parent block (order k+1) is
 * not, up to FRAME_MAX_ORDER. Hand-derived layouts pin down a few cases.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "host_sink.h"
#include "htest.h"
#include "frame.h"
#include "mmlib.h"

/* The baseline is not part of mm/: build it into this test directly. */
#include "../bench/frame_bitmap.c"

/* ---- helpers ---- */

/*
 * The model and the hand-derived layouts reason about frame numbers as
 * integers (alignment, buddies, offsets into the model). These adapters hand
 * them to the typed interface and take them back; NONE is PFN_NONE's number.
 */
#define NONE pfn_u32(PFN_NONE)
static uint32_t alloc_n(struct frame_alloc *fa, unsigned order) { return pfn_u32(frame_alloc(fa, order)); }
static int free_n(struct frame_alloc *fa, uint32_t p, unsigned order)
{
	return frame_free(fa, pfn_make(p), order);
}
static int release_n(struct frame_alloc *fa, uint32_t start, uint32_t count)
{
	return frame_release_range(fa, pfn_make(start), count);
}
static int reserve_n(struct frame_alloc *fa, uint32_t start, uint32_t count)
{
	return frame_reserve_range(fa, pfn_make(start), count);
}
static enum frame_state state_n(const struct frame_alloc *fa, uint32_t p, uint32_t *head,
				unsigned *order)
{
	pfn_t h;
	enum frame_state st = frame_state(fa, pfn_make(p), &h, order);
	if (head) *head = pfn_u32(h);
	return st;
}
static uint32_t bm_alloc_n(struct bitmap_alloc *ba, unsigned order) { return pfn_u32(bitmap_alloc(ba, order)); }
static int bm_free_n(struct bitmap_alloc *ba, uint32_t p, unsigned order)
{
	return bitmap_free(ba, pfn_make(p), order);
}
static int bm_release_n(struct bitmap_alloc *ba, uint32_t start, uint32_t count)
{
	return bitmap_release_range(ba, pfn_make(start), count);
}
static int bm_reserve_n(struct bitmap_alloc *ba, uint32_t start, uint32_t count)
{
	return bitmap_reserve_range(ba, pfn_make(start), count);
}

static void fa_setup(struct frame_alloc *fa, uint32_t npfns)
{
	frame_init(fa, npfns, malloc(frame_desc_bytes(npfns)));
}

static void fa_teardown(struct frame_alloc *fa)
{
	free(fa->desc);
	fa->desc = NULL;
}

/* frame_check with its report printed on failure. */
static int check_quiet(const struct frame_alloc *fa)
{
	struct strsink ss;
	strsink_init(&ss);
	int rc = frame_check(fa, &ss.sink);
	if (rc) printf("# %s", ss.buf);
	return rc;
}

enum { M_RESERVED = 0, M_FREE = 1, M_ALLOC = 2 };

struct model {
	unsigned char *st; /* one byte per frame */
	uint32_t npfns;
	uint32_t nfree;
	uint32_t *prefix;  /* scratch: prefix sums of free frames */
};

static void model_init(struct model *m, uint32_t npfns)
{
	m->st = calloc(npfns, 1);
	m->npfns = npfns;
	m->nfree = 0;
	m->prefix = malloc(((size_t)npfns + 1) * sizeof(uint32_t));
}

static void model_free(struct model *m)
{
	free(m->st);
	free(m->prefix);
}

static void model_set(struct model *m, uint32_t start, uint32_t count, unsigned char from, unsigned char to)
{
	for (uint32_t p = start; p < start + count && p < m->npfns; p++) {
		if (m->st[p] != from) continue;
		m->st[p] = to;
		if (from == M_FREE) m->nfree--;
		if (to == M_FREE) m->nfree++;
	}
}

/* The free blocks per order that full coalescing implies for the model. */
static void model_orders(struct model *m, uint32_t out[FRAME_NORDERS])
{
	m->prefix[0] = 0;
	for (uint32_t p = 0; p < m->npfns; p++) m->prefix[p + 1] = m->prefix[p] + (m->st[p] == M_FREE);
	for (unsigned k = 0; k < FRAME_NORDERS; k++) {
		out[k] = 0;
		uint32_t n = 1u << k;
		for (uint32_t p = 0; p + n <= m->npfns; p += n) {
			bool full = m->prefix[p + n] - m->prefix[p] == n;
			if (!full) continue;
			uint32_t pp = p & ~(2 * n - 1);
			bool parent_full = k < FRAME_MAX_ORDER && pp + 2 * n <= m->npfns &&
					   m->prefix[pp + 2 * n] - m->prefix[pp] == 2 * n;
			if (!parent_full) out[k]++;
		}
	}
}

/* Compare the allocator with the model: counters, per-order lists, check. */
static int agree(struct frame_alloc *fa, struct model *m)
{
	uint32_t want[FRAME_NORDERS];
	model_orders(m, want);
	int bad = 0;
	for (unsigned k = 0; k < FRAME_NORDERS; k++) {
		if (fa->nblocks[k] != want[k]) {
			printf("# order %u: %u free blocks, model wants %u\n", k, fa->nblocks[k], want[k]);
			bad++;
		}
	}
	if (fa->nfree != m->nfree) {
		printf("# %u free frames, model has %u\n", fa->nfree, m->nfree);
		bad++;
	}
	if (check_quiet(fa)) bad++;
	return bad;
}

/* Is there an aligned run of 2^order free frames in the model? */
static bool model_has_block(const struct model *m, unsigned order)
{
	uint32_t n = 1u << order;
	for (uint32_t p = 0; p + n <= m->npfns; p += n) {
		uint32_t i = 0;
		while (i < n && m->st[p + i] == M_FREE) i++;
		if (i == n) return true;
	}
	return false;
}

/* ---- hand-derived layouts ---- */

HTEST(frame_release_whole_memory)
{
	struct frame_alloc fa;
	fa_setup(&fa, 2048);
	EXPECT_EQ(fa.nreserved, 2048);
	EXPECT_EQ(fa.nfree, 0);
	EXPECT_EQ(alloc_n(&fa, 0), NONE);
	EXPECT_EQ(release_n(&fa, 0, 2048), 2048);
	/* 2048 frames = two 4 MiB blocks, nothing smaller */
	for (unsigned k = 0; k < FRAME_MAX_ORDER; k++) EXPECT_EQ(fa.nblocks[k], 0);
	EXPECT_EQ(fa.nblocks[FRAME_MAX_ORDER], 2);
	EXPECT_EQ(fa.nfree, 2048);
	EXPECT_EQ(fa.nreserved, 0);
	EXPECT_EQ(check_quiet(&fa), 0);
	/* releasing again changes nothing */
	EXPECT_EQ(release_n(&fa, 0, 2048), 0);
	EXPECT_EQ(fa.nblocks[FRAME_MAX_ORDER], 2);
	/* the first order-0 allocation splits one 4 MiB block b down, leaving one
	 * free block of each order 0..9 inside it: b+1 (o0), b+2 (o1), b+4 (o2),
	 * b+8 (o3), ... b+512 (o9); so the next requests are all determined */
	uint32_t b = alloc_n(&fa, 0);
	EXPECT_TRUE(b == 0 || b == 1024);
	for (unsigned k = 0; k < FRAME_MAX_ORDER; k++) EXPECT_EQ(fa.nblocks[k], 1);
	EXPECT_EQ(fa.nblocks[FRAME_MAX_ORDER], 1);
	EXPECT_EQ(alloc_n(&fa, 0), b + 1);
	EXPECT_EQ(alloc_n(&fa, 1), b + 2);
	EXPECT_EQ(alloc_n(&fa, 3), b + 8);
	EXPECT_EQ(alloc_n(&fa, 2), b + 4);
	EXPECT_EQ(fa.nallocated, 16);
	EXPECT_EQ(check_quiet(&fa), 0);
	EXPECT_EQ(free_n(&fa, b + 1, 0), 0);
	EXPECT_EQ(free_n(&fa, b, 0), 0); /* merges with b+1 -> order-1 block at b */
	EXPECT_EQ(fa.nblocks[0], 0);
	EXPECT_EQ(fa.nblocks[1], 1);
	EXPECT_EQ(free_n(&fa, b + 2, 1), 0);
	EXPECT_EQ(free_n(&fa, b + 8, 3), 0);
	EXPECT_EQ(free_n(&fa, b + 4, 2), 0);
	for (unsigned k = 0; k < FRAME_MAX_ORDER; k++) EXPECT_EQ(fa.nblocks[k], 0);
	EXPECT_EQ(fa.nblocks[FRAME_MAX_ORDER], 2);
	EXPECT_EQ(alloc_n(&fa, FRAME_MAX_ORDER + 1), NONE);
	EXPECT_EQ(check_quiet(&fa), 0);
	fa_teardown(&fa);
}

HTEST(frame_reserve_inside_free_block)
{
	struct frame_alloc fa;
	fa_setup(&fa, 2048);
	release_n(&fa, 0, 2048);
	EXPECT_EQ(reserve_n(&fa, 100, 3), 3);
	/* free: [0,100) = 64+32+4 at 0, 64, 96; [103,2048) = 1+8+16+128+256+512+1024
	 * at 103, 104, 112, 128, 256, 512, 1024: one block of every order but 1 */
	uint32_t want[FRAME_NORDERS] = { 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	for (unsigned k = 0; k < FRAME_NORDERS; k++) EXPECT_EQ(fa.nblocks[k], want[k]);
	EXPECT_EQ(fa.nfree, 2045);
	EXPECT_EQ(fa.nreserved, 3);
	uint32_t h;
	unsigned o;
	EXPECT_EQ(state_n(&fa, 101, &h, &o), FRAME_STATE_RESERVED);
	EXPECT_EQ(state_n(&fa, 99, &h, &o), FRAME_STATE_FREE);
	EXPECT_EQ(h, 96);
	EXPECT_EQ(o, 2);
	EXPECT_EQ(state_n(&fa, 2000, &h, &o), FRAME_STATE_FREE);
	EXPECT_EQ(h, 1024);
	EXPECT_EQ(o, 10);
	EXPECT_EQ(state_n(&fa, 103, &h, &o), FRAME_STATE_FREE);
	EXPECT_EQ(h, 103);
	EXPECT_EQ(o, 0);
	EXPECT_EQ(state_n(&fa, 2048, NULL, NULL), FRAME_STATE_INVALID);
	EXPECT_EQ(check_quiet(&fa), 0);
	/* partly reserved already: only the 2 free frames count */
	EXPECT_EQ(reserve_n(&fa, 99, 3), 1);
	EXPECT_EQ(reserve_n(&fa, 98, 10), 6); /* 98, 103..107; 99..102 are reserved */
	EXPECT_EQ(fa.nreserved, 10);
	EXPECT_EQ(check_quiet(&fa), 0);
	/* give it all back: the two 4 MiB blocks come back */
	EXPECT_EQ(release_n(&fa, 98, 10), 10);
	for (unsigned k = 0; k < FRAME_MAX_ORDER; k++) EXPECT_EQ(fa.nblocks[k], 0);
	EXPECT_EQ(fa.nblocks[FRAME_MAX_ORDER], 2);
	EXPECT_EQ(check_quiet(&fa), 0);
	fa_teardown(&fa);
}

HTEST(frame_reserve_refuses_allocated)
{
	struct frame_alloc fa;
	fa_setup(&fa, 4096);
	release_n(&fa, 0, 4096);
	uint32_t a = alloc_n(&fa, 2);
	EXPECT_TRUE(a != NONE && a % 1024 == 0);
	uint32_t before[FRAME_NORDERS];
	memcpy(before, fa.nblocks, sizeof before);
	uint32_t free_before = fa.nfree;
	/* reserving and releasing free frames restores the lists; a range that
	 * starts on allocated frames is refused whole */
	uint32_t elsewhere = (a + 2000) % 4096;
	EXPECT_EQ(reserve_n(&fa, elsewhere, 100), 100);
	EXPECT_EQ(release_n(&fa, elsewhere, 100), 100);
	EXPECT_EQ(memcmp(before, fa.nblocks, sizeof before), 0);
	EXPECT_EQ(reserve_n(&fa, a + 2, 500), -MM_EINVAL);
	EXPECT_EQ(fa.nfree, free_before);
	EXPECT_EQ(memcmp(before, fa.nblocks, sizeof before), 0);
	EXPECT_EQ(state_n(&fa, a + 100, NULL, NULL), FRAME_STATE_FREE);
	EXPECT_EQ(state_n(&fa, a + 3, NULL, NULL), FRAME_STATE_ALLOCATED);
	EXPECT_EQ(check_quiet(&fa), 0);
	fa_teardown(&fa);
}

/* ---- the model: layouts and random operations ---- */

/* A memory map with holes: regions that are not multiples of the largest
 * block, unaligned starts, then the kernel's carve-outs reserved after. */
static void irregular_layout(struct frame_alloc *fa, struct model *m)
{
	static const uint32_t usable[][2] = {
		{ 0, 159 },        /* low memory, 636 KiB */
		{ 256, 7811 },     /* up to an odd end */
		{ 8003, 4093 },    /* unaligned start, short of a block */
		{ 12288, 4096 },   /* up to the end of 64 MiB */
		{ 16000, 5000 },   /* overlaps the previous one and runs past memory */
	};
	static const uint32_t reserved[][2] = {
		{ 0, 256 },        /* the first MiB */
		{ 256, 301 },      /* kernel image */
		{ 700, 3 },        /* multiboot info */
		{ 9001, 77 },      /* a module */
		{ 13000, 24 },     /* the descriptor array */
	};
	for (size_t i = 0; i < MM_ARRAY_SIZE(usable); i++) {
		release_n(fa, usable[i][0], usable[i][1]);
		model_set(m, usable[i][0], usable[i][1], M_RESERVED, M_FREE);
	}
	for (size_t i = 0; i < MM_ARRAY_SIZE(reserved); i++) {
		reserve_n(fa, reserved[i][0], reserved[i][1]);
		model_set(m, reserved[i][0], reserved[i][1], M_FREE, M_RESERVED);
	}
}

HTEST(frame_irregular_layout_matches_model)
{
	struct frame_alloc fa;
	struct model m;
	uint32_t n = 16384;
	fa_setup(&fa, n);
	model_init(&m, n);
	irregular_layout(&fa, &m);
	EXPECT_EQ(agree(&fa, &m), 0);
	EXPECT_EQ(fa.nfree + fa.nreserved, n);
	/* every order-0 allocation lands on a frame the model says is free */
	uint32_t got = 0, p;
	int outside = 0;
	while ((p = alloc_n(&fa, 0)) != NONE) {
		if (p >= n || m.st[p] != M_FREE) outside++;
		else m.st[p] = M_ALLOC;
		got++;
	}
	EXPECT_EQ(outside, 0);
	EXPECT_EQ(got, m.nfree);
	EXPECT_EQ(fa.nfree, 0);
	EXPECT_EQ(check_quiet(&fa), 0);
	fa_teardown(&fa);
	model_free(&m);
}

HTEST(frame_exhaustion_and_recovery)
{
	struct frame_alloc fa;
	struct model m;
	uint32_t n = 16384;
	fa_setup(&fa, n);
	model_init(&m, n);
	irregular_layout(&fa, &m);
	uint32_t initial[FRAME_NORDERS];
	memcpy(initial, fa.nblocks, sizeof initial);
	/* order 3: as many blocks as the model has aligned free runs of 8 */
	uint32_t want = 0;
	for (uint32_t p = 0; p + 8 <= n; p += 8) {
		uint32_t i = 0;
		while (i < 8 && m.st[p + i] == M_FREE) i++;
		want += i == 8;
	}
	uint32_t *got = malloc(n * sizeof *got);
	uint32_t ng = 0;
	uint32_t p;
	while ((p = alloc_n(&fa, 3)) != NONE) {
		EXPECT_EQ(p % 8, 0);
		got[ng++] = p;
	}
	EXPECT_EQ(ng, want);
	EXPECT_EQ(alloc_n(&fa, 3), NONE);
	EXPECT_EQ(check_quiet(&fa), 0);
	/* then order 0 takes exactly the frames left */
	uint32_t left = fa.nfree;
	uint32_t n0 = 0;
	while ((p = alloc_n(&fa, 0)) != NONE) got[ng++] = p, n0++;
	EXPECT_EQ(n0, left);
	EXPECT_EQ(fa.nfree, 0);
	/* recovery: free one order-3 block, it can be had again */
	EXPECT_EQ(free_n(&fa, got[0], 3), 0);
	EXPECT_EQ(alloc_n(&fa, 3), got[0]);
	/* free everything: back to the initial lists */
	for (uint32_t i = 0; i < ng; i++) EXPECT_EQ(free_n(&fa, got[i], i < want ? 3 : 0), 0);
	EXPECT_EQ(memcmp(initial, fa.nblocks, sizeof initial), 0);
	EXPECT_EQ(agree(&fa, &m), 0);
	free(got);
	fa_teardown(&fa);
	model_free(&m);
}

struct live {
	uint32_t pfn;
	unsigned order;
};

/* Random orders, mostly small: P(k) halves with each order. */
static unsigned random_order(struct mm_rng *r)
{
	unsigned k = 0;
	while (k < FRAME_MAX_ORDER && mm_rng_below(r, 2) == 0) k++;
	return k;
}

HTEST(frame_random_against_model)
{
	struct frame_alloc fa;
	struct model m;
	uint32_t n = 16384; /* 64 MiB */
	fa_setup(&fa, n);
	model_init(&m, n);
	irregular_layout(&fa, &m);
	uint32_t initial[FRAME_NORDERS];
	memcpy(initial, fa.nblocks, sizeof initial);
	struct live *live = malloc(n * sizeof *live);
	uint32_t nlive = 0, fails = 0, bad = 0, fail_wrong = 0;
	uint32_t usable = fa.nfree;
	struct mm_rng r;
	mm_rng_seed(&r, 20240601);
	const uint32_t nops = 1500000;
	for (uint32_t op = 0; op < nops && !bad; op++) {
		/* phases of 150000 operations aim at different fill levels, up
		 * to exhaustion; allocation is likelier below the target */
		static const uint32_t target_pct[] = { 50, 95, 101, 20, 80 };
		uint32_t target = target_pct[(op / 150000) % MM_ARRAY_SIZE(target_pct)];
		bool below = (uint64_t)fa.nallocated * 100 < (uint64_t)usable * target;
		bool alloc = nlive == 0 || mm_rng_below(&r, 100) < (below ? 60u : 40u);
		if (alloc) {
			unsigned k = random_order(&r);
			uint32_t p = alloc_n(&fa, k);
			if (p == NONE) {
				/* the model confirms there was no such block (checking
				 * every failure would be slow when memory is full) */
				if (fails++ % 16 == 0 && model_has_block(&m, k)) fail_wrong++;
				continue;
			}
			if (p >= n || (p & ((1u << k) - 1)) || n - p < (1u << k)) {
				bad++;
				break;
			}
			for (uint32_t i = 0; i < (1u << k); i++)
				if (m.st[p + i] != M_FREE) bad++;
			model_set(&m, p, 1u << k, M_FREE, M_ALLOC);
			live[nlive].pfn = p;
			live[nlive].order = k;
			nlive++;
		} else {
			uint32_t i = mm_rng_below(&r, nlive);
			struct live l = live[i];
			live[i] = live[--nlive];
			if (free_n(&fa, l.pfn, l.order) != 0) bad++;
			for (uint32_t j = 0; j < (1u << l.order); j++)
				if (m.st[l.pfn + j] != M_ALLOC) bad++;
			model_set(&m, l.pfn, 1u << l.order, M_ALLOC, M_FREE);
		}
		if (fa.nfree != m.nfree) bad++;
		if (op % 100000 == 0) {
			EXPECT_EQ(agree(&fa, &m), 0);
			/* a random frame's state agrees with the model */
			for (int t = 0; t < 64; t++) {
				uint32_t q = mm_rng_below(&r, n);
				enum frame_state st = state_n(&fa, q, NULL, NULL);
				int want = m.st[q] == M_FREE ? FRAME_STATE_FREE
					 : m.st[q] == M_ALLOC ? FRAME_STATE_ALLOCATED : FRAME_STATE_RESERVED;
				EXPECT_EQ(st, want);
			}
		}
	}
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(fail_wrong, 0);
	EXPECT_GE(fails, 1000);     /* the workload did run out, often */
	EXPECT_LT(fails, nops / 5); /* and did mostly succeed */
	EXPECT_EQ(agree(&fa, &m), 0);
	while (nlive) {
		nlive--;
		EXPECT_EQ(free_n(&fa, live[nlive].pfn, live[nlive].order), 0);
		model_set(&m, live[nlive].pfn, 1u << live[nlive].order, M_ALLOC, M_FREE);
	}
	EXPECT_EQ(memcmp(initial, fa.nblocks, sizeof initial), 0);
	EXPECT_EQ(fa.nallocated, 0);
	EXPECT_EQ(agree(&fa, &m), 0);
	free(live);
	fa_teardown(&fa);
	model_free(&m);
}

HTEST(frame_random_reserve_release_against_model)
{
	/* ranges reserved and released at random over a populated allocator */
	struct frame_alloc fa;
	struct model m;
	uint32_t n = 5000;
	fa_setup(&fa, n);
	model_init(&m, n);
	struct mm_rng r;
	mm_rng_seed(&r, 77);
	struct live live[256];
	uint32_t nlive = 0;
	for (int op = 0; op < 6000; op++) {
		uint32_t s = mm_rng_below(&r, n + 50), c = mm_rng_below(&r, 600);
		unsigned what = mm_rng_below(&r, 4);
		if (what == 0) {
			uint32_t want = 0;
			for (uint32_t p = s; p < s + c && p < n; p++) want += m.st[p] == M_RESERVED;
			EXPECT_EQ(release_n(&fa, s, c), (int)want);
			model_set(&m, s, c, M_RESERVED, M_FREE);
		} else if (what == 1) {
			uint32_t want = 0;
			bool any_alloc = false;
			for (uint32_t p = s; p < s + c && p < n; p++) {
				want += m.st[p] == M_FREE;
				any_alloc |= m.st[p] == M_ALLOC;
			}
			int rc = reserve_n(&fa, s, c);
			EXPECT_EQ(rc, any_alloc ? -MM_EINVAL : (int)want);
			if (!any_alloc) model_set(&m, s, c, M_FREE, M_RESERVED);
		} else if (what == 2 && nlive < 256) {
			unsigned k = mm_rng_below(&r, 5);
			uint32_t p = alloc_n(&fa, k);
			if (p != NONE) {
				for (uint32_t i = 0; i < (1u << k); i++) EXPECT_EQ(m.st[p + i], M_FREE);
				model_set(&m, p, 1u << k, M_FREE, M_ALLOC);
				live[nlive].pfn = p;
				live[nlive++].order = k;
			} else {
				EXPECT_FALSE(model_has_block(&m, k));
			}
		} else if (nlive) {
			uint32_t i = mm_rng_below(&r, nlive);
			EXPECT_EQ(free_n(&fa, live[i].pfn, live[i].order), 0);
			model_set(&m, live[i].pfn, 1u << live[i].order, M_ALLOC, M_FREE);
			live[i] = live[--nlive];
		}
		if (op % 50 == 0 && agree(&fa, &m)) {
			htest_fail(__FILE__, __LINE__, "allocator and model differ after op %d", op);
			break;
		}
	}
	EXPECT_EQ(agree(&fa, &m), 0);
	fa_teardown(&fa);
	model_free(&m);
}

/* ---- bad frees ---- */

HTEST(frame_bad_frees_are_refused)
{
	struct frame_alloc fa;
	fa_setup(&fa, 1024);
	release_n(&fa, 16, 1000);
	uint32_t a = alloc_n(&fa, 2);
	ASSERT_NE(a, NONE);
	uint32_t before[FRAME_NORDERS];
	memcpy(before, fa.nblocks, sizeof before);
	uint32_t nfree = fa.nfree, nalloc = fa.nallocated;
	EXPECT_EQ(free_n(&fa, a, 1), -MM_EINVAL);      /* wrong order */
	EXPECT_EQ(free_n(&fa, a, 3), -MM_EINVAL);      /* wrong order */
	EXPECT_EQ(free_n(&fa, a + 1, 0), -MM_EINVAL);  /* a tail */
	EXPECT_EQ(free_n(&fa, 3, 0), -MM_EINVAL);      /* reserved */
	EXPECT_EQ(free_n(&fa, 1016, 0), -MM_EINVAL);   /* reserved (past the range) */
	EXPECT_EQ(free_n(&fa, 1024, 0), -MM_EINVAL);   /* beyond memory */
	EXPECT_EQ(free_n(&fa, NONE, 0), -MM_EINVAL);
	uint32_t never = a + 4; /* the buddy block of a: free, never allocated */
	EXPECT_EQ(state_n(&fa, never, NULL, NULL), FRAME_STATE_FREE);
	EXPECT_EQ(free_n(&fa, never, 2), -MM_EINVAL);
	EXPECT_EQ(free_n(&fa, 600, 0), -MM_EINVAL);    /* inside a free block */
	EXPECT_EQ(fa.nfree, nfree);
	EXPECT_EQ(fa.nallocated, nalloc);
	EXPECT_EQ(memcmp(before, fa.nblocks, sizeof before), 0);
	EXPECT_EQ(check_quiet(&fa), 0);
	EXPECT_EQ(free_n(&fa, a, 2), 0);
	EXPECT_EQ(free_n(&fa, a, 2), -MM_EINVAL);      /* double free */
	EXPECT_EQ(fa.nallocated, 0);
	EXPECT_EQ(check_quiet(&fa), 0);
	fa_teardown(&fa);
}


static void strict_double_free(void)
{
	struct frame_alloc fa;
	fa_setup(&fa, 256);
	release_n(&fa, 0, 256);
	fa.strict = true;
	pfn_t p = frame_alloc(&fa, 0);
	p = frame_alloc(&fa, 0); /* frame 1 */
	frame_free(&fa, p, 0);
	frame_free(&fa, p, 0);
}

static void strict_wrong_order(void)
{
	struct frame_alloc fa;
	fa_setup(&fa, 256);
	release_n(&fa, 0, 256);
	fa.strict = true;
	pfn_t p = frame_alloc(&fa, 4);
	p = frame_alloc(&fa, 4); /* frame 16 */
	frame_free(&fa, p, 3);
}

static void strict_reserved(void)
{
	struct frame_alloc fa;
	fa_setup(&fa, 256);
	release_n(&fa, 0, 200);
	fa.strict = true;
	frame_free(&fa, pfn_make(0xc8), 0);
}

static void strict_good_free(void)
{
	struct frame_alloc fa;
	fa_setup(&fa, 256);
	release_n(&fa, 0, 256);
	fa.strict = true;
	frame_free(&fa, frame_alloc(&fa, 3), 3);
	fa_teardown(&fa);
}

HTEST(frame_strict_mode_panics_with_pfn)
{
	char buf[2048];
	EXPECT_EQ(htest_run_child(strict_double_free, buf, sizeof buf), SIGABRT);
	EXPECT_TRUE(strstr(buf, "PANIC") && strstr(buf, "pfn 0x1,") && strstr(buf, "double free"));
	EXPECT_EQ(htest_run_child(strict_wrong_order, buf, sizeof buf), SIGABRT);
	EXPECT_TRUE(strstr(buf, "pfn 0x10, order 3") && strstr(buf, "wrong order"));
	EXPECT_EQ(htest_run_child(strict_reserved, buf, sizeof buf), SIGABRT);
	EXPECT_TRUE(strstr(buf, "pfn 0xc8") && strstr(buf, "reserved"));
	EXPECT_EQ(htest_run_child(strict_good_free, buf, sizeof buf), 0);
	EXPECT_EQ(strlen(buf), 0);
}

/* ---- the checker finds damage ---- */

HTEST(frame_check_finds_damage)
{
	struct frame_alloc fa;
	struct strsink ss;
	fa_setup(&fa, 1024);
	release_n(&fa, 0, 1024);
	uint32_t a = alloc_n(&fa, 0); /* leaves one free block of each order 0..9 */
	ASSERT_EQ(check_quiet(&fa), 0);

	/* a tail frame with flags */
	fa.desc[600].flags = FRAME_F_FREE;
	strsink_init(&ss);
	EXPECT_EQ(frame_check(&fa, &ss.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(ss.buf, "frame 0x258 inside block 0x200") != NULL);
	fa.desc[600].flags = 0;

	/* a counter off by one */
	fa.nfree--;
	strsink_init(&ss);
	EXPECT_EQ(frame_check(&fa, &ss.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(ss.buf, "counters") != NULL);
	fa.nfree++;

	/* a broken back link */
	pfn_t h = fa.free_head[3];
	frame_desc(&fa, h)->prev = pfn_make(5);
	strsink_init(&ss);
	EXPECT_EQ(frame_check(&fa, &ss.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(ss.buf, "prev") != NULL);
	frame_desc(&fa, h)->prev = PFN_NONE;
	EXPECT_EQ(check_quiet(&fa), 0);

	/* two free buddies left unmerged: free frame a by hand, no coalescing */
	struct frame *fd = frame_desc(&fa, pfn_make(a));
	fd->flags = FRAME_F_FREE | FRAME_F_HEAD;
	fd->next = fa.free_head[0];
	fd->prev = PFN_NONE;
	frame_desc(&fa, fa.free_head[0])->prev = pfn_make(a);
	fa.free_head[0] = pfn_make(a);
	fa.nblocks[0]++;
	fa.nfree++;
	fa.nallocated--;
	strsink_init(&ss);
	EXPECT_EQ(frame_check(&fa, &ss.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(ss.buf, "not merged") != NULL);

	/* a cycle in a list */
	fa_teardown(&fa);
	fa_setup(&fa, 64);
	release_n(&fa, 0, 64);
	alloc_n(&fa, 0); /* one block of each order 0..5 */
	frame_desc(&fa, fa.free_head[2])->next = fa.free_head[2];
	strsink_init(&ss);
	EXPECT_EQ(frame_check(&fa, &ss.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(ss.buf, "cycle") != NULL);
	fa_teardown(&fa);
}

HTEST(frame_print_shows_lists)
{
	struct frame_alloc fa;
	struct strsink ss;
	fa_setup(&fa, 3000);
	release_n(&fa, 0, 3000);
	reserve_n(&fa, 0, 256);
	uint32_t p = alloc_n(&fa, 0);
	(void)p;
	strsink_init(&ss);
	frame_print(&fa, &ss.sink);
	EXPECT_TRUE(strstr(ss.buf, "frames: 3000 total (12000 KiB), 2743 free, 1 allocated, 256 reserved") != NULL);
	EXPECT_TRUE(strstr(ss.buf, "order  block KiB  free blocks  free frames") != NULL);
	/* free after the reservation: 256 (o8), 512 (o9), 1024 (o10), 2048 (o9),
	 * 2560 (o8), 2816 (o7), 2944 (o5), 2976 (o4), 2992 (o3); the order-0
	 * request splits the order-3 block at 2992, leaving 2993 (o0), 2994 (o1),
	 * 2996 (o2) */
	EXPECT_TRUE(strstr(ss.buf, "   10       4096            1         1024\n") != NULL);
	EXPECT_TRUE(strstr(ss.buf, "    0          4            1            1\n") != NULL);
	fa_teardown(&fa);
}

HTEST(frame_large_memory)
{
	/* 1 GiB of frames: the descriptors are 3 MiB, operations do not scan */
	struct frame_alloc fa;
	uint32_t n = 262144;
	fa_setup(&fa, n);
	EXPECT_EQ(sizeof(struct frame), 12);
	EXPECT_EQ(frame_desc_bytes(n), 12u * n);
	release_n(&fa, 256, n - 256);
	EXPECT_EQ(fa.nblocks[FRAME_MAX_ORDER], 255);
	struct mm_rng r;
	mm_rng_seed(&r, 9);
	static uint32_t held[4096];
	for (int round = 0; round < 50; round++) {
		for (int i = 0; i < 4096; i++) held[i] = alloc_n(&fa, 0);
		for (int i = 4095; i >= 0; i--) free_n(&fa, held[i], 0);
	}
	EXPECT_EQ(fa.nblocks[FRAME_MAX_ORDER], 255);
	EXPECT_EQ(fa.nfree, n - 256);
	EXPECT_EQ(check_quiet(&fa), 0);
	fa_teardown(&fa);
}

/* ---- the bitmap baseline ---- */

HTEST(frame_bitmap_baseline)
{
	struct bitmap_alloc ba;
	struct model m;
	uint32_t n = 3000;
	void *mem = malloc(bitmap_desc_bytes(n));
	bitmap_init(&ba, n, mem);
	model_init(&m, n);
	EXPECT_EQ(bm_alloc_n(&ba, 0), NONE);
	EXPECT_EQ(bm_release_n(&ba, 10, 2900), 2900);
	model_set(&m, 10, 2900, M_RESERVED, M_FREE);
	EXPECT_EQ(bm_reserve_n(&ba, 100, 7), 7);
	model_set(&m, 100, 7, M_FREE, M_RESERVED);
	EXPECT_EQ(ba.nfree, m.nfree);
	/* first fit: the lowest aligned free run, which a plain scan of the model finds */
	struct mm_rng r;
	mm_rng_seed(&r, 5);
	struct live live[512];
	uint32_t nlive = 0;
	for (int op = 0; op < 20000; op++) {
		if (nlive < 512 && (nlive == 0 || mm_rng_below(&r, 2))) {
			unsigned k = mm_rng_below(&r, 7);
			uint32_t want = NONE, sz = 1u << k;
			for (uint32_t p = 0; p + sz <= n && want == NONE; p += sz) {
				uint32_t i = 0;
				while (i < sz && m.st[p + i] == M_FREE) i++;
				if (i == sz) want = p;
			}
			uint32_t got = bm_alloc_n(&ba, k);
			EXPECT_EQ(got, want);
			if (got == NONE || got != want) continue;
			model_set(&m, got, sz, M_FREE, M_ALLOC);
			live[nlive].pfn = got;
			live[nlive++].order = k;
		} else {
			uint32_t i = mm_rng_below(&r, nlive);
			EXPECT_EQ(bm_free_n(&ba, live[i].pfn, live[i].order), 0);
			EXPECT_EQ(bm_free_n(&ba, live[i].pfn, live[i].order), -MM_EINVAL);
			model_set(&m, live[i].pfn, 1u << live[i].order, M_ALLOC, M_FREE);
			live[i] = live[--nlive];
		}
		EXPECT_EQ(ba.nfree, m.nfree);
	}
	EXPECT_EQ(bm_free_n(&ba, 12, 3), -MM_EINVAL); /* misaligned */
	/* exhaustion: order 0 takes every free frame */
	uint32_t nf = ba.nfree, got = 0;
	while (bm_alloc_n(&ba, 0) != NONE) got++;
	EXPECT_EQ(got, nf);
	EXPECT_EQ(ba.nfree, 0);
	free(mem);
	model_free(&m);
}
