/*
 * pool.c - the frame pool: the one place that defines in which order a
 * replacement policy is told what happens (see the contract in pool.h).
 *
 * Algorithm: demand paging over N slots. A fault takes the lowest free slot
 * (a hint remembers that no slot below it is free), or the policy's victim,
 * which the backend evicts before the new page is loaded into its slot.
 * Resident pages are found through an open-addressing page -> slot hash
 * (repl_map) sized for N entries, so a lookup is O(1) on average; the map
 * is indexed by slot, so an eviction removes its victim's entry without
 * hashing the page again. A backend that knows which slot holds a page
 * (pool_backend.lookup) answers instead, and the pool keeps no map. A slot
 * is free, used (resident, known to the policy and the hash) or busy: its
 * page is in transit (being written out or read in) and nobody else may
 * take the slot, while the policy and the hash no longer (or not yet)
 * know it.
 */
#include "pool_fault.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

/* Whether a fault must point the future or tell will_load: set whenever
 * the future or the policy changes. */
static void update_hooks(struct pool *p)
{
	const struct repl_ops *ops = p->policy.ops;
	p->fault_hooks = p->has_future || ops->needs_future || ops->will_load;
}

static bool backend_ok(const struct pool_backend *b)
{
	return b && b->evict && b->load && b->harvest;
}

int pool_init(struct pool *p, const struct pool_config *cfg,
	      const struct pool_backend *backend, const struct mm_allocator *a)
{
	if (!cfg || !cfg->policy || cfg->nframes == 0 || cfg->nframes > REPL_MAX_FRAMES ||
	    !backend_ok(backend) || !a)
		return -MM_EINVAL;
	mm_memset(p, 0, sizeof *p);
	p->cfg = *cfg;
	p->backend = *backend;
	p->alloc = *a;
	uint32_t n = cfg->nframes;
	size_t end = 0;
	size_t pages = mm_take(&end, (size_t)n * sizeof(uint64_t));
	size_t used = mm_take(&end, n);
	bool own_map = !backend->lookup;
	size_t map = mm_take(&end, own_map ? repl_map_bytes(n) : 0);
	size_t cells = mm_take(&end, own_map ? (size_t)n * sizeof(uint32_t) : 0);
	char *mem = mm_alloc(a, end);
	if (!mem) return -MM_ENOMEM;
	int err = repl_create(&p->policy, cfg->policy, n, cfg->seed, a);
	if (err) {
		mm_free(a, mem);
		return err;
	}
	p->block = mem;
	p->slot_page = (uint64_t *)(mem + pages);
	p->slot_used = (uint8_t *)(mem + used);
	mm_memset(p->slot_used, 0, n);
	p->own_map = own_map;
	if (own_map) {
		repl_map_init(&p->map, mem + map, n);
		repl_map_index(&p->map, (uint32_t *)(mem + cells), n);
	}
	p->fresh_slot = REPL_NO_SLOT;
	p->tick_left = cfg->tick_every;
	update_hooks(p);
	return 0;
}

void pool_fini(struct pool *p)
{
	pool_drop_future(p);
	repl_destroy(&p->policy, &p->alloc);
	mm_free(&p->alloc, p->block);
	p->block = NULL;
	p->slot_page = NULL;
	p->slot_used = NULL;
}

int pool_set_future(struct pool *p, const uint32_t *next_use, size_t nrefs)
{
	if (!next_use || nrefs >= REPL_NEVER) return -MM_EINVAL;
	p->future.next_use = next_use;
	p->future.nrefs = (uint32_t)nrefs;
	p->future.now = 0;
	p->future_base = p->stats.refs;
	p->has_future = true;
	update_hooks(p);
	if (p->policy.ops->set_future) p->policy.ops->set_future(p->policy.state, &p->future);
	return 0;
}

int pool_plan_future(struct pool *p, const struct trace_ref *refs, size_t n, const struct mm_allocator *a)
{
	pool_drop_future(p);
	if (!p->policy.ops->needs_future || n == 0) return 0;
	uint32_t *next_use = NULL;
	int err = trace_next_use(refs, n, a, &next_use);
	if (err) return err;
	err = pool_set_future(p, next_use, n);
	if (err) {
		mm_free(a, next_use);
		return err;
	}
	p->owned_future = next_use;
	p->future_alloc = *a;
	return 0;
}

