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
	*pg = (struct anon_page){ 1, REPL_NO_SLOT, SWAP_NO_SLOT, false, m };
	uint32_t num = ap->nfree ? ap->free_nums[--ap->nfree] : ap->next_num++;
	ap->pages[num] = pg;
	ap->live++;
	return num;
}

static void page_delete(struct anon_pool *ap, uint32_t num)
{
	struct anon_page *pg = page_of(ap, num);
	MM_ASSERT(!pg->nmap && !pg->maps, "anon page %u deleted with %u mappings", num, pg->nmap);
	if (pg->swap != SWAP_NO_SLOT) swap_free(ap->swap, pg->swap);
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

/* The PTE flags of one mapping of a resident page. */
static uint32_t map_flags(const struct anon_page *pg, const struct anon_rmap *m)
{
	const struct vm_region *r = vm_region_find(m->s, m->va);
	MM_ASSERT(r, "mapping 0x%08x of space %u has no region", vaddr_u32(m->va), m->s->id);
	uint32_t f = vm_prot_to_pte(r->prot);
	if (pg->nmap > 1) f &= ~PTE_W;
	return f | PTE_P;
}

/* ---- the pool's backend ------------------------------------------------ */

static int write_back(struct anon_pool *ap, struct anon_page *pg, paddr_t frame)
{
	bool fresh = pg->swap == SWAP_NO_SLOT;
	uint32_t sw = fresh ? swap_alloc(ap->swap) : pg->swap;
	if (sw == SWAP_NO_SLOT) {
		ap->last_error = "swap space exhausted";
		return -MM_ENOSPC;
	}
	if (swap_write(ap->swap, sw, mm_phys_to_virt(frame))) {
		if (fresh) swap_free(ap->swap, sw);
		ap->last_error = "swap device error";
		return -MM_EIO;
	}
	pg->swap = sw;
	return 0;
}

static int be_evict(void *ctx, uint32_t slot, uint64_t key)
{
	struct anon_pool *ap = ctx;
	uint32_t num = (uint32_t)key;
	struct anon_page *pg = page_of(ap, num);
	bool written = false;
	/* Unmap first: nobody may change the page while it is written out
	 * (the write may sleep, and other processes run meanwhile). */
	for (struct anon_rmap *m = pg->maps; m; m = m->next) {
		pte_t *e = pte_of(ap, m->s, m->va, false);
		written |= (*e & PTE_D) != 0;
		*e = pte_make_swapped(num);
		mm_tlb_flush_page(m->va);
	}
	bool dirty = written || (pg->swap == SWAP_NO_SLOT && !pg->from_file);
	if (dirty) {
		int err = write_back(ap, pg, ap->frames[slot]);
		if (err) { /* the page stays resident, mapped as before (dirty again) */
			for (struct anon_rmap *m = pg->maps; m; m = m->next)
				*pte_of(ap, m->s, m->va, false) = pte_make(ap->frames[slot], map_flags(pg, m)) | (written ? PTE_D : 0);
			return err;
		}
		pg->from_file = false;
	} else if (pg->from_file) {
		ap->stats.file_drops++;
	}
	pg->slot = REPL_NO_SLOT;
	return dirty ? 1 : 0;
}

/* Loads happen inside pager calls, which set what the page starts as:
 * ap->fill (a copy's source), ap->fill_region (a first touch), or neither
 * (it comes back from swap). */
static int be_load(void *ctx, uint32_t slot, uint64_t key, bool is_write)
{
	struct anon_pool *ap = ctx;
	struct anon_page *pg = page_of(ap, (uint32_t)key);
	paddr_t frame = ap->frames[slot];
	void *kva = mm_phys_to_virt(frame);
	int from_swap = 0;
	if (pg->swap != SWAP_NO_SLOT) {
		if (swap_read(ap->swap, pg->swap, kva)) {
			ap->last_error = "swap device error";
			return -MM_EIO;
		}
		from_swap = 1;
	} else if (ap->fill) {
		if (ap->fill != kva) mm_copy_page(kva, ap->fill); /* (the same frame: its own victim) */
	} else if (pg->from_file) { /* dropped clean: its first mapping's region has the bytes */
		vm_region_fill(vm_region_find(pg->maps->s, pg->maps->va), pg->maps->va, kva);
		ap->stats.file_fills++;
	} else {
		MM_ASSERT(ap->fill_region, "anon page %u loaded with no contents", (uint32_t)key);
		vm_region_fill(ap->fill_region, ap->fill_va, kva);
		pg->from_file = ap->fill_region->kind == VM_FILE;
		if (pg->from_file) ap->stats.file_fills++;
		else ap->stats.zero_fills++;
	}
	pg->slot = slot;
	for (struct anon_rmap *m = pg->maps; m; m = m->next)
		*pte_of(ap, m->s, m->va, false) = pte_make(frame, map_flags(pg, m));
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

/* Bring page num in (its PTEs follow); the fill fields say what a page
 * without a swap copy starts as. */
#define IO_TRIES 3 /* a swap I/O error is tried again this many times in all */

static int bring_in(struct anon_pool *ap, uint32_t num, bool write)
{
	ap->last_error = 0;
	int rc = pool_fault(&ap->pool, num, write);
	for (int tries = 1; rc == -MM_EIO && tries < IO_TRIES; tries++) {
		ap->stats.io_retries++; /* the pages stayed where they were: try again */
		rc = pool_fault(&ap->pool, num, write);
	}
	ap->fill = 0;
	ap->fill_region = 0;
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
	if (pte_is_swapped(*e)) return bring_in(ap, pte_swap_slot(*e), write);
	if (*e & PTE_P) return 0; /* brought in while we waited for the lock: try again */
	MM_ASSERT(*e == 0, "fault on 0x%08x with PTE 0x%08x", vaddr_u32(va), *e);
	uint32_t num = page_new(ap, s, va);
	if (!num) {
		ap->last_error = "out of memory for a page";
		return -MM_ENOMEM;
	}
	ap->fill_region = r;
	ap->fill_va = va;
	int err = bring_in(ap, num, write);
	if (err) {
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
	*e = 0;
	mm_tlb_flush_page(va);
	ap->fill = src;
	int err = bring_in(ap, copy, true);
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
			pte_t *oe = pte_of(ap, o->s, o->va, false);
			pte_t d = o == m ? 0 : (*oe & PTE_D);
			*oe = pte_make(ap->frames[pg->slot], map_flags(pg, o)) | d;
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
	if (page_of(ap, num)->nmap == 1) {
		*e |= PTE_W;
		mm_tlb_flush_page(va);
		ap->stats.cow_reuses++;
		return 0;
	}
	return copy_page(ap, s, va, num, e);
}

static int pager_share(void *ctx, struct vm_space *dst, struct vm_space *src, vaddr_t va)
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
		*se &= ~PTE_W;
		mm_tlb_flush_page(va);
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

static void pager_release(void *ctx, struct vm_space *s, vaddr_t va)
{
	struct anon_pool *ap = ctx;
	pte_t *e = pte_of(ap, s, va, false);
	pte_t pte = *e;
	if (!pte) return; /* (emptied while we waited for the lock) */
	*e = 0;
	if (pte & PTE_P) mm_tlb_flush_page(va);
	uint32_t num = num_of_pte(ap, pte);
	struct anon_page *pg = page_of(ap, num);
	mm_free(&ap->sys->alloc, unlink_map(pg, s, va));
	if (pg->nmap) return;
	if (pg->slot != REPL_NO_SLOT) pool_release(&ap->pool, num);
	page_delete(ap, num);
}

/* ---- the pager's entry points: each under the pool's lock ------------------ */

static void lock(struct anon_pool *ap)
{
	if (ap->sync.lock) ap->sync.lock(ap->sync.ctx);
}

static void unlock(struct anon_pool *ap)
{
	if (ap->sync.unlock) ap->sync.unlock(ap->sync.ctx);
}

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

static int op_share(void *ctx, struct vm_space *dst, struct vm_space *src, vaddr_t va)
{
	lock(ctx);
	int err = pager_share(ctx, dst, src, va);
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
	lock(ctx);
	pager_release(ctx, s, va);
	unlock(ctx);
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
	struct pool_backend be = { be_evict, be_load, be_harvest, 0, ap };
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

static int check_page(const struct anon_pool *ap, uint32_t num, struct mm_sink *err)
{
	const struct anon_page *pg = ap->pages[num];
	uint32_t n = 0;
	for (const struct anon_rmap *m = pg->maps; m; m = m->next, n++) {
		pte_t *e = pte_of(ap, m->s, m->va, false);
		pte_t want = pg->slot == REPL_NO_SLOT ? pte_make_swapped(num) : pte_make(ap->frames[pg->slot], 0);
		bool ok = e && (pg->slot == REPL_NO_SLOT ? *e == want : (*e & (PTE_ADDR_MASK | PTE_P)) == (want | PTE_P));
		if (ok && pg->nmap > 1 && (*e & PTE_W)) ok = false;
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
	return rc ? rc : swap_check(ap->swap, err);
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
	mm_format(out, " swapins=%llu\n", (unsigned long long)ap->pool.stats.swapins);
	mm_format(out, "  zero-fills=%llu file-fills=%llu file-drops=%llu shares=%llu cow-copies=%llu\n"
		  "  cow-reuses=%llu io-retries=%llu\n",
		  (unsigned long long)ap->stats.zero_fills, (unsigned long long)ap->stats.file_fills,
		  (unsigned long long)ap->stats.file_drops,
		  (unsigned long long)ap->stats.shares, (unsigned long long)ap->stats.cow_copies,
		  (unsigned long long)ap->stats.cow_reuses, (unsigned long long)ap->stats.io_retries);
	unlock(ap);
}
