/*
 * anon.c - shared anonymous memory with copy-on-write, paged through a
 * frame pool (see anon.h for the states of a page and who changes them).
 * This file is the pool's backend (evict, load, harvest) and the address
 * spaces' pager (fault, write_fault, share, move, release). Algorithm:
 * reverse maps (a list of mappings per page) make eviction and reload act
 * on every PTE of a shared page at once.
 */
#include "anon.h"
#include "mm_env.h"
#include "mmlib.h"

/* ---- page numbers ------------------------------------------------------ */

static struct anon_page *page_of(const struct anon_pool *ap, uint32_t num)
{
	MM_ASSERT(num && num < ap->next_num && ap->pages[num], "anon page %u does not exist", num);
	return ap->pages[num];
}

/* Calls into the swap area, each a critical section (sync's enter/leave). */
static uint32_t enter(struct anon_pool *ap) { return ap->sync.enter ? ap->sync.enter(ap->sync.ctx) : 0; }
static void leave(struct anon_pool *ap, uint32_t st)
{
	if (ap->sync.leave) ap->sync.leave(ap->sync.ctx, st);
}

static uint32_t slot_alloc(struct anon_pool *ap)
{
	uint32_t st = enter(ap), slot = swap_alloc(ap->swap);
	leave(ap, st);
	return slot;
}

static void slot_free(struct anon_pool *ap, uint32_t slot)
{
	uint32_t st = enter(ap);
	swap_free(ap->swap, slot);
	leave(ap, st);
}

static int grow_table(struct anon_pool *ap)
{
	uint32_t cap = ap->cap ? ap->cap * 2 : 1024;
	if (cap > ANON_MAX_PAGES) cap = ANON_MAX_PAGES;
	if (cap <= ap->cap) return -MM_ENOMEM;
	struct anon_page **pages = mm_alloc(&ap->sys->alloc, cap * sizeof(*pages));
	uint32_t *nums = mm_alloc(&ap->sys->alloc, cap * sizeof(*nums));
	if (!pages || !nums) {
		mm_free(&ap->sys->alloc, pages);
		mm_free(&ap->sys->alloc, nums);
		return -MM_ENOMEM;
	}
	mm_memset(pages, 0, cap * sizeof(*pages));
	if (ap->cap) {
		mm_memcpy(pages, ap->pages, ap->cap * sizeof(*pages));
		mm_memcpy(nums, ap->free_nums, ap->nfree * sizeof(*nums));
	}
	mm_free(&ap->sys->alloc, ap->pages);
	mm_free(&ap->sys->alloc, ap->free_nums);
	ap->pages = pages;
	ap->free_nums = nums;
	ap->cap = cap;
	return 0;
}

/* A new page with one mapping (s, va), not resident. Its number, or 0. */
static uint32_t page_new(struct anon_pool *ap, struct vm_space *s, vaddr_t va)
{
	if (!ap->nfree && ap->next_num >= ap->cap && grow_table(ap)) return 0;
	struct anon_page *pg = mm_alloc(&ap->sys->alloc, sizeof(*pg));
	struct anon_rmap *m = mm_alloc(&ap->sys->alloc, sizeof(*m));
	if (!pg || !m) {
		mm_free(&ap->sys->alloc, pg);
		mm_free(&ap->sys->alloc, m);
		return 0;
	}
	*m = (struct anon_rmap){ s, va, 0 };
	*pg = (struct anon_page){ .nmap = 1, .slot = REPL_NO_SLOT, .swap = SWAP_NO_SLOT, .maps = m };
	uint32_t num = ap->nfree ? ap->free_nums[--ap->nfree] : ap->next_num++;
	ap->pages[num] = pg;
	ap->live++;
	return num;
}

static void page_delete(struct anon_pool *ap, uint32_t num)
{
	struct anon_page *pg = page_of(ap, num);
	MM_ASSERT(!pg->nmap && !pg->maps, "anon page %u deleted with %u mappings", num, pg->nmap);
	if (pg->swap != SWAP_NO_SLOT) slot_free(ap, pg->swap);
	mm_free(&ap->sys->alloc, pg);
	ap->pages[num] = 0;
	ap->free_nums[ap->nfree++] = num;
	ap->live--;
}

/* Take (s, va) off pg's reverse map; returns the node (not freed). */
static struct anon_rmap *unlink_map(struct anon_page *pg, const struct vm_space *s, vaddr_t va)
{
	for (struct anon_rmap **l = &pg->maps; *l; l = &(*l)->next)
		if ((*l)->s == s && vaddr_eq((*l)->va, va)) {
			struct anon_rmap *m = *l;
			*l = m->next;
			pg->nmap--;
			return m;
		}
	MM_ASSERT(0, "mapping 0x%08x of space %u is not in its page's map", vaddr_u32(va), s->id);
	return 0;
}

