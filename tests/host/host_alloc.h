/*
 * host_alloc.h - mm_allocator instances for host tests: the C library's
 * malloc, and a counting allocator that can be told to fail after N calls.
 */
#ifndef HOST_ALLOC_H
#define HOST_ALLOC_H

#include <stdlib.h>
#include "mm_alloc.h"

struct host_alloc_ctx {
	long fail_after; /* < 0: never fail */
	long live;       /* allocations not yet freed */
};

static inline void *host_alloc_fn(void *ctx, size_t n)
{
	struct host_alloc_ctx *c = ctx;
	if (c && c->fail_after == 0) return NULL;
	if (c && c->fail_after > 0) c->fail_after--;
	void *p = malloc(n ? n : 1);
	if (p && c) c->live++;
	return p;
}

static inline void host_free_fn(void *ctx, void *p)
{
	struct host_alloc_ctx *c = ctx;
	if (c) c->live--;
	free(p);
}

static inline struct mm_allocator host_allocator(struct host_alloc_ctx *ctx)
{
	struct mm_allocator a = { host_alloc_fn, host_free_fn, ctx };
	return a;
}

#endif
