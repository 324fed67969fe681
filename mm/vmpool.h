/*
 * vmpool.h - a frame pool over real page tables and a swap area: the
 * backend of mm/pool.c for address spaces.
 *
 * A vmpool owns N physical frames (taken at creation, whatever the RAM), so a
 * workload of one or more address spaces pages against exactly N frames. It
 * attaches itself to each space as the space's pager: a first touch or a
 * swapped page faults into pool_fault(), which picks a slot (evicting the
 * policy's victim to swap when all are used) and maps the page.
 *
 * Pages are keyed (space index << 32 | virtual page number). A swapped-out
 * page's slot is in its PTE; while the page is resident, the pool slot
 * remembers it (slot_swap), so a clean page whose swap copy is valid is
 * dropped at eviction instead of written again. The slot also remembers
 * the page's PTE (page tables are freed only with their space, after its
 * pages left the pool), so eviction and harvest find it without a walk, and
 * a fault's load uses the PTE the fault's own walk found:
 *
 *   evict:  dirty (D set) or no swap copy yet -> write to its slot (a new
 *           slot if it has none), count a write-back; else drop.
 *           PTE <- swapped(slot), invlpg.
 *   load:   swap copy -> read it into the slot's frame; else zero the frame.
 *           PTE <- frame | region permissions | P (A and D clear).
 *   harvest: read A and D of the PTE, clear A (invlpg).
 *   lookup: the page's PTE, if present, maps a frame of the pool, and the
 *           frame's slot (a table made with the frames) remembers that PTE:
 *           so the pool keeps no page -> slot map of its own, and a fault
 *           neither inserts nor deletes in one.
 */
#ifndef MM_VMPOOL_H
#define MM_VMPOOL_H

#include "pool.h"
#include "swap.h"
#include "vmspace.h"

#define VMPOOL_MAX_SPACES 256 /* memman traces hold up to 255 processes */

/* What the vmpool keeps per pool slot. */
struct vmpool_slot {
	pte_t *pte;    /* the resident page's PTE (page tables live as long as
			  their space), NULL when free: evict and harvest
			  need no walk */
	uint32_t swap; /* the swap slot holding a valid copy of the resident
			  page, or SWAP_NO_SLOT */
	paddr_t frame; /* the slot's frame */
	void *kva;     /* ... and where the kernel reaches it */
};

struct vmpool {
	struct pool pool;
	const struct vm_sys *sys;
	struct swap_area *swap;
	struct vmpool_slot *slots;   /* per pool slot (one array: a fault indexes it once) */
	struct repl_map frame_slot;  /* frame number -> pool slot, fixed at init */
	void *frame_slot_mem;
	struct vm_space *spaces[VMPOOL_MAX_SPACES];
	const char *last_error;      /* why the last fault failed */
};

/* Take cfg->nframes frames from sys and set up the pool and its policy.
 * 0, -MM_ENOMEM (frames or memory; nothing is kept) or -MM_EINVAL. */
int vmpool_init(struct vmpool *vp, const struct vm_sys *sys, struct swap_area *sw,
		const struct pool_config *cfg);
/* Give the frames back. Every attached space must be destroyed (or
 * detached) first; remaining swap slots are freed. */
void vmpool_fini(struct vmpool *vp);

/* Make s page through this pool. 0, -MM_ENOSPC (too many spaces). */
int vmpool_attach(struct vmpool *vp, struct vm_space *s);
/* Release every page s holds in the pool (call before destroying s). */
void vmpool_detach(struct vmpool *vp, struct vm_space *s);

/* The key of a page of s (what the pool and its policy know a page by). */
uint64_t vmpool_key(const struct vmpool *vp, const struct vm_space *s, vaddr_t va);
/* What a key stands for: its space (NULL when that space has left the
 * pool) and, in *va, the page's address. Keys are decoded only here. */
struct vm_space *vmpool_key_owner(const struct vmpool *vp, uint64_t key, vaddr_t *va);
/* Who holds pool slot `slot`: the space (NULL when the slot is free) and,
 * in *va, the address of the page in it. */
struct vm_space *vmpool_slot_owner(const struct vmpool *vp, uint32_t slot, vaddr_t *va);

/* After a real access to va in s (trace replay): sample A/D, tell the
 * policy, count the reference (pool_access_done). */
int vmpool_access_done(struct vmpool *vp, const struct vm_space *s, vaddr_t va);

/* Pool, swap map and page tables agree: every resident page is present,
 * maps its slot's frame and is the PTE its slot remembers; every frame is
 * found as its slot's; every swap copy a slot remembers is in use. */
int vmpool_check(const struct vmpool *vp, struct mm_sink *err);
void vmpool_print(const struct vmpool *vp, struct mm_sink *out);

#endif