static void link_map(struct anon_page *pg, struct anon_rmap *m)
{
	m->next = pg->maps;
	pg->maps = m;
	pg->nmap++;
}

/* ---- PTEs ---------------------------------------------------------------- */

static pte_t *pte_of(const struct anon_pool *ap, const struct vm_space *s, vaddr_t va, bool create)
{
	return pgt_walk(&ap->sys->frames, s->pd, va, create);
}

/* The page number a non-empty PTE of an attached space stands for. */
static uint32_t num_of_pte(const struct anon_pool *ap, pte_t e)
{
	if (pte_is_swapped(e)) return pte_swap_slot(e);
	uint32_t slot = repl_map_get(&ap->frame_slot, paddr_u32(pte_paddr(e)) >> PAGE_SHIFT);
	MM_ASSERT(slot != REPL_MAP_NONE, "PTE 0x%08x maps a frame outside the pool", e);
	return (uint32_t)pool_slot_page(&ap->pool, slot);
}

/* Map mapping m of resident page pg to frame fr with the flags its region
 * allows (read-only while shared), dirty if dirty, or keeping the dirty
 * bit its PTE has if keep_dirty. The region's look-up and the PTE's write
 * are one critical section: m->s may be another process's, whose owner
 * may change its regions (an mprotect landing between the two would be
 * undone). */
static void set_map_pte(struct anon_pool *ap, const struct anon_page *pg, const struct anon_rmap *m, paddr_t fr,
			bool dirty, bool keep_dirty)
{
	uint32_t st = enter(ap);
	const struct vm_region *r = vm_region_find(m->s, m->va);
	MM_ASSERT(r, "mapping 0x%08x of space %u has no region", vaddr_u32(m->va), m->s->id);
	uint32_t f = vm_prot_to_pte(r->prot);
	if (pg->nmap > 1 && !(r->flags & VM_SHARED)) f &= ~PTE_W; /* copy-on-write */
	pte_t *e = pte_of(ap, m->s, m->va, false);
	pte_t d = (dirty ? PTE_D : 0) | (keep_dirty ? (*e & PTE_D) : 0);
	*e = pte_make(fr, f | PTE_P) | d;
	leave(ap, st);
}

/* ---- the lock around device calls ----------------------------------------- */

static void lock(struct anon_pool *ap)
{
	if (ap->sync.lock) ap->sync.lock(ap->sync.ctx);
}

static void unlock(struct anon_pool *ap)
{
	if (ap->sync.unlock) ap->sync.unlock(ap->sync.ctx);
}

/* Sleep until a page in transit arrives (the lock is released meanwhile). */
static void wait_transit(struct anon_pool *ap)
{
	MM_ASSERT(ap->sync.wait, "anon: a page in transit with no way to wait for it");
	ap->sync.wait(ap->sync.ctx);
}

static void wake_transit(struct anon_pool *ap)
{
	if (ap->sync.wake) ap->sync.wake(ap->sync.ctx);
}

/* One device call, with the lock released if the sync allows it and no
 * caller needs it kept (hold_lock). The caller has made its page(s)
 * in transit and its slot(s) busy: nothing else touches them meanwhile. */
static int device_io(struct anon_pool *ap, int (*io)(struct swap_area *, uint32_t, void *), uint32_t slot, void *buf)
{
	bool drop = ap->sync.io_begin && !ap->hold_lock;
	if (drop) {
		ap->in_flight++;
		ap->stats.unlocked_ios++;
		ap->sync.io_begin(ap->sync.ctx);
	}
	uint32_t st = enter(ap);
	int err = io(ap->swap, slot, buf);
	leave(ap, st);
	if (drop) {
		ap->sync.io_end(ap->sync.ctx);
		ap->in_flight--;
	}
	return err;
}

static int io_write(struct swap_area *sw, uint32_t slot, void *buf) { return swap_write(sw, slot, buf); }
static int io_read(struct swap_area *sw, uint32_t slot, void *buf) { return swap_read(sw, slot, buf); }

/* ---- the pool's backend ------------------------------------------------ */

static int write_back(struct anon_pool *ap, struct anon_page *pg, paddr_t frame)
{
	bool fresh = pg->swap == SWAP_NO_SLOT;
	uint32_t sw = fresh ? slot_alloc(ap) : pg->swap;
	if (sw == SWAP_NO_SLOT) {
		ap->last_error = "swap space exhausted";
		return -MM_ENOSPC;
	}
	if (device_io(ap, io_write, sw, mm_phys_to_virt(frame))) {
		if (fresh) slot_free(ap, sw);
		ap->last_error = "swap device error";
		return -MM_EIO;
	}
	pg->swap = sw;
	return 0;
}

