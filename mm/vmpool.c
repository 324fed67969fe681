/*
 * vmpool.c - the pool backend over real PTEs and a swap area (see vmpool.h
 * for the eviction, load and harvest rules). The order in which the policy
 * hears of faults and references is pool.c's; this file only acts on the
 * page tables and the swap device.
 */
#include "mm_env.h"
#include "mmlib.h"
#include "vmpool.h"
#include "pool_fault.h"
#include "check.h"

static struct vm_space *key_space(const struct vmpool *vp, uint64_t key)
{
	uint32_t idx = (uint32_t)(key >> 32);
	return idx < VMPOOL_MAX_SPACES ? vp->spaces[idx] : 0;
}

static vaddr_t key_va(uint64_t key) { return vaddr_of_vpn((uint32_t)(key & 0xFFFFFu)); }

uint64_t vmpool_key(const struct vmpool *vp, const struct vm_space *s, vaddr_t va)
{
	uint32_t i = s->pager_index;
	MM_ASSERT(i < VMPOOL_MAX_SPACES && vp->spaces[i] == s, "space %p is not attached to pool %p",
		  (const void *)s, (const void *)vp);
	return ((uint64_t)i << 32) | vaddr_vpn(va);
}

struct vm_space *vmpool_key_owner(const struct vmpool *vp, uint64_t key, vaddr_t *va)
{
	*va = key_va(key);
	return key_space(vp, key);
}

struct vm_space *vmpool_slot_owner(const struct vmpool *vp, uint32_t slot, vaddr_t *va)
{
	*va = VADDR_NULL;
	if (slot >= vp->pool.cfg.nframes || !pool_slot_used(&vp->pool, slot)) return 0;
	return vmpool_key_owner(vp, pool_slot_page(&vp->pool, slot), va);
}

/* Write the resident page of pool slot sl (from its frame) to its swap slot,
 * taking a new one if it has none. 0, -MM_ENOSPC or -MM_EIO. */
POOL_INLINE int write_back(struct vmpool *vp, struct vmpool_slot *sl)
{
	uint32_t sw = sl->swap;
	bool fresh = sw == SWAP_NO_SLOT;
	if (fresh) {
		sw = swap_alloc(vp->swap);
		if (sw == SWAP_NO_SLOT) {
			vp->last_error = "swap space exhausted";
			return -MM_ENOSPC;
		}
	}
	if (swap_write_held(vp->swap, sw, sl->kva)) {
		if (fresh) swap_free(vp->swap, sw);
		vp->last_error = "swap device error";
		return -MM_EIO;
	}
	sl->swap = sw;
	return 0;
}

/* The fault in progress: the ctx of the evict and load that pager_fault
 * compiles into its fault sequence (on its stack, so its fields need not
 * live in memory at all). */
struct vmpool_fault {
	struct vmpool *vp;
	const struct vm_region *region; /* the faulting page's region, */
	uint64_t key;                   /* its key */
	pte_t *pte;                     /* and its PTE */
};

POOL_INLINE int evict_page(struct vmpool *vp, uint32_t slot, uint64_t key)
{
	struct vmpool_slot *sl = &vp->slots[slot];
	pte_t *e = sl->pte;
	vaddr_t va = key_va(key);
	MM_ASSERT(e && (*e & PTE_P), "evicting page 0x%08x of slot %u: not present", vaddr_u32(va), slot);
	pte_t pte = *e;
	MM_ASSERT(paddr_eq(pte_paddr(pte), sl->frame), "slot %u maps frame 0x%x, PTE says 0x%x", slot,
		  paddr_u32(sl->frame), paddr_u32(pte_paddr(pte)));
	bool write = (pte & PTE_D) || sl->swap == SWAP_NO_SLOT;
	if (write) {
		int err = write_back(vp, sl);
		if (err) return err;
	}
	*e = pte_make_swapped(sl->swap);
	sl->swap = SWAP_NO_SLOT;
	sl->pte = 0;
	mm_tlb_flush_page(va);
	return write ? 1 : 0;
}

