/*
 * test_vm.c - in-kernel tests of the memory mechanism on the real MMU: page
 * tables loaded in CR3, demand-zero faults taken by the #PF handler,
 * isolation between spaces, bad accesses stopped and reported, and no frame
 * leaks over many spaces.
 */
#include "guard.h"
#include "io.h"
#include "kernel.h"
#include "ktest.h"
#include "layout.h"
#include "mem.h"
#include "mmlib.h"
#include "kwin.h"

#define UBASE vaddr_make(0x00400000u)

/* Byte off of the user region at UBASE. */
static vaddr_t ub(uint32_t off) { return vaddr_add(UBASE, off); }

struct access { vaddr_t va; uint32_t value; bool write; };

static void do_access(void *p)
{
	struct access *a = p;
	volatile uint32_t *w = vaddr_ptr(a->va);
	if (a->write) *w = a->value;
	else a->value = *w;
}

/* Access va in space s under a guard; returns 1 if it was stopped. */
static int access_in(struct vm_space *s, struct access *a, struct guard_report *rep)
{
	return guard_run_in(s, do_access, a, rep);
}

KTEST(vm, map_translate_unmap)
{
	struct vm_space *s = vm_space_create(&kvm);
	KASSERT(s, "no space");
	paddr_t pa = kframe_alloc();
	KASSERT(!paddr_is_null(pa), "no frame");
	*(volatile uint32_t *)phys_to_kvirt(pa) = 0xfeedface;
	KEXPECT_EQ(pgt_map(&kvm.frames, s->pd, UBASE, pa, PTE_W), 0);
	KEXPECT_EQ(pgt_map(&kvm.frames, s->pd, UBASE, pa, PTE_W), -MM_EEXIST);
	paddr_t got = PADDR_NULL;
	uint32_t flags = 0;
	KEXPECT_EQ(pgt_translate(s->pd, ub(0x123), &got, &flags), 0);
	KEXPECT_EQ(paddr_u32(got), paddr_u32(pa) + 0x123);
	KEXPECT_EQ(flags & (PTE_P | PTE_W), PTE_P | PTE_W);
	/* the real MMU agrees: reading through the mapping sees the frame */
	struct access a = { UBASE, 0, false };
	struct guard_report rep;
	KEXPECT_EQ(access_in(s, &a, &rep), 0);
	KEXPECT_EQ(a.value, 0xfeedface);
	/* the CPU set the accessed bit; harvesting reads and clears it */
	KEXPECT_EQ(pgt_harvest(s->pd, UBASE, false) & PTE_A, PTE_A);
	KEXPECT_EQ(pgt_harvest(s->pd, UBASE, false) & PTE_A, 0);
	pte_t old;
	KEXPECT_EQ(pgt_unmap(s->pd, UBASE, &old), 0);
	KEXPECT_EQ(paddr_u32(pte_paddr(old)), paddr_u32(pa));
	KEXPECT_EQ(pgt_translate(s->pd, UBASE, 0, 0), -MM_ENOENT);
	/* after unmap (and invlpg) the address faults: no region -> bad access */
	KEXPECT_EQ(access_in(s, &a, &rep), 1);
	KEXPECT_EQ(rep.addr, vaddr_u32(UBASE));
	kframe_free(pa);
	vm_space_destroy(s);
}

KTEST(vm, demand_zero)
{
	struct vm_space *s = vm_space_create(&kvm);
	KASSERT(s, "no space");
	KASSERT(vm_region_add(s, UBASE, 16, VM_READ | VM_WRITE) == 0, "region");
	uint32_t free_before = kframes_free();
	struct guard_report rep;
	for (uint32_t i = 0; i < 16; i++) {
		struct access r = { ub(i * PAGE_SIZE + 4 * i), 0xdead, false };
		KEXPECT_EQ(access_in(s, &r, &rep), 0);
		KEXPECT_EQ(r.value, 0); /* a first touch reads zero */
		struct access w = { r.va, 0x1000 + i, true };
		KEXPECT_EQ(access_in(s, &w, &rep), 0);
	}
	KEXPECT_EQ(s->stats.zero_fills, 16);
	KEXPECT_EQ(s->stats.faults, 16); /* the writes hit: same pages */
	for (uint32_t i = 0; i < 16; i++) {
		struct access r = { ub(i * PAGE_SIZE + 4 * i), 0, false };
		access_in(s, &r, &rep);
		KEXPECT_EQ(r.value, 0x1000 + i);
	}
	KEXPECT_EQ(pgt_count_present(s->pd), 16);
	/* 16 data frames and one page table */
	KEXPECT_EQ(free_before - kframes_free(), 17);
	vm_space_destroy(s);
}