/* Every mapping of pg <- swapped(num); returns whether any was dirty. */
static bool unmap_all(struct anon_pool *ap, struct anon_page *pg, uint32_t num)
{
	bool written = false;
	for (struct anon_rmap *m = pg->maps; m; m = m->next) {
		pte_t *e = pte_of(ap, m->s, m->va, false);
		written |= (*e & PTE_D) != 0;
		*e = pte_make_swapped(num);
		mm_tlb_flush_page(m->va);
	}
	return written;
}

/* Every mapping of pg <- the frame of slot (resident again). */
static void map_all(struct anon_pool *ap, struct anon_page *pg, uint32_t slot, bool dirty)
{
	pg->slot = slot;
	for (struct anon_rmap *m = pg->maps; m; m = m->next)
		set_map_pte(ap, pg, m, ap->frames[slot], dirty, false);
}

/* Must the page be written to swap as it leaves? */
static bool needs_write(const struct anon_page *pg, bool written)
{
	return written || pg->dirty || (pg->swap == SWAP_NO_SLOT && !pg->from_file);
}

/* A mapping's PTE goes: what it wrote must not be forgotten. */
static void keep_dirt(struct anon_page *pg, pte_t pte)
{
	if (pte & PTE_D) pg->dirty = true;
}

static int be_evict(void *ctx, uint32_t slot, uint64_t key)
{
	struct anon_pool *ap = ctx;
	uint32_t num = (uint32_t)key;
	struct anon_page *pg = page_of(ap, num);
	/* Unmap first: nobody may change the page while it is written out
	 * (the write may sleep, and other processes run meanwhile). */
	bool written = unmap_all(ap, pg, num);
	pg->slot = REPL_NO_SLOT;
	bool dirty = needs_write(pg, written);
	if (dirty) {
		pg->transit = ANON_OUT;
		int err = write_back(ap, pg, ap->frames[slot]);
		pg->transit = ANON_STILL;
		wake_transit(ap);
		if (err) { /* the page stays resident, mapped as before (dirty again) */
			map_all(ap, pg, slot, written);
			return err;
		}
		pg->from_file = false;
		pg->dirty = false;
	} else if (pg->from_file) {
		ap->stats.file_drops++;
	}
	return dirty ? 1 : 0;
}

/* Loads happen inside pager calls, which set what a page without a swap
 * copy starts as in pg->fill (a copy's source, or its region). */
static int be_load(void *ctx, uint32_t slot, uint64_t key, bool is_write)
{
	struct anon_pool *ap = ctx;
	struct anon_page *pg = page_of(ap, (uint32_t)key);
	void *kva = mm_phys_to_virt(ap->frames[slot]);
	const struct anon_fill *f = pg->fill;
	int from_swap = 0;
	if (pg->swap != SWAP_NO_SLOT) {
		if (device_io(ap, io_read, pg->swap, kva)) {
			ap->last_error = "swap device error";
			return -MM_EIO;
		}
		from_swap = 1;
	} else if (f && f->src) {
		if (f->src != kva) mm_copy_page(kva, f->src); /* (the same frame: its own victim) */
	} else if (pg->from_file) { /* dropped clean: its first mapping's region has the bytes */
		uint32_t st = enter(ap); /* (another process's regions: see set_map_pte) */
		vm_region_fill(vm_region_find(pg->maps->s, pg->maps->va), pg->maps->va, kva);
		leave(ap, st);
		ap->stats.file_fills++;
	} else {
		MM_ASSERT(f && f->region, "anon page %u loaded with no contents", (uint32_t)key);
		vm_region_fill(f->region, f->va, kva);
		pg->from_file = f->region->kind == VM_FILE;
		if (pg->from_file) ap->stats.file_fills++;
		else ap->stats.zero_fills++;
	}
	map_all(ap, pg, slot, false);
	return from_swap;
}

static unsigned be_harvest(void *ctx, uint32_t slot)
{
	struct anon_pool *ap = ctx;
	struct anon_page *pg = page_of(ap, (uint32_t)pool_slot_page(&ap->pool, slot));
	uint32_t bits = 0;
	for (struct anon_rmap *m = pg->maps; m; m = m->next) bits |= pgt_harvest(m->s->pd, m->va, false);
	return ((bits & PTE_A) ? POOL_ACCESSED : 0) | ((bits & PTE_D) ? POOL_DIRTY : 0);
}

/* Bring page num in (its PTEs follow), starting as fill says if it has no
 * swap copy. The page is in transit meanwhile: a fault on it elsewhere
 * waits. Every frame in transit: wait for one. */
#define IO_TRIES 3 /* a swap I/O error is tried again this many times in all */