static int be_evict(void *ctx, uint32_t slot, uint64_t key) { return evict_page(ctx, slot, key); }

POOL_INLINE int fault_evict(void *ctx, uint32_t slot, uint64_t key)
{
	return evict_page(((struct vmpool_fault *)ctx)->vp, slot, key);
}

/* Loads happen only inside pager_fault, which found the region and the
 * PTE (making its page table): both come from the fault in progress. */
POOL_INLINE int fault_load(void *ctx, uint32_t slot, uint64_t key, bool is_write)
{
	const struct vmpool_fault *f = ctx;
	struct vmpool *vp = f->vp;
	const struct vm_region *r = f->region;
	MM_ASSERT(key == f->key, "loading page %llx in the fault of %llx", (unsigned long long)key,
		  (unsigned long long)f->key);
	struct vmpool_slot *sl = &vp->slots[slot];
	pte_t *e = f->pte;
	pte_t pte = *e;
	uint32_t sw = SWAP_NO_SLOT;
	if (pte_is_swapped(pte)) {
		sw = pte_swap_slot(pte);
		if (swap_read_held(vp->swap, sw, sl->kva)) {
			vp->last_error = "swap device error";
			return -MM_EIO;
		}
	} else {
		mm_zero_page(sl->kva);
	}
	sl->swap = sw;
	sl->pte = e;
	*e = pte_make(sl->frame, vm_prot_to_pte(r->prot) | PTE_P);
	return sw != SWAP_NO_SLOT;
}

/* The backend's load, for pool.c's own fault entries: a vmpool's pages come
 * in only through its pager (vm_fault), which knows their region and PTE. */
static int be_load(void *ctx, uint32_t slot, uint64_t key, bool is_write)
{
	mm_panic(__FILE__, __LINE__, "vmpool: page %llx loaded outside its pager's fault", (unsigned long long)key);
}

static unsigned be_harvest(void *ctx, uint32_t slot)
{
	struct vmpool *vp = ctx;
	uint64_t key = pool_slot_page(&vp->pool, slot);
	uint32_t bits = pte_harvest(vp->slots[slot].pte, key_va(key), false);
	return ((bits & PTE_A) ? POOL_ACCESSED : 0) | ((bits & PTE_D) ? POOL_DIRTY : 0);
}

/* The slot holding the page of key: its PTE is present and maps a frame
 * of the pool whose slot remembers that PTE (else REPL_NO_SLOT). */
static uint32_t be_lookup(void *ctx, uint64_t key)
{
	struct vmpool *vp = ctx;
	struct vm_space *s = key_space(vp, key);
	pte_t *e = s ? pgt_find_in(s->pd_kva, key_va(key)) : 0;
	if (!e || !(*e & PTE_P)) return REPL_NO_SLOT;
	uint32_t slot = repl_map_get(&vp->frame_slot, pfn_u32(paddr_to_pfn(pte_paddr(*e))));
	return slot != REPL_MAP_NONE && vp->slots[slot].pte == e ? slot : REPL_NO_SLOT;
}

/* Validate, then commit: the page table the new page needs is made before
 * the pool may evict anything, so a fault that fails for want of it leaves
 * every page where it was. A PTE not present is a page not resident (the
 * check holds them equal): the pool need not look it up. */
static int pager_fault(void *ctx, struct vm_space *s, const struct vm_region *r, vaddr_t va, bool write)
{
	struct vmpool *vp = ctx;
	vp->last_error = 0;
	struct vmpool_fault f = { vp, r, 0, pgt_find_in(s->pd_kva, va) }; /* (a swapped page's table is there) */
	if (!f.pte) f.pte = pgt_walk(&vp->sys->frames, s->pd, va, true);
	if (!f.pte) {
		vp->last_error = "out of memory for a page table";
		return -MM_ENOMEM;
	}
	if (*f.pte & PTE_P) return -MM_EEXIST; /* resident: nothing to bring in */
	f.key = vmpool_key(vp, s, va);
	/* pool_fault_absent, with this file's evict and load as direct calls
	 * and no page map (be_lookup answers for it) */
	int rc = pool_fault_absent_ops(&vp->pool, f.key, write, fault_evict, fault_load, false, &f);
	return rc < 0 ? rc : 0;
}

