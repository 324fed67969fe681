/*
 * pool_fault.h - the fault sequence of the pool (the order of pool.h),
 * inline. pool.c implements every pool entry with it; a backend that is
 * also its pool's pager (vmpool) compiles pool_fault_absent_ops with its own
 * evict and load, so those become direct calls its compiler may inline.
 * Only pool.c and such a pager include this file; nobody else may touch a
 * pool's fields.
 */
#ifndef MM_POOL_FAULT_H
#define MM_POOL_FAULT_H

#include "pool.h"
#include "mm_env.h"

enum { SLOT_FREE, SLOT_USED, SLOT_BUSY }; /* slot_used[]: busy = its page is in transit */

/* The fault path's steps are inlined into it (a fault makes no call of
 * its own but the policy's and the backend's). */
#define POOL_INLINE static inline __attribute__((always_inline))

/* Point the future at the reference in progress; false if the policy needs
 * a future that is missing or used up. */
POOL_INLINE bool pool_future_ready(struct pool *p)
{
	if (p->has_future) {
		uint64_t now = p->stats.refs - p->future_base;
		p->future.now = now < p->future.nrefs ? (uint32_t)now : p->future.nrefs;
		if (now >= p->future.nrefs) return !p->policy.ops->needs_future;
		return true;
	}
	return !p->policy.ops->needs_future;
}

POOL_INLINE uint32_t pool_lowest_free_slot(struct pool *p)
{
	if (p->nresident + p->nbusy == p->cfg.nframes) return REPL_NO_SLOT;
	uint32_t s = p->free_hint;
	while (p->slot_used[s] != SLOT_FREE) s++;
	p->free_hint = s;
	return s;
}

POOL_INLINE void pool_set_free(struct pool *p, uint32_t slot)
{
	p->slot_used[slot] = SLOT_FREE;
	if (slot < p->free_hint) p->free_hint = slot;
}

/* A busy slot gets its page: resident from now on. own_map: p->own_map
 * (a constant where a pager compiles the sequence for its own backend). A
 * backend with lookup needs no record here: its owner's check that the page
 * is absent (a PTE not present) stands for the map's, and pool_check asks
 * the backend. */
POOL_INLINE void pool_settle(struct pool *p, uint32_t slot, uint64_t page, bool is_write, bool own_map)
{
	p->slot_page[slot] = page;
	p->slot_used[slot] = SLOT_USED;
	p->nbusy--;
	p->nresident++;
	if (own_map) {
		uint32_t known = p->map.count;
		int err = repl_map_put(&p->map, page, slot);
		MM_ASSERT(err == 0, "pool: page map full with %u of %u resident", p->nresident, p->cfg.nframes);
		MM_ASSERT(p->map.count == known + 1, "pool: page %llx was resident already (slot %u)",
			  (unsigned long long)page, slot);
	}
	p->policy.ops->page_in(p->policy.state, slot, page, is_write);
}

/* Step 1 of an eviction, some slot being resident: the policy's victim
 * leaves the policy and the hash (if the pool keeps one), and its slot is
 * busy. */
POOL_INLINE uint32_t pool_take_victim(struct pool *p, uint64_t *page, bool own_map)
{
	const struct repl_ops *ops = p->policy.ops;
	bool taken = ops->take_victim; /* (select_victim and page_out in one) */
	uint32_t v = taken ? ops->take_victim(p->policy.state) : ops->select_victim(p->policy.state);
	MM_ASSERT(v < p->cfg.nframes && p->slot_used[v] == SLOT_USED, "pool: policy %s chose slot %u, not resident",
		  ops->name, v);
	/* (the slot's page: pool_check holds them equal) */
	*page = own_map ? repl_map_del_value(&p->map, v) : p->slot_page[v];
	p->slot_used[v] = SLOT_BUSY;
	p->nresident--;
	p->nbusy++;
	if (!taken) ops->page_out(p->policy.state, v);
	if (v == p->fresh_slot) p->fresh_slot = REPL_NO_SLOT;
	return v;
}

/* Why no victim can be had: nothing resident now but slots busy, or nothing at all. */
static inline int pool_no_victim(const struct pool *p) { return p->nbusy ? -MM_EAGAIN : -MM_ENOENT; }

/* The end of an eviction whose write-back went through (wrote 0 or 1). */
POOL_INLINE void pool_count_eviction(struct pool *p, int wrote)
{
	p->stats.evictions++;
	if (wrote) p->stats.writebacks++;
}

/* Make room for a fault: the policy's victim, evicted (pool_evict_begin
 * and pool_evict_end with the slot kept, in one). Returns its slot, still
 * busy, or a negative error (the victim then stays resident). */
POOL_INLINE int pool_evict_victim_ops(struct pool *p, pool_evict_fn *evict, bool own_map, void *ctx)
{
	if (p->nresident == 0) return pool_no_victim(p);
	uint64_t victim;
	uint32_t v = pool_take_victim(p, &victim, own_map);
	int wrote = evict(ctx, v, victim);
	if (wrote < 0) { /* (its page, read again: a busy slot keeps it) */
		pool_settle(p, v, p->slot_page[v], false, own_map);
		return wrote;
	}
	pool_count_eviction(p, wrote);
	return (int)v;
}

/* pool_fault_absent with the backend's evict and load given (the pool's
 * own, or the same functions named directly by the backend), and own_map
 * (p->own_map, or false from a backend that has lookup). */
POOL_INLINE int pool_fault_absent_ops(struct pool *p, uint64_t page, bool is_write, pool_evict_fn *evict,
				      pool_load_fn *load, bool own_map, void *ctx)
{
	if (p->fault_hooks) {
		if (!pool_future_ready(p)) return -MM_EINVAL;
		if (p->policy.ops->will_load) p->policy.ops->will_load(p->policy.state, page);
	}
	uint32_t slot = pool_lowest_free_slot(p);
	if (slot == REPL_NO_SLOT) {
		int v = pool_evict_victim_ops(p, evict, own_map, ctx);
		if (v < 0) return v;
		slot = (uint32_t)v;
	} else {
		p->slot_used[slot] = SLOT_BUSY;
		p->nbusy++;
	}
	int read = load(ctx, slot, page, is_write);
	if (read < 0) {
		p->nbusy--;
		pool_set_free(p, slot);
		return read;
	}
	if (read) p->stats.swapins++;
	pool_settle(p, slot, page, is_write, own_map);
	p->fresh_slot = slot;
	p->stats.faults++;
	return (int)slot;
}

#endif