static int bring_in(struct anon_pool *ap, uint32_t num, bool write, const struct anon_fill *fill)
{
	struct anon_page *pg = page_of(ap, num);
	ap->last_error = 0;
	pg->transit = ANON_IN;
	pg->fill = fill;
	int rc = pool_fault(&ap->pool, num, write);
	for (int tries = 1; (rc == -MM_EIO && tries < IO_TRIES) || rc == -MM_EAGAIN; tries++) {
		if (rc == -MM_EAGAIN) {
			ap->stats.busy_waits++;
			wait_transit(ap);
		} else {
			ap->stats.io_retries++; /* the pages stayed where they were: try again */
		}
		rc = pool_fault(&ap->pool, num, write);
	}
	pg->transit = ANON_STILL;
	pg->fill = 0;
	wake_transit(ap);
	if (ap->pressure.kick && pool_free_slots(&ap->pool) < ap->pressure.low) ap->pressure.kick(ap->pressure.ctx);
	if (rc < 0 && !ap->last_error) ap->last_error = "no frame could be freed";
	return rc < 0 ? rc : 0;
}

/* ---- the pager ----------------------------------------------------------- */

static int pager_fault(void *ctx, struct vm_space *s, const struct vm_region *r, vaddr_t va, bool write)
{
	struct anon_pool *ap = ctx;
	pte_t *e = pte_of(ap, s, va, true);
	if (!e) {
		ap->last_error = "out of memory for a page table";
		return -MM_ENOMEM;
	}
	if (pte_is_swapped(*e)) {
		uint32_t num = pte_swap_slot(*e);
		if (page_of(ap, num)->transit == ANON_STILL) return bring_in(ap, num, write, 0);
		ap->stats.transit_waits++; /* its I/O is under way: wait for it, then retry */
		wait_transit(ap);
		return 0;
	}
	if (*e & PTE_P) return 0; /* brought in while we waited for the lock: try again */
	MM_ASSERT(*e == 0, "fault on 0x%08x with PTE 0x%08x", vaddr_u32(va), *e);
	uint32_t num = page_new(ap, s, va);
	if (!num) {
		ap->last_error = "out of memory for a page";
		return -MM_ENOMEM;
	}
	*e = pte_make_swapped(num); /* (what a page not yet in looks like) */
	struct anon_fill fill = { 0, r, va };
	int err = bring_in(ap, num, write, &fill);
	if (err) {
		e = pte_of(ap, s, va, false);
		*e = 0;
		mm_free(&ap->sys->alloc, unlink_map(page_of(ap, num), s, va));
		page_delete(ap, num);
	}
	return err;
}

/* (s, va) leaves pg for a new page of its own holding a copy. The copy is
 * made from pg's frame as the new page loads: if the pool evicts pg itself
 * to make room, its bytes are still in that frame (eviction only writes
 * them out) and the new page loads in place. A failure puts the mapping
 * back as it was. */
static int copy_page(struct anon_pool *ap, struct vm_space *s, vaddr_t va, uint32_t num, pte_t *e)
{
	uint32_t copy = page_new(ap, s, va);
	if (!copy) {
		ap->last_error = "out of memory for a page";
		return -MM_ENOMEM;
	}
	struct anon_page *pg = page_of(ap, num);
	const void *src = mm_phys_to_virt(pte_paddr(*e));
	struct anon_rmap *m = unlink_map(pg, s, va);
	keep_dirt(pg, *e);
	*e = 0;
	mm_tlb_flush_page(va);
	struct anon_fill fill = { src, 0, va };
	ap->hold_lock++; /* src must stay where it is until copied */
	int err = bring_in(ap, copy, true, &fill);
	ap->hold_lock--;
	if (!err) {
		mm_free(&ap->sys->alloc, m);
		ap->stats.cow_copies++;
		return 0;
	}
	mm_free(&ap->sys->alloc, unlink_map(page_of(ap, copy), s, va));
	page_delete(ap, copy);
	link_map(pg, m);
	if (pg->slot == REPL_NO_SLOT) {
		*e = pte_make_swapped(num);
	} else { /* shared again: every mapping read-only, dirty bits kept */
		for (struct anon_rmap *o = pg->maps; o; o = o->next) {
			set_map_pte(ap, pg, o, ap->frames[pg->slot], false, o != m);
			mm_tlb_flush_page(o->va);
		}
	}
	return err;
}

static int pager_write_fault(void *ctx, struct vm_space *s, const struct vm_region *r, vaddr_t va)
{
	struct anon_pool *ap = ctx;
	pte_t *e = pte_of(ap, s, va, false);
	if (!e || !(*e & PTE_P) || (*e & PTE_W))
		return 0; /* changed while we waited for the lock: the access is tried again */
	uint32_t num = num_of_pte(ap, *e);
	if (r->flags & VM_SHARED) { /* writable again after an mprotect: never a copy */
		*e |= PTE_W;
		mm_tlb_flush_page(va);
		return 0;
	}
	if (page_of(ap, num)->nmap == 1) {
		*e |= PTE_W;
		mm_tlb_flush_page(va);
		ap->stats.cow_reuses++;
		return 0;
	}
	return copy_page(ap, s, va, num, e);
}