void pool_drop_future(struct pool *p)
{
	if (!p->owned_future) return;
	p->has_future = false;
	update_hooks(p);
	mm_free(&p->future_alloc, p->owned_future);
	p->owned_future = NULL;
}

/* The used slot holding page, or REPL_NO_SLOT: from the map, or from the
 * backend (whose answer must be a used slot with that page). */
static uint32_t find_slot(const struct pool *p, uint64_t page)
{
	if (p->own_map) {
		uint32_t slot = repl_map_get(&p->map, page);
		return slot == REPL_MAP_NONE ? REPL_NO_SLOT : slot;
	}
	uint32_t slot = p->backend.lookup(p->backend.ctx, page);
	bool held = slot < p->cfg.nframes && p->slot_used[slot] == SLOT_USED && p->slot_page[slot] == page;
	return held ? slot : REPL_NO_SLOT;
}

int pool_lookup(const struct pool *p, uint64_t page)
{
	uint32_t slot = find_slot(p, page);
	return slot == REPL_NO_SLOT ? -MM_ENOENT : (int)slot;
}

uint64_t pool_slot_page(const struct pool *p, uint32_t slot)
{
	MM_ASSERT(slot < p->cfg.nframes && p->slot_used[slot] == SLOT_USED, "pool: slot %u holds no page", slot);
	return p->slot_page[slot];
}

bool pool_slot_used(const struct pool *p, uint32_t slot)
{
	return slot < p->cfg.nframes && p->slot_used[slot] == SLOT_USED;
}

int pool_evict_begin(struct pool *p, uint64_t *page)
{
	if (p->nresident == 0) return pool_no_victim(p);
	return (int)pool_take_victim(p, page, p->own_map);
}

void pool_evict_end(struct pool *p, uint32_t slot, uint64_t page, int wrote, bool keep_slot)
{
	MM_ASSERT(slot < p->cfg.nframes && p->slot_used[slot] == SLOT_BUSY, "pool: slot %u is not being evicted", slot);
	if (wrote < 0) { /* the page stays: back as if just loaded */
		pool_settle(p, slot, page, false, p->own_map);
		return;
	}
	pool_count_eviction(p, wrote);
	if (keep_slot) return; /* the fault that evicted loads into it */
	p->stats.reclaims++;
	p->nbusy--;
	pool_set_free(p, slot);
}

int pool_fault(struct pool *p, uint64_t page, bool is_write)
{
	if (find_slot(p, page) != REPL_NO_SLOT) return -MM_EEXIST;
	return pool_fault_absent(p, page, is_write);
}

int pool_fault_absent(struct pool *p, uint64_t page, bool is_write)
{
	return pool_fault_absent_ops(p, page, is_write, p->backend.evict, p->backend.load, p->own_map,
				     p->backend.ctx);
}

int pool_access_done(struct pool *p, uint64_t page)
{
	uint32_t slot = find_slot(p, page);
	if (slot == REPL_NO_SLOT) return -MM_ENOENT;
	bool fresh = slot == p->fresh_slot;
	if (!fresh && !pool_future_ready(p)) return -MM_EINVAL;
	unsigned ad = p->backend.harvest(p->backend.ctx, slot);
	if (!fresh)
		p->policy.ops->referenced(p->policy.state, slot, ad & POOL_ACCESSED, ad & POOL_DIRTY);
	p->fresh_slot = REPL_NO_SLOT;
	p->stats.refs++;
	if (p->cfg.tick_every && --p->tick_left == 0) {
		p->tick_left = p->cfg.tick_every;
		pool_tick(p);
	}
	return 0;
}

int pool_reference(struct pool *p, uint64_t page, bool is_write)
{
	int slot = pool_lookup(p, page);
	bool faulted = slot < 0;
	if (faulted) {
		slot = pool_fault(p, page, is_write);
		if (slot < 0) return slot;
	}
	if (p->backend.touch) p->backend.touch(p->backend.ctx, (uint32_t)slot, is_write);
	int err = pool_access_done(p, page);
	if (err) return err; /* only when a needed future is used up */
	return faulted ? 1 : 0;
}

