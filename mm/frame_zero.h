/*
 * frame_zero.h - a stock of frames zeroed ahead of need. Idle time (the
 * kernel's idle thread) takes frames from the frame cache and clears them;
 * a demand-zero fault then maps a frame that is already zero instead of
 * clearing 4 KiB while the faulting code waits. When the stock is empty the
 * fault zeroes a fresh frame itself, as before.
 *
 * To the allocators a stocked frame is an allocated order-0 block whose
 * descriptor's aux holds FRAME_ZERO_MARK.
 */
#ifndef MM_FRAME_ZERO_H
#define MM_FRAME_ZERO_H

#include "frame_cache.h"

#define FRAME_ZERO_MAX 256
#define FRAME_ZERO_MARK 0x2E50u

struct frame_zero {
	struct frame_cache *fc;
	pfn_t stock[FRAME_ZERO_MAX];
	uint32_t n, max;            /* max <= FRAME_ZERO_MAX; 0 turns it off */
	uint64_t hits, misses, made;
};

void frame_zero_init(struct frame_zero *fz, struct frame_cache *fc, uint32_t max);
/* Zero up to budget more frames into the stock (stops when it is full or
 * memory is short); returns how many were made. The zeroing runs with
 * interrupts on; only the stock's bookkeeping is a critical section. */
uint32_t frame_zero_fill(struct frame_zero *fz, uint32_t budget);
/* A zeroed frame from the stock, or PFN_NONE when it is empty. */
pfn_t frame_zero_take(struct frame_zero *fz);
/* Give the whole stock back to the frame cache (memory is short). */
void frame_zero_drain(struct frame_zero *fz);
/* Every stocked frame is marked, allocated, order 0, once, and all zero. */
int frame_zero_check(const struct frame_zero *fz, struct mm_sink *report);

#endif