KTEST(vm, isolation)
{
	struct vm_space *a = vm_space_create(&kvm), *b = vm_space_create(&kvm);
	KASSERT(a && b, "no spaces");
	KEXPECT_EQ(vm_region_add(a, UBASE, 1, VM_READ | VM_WRITE), 0);
	KEXPECT_EQ(vm_region_add(b, UBASE, 1, VM_READ | VM_WRITE), 0);
	struct guard_report rep;
	struct access wa = { UBASE, 0xaaaa, true }, wb = { UBASE, 0xbbbb, true };
	access_in(a, &wa, &rep);
	access_in(b, &wb, &rep);
	struct access ra = { UBASE, 0, false }, rb = { UBASE, 0, false };
	access_in(a, &ra, &rep);
	access_in(b, &rb, &rep);
	KEXPECT_EQ(ra.value, 0xaaaa);
	KEXPECT_EQ(rb.value, 0xbbbb);
	paddr_t pa, pb;
	KEXPECT_EQ(pgt_translate(a->pd, UBASE, &pa, 0), 0);
	KEXPECT_EQ(pgt_translate(b->pd, UBASE, &pb, 0), 0);
	KEXPECT(!paddr_eq(pa, pb), "both spaces map 0x%08x to frame 0x%08x", vaddr_u32(UBASE), paddr_u32(pa));
	/* both share the kernel half */
	KEXPECT_EQ(((pte_t *)phys_to_kvirt(a->pd))[768], ((pte_t *)phys_to_kvirt(b->pd))[768]);
	vm_space_destroy(a);
	vm_space_destroy(b);
}

KTEST(vm, bad_accesses_reported)
{
	struct vm_space *s = vm_space_create(&kvm);
	KASSERT(s, "no space");
	KEXPECT_EQ(vm_region_add(s, UBASE, 2, VM_READ), 0);
	struct guard_report rep = { 0 };
	struct access w = { ub(8), 1, true };
	KEXPECT_EQ(access_in(s, &w, &rep), 1);
	KEXPECT_EQ(rep.addr, vaddr_u32(ub(8)));
	KEXPECT(rep.reason && mm_strcmp(rep.reason, "write to a read-only page") == 0, "reason %s", rep.reason);
	KEXPECT_EQ(rep.err & PF_W, PF_W);
	/* read it (demand-zero), then a write to the now-present page */
	struct access r = { ub(8), 7, false };
	KEXPECT_EQ(access_in(s, &r, &rep), 0);
	KEXPECT_EQ(r.value, 0);
	KEXPECT_EQ(access_in(s, &w, &rep), 1);
	KEXPECT_EQ(rep.err & PF_P, PF_P);
	/* outside every region */
	struct access out = { ub(0x100000), 0, false };
	KEXPECT_EQ(access_in(s, &out, &rep), 1);
	KEXPECT(mm_strcmp(rep.reason, "address outside every region") == 0, "reason %s", rep.reason);
	/* after a region becomes writable the same write works */
	KEXPECT_EQ(vm_region_protect(s, UBASE, VM_READ | VM_WRITE), 0);
	KEXPECT_EQ(access_in(s, &w, &rep), 0);
	KEXPECT_EQ(s->stats.bad, 3);
	vm_space_destroy(s);
}

