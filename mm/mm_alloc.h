/*
 * mm_alloc.h - a byte allocator handed to mm/ structures that need memory for
 * their own bookkeeping (arena miniblocks, MeMS nodes, policy state).
 *
 * The kernel passes kmalloc; host tests pass the C library's malloc or a
 * failing allocator to test out-of-memory paths. alloc returns NULL when out.
 */
#ifndef MM_ALLOC_H
#define MM_ALLOC_H

#include "mm_types.h"

struct mm_allocator {
	void *(*alloc)(void *ctx, size_t nbytes);
	void (*free)(void *ctx, void *p);
	void *ctx;
};

static inline void *mm_alloc(const struct mm_allocator *a, size_t nbytes)
{
	return a->alloc(a->ctx, nbytes);
}

static inline void mm_free(const struct mm_allocator *a, void *p)
{
	if (p) a->free(a->ctx, p);
}

/* A source of single physical frames (page tables, demand-zero pages):
 * alloc returns a frame's physical address, or PADDR_NULL when none is
 * left. The frame's contents are undefined: the user zeroes it if it needs
 * to. alloc_zeroed (optional) returns a frame already zero, or PADDR_NULL
 * when it has none ready (then the user takes alloc's and zeroes it). */
struct frame_source {
	paddr_t (*alloc)(void *ctx);
	void (*free)(void *ctx, paddr_t pa);
	void *ctx;
	paddr_t (*alloc_zeroed)(void *ctx);
};

#endif
