/*
 * sys_mem.c - system calls about a process's memory: brk, mmap2 and the
 * old mmap (anonymous mappings, private or shared with the children a fork
 * makes, and mappings of a boot module opened by descriptor: private, or
 * shared and never writable), munmap,
 * mprotect, madvise
 * (MADV_DONTNEED) and mremap. Each is a change of the address space's
 * regions (mm/vmspace.c), which validate first and change nothing when
 * they fail; pages come later, on first touch.
 *
 * Placement: mmap without MAP_FIXED takes the hint when that range is
 * free, else the highest free range below USER_MMAP_TOP (top down, as
 * Linux's default layout), above the heap.
 */
#include "kernel.h"
#include "mmlib.h"
#include "syscall.h"
#include "uaccess.h"
#include "uproc.h"

#define PROT_READ 1u
#define PROT_WRITE 2u
#define PROT_EXEC 4u
#define MAP_SHARED 0x01u
#define MAP_PRIVATE 0x02u
#define MAP_FIXED 0x10u
#define MAP_ANONYMOUS 0x20u
#define MAP_FIXED_NOREPLACE 0x100000u
#define MADV_DONTNEED 4u
#define MREMAP_MAYMOVE 1u
#define MREMAP_FIXED 2u
#define HEAP_RESERVE (64u << 20) /* mmap leaves this much room above the heap */

static uint32_t page_up(uint32_t v) { return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }
static struct vm_space *my_space(void) { return uproc_current()->space; }

static uint32_t vm_prot(uint32_t prot)
{
	uint32_t p = VM_USER;
	if (prot & (PROT_READ | PROT_EXEC)) p |= VM_READ;
	if (prot & PROT_WRITE) p |= VM_READ | VM_WRITE; /* x86 cannot write without reading */
	return p;
}

/* ---- brk ----------------------------------------------------------------- */

/* Move the heap's end from old to new (page-rounded); 0 or an error, with
 * nothing changed. */
static int heap_resize(struct uproc *p, uint32_t old_end, uint32_t new_end)
{
	struct vm_space *s = p->space;
	vaddr_t base = vaddr_make(p->brk_start);
	uint32_t npages = (new_end - p->brk_start) / PAGE_SIZE;
	if (old_end == p->brk_start)
		return npages ? vm_region_add(s, base, npages, VM_USER | VM_READ | VM_WRITE) : 0;
	if (!npages) return vm_region_remove(s, base);
	return vm_region_resize(s, base, npages);
}

static int32_t sys_brk(struct sys_args *a)
{
	struct uproc *p = uproc_current();
	uint32_t want = a->a[0];
	if (want < p->brk_start || want >= USER_MMAP_TOP) return (int32_t)p->brk;
	uint32_t old_end = page_up(p->brk), new_end = page_up(want);
	if (old_end != new_end && heap_resize(p, old_end, new_end)) return (int32_t)p->brk;
	p->brk = want;
	return (int32_t)want;
}
SYSCALL(45, brk, sys_brk);

/* ---- mmap ---------------------------------------------------------------- */

/* The highest free range of npages below USER_MMAP_TOP and above the heap's
 * reserve; 0 when there is none. */
static uint32_t find_free(struct vm_space *s, uint32_t npages)
{
	uint32_t floor = page_up(uproc_current()->brk_start) + HEAP_RESERVE, size = npages * PAGE_SIZE;
	if (size > USER_MMAP_TOP) return 0;
	uint32_t at = USER_MMAP_TOP - size;
	while (at >= floor && at <= USER_MMAP_TOP - size) {
		if (vm_range_free(s, vaddr_make(at), npages)) return at;
		/* skip below the region in the way */
		const struct vm_region *blocker = 0;
		for (const struct vm_region *r = s->regions; r; r = r->next)
			if (vaddr_u32(r->start) < at + size && vaddr_u32(r->start) + r->npages * PAGE_SIZE > at) blocker = r;
		if (!blocker || vaddr_u32(blocker->start) < size) return 0;
		at = vaddr_u32(blocker->start) - size;
	}
	return 0;
}

/* What a mapping of fd from page pgoff of npages shows, into d (kind and
 * bytes): a boot module's bytes from that page on, past its end zeros. 0
 * or -errno: -EBADF no such descriptor, -ENODEV not a module (the console,
 * the directory), -EACCES a shared writable mapping of a read-only file. */
static int32_t file_region(uint32_t fd, uint32_t pgoff, uint32_t npages, bool shared_write,
			   struct vm_region *d)
{
	struct ufile *f = ufd_get(&uproc_current()->fds, (int32_t)fd);
	if (!f) return -EBADF;
	if (f->kind != UF_MODULE) return -ENODEV;
	if (shared_write) return -EACCES;
	uint64_t off = (uint64_t)pgoff * PAGE_SIZE, size = f->file.size;
	uint64_t left = off < size ? size - off : 0, span = (uint64_t)npages * PAGE_SIZE;
	d->kind = VM_FILE;
	d->file = (const uint8_t *)f->file.data + (off < size ? off : size);
	d->file_len = (uint32_t)(left < span ? left : span);
	return 0;
}