KTEST(vm, no_leaks_over_1000_spaces)
{
	kmalloc_trim(&kheap);
	uint32_t before = kframes_free();
	struct guard_report rep;
	for (int i = 0; i < 1000; i++) {
		struct vm_space *s = vm_space_create(&kvm);
		KASSERT(s, "space %d: out of memory", i);
		KASSERT(vm_region_add(s, ub((uint32_t)(i % 7) * 0x400000u), 3, VM_READ | VM_WRITE) == 0, "region");
		KASSERT(vm_region_add(s, vaddr_make(0x80000000u), 1, VM_READ | VM_WRITE) == 0, "region");
		struct access w = { ub((uint32_t)(i % 7) * 0x400000u + PAGE_SIZE), (uint32_t)i, true };
		access_in(s, &w, &rep);
		struct access w2 = { vaddr_make(0x80000000u), (uint32_t)i, true };
		access_in(s, &w2, &rep);
		vm_space_destroy(s);
	}
	kmalloc_trim(&kheap);
	KEXPECT_EQ(kframes_free(), before);
	KEXPECT_EQ(frame_check(&kframes, &console_sink), 0);
	KEXPECT_EQ(kmalloc_check(&kheap, &console_sink), 0);
}

KTEST(vm, region_rules)
{
	struct vm_space *s = vm_space_create(&kvm);
	KASSERT(s, "no space");
	vaddr_t below = vaddr_sub(UBASE, PAGE_SIZE);
	KEXPECT_EQ(vm_region_add(s, ub(1), 1, VM_READ), -MM_EINVAL);
	KEXPECT_EQ(vm_region_add(s, vaddr_make(0xC0000000u), 1, VM_READ), -MM_EINVAL);
	KEXPECT_EQ(vm_region_add(s, vaddr_make(0xBFFFF000u), 2, VM_READ), -MM_EINVAL);
	KEXPECT_EQ(vm_region_add(s, UBASE, 4, VM_READ), 0);
	KEXPECT_EQ(vm_region_add(s, ub(3 * PAGE_SIZE), 1, VM_READ), -MM_EEXIST);
	KEXPECT_EQ(vm_region_add(s, below, 2, VM_READ), -MM_EEXIST);
	KEXPECT_EQ(vm_region_add(s, below, 1, VM_READ), 0);
	KEXPECT_EQ(vm_region_add(s, ub(4 * PAGE_SIZE), 1, VM_READ), 0);
	KEXPECT_EQ(s->nregions, 3);
	KEXPECT(vm_region_find(s, ub(4 * PAGE_SIZE - 1)) != 0, "last byte");
	KEXPECT(vm_region_find(s, ub(5 * PAGE_SIZE)) == 0, "past the end");
	KEXPECT_EQ(vm_region_remove(s, ub(PAGE_SIZE)), -MM_ENOENT);
	KEXPECT_EQ(vm_region_remove(s, UBASE), 0);
	KEXPECT_EQ(s->nregions, 2);
	vm_space_destroy(s);
}

KTEST(vm, kernel_window)
{
	vaddr_t va = kwin_alloc(3);
	KASSERT(!vaddr_is_null(va), "no window space");
	paddr_t pa = kframe_alloc();
	KASSERT(!paddr_is_null(pa), "no frame");
	vaddr_t page = vaddr_add(va, PAGE_SIZE);
	KEXPECT_EQ(kwin_map(page, pa), 0);
	*(volatile uint32_t *)vaddr_ptr(vaddr_add(page, 4)) = 0x5151;
	KEXPECT_EQ(*(volatile uint32_t *)phys_to_kvirt(paddr_add(pa, 4)), 0x5151);
	/* visible from another space too: the kernel half is shared */
	struct vm_space *s = vm_space_create(&kvm);
	KASSERT(s, "no space");
	vm_switch(s);
	uint32_t seen = *(volatile uint32_t *)vaddr_ptr(vaddr_add(page, 4));
	vm_switch(0);
	KEXPECT_EQ(seen, 0x5151);
	KEXPECT_EQ(paddr_u32(kwin_unmap(page)), paddr_u32(pa));
	kwin_free(va, 3);
	kframe_free(pa);
	vm_space_destroy(s);
}

KTEST(vm, allocators_consistent)
{
	KEXPECT_EQ(frame_check(&kframes, &console_sink), 0);
	KEXPECT_EQ(kmalloc_check(&kheap, &console_sink), 0);
	/* the reserved first MiB and the kernel are never handed out */
	KEXPECT_EQ(frame_state(&kframes, pfn_make(0), 0, 0), FRAME_STATE_RESERVED);
	KEXPECT_EQ(frame_state(&kframes, pfn_make(0x100), 0, 0), FRAME_STATE_RESERVED);
	KEXPECT_EQ(frame_state(&kframes, paddr_to_pfn(mem_report.desc_phys), 0, 0), FRAME_STATE_RESERVED);
}

