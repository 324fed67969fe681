/*
 * host_cpu.h - what the x86 does, for host tests of address spaces: an
 * access walks the page tables, takes a fault through vm_fault when the
 * page is absent or read-only, and sets the accessed and dirty bits; and a
 * swap device in plain memory that can be told to fail its writes.
 */
#ifndef HOST_CPU_H
#define HOST_CPU_H

#include <string.h>
#include "vmspace.h"
#include "swap.h"

struct ramswap { unsigned char *pages; uint32_t n; int fail_writes; };
static inline int rs_read(void *ctx, uint32_t slot, void *buf) { struct ramswap *r = ctx; memcpy(buf, r->pages + (size_t)slot * 4096, 4096); return 0; }
static inline int rs_write(void *ctx, uint32_t slot, const void *buf)
{
	struct ramswap *r = ctx;
	if (r->fail_writes) return -MM_EIO;
	memcpy(r->pages + (size_t)slot * 4096, buf, 4096);
	return 0;
}

/* The host CPU: translate, fault if needed (twice at most: a swapped-out
 * shared page comes back read-only, then the write copies it), set A (and
 * D), access. */
static inline enum vm_verdict cpu_access_as(struct vm_space *s, vaddr_t va, bool write, bool user, uint32_t *val)
{
	for (int tries = 0; tries < 3; tries++) {
		pte_t *e = pgt_walk(&s->sys->frames, s->pd, va, false);
		bool ok = e && (*e & PTE_P) && (!write || (*e & PTE_W)) && (!user || (*e & PTE_U));
		if (ok) {
			*e |= PTE_A | (write ? PTE_D : 0);
			uint32_t *p = mm_phys_to_virt(paddr_add(pte_paddr(*e), vaddr_page_offset(va)));
			if (write) *p = *val;
			else *val = *p;
			return VM_RESOLVED;
		}
		struct vm_fault_info info;
		uint32_t err = (write ? PF_W : 0) | (user ? PF_U : 0) | ((e && (*e & PTE_P)) ? PF_P : 0);
		enum vm_verdict v = vm_fault(s, va, err, &info);
		if (v != VM_RESOLVED) return v;
	}
	return VM_BAD_ACCESS;
}

/* An access from kernel mode (PTE_U not needed). */
static inline enum vm_verdict cpu_access(struct vm_space *s, vaddr_t va, bool write, uint32_t *val)
{
	return cpu_access_as(s, va, write, false, val);
}

#endif
