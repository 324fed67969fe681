/*
 * uaccess.c - checked copies between the kernel and the running process's
 * memory (see uaccess.h). Algorithm: the range is checked region by region
 * against the access (vm_region_find), then copied under a guard.
 */
#include "guard.h"
#include "kernel.h"
#include "mmlib.h"
#include "uaccess.h"
#include "uerrno.h"
#include "uproc.h"

int uaccess_ok(uint32_t uva, uint32_t n, bool write)
{
	struct uproc *p = uproc_current();
	if (!p || !p->space) return -EFAULT;
	if (n == 0) return 0;
	if (uva >= USER_STACK_TOP || n > USER_STACK_TOP - uva) return -EFAULT;
	uint32_t at = uva, end = uva + n;
	while (at < end) {
		const struct vm_region *r = vm_region_find(p->space, vaddr_make(at));
		if (!r || !(r->prot & VM_USER) || !(r->prot & (write ? VM_WRITE : VM_READ))) return -EFAULT;
		at = vaddr_u32(r->start) + r->npages * PAGE_SIZE;
	}
	return 0;
}

struct copy { void *dst; const void *src; uint32_t n; };

static void do_copy(void *arg)
{
	struct copy *c = arg;
	mm_memcpy(c->dst, c->src, c->n);
}

static int guarded_copy(void *dst, const void *src, uint32_t n)
{
	struct copy c = { dst, src, n };
	return guard_run(do_copy, &c, 0) ? -EFAULT : 0;
}

int copy_from_user(void *dst, uint32_t usrc, uint32_t n)
{
	int err = uaccess_ok(usrc, n, false);
	return err ? err : guarded_copy(dst, (const void *)(uintptr_t)usrc, n);
}

int copy_to_user(uint32_t udst, const void *src, uint32_t n)
{
	int err = uaccess_ok(udst, n, true);
	return err ? err : guarded_copy((void *)(uintptr_t)udst, src, n);
}

int strncpy_from_user(char *dst, uint32_t usrc, uint32_t cap)
{
	for (uint32_t i = 0; i < cap; i++) {
		/* a byte at a time: the string may end just before an unmapped page */
		int err = copy_from_user(dst + i, usrc + i, 1);
		if (err) return err;
		if (!dst[i]) return (int)i;
	}
	dst[cap - 1] = 0;
	return -ENAMETOOLONG;
}