static int pager_share(void *ctx, struct vm_space *dst, struct vm_space *src, const struct vm_region *r, vaddr_t va)
{
	struct anon_pool *ap = ctx;
	pte_t *se = pte_of(ap, src, va, false);
	pte_t *de = pte_of(ap, dst, va, true);
	struct anon_rmap *m = de ? mm_alloc(&ap->sys->alloc, sizeof(*m)) : 0;
	if (!m) return -MM_ENOMEM;
	uint32_t num = num_of_pte(ap, *se);
	*m = (struct anon_rmap){ dst, va, 0 };
	link_map(page_of(ap, num), m);
	if (*se & PTE_P) {
		if (!(r->flags & VM_SHARED)) { /* copy-on-write from now on */
			*se &= ~PTE_W;
			mm_tlb_flush_page(va);
		}
		*de = *se & ~(PTE_A | PTE_D);
	} else {
		*de = *se;
	}
	ap->stats.shares++;
	return 0;
}

static void pager_move(void *ctx, struct vm_space *s, vaddr_t from, vaddr_t to)
{
	struct anon_pool *ap = ctx;
	pte_t *a = pte_of(ap, s, from, false), *b = pte_of(ap, s, to, false);
	MM_ASSERT(a && *a && b && !*b, "moving 0x%08x to 0x%08x", vaddr_u32(from), vaddr_u32(to));
	struct anon_rmap *m = unlink_map(page_of(ap, num_of_pte(ap, *a)), s, from);
	m->va = to;
	link_map(page_of(ap, num_of_pte(ap, *a)), m);
	*b = *a;
	*a = 0;
	mm_tlb_flush_page(from);
}

/* -MM_EAGAIN: (s, va) is the last mapping of a page in transit, which
 * must arrive (or leave) before it can go. */
static int pager_release(void *ctx, struct vm_space *s, vaddr_t va)
{
	struct anon_pool *ap = ctx;
	pte_t *e = pte_of(ap, s, va, false);
	pte_t pte = *e;
	if (!pte) return 0; /* (emptied while we waited for the lock) */
	uint32_t num = num_of_pte(ap, pte);
	struct anon_page *pg = page_of(ap, num);
	if (pg->transit != ANON_STILL && pg->nmap == 1) return -MM_EAGAIN;
	keep_dirt(pg, pte);
	*e = 0;
	if (pte & PTE_P) mm_tlb_flush_page(va);
	mm_free(&ap->sys->alloc, unlink_map(pg, s, va));
	if (pg->nmap) return 0;
	if (pg->slot != REPL_NO_SLOT) pool_release(&ap->pool, num);
	page_delete(ap, num);
	return 0;
}

/* ---- the pager's entry points: each under the pool's lock ------------------ */

static int op_fault(void *ctx, struct vm_space *s, const struct vm_region *r, vaddr_t va, bool write)
{
	lock(ctx);
	int err = pager_fault(ctx, s, r, va, write);
	unlock(ctx);
	return err;
}

static int op_write_fault(void *ctx, struct vm_space *s, const struct vm_region *r, vaddr_t va)
{
	lock(ctx);
	int err = pager_write_fault(ctx, s, r, va);
	unlock(ctx);
	return err;
}

static int op_share(void *ctx, struct vm_space *dst, struct vm_space *src, const struct vm_region *r, vaddr_t va)
{
	lock(ctx);
	int err = pager_share(ctx, dst, src, r, va);
	unlock(ctx);
	return err;
}

static void op_move(void *ctx, struct vm_space *s, vaddr_t from, vaddr_t to)
{
	lock(ctx);
	pager_move(ctx, s, from, to);
	unlock(ctx);
}

static void op_release(void *ctx, struct vm_space *s, vaddr_t va)
{
	struct anon_pool *ap = ctx;
	lock(ap);
	while (pager_release(ap, s, va) == -MM_EAGAIN) {
		ap->stats.transit_waits++;
		wait_transit(ap);
	}
	unlock(ap);
}

/* ---- reclaim ahead of need (the page-out daemon) --------------------------- */

#define RECLAIM_MAX 32 /* pages one anon_reclaim call takes at most */

struct victim {
	uint32_t num, slot, swap;
	bool written;
};

/* Is there a swap slot for pg beside the n victims taken already (its own
 * stale copy, freed when it is taken, counts)? */