static int32_t do_mmap(uint32_t addr, uint32_t len, uint32_t prot, uint32_t flags, uint32_t fd, uint32_t pgoff)
{
	struct vm_space *s = my_space();
	if (!len || len > USER_STACK_TOP || (addr & (PAGE_SIZE - 1))) return -EINVAL;
	uint32_t npages = page_up(len) / PAGE_SIZE, type = flags & (MAP_SHARED | MAP_PRIVATE);
	bool anon = flags & MAP_ANONYMOUS;
	if (type != MAP_PRIVATE && type != MAP_SHARED) return -EINVAL;
	struct vm_region d = { .npages = npages, .prot = vm_prot(prot), .kind = VM_ANON };
	if (anon && type == MAP_SHARED) d.flags |= VM_SHARED; /* shared with the children to come */
	if (!anon) {
		int32_t err = file_region(fd, pgoff, npages, type == MAP_SHARED && (prot & PROT_WRITE), &d);
		if (err) return err;
		if (type == MAP_SHARED) d.flags |= VM_NOWRITE;
	}
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed && (addr + npages * PAGE_SIZE > USER_STACK_TOP || addr + npages * PAGE_SIZE < addr || !addr)) return -EINVAL;
	if (fixed && !vm_range_free(s, vaddr_make(addr), npages)) {
		if (flags & MAP_FIXED_NOREPLACE) return -EEXIST;
		if (vm_range_unmap(s, vaddr_make(addr), npages)) return -ENOMEM;
	}
	if (!fixed && !(addr && vm_range_free(s, vaddr_make(addr), npages))) addr = find_free(s, npages);
	if (!addr) return -ENOMEM;
	d.start = vaddr_make(addr);
	int err = vm_region_add_desc(s, &d);
	return err ? -ENOMEM : (int32_t)addr;
}

static int32_t sys_mmap2(struct sys_args *a) { return do_mmap(a->a[0], a->a[1], a->a[2], a->a[3], a->a[4], a->a[5]); }
SYSCALL(192, mmap2, sys_mmap2);

static int32_t sys_old_mmap(struct sys_args *a) /* one pointer to the six arguments */
{
	uint32_t v[6];
	if (copy_from_user(v, a->a[0], sizeof v)) return -EFAULT;
	if (v[5] & (PAGE_SIZE - 1)) return -EINVAL;
	return do_mmap(v[0], v[1], v[2], v[3], v[4], v[5] / PAGE_SIZE);
}
SYSCALL(90, mmap, sys_old_mmap);

/* A page-aligned range [addr, addr + len) of the user half, in pages. */
static int user_range(uint32_t addr, uint32_t len, uint32_t *npages)
{
	if ((addr & (PAGE_SIZE - 1)) || !len || addr >= USER_STACK_TOP || page_up(len) > USER_STACK_TOP - addr)
		return -EINVAL;
	*npages = page_up(len) / PAGE_SIZE;
	return 0;
}

static int32_t sys_munmap(struct sys_args *a)
{
	uint32_t n;
	int err = user_range(a->a[0], a->a[1], &n);
	if (err) return err;
	return vm_range_unmap(my_space(), vaddr_make(a->a[0]), n) ? -ENOMEM : 0;
}
SYSCALL(91, munmap, sys_munmap);

static int32_t sys_mprotect(struct sys_args *a)
{
	uint32_t n;
	int err = user_range(a->a[0], a->a[1], &n);
	if (err) return err;
	if (a->a[2] & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return -EINVAL;
	err = vm_range_protect(my_space(), vaddr_make(a->a[0]), n, vm_prot(a->a[2]));
	if (err == -MM_EACCES) return -EACCES; /* write to a shared mapping of a read-only file */
	return err ? -ENOMEM : 0; /* unmapped pages in the range, or no memory to split */
}
SYSCALL(125, mprotect, sys_mprotect);

static int32_t sys_madvise(struct sys_args *a)
{
	uint32_t n;
	int err = user_range(a->a[0], a->a[1], &n);
	if (err) return err;
	if (!vm_range_mapped(my_space(), vaddr_make(a->a[0]), n)) return -ENOMEM;
	if (a->a[2] == MADV_DONTNEED) vm_range_discard(my_space(), vaddr_make(a->a[0]), n);
	return 0; /* other advice is only advice */
}
SYSCALL(219, madvise, sys_madvise);

/* mremap(old, old_len, new_len, flags, new_addr) of a whole mapping. */
static int32_t sys_mremap(struct sys_args *a)
{
	struct vm_space *s = my_space();
	uint32_t old = a->a[0], oldn, newn, flags = a->a[3];
	if (user_range(old, a->a[1], &oldn) || user_range(old, a->a[2], &newn) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)))
		return -EINVAL;
	if (flags & MREMAP_FIXED) return -EINVAL; /* not offered */
	const struct vm_region *r = vm_region_find(s, vaddr_make(old));
	if (!r || vaddr_u32(r->start) != old || r->npages != oldn) return -EFAULT; /* not one whole mapping */
	if (newn <= oldn || vm_range_free(s, vaddr_make(old + oldn * PAGE_SIZE), newn - oldn))
		return vm_region_resize(s, vaddr_make(old), newn) ? -ENOMEM : (int32_t)old;
	if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
	uint32_t to = find_free(s, newn);
	if (!to || vm_region_move(s, vaddr_make(old), vaddr_make(to))) return -ENOMEM;
	return vm_region_resize(s, vaddr_make(to), newn) ? -ENOMEM : (int32_t)to;
}
SYSCALL(163, mremap, sys_mremap);