#include "usermode.h"

/* ring 3: mov (%eax),%ecx ; int $0x83   and   mov %ebx,(%eax) ; int $0x83 */
static const uint8_t user_read_code[] = { 0x8b, 0x08, 0xcd, 0x83 };
static const uint8_t user_write_code[] = { 0x89, 0x18, 0xcd, 0x83 };
#define UCODE vaddr_make(0x00800000u)
#define USTACK vaddr_make(0x00900000u)

static struct vm_space *user_space(void)
{
	struct vm_space *s = vm_space_create(&kvm);
	if (!s) return 0;
	vm_region_add(s, UCODE, 1, VM_READ | VM_WRITE | VM_USER);
	vm_region_add(s, vaddr_sub(USTACK, PAGE_SIZE), 1, VM_READ | VM_WRITE | VM_USER);
	vm_region_add(s, UBASE, 1, VM_READ | VM_USER);         /* user read-only */
	vm_region_add(s, ub(PAGE_SIZE), 1, VM_READ | VM_WRITE); /* supervisor only */
	vm_switch(s);
	mm_memcpy(vaddr_ptr(UCODE), user_read_code, sizeof user_read_code);
	mm_memcpy(vaddr_ptr(vaddr_add(UCODE, 16)), user_write_code, sizeof user_write_code);
	vm_switch(0);
	return s;
}

KTEST(vm, user_mode_accesses)
{
	struct vm_space *s = user_space();
	KASSERT(s, "no space");
	struct guard_report rep = { 0 };
	/* a user read of a user page works and returns through int $0x83 */
	/* eax carries the address the snippet touches */
	KEXPECT_EQ(user_call(s, UCODE, USTACK, vaddr_u32(UBASE), 0, &rep), 0);
	/* a user access to a kernel page is stopped, with the U bit */
	KEXPECT_EQ(user_call(s, UCODE, USTACK, 0xC0100000u, 0, &rep), 1);
	KEXPECT_EQ(rep.addr, 0xC0100000u);
	KEXPECT_EQ(rep.err & (PF_U | PF_P), PF_U | PF_P);
	KEXPECT(rep.reason && mm_strcmp(rep.reason, "user access to kernel memory") == 0, "%s", rep.reason);
	/* a user access to a supervisor region */
	KEXPECT_EQ(user_call(s, UCODE, USTACK, vaddr_u32(ub(PAGE_SIZE)), 0, &rep), 1);
	KEXPECT(rep.reason && mm_strcmp(rep.reason, "user access to a supervisor region") == 0, "%s", rep.reason);
	/* a user write to a read-only user page */
	KEXPECT_EQ(user_call(s, vaddr_add(UCODE, 16), USTACK, vaddr_u32(UBASE), 5, &rep), 1);
	KEXPECT(rep.reason && mm_strcmp(rep.reason, "write to a read-only page") == 0, "%s", rep.reason);
	KEXPECT_EQ(rep.err & (PF_U | PF_W), PF_U | PF_W);
	/* and the kernel goes on: the same space still runs user code */
	KEXPECT_EQ(user_call(s, UCODE, USTACK, vaddr_u32(UBASE), 0, &rep), 0);
	vm_space_destroy(s);
}

KTEST(vm, kvmalloc_big_and_out_of_memory)
{
	kmalloc_trim(&kheap);
	uint32_t before = kframes_free();
	/* larger than any buddy block: pages need not be contiguous */
	uint32_t *a = kvmalloc(6u << 20);
	KASSERT(a, "6 MiB kvmalloc failed");
	for (uint32_t i = 0; i < (6u << 20) / 4; i += 1024) a[i] = i;
	uint32_t bad = 0;
	for (uint32_t i = 0; i < (6u << 20) / 4; i += 1024) bad += a[i] != i;
	KEXPECT_EQ(bad, 0);
	kvfree(a);
	/* more than the machine has: refused, and every frame taken is given back */
	void *huge = kvmalloc((size_t)(kframes_free() + 16) * PAGE_SIZE);
	KEXPECT(huge == 0, "a kvmalloc bigger than free memory succeeded");
	kmalloc_trim(&kheap);
	KEXPECT_EQ(kframes_free(), before);
}
