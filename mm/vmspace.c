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
	s->pd_kva = mm_phys_to_virt(s->pd);
	return s;
}

/* Unmap one page of a region for good and give back what backs it. */
static void release_page(struct vm_space *s, vaddr_t va)
{
	pte_t *e = pgt_walk(&s->sys->frames, s->pd, va, false);
	if (!e || !*e) return;
	if (s->pager.release) {
		s->pager.release(s->pager.ctx, s, va);
		return;
	}
	pte_t old = *e;
	*e = 0;
	if (old & PTE_P) mm_tlb_flush_page(va);
	if (old & PTE_P) s->sys->frames.free(s->sys->frames.ctx, pte_paddr(old));
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

static bool range_ok(vaddr_t start, uint32_t npages)
{
	return !vaddr_page_offset(start) && npages && vaddr_lt(start, VM_USER_TOP) &&
	       npages <= vaddr_diff(VM_USER_TOP, start) / PAGE_SIZE;
}

/* The link where a region starting at start belongs (before the first
 * region that ends after start). */
static struct vm_region **link_at(struct vm_space *s, vaddr_t start)
{
	struct vm_region **link = &s->regions;
	while (*link && !vaddr_lt(start, region_end(*link))) link = &(*link)->next;
	return link;
}

int vm_region_add_desc(struct vm_space *s, const struct vm_region *d)
{
	if (!range_ok(d->start, d->npages) || (d->prot & ~(VM_READ | VM_WRITE | VM_USER)) ||
	    (d->kind == VM_FILE && !d->file && d->file_len) ||
	    ((d->flags & VM_NOWRITE) && (d->prot & VM_WRITE)))
		return -MM_EINVAL;
	vaddr_t end = vaddr_add(d->start, d->npages * PAGE_SIZE);
	struct vm_region **link = link_at(s, d->start);
	if (*link && vaddr_lt((*link)->start, end)) return -MM_EEXIST;
	struct vm_region *r = mm_alloc(&s->sys->alloc, sizeof(*r));
	if (!r) return -MM_ENOMEM;
	*r = *d;
	r->next = *link;
	*link = r;
	s->nregions++;
	return 0;
}

int vm_region_add(struct vm_space *s, vaddr_t start, uint32_t npages, uint32_t prot)
{
	struct vm_region d = { .start = start, .npages = npages, .prot = prot, .kind = VM_ANON };
	return vm_region_add_desc(s, &d);
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

/* Pages [first, first + n) of r get permissions prot. A pager that copies
 * on write decides itself when a present page may be written: for it, W is
 * only ever taken away here. */
static void reprotect(struct vm_space *s, struct vm_region *r, uint32_t first, uint32_t n, uint32_t prot)
{
	uint32_t flags = vm_prot_to_pte(prot);
	bool cow = s->pager.write_fault != 0;
	r->prot = prot;
	for (uint32_t i = first; i < first + n; i++) {
		vaddr_t va = vaddr_add(r->start, i * PAGE_SIZE);
		uint32_t now = 0;
		if (pgt_translate(s->pd, va, 0, &now)) continue;
		uint32_t f = cow ? (flags & ~PTE_W) | (now & flags & PTE_W) : flags;
		pgt_protect(s->pd, va, f);
	}
}

int vm_region_protect(struct vm_space *s, vaddr_t start, uint32_t prot)
{
	struct vm_region *r = s->regions;
	while (r && !vaddr_eq(r->start, start)) r = r->next;
	if (!r) return -MM_ENOENT;
	if (prot & ~(VM_READ | VM_WRITE | VM_USER)) return -MM_EINVAL;
	if ((prot & VM_WRITE) && (r->flags & VM_NOWRITE)) return -MM_EACCES;
	reprotect(s, r, 0, r->npages, prot);
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

static enum vm_verdict failed(struct vm_space *s, int err, struct vm_fault_info *info)
{
	s->stats.oom++;
	info->reason = err == -MM_ENOSPC ? "swap space exhausted"
		     : err == -MM_EIO ? "swap device error" : "out of memory";
	return VM_OOM;
}

/* A not-present access the region allows: zero-fill, or ask the pager. */
static enum vm_verdict resolve(struct vm_space *s, const struct vm_region *r, vaddr_t page,
			       bool write, struct vm_fault_info *info)
{
	int err;
	if (s->pager.fault) {
		err = s->pager.fault(s->pager.ctx, s, r, page, write);
		if (!err) s->stats.paged++;
	} else if (r->kind == VM_FILE) {
		paddr_t pa = s->sys->frames.alloc(s->sys->frames.ctx);
		err = paddr_is_null(pa) ? -MM_ENOMEM : 0;
		if (!err) {
			vm_region_fill(r, page, mm_phys_to_virt(pa));
			err = pgt_map(&s->sys->frames, s->pd, page, pa, vm_prot_to_pte(r->prot));
			if (err) s->sys->frames.free(s->sys->frames.ctx, pa);
		}
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
	return failed(s, err, info);
}

static enum vm_verdict copy_on_write(struct vm_space *s, const struct vm_region *r, vaddr_t page,
				     struct vm_fault_info *info)
{
	int err = s->pager.write_fault(s->pager.ctx, s, r, page);
	if (err) return failed(s, err, info);
	s->stats.cow++;
	return VM_RESOLVED;
}

/* A fault below a stack region, within its reach and not into another
 * region: the stack grows down to the page. */
static const struct vm_region *grow_stack(struct vm_space *s, vaddr_t page)
{
	struct vm_region *prev = 0, *r = s->regions;
	while (r && !vaddr_lt(page, r->start)) {
		prev = r;
		r = r->next;
	}
	if (!r || !(r->flags & VM_GROWSDOWN) || (prev && vaddr_lt(page, region_end(prev)))) return 0;
	uint32_t grow = vaddr_diff(r->start, page) / PAGE_SIZE;
	if (r->npages + grow > VM_STACK_MAX_PAGES) return 0;
	uint32_t st = s->sys->crit_enter ? s->sys->crit_enter() : 0;
	r->start = page; /* (a look-up between these two would miss the stack) */
	r->npages += grow;
	if (s->sys->crit_leave) s->sys->crit_leave(st);
	return r;
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
	if (!r) r = grow_stack(s, vaddr_page_down(addr));
	if (!r) return bad(s, info, "address outside every region");
	if (user && !(r->prot & VM_USER)) return bad(s, info, "user access to a supervisor region");
	if (write && !(r->prot & VM_WRITE)) return bad(s, info, "write to a read-only page");
	if (!write && !(r->prot & (VM_READ | VM_WRITE))) return bad(s, info, "access to a no-access region");
	if (err & PF_P) {
		if (write && s->pager.write_fault) return copy_on_write(s, r, vaddr_page_down(addr), info);
		return bad(s, info, "protection violation on a present page");
	}
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
	mm_format(out, "  faults %llu, zero-fills %llu, paged in %llu, copy-on-write %llu, bad %llu,\n"
		  "  out-of-memory %llu\n",
		  (unsigned long long)s->stats.faults, (unsigned long long)s->stats.zero_fills,
		  (unsigned long long)s->stats.paged, (unsigned long long)s->stats.cow,
		  (unsigned long long)s->stats.bad, (unsigned long long)s->stats.oom);
}

void vm_region_fill(const struct vm_region *r, vaddr_t page, void *dst)
{
	uint32_t off = vaddr_diff(page, r->start), n = 0;
	if (r->kind == VM_FILE && off < r->file_len) {
		n = r->file_len - off < PAGE_SIZE ? r->file_len - off : PAGE_SIZE;
		mm_memcpy(dst, r->file + off, n);
	}
	if (n == 0) mm_zero_page(dst);
	else mm_memset((uint8_t *)dst + n, 0, PAGE_SIZE - n);
}

bool vm_range_free(const struct vm_space *s, vaddr_t start, uint32_t npages)
{
	if (!range_ok(start, npages)) return false;
	vaddr_t end = vaddr_add(start, npages * PAGE_SIZE);
	for (const struct vm_region *r = s->regions; r && vaddr_lt(r->start, end); r = r->next)
		if (vaddr_lt(start, region_end(r))) return false;
	return true;
}

bool vm_range_mapped(const struct vm_space *s, vaddr_t start, uint32_t npages)
{
	if (!range_ok(start, npages)) return false;
	vaddr_t at = start, end = vaddr_add(start, npages * PAGE_SIZE);
	for (const struct vm_region *r = s->regions; r && vaddr_lt(at, end); r = r->next) {
		if (!vaddr_lt(at, region_end(r))) continue;
		if (vaddr_lt(at, r->start)) return false;
		at = region_end(r);
	}
	return !vaddr_lt(at, end);
}

/* Split r at page index `at` (0 < at < npages): r keeps [0, at), a new
 * region `tail` (memory supplied) takes the rest. */
static void split(struct vm_space *s, struct vm_region *r, uint32_t at, struct vm_region *tail)
{
	*tail = *r;
	tail->start = vaddr_add(r->start, at * PAGE_SIZE);
	tail->npages = r->npages - at;
	uint32_t off = at * PAGE_SIZE;
	tail->file = r->file ? r->file + off : 0;
	tail->file_len = r->file_len > off ? r->file_len - off : 0;
	tail->flags = r->flags;
	r->flags &= ~VM_GROWSDOWN; /* only the lowest part of a stack grows */
	r->npages = at;
	r->next = tail;
	s->nregions++;
}

/* Make region boundaries at start and end (page-aligned): afterwards no
 * region crosses either. Needs at most two new regions, taken from spare
 * (which says how many it used). */
static void cut_at(struct vm_space *s, vaddr_t va, struct vm_region **spare)
{
	for (struct vm_region *r = s->regions; r; r = r->next)
		if (vaddr_lt(r->start, va) && vaddr_lt(va, region_end(r))) {
			split(s, r, vaddr_diff(va, r->start) / PAGE_SIZE, *spare);
			*spare = 0;
			return;
		}
}

static bool crosses(const struct vm_space *s, vaddr_t va)
{
	for (const struct vm_region *r = s->regions; r; r = r->next)
		if (vaddr_lt(r->start, va) && vaddr_lt(va, region_end(r))) return true;
	return false;
}

/* Cut the regions at both ends of the range; validate first: the spare
 * regions the cuts need are allocated before anything changes. */
static int cut_range(struct vm_space *s, vaddr_t start, vaddr_t end)
{
	struct vm_region *a = 0, *b = 0;
	bool need_a = crosses(s, start), need_b = vaddr_lt(end, VM_USER_TOP) && crosses(s, end);
	if (need_a && !(a = mm_alloc(&s->sys->alloc, sizeof(*a)))) return -MM_ENOMEM;
	if (need_b && !(b = mm_alloc(&s->sys->alloc, sizeof(*b)))) {
		mm_free(&s->sys->alloc, a);
		return -MM_ENOMEM;
	}
	if (need_a) cut_at(s, start, &a);
	if (need_b) cut_at(s, end, &b);
	return 0;
}

int vm_range_unmap(struct vm_space *s, vaddr_t start, uint32_t npages)
{
	if (!range_ok(start, npages)) return -MM_EINVAL;
	vaddr_t end = vaddr_add(start, npages * PAGE_SIZE);
	int err = cut_range(s, start, end);
	if (err) return err;
	struct vm_region **link = &s->regions;
	while (*link && vaddr_lt((*link)->start, end)) {
		if (vaddr_lt((*link)->start, start)) {
			link = &(*link)->next;
			continue;
		}
		struct vm_region *r = *link;
		release_region(s, r);
		*link = r->next;
		s->nregions--;
		mm_free(&s->sys->alloc, r);
	}
	return 0;
}

/* Whether prot asks for write access to a VM_NOWRITE region in [start, end). */
static bool write_refused(const struct vm_space *s, vaddr_t start, vaddr_t end, uint32_t prot)
{
	if (!(prot & VM_WRITE)) return false;
	for (const struct vm_region *r = s->regions; r && vaddr_lt(r->start, end); r = r->next)
		if (vaddr_lt(start, region_end(r)) && (r->flags & VM_NOWRITE)) return true;
	return false;
}

int vm_range_protect(struct vm_space *s, vaddr_t start, uint32_t npages, uint32_t prot)
{
	if (!range_ok(start, npages) || (prot & ~(VM_READ | VM_WRITE | VM_USER))) return -MM_EINVAL;
	if (!vm_range_mapped(s, start, npages)) return -MM_ENOENT;
	vaddr_t end = vaddr_add(start, npages * PAGE_SIZE);
	if (write_refused(s, start, end, prot)) return -MM_EACCES;
	int err = cut_range(s, start, end);
	if (err) return err;
	for (struct vm_region *r = s->regions; r && vaddr_lt(r->start, end); r = r->next)
		if (!vaddr_lt(r->start, start)) reprotect(s, r, 0, r->npages, prot);
	return 0;
}

void vm_range_discard(struct vm_space *s, vaddr_t start, uint32_t npages)
{
	for (uint32_t i = 0; i < npages; i++) {
		vaddr_t va = vaddr_add(start, i * PAGE_SIZE);
		const struct vm_region *r = vm_region_find(s, va);
		if (r && !(r->flags & VM_SHARED)) release_page(s, va); /* shared memory keeps its data */
	}
}

static struct vm_region *region_at(struct vm_space *s, vaddr_t start)
{
	struct vm_region *r = s->regions;
	while (r && !vaddr_eq(r->start, start)) r = r->next;
	return r;
}

int vm_region_resize(struct vm_space *s, vaddr_t start, uint32_t npages)
{
	struct vm_region *r = region_at(s, start);
	if (!r) return -MM_ENOENT;
	if (!range_ok(start, npages)) return -MM_EINVAL;
	if (npages > r->npages) {
		vaddr_t end = vaddr_add(start, npages * PAGE_SIZE);
		if (r->next && vaddr_lt(r->next->start, end)) return -MM_EEXIST;
	}
	for (uint32_t i = npages; i < r->npages; i++) release_page(s, vaddr_add(start, i * PAGE_SIZE));
	r->npages = npages;
	return 0;
}

/* Make the page tables of a range (so moving pages in cannot fail). */
static int make_tables(struct vm_space *s, vaddr_t start, uint32_t npages)
{
	for (uint32_t i = 0; i < npages; i += 1) {
		vaddr_t va = vaddr_add(start, i * PAGE_SIZE);
		if (!pgt_walk(&s->sys->frames, s->pd, va, true)) return -MM_ENOMEM;
	}
	return 0;
}

int vm_region_move(struct vm_space *s, vaddr_t from, vaddr_t to)
{
	struct vm_region *r = region_at(s, from);
	if (!r || !s->pager.move) return -MM_EINVAL;
	if (!vm_range_free(s, to, r->npages)) return -MM_EEXIST;
	struct vm_region d = *r;
	d.start = to;
	int err = make_tables(s, to, r->npages);
	if (!err) err = vm_region_add_desc(s, &d);
	if (err) return err;
	for (uint32_t i = 0; i < r->npages; i++) {
		vaddr_t a = vaddr_add(from, i * PAGE_SIZE), b = vaddr_add(to, i * PAGE_SIZE);
		pte_t *e = pgt_walk(&s->sys->frames, s->pd, a, false);
		if (e && *e) s->pager.move(s->pager.ctx, s, a, b);
	}
	return vm_region_remove(s, from); /* nothing is left in it to release */
}

/* Bring in every page of shared region r of s that is not there yet, so
 * that a fork shares them all (a page first touched after the fork would
 * otherwise be each process's own). */
static int populate(struct vm_space *s, const struct vm_region *r)
{
	for (uint32_t i = 0; i < r->npages; i++) {
		vaddr_t va = vaddr_add(r->start, i * PAGE_SIZE);
		pte_t *e = pgt_walk(&s->sys->frames, s->pd, va, false);
		if (e && *e) continue;
		int err = s->pager.fault(s->pager.ctx, s, r, va, false);
		if (err) return err;
	}
	return 0;
}

int vm_space_fork(struct vm_space *dst, struct vm_space *src)
{
	if (dst->regions || !src->pager.share || dst->pager.ctx != src->pager.ctx) return -MM_EINVAL;
	for (struct vm_region *r = src->regions; r; r = r->next) {
		int err = (r->flags & VM_SHARED) ? populate(src, r) : 0;
		if (!err) err = vm_region_add_desc(dst, r);
		for (uint32_t i = 0; i < r->npages && !err; i++) {
			vaddr_t va = vaddr_add(r->start, i * PAGE_SIZE);
			pte_t *e = pgt_walk(&src->sys->frames, src->pd, va, false);
			if (!e) /* no page table: nothing until the next 4 MiB */
				i += PGT_ENTRIES - 1 - pgt_table_index(va);
			else if (*e)
				err = src->pager.share(src->pager.ctx, dst, src, r, va);
		}
		if (err) return err;
	}
	return 0;
}

/* Why region r, number n of s's list, is wrong (0: it is right). */
static const char *region_problem(const struct vm_space *s, const struct vm_region *r, uint32_t n,
				  vaddr_t prev_end, bool (*valid)(const void *p, size_t nbytes))
{
	if (n >= s->nregions) return "more regions than counted (a cycle?)";
	if (valid && !valid(r, sizeof(*r))) return "not a live object";
	if (!range_ok(r->start, r->npages)) return "empty or outside the user half";
	if (n && vaddr_lt(r->start, prev_end)) return "not after the end of the one before";
	return 0;
}

int vm_space_check(const struct vm_space *s, bool (*valid)(const void *p, size_t nbytes), struct mm_sink *err)
{
	uint32_t n = 0;
	vaddr_t prev_end = vaddr_make(0);
	for (const struct vm_region *r = s->regions; r; r = r->next, n++) {
		const char *why = region_problem(s, r, n, prev_end, valid);
		if (why) {
			if (err) mm_format(err, "space %u: region %u at %p: %s\n", s->id, n, (const void *)r, why);
			return -MM_EINVAL;
		}
		prev_end = region_end(r);
	}
	if (n == s->nregions) return 0;
	if (err) mm_format(err, "space %u: %u regions listed, %u counted\n", s->id, n, s->nregions);
	return -MM_EINVAL;
}

void vm_space_count(const struct vm_space *s, uint32_t *present, uint32_t *swapped)
{
	*present = *swapped = 0;
	for (const struct vm_region *r = s->regions; r; r = r->next)
		for (uint32_t i = 0; i < r->npages; i++) {
			pte_t *e = pgt_walk(0, s->pd, vaddr_add(r->start, i * PAGE_SIZE), false);
			if (!e) continue;
			*present += (*e & PTE_P) != 0;
			*swapped += pte_is_swapped(*e);
		}
}
