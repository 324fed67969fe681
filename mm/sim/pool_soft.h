/*
 * pool_soft.h - a software pool backend: frames with emulated A/D bits and
 * a "swap" that only remembers which pages have a copy. It is what host
 * tests and the host trace replayer (tests/host/bin/replay.c) drive a pool
 * with; the kernel's backend does the same over real PTEs and a device.
 *
 * Rules (the same as the kernel's backend, mm/vmpool.c): an access sets A,
 * a write also D. An evicted page is written back if it is dirty or has no
 * swap copy yet (it was never written out); a clean page whose copy is
 * valid is dropped. So a page is written at its first eviction and after
 * that only when it was modified again. A load reads the page back if it
 * has a copy (a swap-in), else maps a zero-filled frame; either way A and D
 * start clear.
 */
#ifndef MM_POOL_SOFT_H
#define MM_POOL_SOFT_H

#include "pool.h"

struct pool_soft_stats {
	uint64_t zero_fills, swap_reads, swap_writes, drops;
};

struct pool_soft {
	uint32_t nframes;
	uint64_t *page;      /* per slot: the page mapped there */
	uint8_t *bits;       /* per slot: POOL_SOFT_* */
	struct repl_map swap; /* page -> times written to swap, for pages with a copy */
	struct mm_allocator alloc;
	struct pool_soft_stats stats;
};

/* 0, -MM_EINVAL (nframes 0 or too large) or -MM_ENOMEM. */
int pool_soft_init(struct pool_soft *s, uint32_t nframes, const struct mm_allocator *a);
void pool_soft_fini(struct pool_soft *s);
/* The ops to hand pool_init, with s as their context. */
struct pool_backend pool_soft_backend(struct pool_soft *s);
/* The owner discards the page in slot (after pool_release): unmap it and
 * forget its swap copy. */
void pool_soft_discard(struct pool_soft *s, uint32_t slot);
/* How many times page was written to swap (0: it has no copy). */
uint32_t pool_soft_writes(const struct pool_soft *s, uint64_t page);
/* Is page mapped in slot, and what are its bits (POOL_ACCESSED|POOL_DIRTY)? */
bool pool_soft_mapped(const struct pool_soft *s, uint32_t slot, uint64_t *page, unsigned *ad);
/* 0, or -MM_EINVAL with the problem described into err (may be NULL). */
int pool_soft_check(const struct pool_soft *s, struct mm_sink *err);

#endif
