/*
 * host_frames.h - simulated physical memory for host tests: host_phys_init's
 * bytes under a real buddy allocator (mm/frame.c), and a frame_source over
 * it for page tables, spaces and pools. Frame 0 stays reserved: a physical
 * address of 0 means "none".
 */
#ifndef HOST_FRAMES_H
#define HOST_FRAMES_H

#include <stdio.h>
#include <stdlib.h>
#include "env_host.h"
#include "frame.h"

/* `bytes` of simulated RAM, frames 1.. free in *fa; *desc is its descriptor
 * array (the previous one, if any, is freed). */
static inline void host_frames_init(struct frame_alloc *fa, void **desc, uint32_t bytes)
{
	uint32_t n = bytes / PAGE_SIZE;
	host_phys_init(bytes);
	free(*desc);
	*desc = malloc(frame_desc_bytes(n));
	frame_init(fa, n, *desc);
	frame_release_range(fa, pfn_make(1), n - 1);
}

static inline paddr_t host_frames_alloc(void *ctx)
{
	pfn_t p = frame_alloc(ctx, 0);
	return pfn_is_none(p) ? PADDR_NULL : pfn_to_paddr(p);
}

static inline void host_frames_free(void *ctx, paddr_t pa)
{
	if (frame_free(ctx, paddr_to_pfn(pa), 0) != 0) {
		fprintf(stderr, "host_frames: bad free of 0x%x\n", paddr_u32(pa));
		abort();
	}
}

static inline struct frame_source host_frames_source(struct frame_alloc *fa)
{
	struct frame_source fs = { host_frames_alloc, host_frames_free, fa, 0 };
	return fs;
}

#endif