static bool swap_room(const struct anon_pool *ap, const struct anon_page *pg, uint32_t n)
{
	uint32_t room = ap->swap->dev.nslots - ap->swap->stats.in_use + (pg->swap != SWAP_NO_SLOT);
	return room > n;
}

/* Take victims until want slots are free (counting those being written)
 * or max are taken: clean ones are dropped at once, dirty ones unmapped,
 * in transit, into v[]. Returns how many are in v[]. */
static uint32_t take_victims(struct anon_pool *ap, uint32_t want, uint32_t max, struct victim *v, uint32_t *freed)
{
	uint32_t n = 0;
	while (n < max && pool_free_slots(&ap->pool) + n < want) {
		uint64_t key;
		int slot = pool_evict_begin(&ap->pool, &key);
		if (slot < 0) break;
		struct anon_page *pg = page_of(ap, (uint32_t)key);
		bool written = unmap_all(ap, pg, (uint32_t)key);
		pg->slot = REPL_NO_SLOT;
		if (!needs_write(pg, written)) {
			if (pg->from_file) ap->stats.file_drops++;
			pool_evict_end(&ap->pool, (uint32_t)slot, key, 0, false);
			(*freed)++;
			continue;
		}
		if (!swap_room(ap, pg, n)) { /* nowhere to write it: it stays, and reclaim stops here */
			map_all(ap, pg, (uint32_t)slot, written);
			pool_evict_end(&ap->pool, (uint32_t)slot, key, -MM_ENOSPC, false);
			break;
		}
		pg->transit = ANON_OUT;
		if (pg->swap != SWAP_NO_SLOT) { /* a stale copy: the page goes to its cluster instead */
			slot_free(ap, pg->swap);
			pg->swap = SWAP_NO_SLOT;
		}
		v[n++] = (struct victim){ (uint32_t)key, (uint32_t)slot, SWAP_NO_SLOT, written };
	}
	return n;
}

/* Give v[0..n) runs of adjacent swap slots; those left without one (the
 * area is full) keep SWAP_NO_SLOT. */
static void place_victims(struct anon_pool *ap, struct victim *v, uint32_t n)
{
	for (uint32_t i = 0; i < n;) {
		uint32_t first, st = enter(ap), got = swap_alloc_run(ap->swap, n - i, &first);
		leave(ap, st);
		if (!got) return;
		for (uint32_t k = 0; k < got; k++) v[i + k].swap = first + k;
		i += got;
	}
}

/* Write v[0..n) run by run with the lock released; err[i] per victim.
 * Returns the device writes made (the caller counts them, holding the
 * lock again). */
static uint32_t write_victims(struct anon_pool *ap, struct victim *v, uint32_t n, int *err)
{
	const void *bufs[RECLAIM_MAX];
	uint32_t writes = 0, going = 0; /* victims with a slot: those the device writes */
	for (uint32_t i = 0; i < n; i++) going += v[i].swap != SWAP_NO_SLOT;
	bool drop = ap->sync.io_begin != 0;
	if (drop) {
		ap->in_flight += going;
		ap->stats.unlocked_ios++;
		ap->sync.io_begin(ap->sync.ctx);
	}
	for (uint32_t i = 0, len; i < n; i += len) {
		for (len = 1; i + len < n && v[i + len].swap == v[i].swap + len; len++) continue;
		int rc = -MM_ENOSPC;
		if (v[i].swap != SWAP_NO_SLOT) {
			for (uint32_t k = 0; k < len; k++) bufs[k] = mm_phys_to_virt(ap->frames[v[i + k].slot]);
			uint32_t st = enter(ap);
			rc = swap_write_run(ap->swap, v[i].swap, len, bufs);
			leave(ap, st);
			writes++;
		}
		for (uint32_t k = 0; k < len; k++) err[i + k] = rc;
	}
	if (drop) {
		ap->sync.io_end(ap->sync.ctx);
		ap->in_flight -= going;
	}
	return writes;
}

/* The victims' writes ended: free their slots, or put them back. */
static int settle_victims(struct anon_pool *ap, const struct victim *v, uint32_t n, const int *err, uint32_t *freed)
{
	int first_err = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct anon_page *pg = page_of(ap, v[i].num);
		pg->transit = ANON_STILL;
		if (err[i]) {
			if (v[i].swap != SWAP_NO_SLOT) slot_free(ap, v[i].swap);
			map_all(ap, pg, v[i].slot, v[i].written);
			if (!first_err) first_err = err[i];
		} else {
			pg->swap = v[i].swap;
			pg->from_file = false;
			pg->dirty = false;
			(*freed)++;
		}
		pool_evict_end(&ap->pool, v[i].slot, v[i].num, err[i] ? err[i] : 1, false);
	}
	return first_err;
}

