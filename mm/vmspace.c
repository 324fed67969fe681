/*
 * vmspace.c - address spaces made of regions, and vm_fault(): the decision
 * for a page fault (see vmspace.h). Algorithm: regions are a sorted linked
 * list (spaces hold few regions); a fault finds its region, checks the
 * access against the region's permissions, and resolves a legal
 * not-present access by demand-zero (or hands it to the space's pager).
 */
#include "mm_env.h"
#include "mmlib.h"
#include "vmspace.h"

struct vm_space *vm_space_create(const struct vm_sys *sys)
{
	struct vm_space *s = mm_alloc(&sys->alloc, sizeof(*s));
	if (!s) return 0;
	mm_memset(s, 0, sizeof(*s));
	s->sys = sys;
	s->pd = pgt_create(&sys->frames, sys->kernel_pd);
	if (paddr_is_null(s->pd)) {
		mm_free(&sys->alloc, s);
		return 0;
	}
	return s;
}

/* Unmap one page of a region for good and give back what backs it. */
static void release_page(struct vm_space *s, vaddr_t va)
{
	pte_t *e = pgt_walk(&s->sys->frames, s->pd, va, false);
	if (!e || !*e) return;
	pte_t old = *e;
	*e = 0;
	if (old & PTE_P) mm_tlb_flush_page(va);
	if (s->pager.release) s->pager.release(s->pager.ctx, s, va, old);
	else if (old & PTE_P) s->sys->frames.free(s->sys->frames.ctx, pte_paddr(old));
}

static void release_region(struct vm_space *s, struct vm_region *r)
{
	for (uint32_t i = 0; i < r->npages; i++) release_page(s, vaddr_add(r->start, i * PAGE_SIZE));
}

void vm_space_destroy(struct vm_space *s)
{
	if (!s) return;
	while (s->regions) vm_region_remove(s, s->regions->start);
	pgt_destroy(&s->sys->frames, s->pd);
	mm_free(&s->sys->alloc, s);
}

static vaddr_t region_end(const struct vm_region *r) { return vaddr_add(r->start, r->npages * PAGE_SIZE); }

int vm_region_add(struct vm_space *s, vaddr_t start, uint32_t npages, uint32_t prot)
{
	if (vaddr_page_offset(start) || npages == 0 || !vaddr_lt(start, VM_USER_TOP) ||
	    npages > vaddr_diff(VM_USER_TOP, start) / PAGE_SIZE || (prot & ~(VM_READ | VM_WRITE | VM_USER)))
		return -MM_EINVAL;
	vaddr_t end = vaddr_add(start, npages * PAGE_SIZE);
	struct vm_region **link = &s->regions;
	while (*link && !vaddr_lt(start, region_end(*link))) link = &(*link)->next;
	if (*link && vaddr_lt((*link)->start, end)) return -MM_EEXIST;
	struct vm_region *r = mm_alloc(&s->sys->alloc, sizeof(*r));
	if (!r) return -MM_ENOMEM;
	*r = (struct vm_region){ start, npages, prot, VM_ANON, *link };
	*link = r;
	s->nregions++;
	return 0;
}

int vm_region_remove(struct vm_space *s, vaddr_t start)
{
	struct vm_region **link = &s->regions;
	while (*link && !vaddr_eq((*link)->start, start)) link = &(*link)->next;
	if (!*link) return -MM_ENOENT;
	struct vm_region *r = *link;
	release_region(s, r);
	*link = r->next;
	s->nregions--;
	mm_free(&s->sys->alloc, r);
	return 0;
}

const struct vm_region *vm_region_find(const struct vm_space *s, vaddr_t va)
{
	for (const struct vm_region *r = s->regions; r && !vaddr_lt(va, r->start); r = r->next)
		if (vaddr_lt(va, region_end(r))) return r;
	return 0;
}

uint32_t vm_prot_to_pte(uint32_t prot)
{
	return ((prot & VM_WRITE) ? PTE_W : 0) | ((prot & VM_USER) ? PTE_U : 0);
}

int vm_region_protect(struct vm_space *s, vaddr_t start, uint32_t prot)
{
	struct vm_region *r = s->regions;
	while (r && !vaddr_eq(r->start, start)) r = r->next;
	if (!r) return -MM_ENOENT;
	if (prot & ~(VM_READ | VM_WRITE | VM_USER)) return -MM_EINVAL;
	r->prot = prot;
	for (uint32_t i = 0; i < r->npages; i++)
		pgt_protect(s->pd, vaddr_add(r->start, i * PAGE_SIZE), vm_prot_to_pte(prot));
	return 0;
}

