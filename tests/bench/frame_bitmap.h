/*
 * frame_bitmap.h - a naive physical frame allocator, one bit per frame, kept
 * as the baseline the buddy allocator (mm/frame.c) is measured against.
 *
 * Same shape as the frame_ API: every frame starts reserved, usable ranges
 * are released, allocation returns 2^order contiguous frames aligned to
 * 2^order. Allocation scans the bitmap from frame 0 for the first free
 * aligned run, so its cost grows with the memory in use.
 */
#ifndef BENCH_FRAME_BITMAP_H
#define BENCH_FRAME_BITMAP_H

#include "mm_types.h"

#define BITMAP_MAX_ORDER 10u

struct bitmap_alloc {
	uint32_t *bits; /* bit set: frame reserved or allocated */
	uint32_t npfns; /* frames 0..npfns-1 */
	uint32_t nfree; /* how many are free */
};

/* Bytes of bitmap memory bitmap_init needs for npfns frames. */
size_t bitmap_desc_bytes(uint32_t npfns);

/* Set up ba over mem (bitmap_desc_bytes(npfns) bytes, 4-byte aligned);
 * every frame starts reserved. */
void bitmap_init(struct bitmap_alloc *ba, uint32_t npfns, void *mem);

/* Mark [start, start+count) free / in use (clipped to memory); returns the
 * number of frames whose state changed. */
int bitmap_release_range(struct bitmap_alloc *ba, pfn_t start, uint32_t count);
int bitmap_reserve_range(struct bitmap_alloc *ba, pfn_t start, uint32_t count);

/* First free aligned run of 2^order frames, from frame 0 up; PFN_NONE if none. */
pfn_t bitmap_alloc(struct bitmap_alloc *ba, unsigned order);

/* Free 2^order frames at pfn; -MM_EINVAL (nothing changed) if one is free
 * already or the block is misaligned or outside memory, else 0. */
int bitmap_free(struct bitmap_alloc *ba, pfn_t pfn, unsigned order);

#endif