int anon_reclaim(struct anon_pool *ap, uint32_t want, uint32_t batch)
{
	struct victim v[RECLAIM_MAX];
	int err[RECLAIM_MAX];
	uint32_t freed = 0;
	if (batch > RECLAIM_MAX) batch = RECLAIM_MAX;
	lock(ap);
	uint32_t n = take_victims(ap, want, batch, v, &freed);
	int rc = 0;
	if (n) {
		place_victims(ap, v, n);
		ap->stats.cluster_writes += write_victims(ap, v, n, err);
		for (uint32_t i = 0; i < n; i++) ap->stats.cluster_pages += v[i].swap != SWAP_NO_SLOT;
		rc = settle_victims(ap, v, n, err, &freed);
		wake_transit(ap);
	}
	if (freed) ap->stats.reclaim_runs++;
	unlock(ap);
	return rc && !freed ? rc : (int)freed;
}

/* ---- life cycle ---------------------------------------------------------- */

static int take_frames(struct anon_pool *ap, uint32_t n)
{
	const struct frame_source *fs = &ap->sys->frames;
	for (uint32_t i = 0; i < n; i++) {
		ap->frames[i] = fs->alloc(fs->ctx);
		if (paddr_is_null(ap->frames[i])) {
			while (i--) fs->free(fs->ctx, ap->frames[i]);
			return -MM_ENOMEM;
		}
		repl_map_put(&ap->frame_slot, paddr_u32(ap->frames[i]) >> PAGE_SHIFT, i);
	}
	return 0;
}

int anon_init(struct anon_pool *ap, const struct vm_sys *sys, struct swap_area *sw,
	      const struct pool_config *cfg)
{
	mm_memset(ap, 0, sizeof(*ap));
	ap->sys = sys;
	ap->swap = sw;
	ap->next_num = 1;
	struct pool_backend be = { be_evict, be_load, be_harvest, 0, ap, 0 }; /* (no lookup: the pool keeps its map) */
	int err = pool_init(&ap->pool, cfg, &be, &sys->alloc);
	if (err) return err;
	uint32_t n = cfg->nframes;
	ap->frames = mm_alloc(&sys->alloc, n * sizeof(paddr_t));
	ap->frame_slot_mem = mm_alloc(&sys->alloc, repl_map_bytes(n));
	err = ap->frames && ap->frame_slot_mem ? 0 : -MM_ENOMEM;
	if (!err) {
		repl_map_init(&ap->frame_slot, ap->frame_slot_mem, n);
		err = take_frames(ap, n);
	}
	if (!err && grow_table(ap)) {
		for (uint32_t i = 0; i < n; i++) sys->frames.free(sys->frames.ctx, ap->frames[i]);
		err = -MM_ENOMEM;
	}
	if (err) {
		mm_free(&sys->alloc, ap->frames);
		mm_free(&sys->alloc, ap->frame_slot_mem);
		pool_fini(&ap->pool);
	}
	return err;
}

void anon_fini(struct anon_pool *ap)
{
	MM_ASSERT(!ap->nspaces && !ap->live, "anon pool finished with %u spaces, %u pages", ap->nspaces, ap->live);
	for (uint32_t i = 0; i < ap->pool.cfg.nframes; i++) ap->sys->frames.free(ap->sys->frames.ctx, ap->frames[i]);
	mm_free(&ap->sys->alloc, ap->frames);
	mm_free(&ap->sys->alloc, ap->frame_slot_mem);
	mm_free(&ap->sys->alloc, ap->pages);
	mm_free(&ap->sys->alloc, ap->free_nums);
	pool_fini(&ap->pool);
}

void anon_attach(struct anon_pool *ap, struct vm_space *s)
{
	s->pager = (struct vm_pager){ .fault = op_fault, .release = op_release,
				      .write_fault = op_write_fault, .share = op_share,
				      .move = op_move, .ctx = ap };
	ap->nspaces++;
}

void anon_detach(struct anon_pool *ap, struct vm_space *s)
{
	while (s->regions) vm_region_remove(s, s->regions->start);
	s->pager = (struct vm_pager){ 0 };
	ap->nspaces--;
}

int anon_set_policy(struct anon_pool *ap, const struct repl_ops *ops)
{
	lock(ap);
	int err = pool_set_policy(&ap->pool, ops);
	unlock(ap);
	return err;
}

const struct anon_page *anon_page_at(const struct anon_pool *ap, const struct vm_space *s, vaddr_t va)
{
	pte_t *e = pte_of(ap, s, va, false);
	return e && *e ? page_of(ap, num_of_pte(ap, *e)) : 0;
}

/* ---- checks and reports -------------------------------------------------- */