static enum vm_verdict bad(struct vm_space *s, struct vm_fault_info *info, const char *why)
{
	s->stats.bad++;
	info->reason = why;
	return VM_BAD_ACCESS;
}

/* A zero frame: one made ahead of need if the source has one, else a fresh
 * frame cleared now. PADDR_NULL when memory is out. */
static paddr_t zeroed_frame(const struct frame_source *fs)
{
	paddr_t pa = fs->alloc_zeroed ? fs->alloc_zeroed(fs->ctx) : PADDR_NULL;
	if (!paddr_is_null(pa)) return pa;
	pa = fs->alloc(fs->ctx);
	if (!paddr_is_null(pa)) mm_zero_page(mm_phys_to_virt(pa));
	return pa;
}

/* A not-present access the region allows: zero-fill, or ask the pager. */
static enum vm_verdict resolve(struct vm_space *s, const struct vm_region *r, vaddr_t page,
			       bool write, struct vm_fault_info *info)
{
	int err;
	if (s->pager.fault) {
		err = s->pager.fault(s->pager.ctx, s, r, page, write);
		if (!err) s->stats.paged++;
	} else {
		paddr_t pa = zeroed_frame(&s->sys->frames);
		if (paddr_is_null(pa)) {
			err = -MM_ENOMEM;
		} else {
			err = pgt_map(&s->sys->frames, s->pd, page, pa, vm_prot_to_pte(r->prot));
			if (err) s->sys->frames.free(s->sys->frames.ctx, pa);
			else s->stats.zero_fills++;
		}
	}
	if (err == 0) return VM_RESOLVED;
	s->stats.oom++;
	info->reason = err == -MM_ENOSPC ? "swap space exhausted"
		     : err == -MM_EIO ? "swap device error" : "out of memory";
	return VM_OOM;
}

enum vm_verdict vm_fault(struct vm_space *s, vaddr_t addr, uint32_t err, struct vm_fault_info *info)
{
	bool write = err & PF_W, user = err & PF_U;
	info->addr = addr;
	info->err = err;
	info->reason = 0;
	s->stats.faults++;
	if (err & PF_RSVD) return bad(s, info, "reserved bit set in a page-table entry");
	if (!vaddr_lt(addr, VM_USER_TOP))
		return bad(s, info, user ? "user access to kernel memory" : "kernel address not mapped");
	const struct vm_region *r = vm_region_find(s, addr);
	if (!r) return bad(s, info, "address outside every region");
	if (user && !(r->prot & VM_USER)) return bad(s, info, "user access to a supervisor region");
	if (write && !(r->prot & VM_WRITE)) return bad(s, info, "write to a read-only page");
	if (!write && !(r->prot & (VM_READ | VM_WRITE))) return bad(s, info, "access to a no-access region");
	if (err & PF_P) return bad(s, info, "protection violation on a present page");
	return resolve(s, r, vaddr_page_down(addr), write, info);
}

const char *vm_prot_str(uint32_t prot, char *buf)
{
	buf[0] = (prot & VM_READ) ? 'r' : '-';
	buf[1] = (prot & VM_WRITE) ? 'w' : '-';
	buf[2] = (prot & VM_USER) ? 'u' : 'k';
	buf[3] = 0;
	return buf;
}

void vm_describe_err(uint32_t err, struct mm_sink *out)
{
	mm_format(out, "%s %s page from %s mode%s%s", err & PF_W ? "write to a" : "read of a",
		  err & PF_P ? "present" : "not-present", err & PF_U ? "user" : "kernel",
		  err & PF_RSVD ? ", reserved bit set" : "", err & PF_I ? ", instruction fetch" : "");
}

void vm_space_print(const struct vm_space *s, struct mm_sink *out)
{
	char p[5];
	mm_format(out, "space %u: page directory at 0x%08x, %u regions\n", s->id, paddr_u32(s->pd),
		  s->nregions);
	for (const struct vm_region *r = s->regions; r; r = r->next) {
		uint32_t present = 0;
		for (uint32_t i = 0; i < r->npages; i++)
			present += pgt_translate(s->pd, vaddr_add(r->start, i * PAGE_SIZE), 0, 0) == 0;
		mm_format(out, "  0x%08x-0x%08x %s %6u pages, %u present\n", vaddr_u32(r->start),
			  vaddr_u32(region_end(r)), vm_prot_str(r->prot, p), r->npages, present);
	}
	mm_format(out, "  faults %llu, zero-fills %llu, bad %llu, out-of-memory %llu\n",
		  (unsigned long long)s->stats.faults, (unsigned long long)s->stats.zero_fills,
		  (unsigned long long)s->stats.bad, (unsigned long long)s->stats.oom);
}
