/*
 * host_alloc.h - the one mm_allocator of host tests and host programs, over
 * the C library's malloc. Given a struct host_alloc_ctx it counts the blocks
 * alive and can be told to fail after N calls (out-of-memory tests; page
 * sources of other interfaces take the same option through host_alloc_grant);
 * host_malloc is the plain one, counting nothing and never failing.
 */
#ifndef HOST_ALLOC_H
#define HOST_ALLOC_H

#include <stdbool.h>
#include <stdlib.h>
#include "mm_alloc.h"

struct host_alloc_ctx {
	long fail_after; /* calls that succeed before every call fails; < 0: never fail */
	long live;       /* allocations not yet freed */
};

/* Whether one more call may succeed (and use up one of fail_after). */
static inline bool host_alloc_grant(struct host_alloc_ctx *c)
{
	if (!c || c->fail_after < 0) return true;
	if (c->fail_after == 0) return false;
	c->fail_after--;
	return true;
}

static inline void *host_alloc_fn(void *ctx, size_t n)
{
	struct host_alloc_ctx *c = ctx;
	if (!host_alloc_grant(c)) return NULL;
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

/* malloc and free, nothing counted, never failing. */
__attribute__((unused)) static const struct mm_allocator host_malloc = { host_alloc_fn, host_free_fn, NULL };

#endif
