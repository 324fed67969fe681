/*
 * test_frame_cache.c - the frame cache in front of the buddy allocator:
 * against a model of which frames are live, every frame handed out is
 * unique and allocated, double frees of cached frames are caught, a big
 * allocation drains the cache when it must, and after a drain the buddy is
 * back in its initial coalesced state.
 */
#include <stdlib.h>
#include "htest.h"
#include "frame_cache.h"

#define NPFNS 4096

static struct frame_alloc fa;
static struct frame_cache fc;
static void *desc;

static void setup(void)
{
	free(desc);
	desc = malloc(frame_desc_bytes(NPFNS));
	frame_init(&fa, NPFNS, desc);
	frame_release_range(&fa, pfn_make(0), NPFNS);
	frame_cache_init(&fc, &fa);
}

HTEST(frame_cache_against_model)
{
	setup();
	uint32_t blocks0[FRAME_NORDERS];
	memcpy(blocks0, fa.nblocks, sizeof blocks0);
	static unsigned char live[NPFNS];
	static pfn_t held[NPFNS];
	memset(live, 0, sizeof live);
	int nheld = 0;
	srand(5);
	for (int i = 0; i < 200000; i++) {
		if (nheld < NPFNS && (rand() % 2 || nheld == 0)) {
			pfn_t p = frame_cache_alloc(&fc);
			if (pfn_is_none(p)) {
				EXPECT_EQ(frame_cache_nfree(&fc), 0);
				continue;
			}
			ASSERT_TRUE(pfn_u32(p) < NPFNS);
			EXPECT_EQ(live[pfn_u32(p)], 0);
			live[pfn_u32(p)] = 1;
			held[nheld++] = p;
		} else {
			int k = rand() % nheld;
			pfn_t p = held[k];
			held[k] = held[--nheld];
			EXPECT_EQ(frame_cache_free(&fc, p), 0);
			live[pfn_u32(p)] = 0;
		}
		if (i % 20000 == 0) EXPECT_EQ(frame_cache_check(&fc, NULL), 0);
	}
	EXPECT_EQ(frame_cache_nfree(&fc) + (uint32_t)nheld, NPFNS);
	while (nheld) EXPECT_EQ(frame_cache_free(&fc, held[--nheld]), 0);
	EXPECT_TRUE(fc.hits > 50000);
	frame_cache_drain(&fc);
	EXPECT_EQ(fc.n, 0);
	EXPECT_EQ(memcmp(blocks0, fa.nblocks, sizeof blocks0), 0);
	EXPECT_EQ(frame_check(&fa, NULL), 0);
}

HTEST(frame_cache_double_free_and_bad_frames)
{
	setup();
	pfn_t p = frame_cache_alloc(&fc);
	ASSERT_TRUE(!pfn_is_none(p));
	EXPECT_EQ(frame_cache_free(&fc, p), 0);
	EXPECT_EQ(frame_cache_free(&fc, p), -MM_EINVAL); /* cached already */
	EXPECT_EQ(frame_cache_free(&fc, pfn_make(NPFNS + 3)), -MM_EINVAL);
	pfn_t big = frame_cache_alloc_order(&fc, 2);
	ASSERT_TRUE(!pfn_is_none(big));
	EXPECT_EQ(frame_cache_free(&fc, big), -MM_EINVAL); /* an order-2 block */
	EXPECT_EQ(frame_free(&fa, big, 2), 0);
	EXPECT_EQ(frame_cache_check(&fc, NULL), 0);
}

HTEST(frame_cache_big_allocation_drains)
{
	setup();
	/* take every frame one by one, give them all back: the cache holds some */
	static pfn_t all[NPFNS];
	for (int i = 0; i < NPFNS; i++) all[i] = frame_cache_alloc(&fc);
	EXPECT_TRUE(pfn_is_none(frame_cache_alloc(&fc)));
	for (int i = 0; i < NPFNS; i++) EXPECT_EQ(frame_cache_free(&fc, all[i]), 0);
	EXPECT_TRUE(fc.n > 0);
	/* a block of the whole memory's largest order needs the cached frames */
	pfn_t max = frame_cache_alloc_order(&fc, FRAME_MAX_ORDER);
	EXPECT_TRUE(!pfn_is_none(max));
	int got = 1;
	while (!pfn_is_none(frame_cache_alloc_order(&fc, FRAME_MAX_ORDER))) got++;
	EXPECT_EQ(got, NPFNS >> FRAME_MAX_ORDER);
}