static void pager_release(void *ctx, struct vm_space *s, vaddr_t va)
{
	struct vmpool *vp = ctx;
	pte_t *e = pgt_walk(&vp->sys->frames, s->pd, va, false);
	pte_t pte = *e;
	uint32_t sw = SWAP_NO_SLOT;
	if (pte & PTE_P) { /* (released while the PTE still finds its slot) */
		int slot = pool_lookup(&vp->pool, vmpool_key(vp, s, va));
		MM_ASSERT(slot >= 0, "present page 0x%08x is not in the pool", vaddr_u32(va));
		sw = vp->slots[slot].swap;
		pool_release(&vp->pool, vmpool_key(vp, s, va));
		vp->slots[slot].swap = SWAP_NO_SLOT;
		vp->slots[slot].pte = 0;
	} else if (pte_is_swapped(pte)) {
		sw = pte_swap_slot(pte);
	}
	*e = 0;
	if (pte & PTE_P) mm_tlb_flush_page(va);
	if (sw != SWAP_NO_SLOT) swap_free(vp->swap, sw);
}

int vmpool_init(struct vmpool *vp, const struct vm_sys *sys, struct swap_area *sw,
		const struct pool_config *cfg)
{
	mm_memset(vp, 0, sizeof(*vp));
	vp->sys = sys;
	vp->swap = sw;
	struct pool_backend be = { .evict = be_evict, .load = be_load, .harvest = be_harvest, .ctx = vp,
				   .lookup = be_lookup };
	int err = pool_init(&vp->pool, cfg, &be, &sys->alloc);
	if (err) return err;
	uint32_t n = cfg->nframes;
	vp->slots = mm_alloc(&sys->alloc, n * sizeof(struct vmpool_slot));
	vp->frame_slot_mem = mm_alloc(&sys->alloc, repl_map_bytes(n));
	if (!vp->slots || !vp->frame_slot_mem) goto out_of_memory;
	repl_map_init(&vp->frame_slot, vp->frame_slot_mem, n);
	for (uint32_t i = 0; i < n; i++) {
		vp->slots[i].swap = SWAP_NO_SLOT;
		vp->slots[i].pte = 0;
		vp->slots[i].frame = sys->frames.alloc(sys->frames.ctx);
		if (paddr_is_null(vp->slots[i].frame)) {
			while (i--) sys->frames.free(sys->frames.ctx, vp->slots[i].frame);
			goto out_of_memory;
		}
		vp->slots[i].kva = mm_phys_to_virt(vp->slots[i].frame);
		err = repl_map_put(&vp->frame_slot, pfn_u32(paddr_to_pfn(vp->slots[i].frame)), i);
		MM_ASSERT(err == 0, "vmpool: frame table full at slot %u of %u", i, n);
	}
	return 0;
out_of_memory:
	mm_free(&sys->alloc, vp->frame_slot_mem);
	mm_free(&sys->alloc, vp->slots);
	pool_fini(&vp->pool);
	return -MM_ENOMEM;
}

void vmpool_fini(struct vmpool *vp)
{
	for (uint32_t i = 0; i < VMPOOL_MAX_SPACES; i++)
		MM_ASSERT(!vp->spaces[i], "pool finished with space %u attached", i);
	for (uint32_t i = 0; i < vp->pool.cfg.nframes; i++) vp->sys->frames.free(vp->sys->frames.ctx, vp->slots[i].frame);
	mm_free(&vp->sys->alloc, vp->frame_slot_mem);
	mm_free(&vp->sys->alloc, vp->slots);
	pool_fini(&vp->pool);
}

int vmpool_attach(struct vmpool *vp, struct vm_space *s)
{
	for (uint32_t i = 0; i < VMPOOL_MAX_SPACES; i++) {
		if (vp->spaces[i]) continue;
		vp->spaces[i] = s;
		s->pager_index = i;
		s->pager = (struct vm_pager){ .fault = pager_fault, .release = pager_release, .ctx = vp };
		return 0;
	}
	return -MM_ENOSPC;
}

