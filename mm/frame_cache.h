/*
 * frame_cache.h - a cache of single free frames in front of the buddy
 * allocator (the idea of per-CPU page lists): order-0 allocations and frees,
 * by far the most common, pop and push a small stack instead of splitting
 * and merging buddies. Refills and drains move FRAME_CACHE_BATCH frames at
 * a time, so the buddy lists are touched once per batch.
 *
 * To the buddy allocator a cached frame is an allocated order-0 block whose
 * descriptor's aux field holds FRAME_CACHE_MARK; that mark is how a second
 * free of a cached frame is caught. A caller that needs every free frame
 * back in the buddy lists (a big allocation failed, a check of the
 * coalesced state) calls frame_cache_drain.
 */
#ifndef MM_FRAME_CACHE_H
#define MM_FRAME_CACHE_H

#include "frame.h"

#define FRAME_CACHE_MAX 64
#define FRAME_CACHE_BATCH 16
#define FRAME_CACHE_MARK 0xCAC4u

struct frame_cache {
	struct frame_alloc *fa;
	pfn_t hot[FRAME_CACHE_MAX];
	uint32_t n;
	uint64_t hits, refills, drains;
};

void frame_cache_init(struct frame_cache *fc, struct frame_alloc *fa);
/* One frame (order 0), PFN_NONE when memory is out. */
pfn_t frame_cache_alloc(struct frame_cache *fc);
/* Give one frame back. A frame that is not an allocated order-0 block, or
 * is already in the cache, is refused like frame_free refuses it. */
int frame_cache_free(struct frame_cache *fc, pfn_t pfn);
/* Blocks of any order: order 0 through the cache; others from the buddy,
 * draining the cache and retrying once if the buddy is out. */
pfn_t frame_cache_alloc_order(struct frame_cache *fc, unsigned order);
/* Return every cached frame to the buddy allocator. */
void frame_cache_drain(struct frame_cache *fc);
/* Free frames, cached or in the buddy lists. */
uint32_t frame_cache_nfree(const struct frame_cache *fc);
/* Every cached frame is an allocated order-0 block with the mark, once. */
int frame_cache_check(const struct frame_cache *fc, struct mm_sink *report);

#endif