int pool_replay(struct pool *p, const struct trace_ref *refs, size_t n)
{
	int err = pool_plan_future(p, refs, n, &p->alloc);
	for (size_t i = 0; i < n && !err; i++) {
		int r = pool_reference(p, refs[i].page, refs[i].is_write);
		if (r < 0) err = r;
	}
	pool_drop_future(p);
	return err;
}

void pool_tick(struct pool *p)
{
	for (uint32_t s = 0; s < p->cfg.nframes; s++) {
		if (p->slot_used[s] != SLOT_USED) continue; /* (a busy slot's page is in transit) */
		unsigned ad = p->backend.harvest(p->backend.ctx, s);
		if (ad & POOL_ACCESSED) p->policy.ops->referenced(p->policy.state, s, true, ad & POOL_DIRTY);
	}
	p->policy.ops->tick(p->policy.state);
}

int pool_set_policy(struct pool *p, const struct repl_ops *ops)
{
	if (!ops || p->has_future || ops->needs_future) return -MM_EINVAL;
	struct repl fresh;
	int err = repl_create(&fresh, ops, p->cfg.nframes, p->cfg.seed, &p->alloc);
	if (err) return err;
	repl_destroy(&p->policy, &p->alloc);
	p->policy = fresh;
	p->cfg.policy = ops;
	update_hooks(p);
	for (uint32_t s = 0; s < p->cfg.nframes; s++)
		if (p->slot_used[s] == SLOT_USED) ops->page_in(fresh.state, s, p->slot_page[s], false);
	return 0;
}

int pool_release(struct pool *p, uint64_t page)
{
	uint32_t slot = find_slot(p, page);
	if (slot == REPL_NO_SLOT) return -MM_ENOENT;
	if (slot == p->fresh_slot) p->fresh_slot = REPL_NO_SLOT;
	if (p->own_map) repl_map_del(&p->map, page);
	p->nresident--;
	pool_set_free(p, slot);
	p->policy.ops->page_out(p->policy.state, slot);
	return 0;
}

int pool_check(const struct pool *p, struct mm_sink *err)
{
	uint32_t n = p->cfg.nframes, used = 0, busy = 0;
	int e = p->own_map ? repl_map_check(&p->map, err) : 0;
	if (e) return e;
	for (uint32_t s = 0; s < n; s++) {
		uint8_t st = p->slot_used[s];
		bool tracked = p->policy.ops->tracks(p->policy.state, s);
		if (st > SLOT_BUSY) return mm_bad(err, "pool: slot %u state %u", s, st);
		if (tracked != (st == SLOT_USED))
			return mm_bad(err, "pool: slot %u state %u but policy %s says %d", s, st,
					p->policy.ops->name, tracked);
		if (st == SLOT_FREE && s < p->free_hint)
			return mm_bad(err, "pool: free slot %u below hint %u", s, p->free_hint);
		busy += st == SLOT_BUSY;
		if (st != SLOT_USED) continue;
		used++;
		if (find_slot(p, p->slot_page[s]) != s)
			return mm_bad(err, "pool: page %llu of slot %u not %s to it",
					(unsigned long long)p->slot_page[s], s,
					p->own_map ? "mapped" : "looked up by the backend");
	}
	uint32_t mapped = p->own_map ? p->map.count : used;
	if (used != p->nresident || used != mapped || busy != p->nbusy)
		return mm_bad(err, "pool: %u used slots, count %u, map %u; %u busy, count %u", used, p->nresident,
				mapped, busy, p->nbusy);
	if (p->stats.writebacks > p->stats.evictions || p->stats.reclaims > p->stats.evictions)
		return mm_bad(err, "pool: %llu writebacks, %llu reclaims but %llu evictions",
				(unsigned long long)p->stats.writebacks, (unsigned long long)p->stats.reclaims,
				(unsigned long long)p->stats.evictions);
	return p->policy.ops->check(p->policy.state, err);
}

void pool_format_stats(const struct pool *p, struct mm_sink *out)
{
	mm_format(out, "refs=%llu faults=%llu evictions=%llu writebacks=%llu",
		  (unsigned long long)p->stats.refs, (unsigned long long)p->stats.faults,
		  (unsigned long long)p->stats.evictions, (unsigned long long)p->stats.writebacks);
}