void vmpool_detach(struct vmpool *vp, struct vm_space *s)
{
	while (s->regions) vm_region_remove(s, s->regions->start); /* releases every page */
	for (uint32_t i = 0; i < VMPOOL_MAX_SPACES; i++)
		if (vp->spaces[i] == s) vp->spaces[i] = 0;
	s->pager = (struct vm_pager){ 0 };
}

int vmpool_access_done(struct vmpool *vp, const struct vm_space *s, vaddr_t va)
{
	uint32_t irq = mm_irq_save(); /* a critical section: see pool.h, INTERRUPTS AND LOCKING */
	int rc = pool_access_done(&vp->pool, vmpool_key(vp, s, va));
	mm_irq_restore(irq);
	return rc;
}

/* Every slot's frame finds that slot in the frame table, and nothing else is in it. */
static int check_frame_slots(const struct vmpool *vp, struct mm_sink *err)
{
	uint32_t n = vp->pool.cfg.nframes;
	int rc = repl_map_check(&vp->frame_slot, err);
	if (rc) return rc;
	if (vp->frame_slot.count != n)
		return mm_bad(err, "vmpool: frame table holds %u frames of %u", vp->frame_slot.count, n);
	for (uint32_t slot = 0; slot < n; slot++) {
		pfn_t pfn = paddr_to_pfn(vp->slots[slot].frame);
		if (repl_map_get(&vp->frame_slot, pfn_u32(pfn)) != slot)
			return mm_bad(err, "vmpool: frame 0x%x of slot %u is not found as its", pfn_u32(pfn), slot);
	}
	return 0;
}

int vmpool_check(const struct vmpool *vp, struct mm_sink *err)
{
	int rc = check_frame_slots(vp, err);
	if (rc) return rc;
	rc = pool_check(&vp->pool, err);
	if (rc) return rc;
	for (uint32_t slot = 0; slot < vp->pool.cfg.nframes; slot++) {
		if (!pool_slot_used(&vp->pool, slot)) continue;
		uint64_t key = pool_slot_page(&vp->pool, slot);
		struct vm_space *s = key_space(vp, key);
		paddr_t pa;
		if (!s || pgt_translate(s->pd, key_va(key), &pa, 0) ||
		    !paddr_eq(paddr_page_down(pa), vp->slots[slot].frame)) {
			if (err) mm_format(err, "vmpool: slot %u (page %llx) is not mapped to its frame\n", slot,
					   (unsigned long long)key);
			return -MM_EINVAL;
		}
		if (vp->slots[slot].pte != pgt_walk(&vp->sys->frames, s->pd, key_va(key), false)) {
			if (err) mm_format(err, "vmpool: slot %u (page %llx) remembers another PTE\n", slot,
					   (unsigned long long)key);
			return -MM_EINVAL;
		}
		uint32_t sw = vp->slots[slot].swap;
		if (sw != SWAP_NO_SLOT && !swap_in_use(vp->swap, sw)) {
			if (err) mm_format(err, "vmpool: slot %u's swap copy %u is not in use\n", slot, sw);
			return -MM_EINVAL;
		}
	}
	return swap_check(vp->swap, err);
}

void vmpool_print(const struct vmpool *vp, struct mm_sink *out)
{
	uint32_t copies = 0;
	for (uint32_t i = 0; i < vp->pool.cfg.nframes; i++) copies += vp->slots[i].swap != SWAP_NO_SLOT;
	mm_format(out, "pool: %u frames, policy %s, %u resident (%u with a valid swap copy)\n",
		  vp->pool.cfg.nframes, vp->pool.cfg.policy->name, vp->pool.nresident, copies);
	mm_format(out, "  ");
	pool_format_stats(&vp->pool, out);
	mm_format(out, " swapins=%llu\n", (unsigned long long)vp->pool.stats.swapins);
}