/* Whether mapping m is in a VM_SHARED region (writable while shared). */
static bool map_is_shared(const struct anon_pool *ap, const struct anon_rmap *m)
{
	uint32_t st = enter((struct anon_pool *)ap);
	const struct vm_region *r = vm_region_find(m->s, m->va);
	bool shared = r && (r->flags & VM_SHARED);
	leave((struct anon_pool *)ap, st);
	return shared;
}

static int check_page(const struct anon_pool *ap, uint32_t num, struct mm_sink *err)
{
	const struct anon_page *pg = ap->pages[num];
	uint32_t n = 0;
	for (const struct anon_rmap *m = pg->maps; m; m = m->next, n++) {
		pte_t *e = pte_of(ap, m->s, m->va, false);
		pte_t want = pg->slot == REPL_NO_SLOT ? pte_make_swapped(num) : pte_make(ap->frames[pg->slot], 0);
		bool ok = e && (pg->slot == REPL_NO_SLOT ? *e == want : (*e & (PTE_ADDR_MASK | PTE_P)) == (want | PTE_P));
		if (ok && pg->nmap > 1 && (*e & PTE_W) && !map_is_shared(ap, m)) ok = false;
		if (!ok) {
			if (err) mm_format(err, "anon: page %u: PTE of 0x%08x in space %u is 0x%08x\n", num,
					   vaddr_u32(m->va), m->s->id, e ? *e : 0);
			return -MM_EINVAL;
		}
	}
	if (n != pg->nmap || !n) {
		if (err) mm_format(err, "anon: page %u counts %u mappings, has %u\n", num, pg->nmap, n);
		return -MM_EINVAL;
	}
	if (pg->swap != SWAP_NO_SLOT && !swap_in_use(ap->swap, pg->swap)) {
		if (err) mm_format(err, "anon: page %u's swap slot %u is free\n", num, pg->swap);
		return -MM_EINVAL;
	}
	return 0;
}

static int check_all(const struct anon_pool *ap, struct mm_sink *err)
{
	int rc = pool_check(&ap->pool, err);
	uint32_t live = 0, resident = 0;
	for (uint32_t num = 1; !rc && num < ap->next_num; num++) {
		if (!ap->pages[num]) continue;
		live++;
		resident += ap->pages[num]->slot != REPL_NO_SLOT;
		rc = check_page(ap, num, err);
	}
	if (!rc && (live != ap->live || resident != ap->pool.nresident)) {
		if (err) mm_format(err, "anon: %u pages (%u resident), counted %u (%u)\n", live, resident,
				   ap->live, ap->pool.nresident);
		rc = -MM_EINVAL;
	}
	if (rc) return rc;
	uint32_t st = enter((struct anon_pool *)ap);
	rc = swap_check(ap->swap, err);
	leave((struct anon_pool *)ap, st);
	return rc;
}

int anon_check(struct anon_pool *ap, struct mm_sink *err)
{
	lock(ap);
	int rc = check_all(ap, err);
	unlock(ap);
	return rc;
}

void anon_print(struct anon_pool *ap, struct mm_sink *out)
{
	lock(ap);
	mm_format(out, "user pool: %u frames, policy %s, %u resident of %u pages\n", ap->pool.cfg.nframes,
		  ap->pool.cfg.policy->name, ap->pool.nresident, ap->live);
	mm_format(out, "  ");
	pool_format_stats(&ap->pool, out);
	const struct pool_stats *ps = &ap->pool.stats;
	mm_format(out, " swapins=%llu\n", (unsigned long long)ps->swapins);
	mm_format(out, "  evictions by faults=%llu ahead of need=%llu\n  in transit now: %u frames, %u pages in I/O\n",
		  (unsigned long long)(ps->evictions - ps->reclaims), (unsigned long long)ps->reclaims,
		  ap->pool.nbusy, ap->in_flight);
	mm_format(out, "  transit-waits=%llu busy-waits=%llu unlocked-ios=%llu cluster-writes=%llu (%llu pages)\n",
		  (unsigned long long)ap->stats.transit_waits, (unsigned long long)ap->stats.busy_waits,
		  (unsigned long long)ap->stats.unlocked_ios, (unsigned long long)ap->stats.cluster_writes,
		  (unsigned long long)ap->stats.cluster_pages);
	mm_format(out, "  zero-fills=%llu file-fills=%llu file-drops=%llu shares=%llu cow-copies=%llu\n"
		  "  cow-reuses=%llu io-retries=%llu\n",
		  (unsigned long long)ap->stats.zero_fills, (unsigned long long)ap->stats.file_fills,
		  (unsigned long long)ap->stats.file_drops,
		  (unsigned long long)ap->stats.shares, (unsigned long long)ap->stats.cow_copies,
		  (unsigned long long)ap->stats.cow_reuses, (unsigned long long)ap->stats.io_retries);
	unlock(ap);
}
