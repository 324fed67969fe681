/*
 * test_vm.c - host tests of mm/pgtable.c and mm/vmspace.c over simulated
 * physical memory: the entry encoding checked bit by bit against the x86
 * layout, walks against an independent map of what was mapped, and the
 * fault decisions of vm_fault for every kind of access.
 */
#include <stdlib.h>
#include "env_host.h"
#include "host_alloc.h"
#include "htest.h"
#include "frame.h"
#include "vmspace.h"
#include "host_frames.h"
#include "host_sink.h"

#define SIM_BYTES (8u << 20)

static struct frame_alloc fa;
static void *desc;


static struct frame_source sim_frames(void)
{
	host_frames_init(&fa, &desc, SIM_BYTES);
	return host_frames_source(&fa);
}

HTEST(pgt_entry_layout)
{
	struct frame_source fs = sim_frames();
	paddr_t pd = pgt_create(&fs, PADDR_NULL);
	ASSERT_NE(paddr_u32(pd), 0);
	vaddr_t va = vaddr_make(0x12345000u); /* dir index 0x48, table index 0x345 */
	EXPECT_EQ(pgt_dir_index(va), 0x48);
	EXPECT_EQ(pgt_table_index(va), 0x345);
	ASSERT_EQ(pgt_map(&fs, pd, va, paddr_make(0x00abc000u), PTE_W | PTE_U), 0);
	pte_t *dir = mm_phys_to_virt(pd);
	pte_t pde = dir[0x48];
	EXPECT_EQ(pde & (PTE_P | PTE_W | PTE_U), PTE_P | PTE_W | PTE_U);
	pte_t *table = mm_phys_to_virt(pte_paddr(pde));
	EXPECT_EQ(table[0x345], 0x00abc000u | PTE_P | PTE_W | PTE_U);
	/* nothing else in the table is set */
	int others = 0;
	for (int i = 0; i < 1024; i++) others += i != 0x345 && table[i];
	EXPECT_EQ(others, 0);
	/* swapped encoding */
	pte_t sw = pte_make_swapped(12345);
	EXPECT_FALSE(sw & PTE_P);
	EXPECT_TRUE(pte_is_swapped(sw));
	EXPECT_EQ(pte_swap_slot(sw), 12345);
	EXPECT_FALSE(pte_is_swapped(0));
	pgt_unmap(pd, va, 0);
	pgt_destroy(&fs, pd);
}

HTEST(pgt_walk_against_model)
{
	struct frame_source fs = sim_frames();
	uint32_t free0 = fa.nfree;
	paddr_t pd = pgt_create(&fs, PADDR_NULL);
	ASSERT_NE(paddr_u32(pd), 0);
	enum { N = 3000 };
	static vaddr_t vas[N];
	static paddr_t pas[N];
	srand(7);
	int n = 0;
	while (n < N) {
		vaddr_t va = vaddr_make(((uint32_t)rand() % 0xC0000u) << 12);
		int dup = 0;
		for (int i = 0; i < n; i++) dup |= vaddr_eq(vas[i], va);
		if (dup) continue;
		vas[n] = va;
		pas[n] = paddr_make(((uint32_t)rand() % 0xFFFFFu) << 12);
		ASSERT_EQ(pgt_map(&fs, pd, vas[n], pas[n], (n & 1) ? PTE_W : 0), 0);
		n++;
	}
	EXPECT_EQ(pgt_count_present(pd), N);
	for (int i = 0; i < N; i++) {
		paddr_t pa;
		uint32_t fl;
		ASSERT_EQ(pgt_translate(pd, vaddr_add(vas[i], 0x7ff), &pa, &fl), 0);
		EXPECT_EQ(paddr_u32(pa), paddr_u32(pas[i]) + 0x7ff);
		EXPECT_EQ(!!(fl & PTE_W), i & 1);
	}
	/* unmap half; the others still translate, the removed ones do not */
	unsigned long flushes = host_tlb_flushes;
	for (int i = 0; i < N; i += 2) EXPECT_EQ(pgt_unmap(pd, vas[i], 0), 0);
	EXPECT_EQ(host_tlb_flushes - flushes, N / 2);
	for (int i = 0; i < N; i++) EXPECT_EQ(pgt_translate(pd, vas[i], 0, 0) == 0, i & 1);
	EXPECT_EQ(pgt_unmap(pd, vas[0], 0), -MM_ENOENT);
	for (int i = 1; i < N; i += 2) pgt_unmap(pd, vas[i], 0);
	pgt_destroy(&fs, pd);
	EXPECT_EQ(fa.nfree, free0); /* every page table went back */
}

HTEST(pgt_kernel_half_shared_and_harvest)
{
	struct frame_source fs = sim_frames();
	paddr_t kpd = pgt_create(&fs, PADDR_NULL);
	pte_t *k = mm_phys_to_virt(kpd);
	k[768] = 0x00000083u; /* a 4 MiB kernel page */
	k[1000] = 0x00555003u;
	paddr_t pd = pgt_create(&fs, kpd);
	pte_t *d = mm_phys_to_virt(pd);
	EXPECT_EQ(d[768], 0x83);
	EXPECT_EQ(d[1000], 0x00555003u);
	EXPECT_EQ(d[0], 0);
	paddr_t pa;
	EXPECT_EQ(pgt_translate(pd, vaddr_make(0xC0123456u), &pa, 0), 0);
	EXPECT_EQ(paddr_u32(pa), 0x00123456u);
	vaddr_t va = vaddr_make(0x1000);
	ASSERT_EQ(pgt_map(&fs, pd, va, paddr_make(0x2000), PTE_W), 0);
	pte_t *e = pgt_walk(&fs, pd, va, false);
	*e |= PTE_A | PTE_D; /* what the CPU would do on a write */
	EXPECT_EQ(pgt_harvest(pd, va, false), PTE_A | PTE_D);
	EXPECT_EQ(pgt_harvest(pd, va, false), PTE_D); /* A cleared, D kept */
	EXPECT_EQ(pgt_harvest(pd, va, true), PTE_D);
	EXPECT_EQ(pgt_harvest(pd, va, false), 0);
	pgt_unmap(pd, va, 0);
	pgt_destroy(&fs, pd); /* frees only the user half's tables */
	k[768] = k[1000] = 0;
	pgt_destroy(&fs, kpd);
}

HTEST(vm_fault_decisions)
{
	struct vm_sys sys = { sim_frames(), host_allocator(NULL), PADDR_NULL, 0, 0 };
	struct vm_space *s = vm_space_create(&sys);
	ASSERT_TRUE(s != NULL);
	ASSERT_EQ(vm_region_add(s, vaddr_make(0x400000), 4, VM_READ | VM_WRITE), 0);
	ASSERT_EQ(vm_region_add(s, vaddr_make(0x800000), 1, VM_READ), 0);
	ASSERT_EQ(vm_region_add(s, vaddr_make(0x900000), 1, VM_READ | VM_WRITE | VM_USER), 0);
	struct vm_fault_info info;
	/* first touch of a writable page: demand-zero, mapped writable, zeroed */
	EXPECT_EQ(vm_fault(s, vaddr_make(0x401234), PF_W, &info), VM_RESOLVED);
	paddr_t pa;
	uint32_t fl;
	ASSERT_EQ(pgt_translate(s->pd, vaddr_make(0x401234), &pa, &fl), 0);
	EXPECT_EQ(fl & PTE_W, PTE_W);
	EXPECT_EQ(fl & PTE_U, 0);
	const unsigned char *page = mm_phys_to_virt(paddr_page_down(pa));
	int nonzero = 0;
	for (int i = 0; i < 4096; i++) nonzero += page[i] != 0; /* host memory starts as 0xA5 */
	EXPECT_EQ(nonzero, 0);
	/* read-only region: a read maps it read-only, a write is refused */
	EXPECT_EQ(vm_fault(s, vaddr_make(0x800000), 0, &info), VM_RESOLVED);
	ASSERT_EQ(pgt_translate(s->pd, vaddr_make(0x800000), 0, &fl), 0);
	EXPECT_EQ(fl & PTE_W, 0);
	EXPECT_EQ(vm_fault(s, vaddr_make(0x800004), PF_W | PF_P, &info), VM_BAD_ACCESS);
	EXPECT_STREQ(info.reason, "write to a read-only page");
	EXPECT_EQ(vm_fault(s, vaddr_make(0x800004), PF_W, &info), VM_BAD_ACCESS);
	/* user mode: only VM_USER regions */
	EXPECT_EQ(vm_fault(s, vaddr_make(0x400000), PF_U, &info), VM_BAD_ACCESS);
	EXPECT_STREQ(info.reason, "user access to a supervisor region");
	EXPECT_EQ(vm_fault(s, vaddr_make(0x900000), PF_U | PF_W, &info), VM_RESOLVED);
	ASSERT_EQ(pgt_translate(s->pd, vaddr_make(0x900000), 0, &fl), 0);
	EXPECT_EQ(fl & PTE_U, PTE_U);
	EXPECT_EQ(vm_fault(s, vaddr_make(0xC0001000u), PF_U, &info), VM_BAD_ACCESS);
	EXPECT_STREQ(info.reason, "user access to kernel memory");
	EXPECT_EQ(vm_fault(s, vaddr_make(0x404000), 0, &info), VM_BAD_ACCESS); /* one past the region */
	EXPECT_STREQ(info.reason, "address outside every region");
	EXPECT_EQ(vm_fault(s, vaddr_make(0x400000), PF_RSVD | PF_P, &info), VM_BAD_ACCESS);
	EXPECT_EQ(s->stats.zero_fills, 3);
	EXPECT_EQ(s->stats.bad, 6);
	vm_space_destroy(s);
	EXPECT_EQ(fa.nallocated, 0); /* data frames, tables and the directory all back */
}

HTEST(vm_out_of_memory_is_a_verdict)
{
	struct vm_sys sys = { sim_frames(), host_allocator(NULL), PADDR_NULL, 0, 0 };
	struct vm_space *s = vm_space_create(&sys);
	ASSERT_TRUE(s != NULL);
	vaddr_t base = vaddr_make(0x10000000);
	ASSERT_EQ(vm_region_add(s, base, 4000, VM_READ | VM_WRITE), 0);
	int resolved = 0, oom = 0;
	struct vm_fault_info info;
	for (uint32_t i = 0; i < 4000; i++) {
		enum vm_verdict v = vm_fault(s, vaddr_add(base, i * PAGE_SIZE), PF_W, &info);
		resolved += v == VM_RESOLVED;
		oom += v == VM_OOM;
	}
	/* 8 MiB = 2048 frames, less frame 0, the directory and page tables */
	EXPECT_EQ(resolved + oom, 4000);
	EXPECT_EQ(fa.nfree, 0);
	EXPECT_TRUE(oom > 1900);
	EXPECT_STREQ(info.reason, "out of memory");
	vm_space_destroy(s);
	EXPECT_EQ(fa.nallocated, 0);
}

static const struct vm_region *bad_region; /* the one pointer vouch() refuses */
static bool vouch(const void *p, size_t n) { return p != bad_region && n == sizeof(struct vm_region); }

/* vm_space_check finds each way a region list can go wrong, the first
 * problem named, and passes the list the region calls leave. */
HTEST(vm_space_check_finds_broken_lists)
{
	struct vm_sys sys = { sim_frames(), host_allocator(NULL), PADDR_NULL, 0, 0 };
	struct vm_space *s = vm_space_create(&sys);
	ASSERT_TRUE(s != NULL);
	EXPECT_EQ(vm_space_check(s, vouch, 0), 0); /* empty */
	ASSERT_EQ(vm_region_add(s, vaddr_make(0x800000), 4, VM_READ), 0);
	ASSERT_EQ(vm_region_add(s, vaddr_make(0x400000), 4, VM_READ), 0);
	ASSERT_EQ(vm_region_add(s, vaddr_make(0x900000), 2, VM_READ), 0);
	ASSERT_EQ(vm_range_unmap(s, vaddr_make(0x801000), 1), 0); /* a split */
	EXPECT_EQ(vm_space_check(s, vouch, 0), 0);
	struct vm_region *a = s->regions, *b = a->next, *c = b->next;
	struct strsink err;

	strsink_init(&err);
	bad_region = b; /* a pointer the heap does not know */
	EXPECT_EQ(vm_space_check(s, vouch, &err.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(err.buf, "region 1 at") && strstr(err.buf, "not a live object"));
	bad_region = 0;

	strsink_init(&err);
	vaddr_t was = c->start; /* overlaps the one before */
	c->start = vaddr_add(b->start, 0);
	EXPECT_EQ(vm_space_check(s, vouch, &err.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(err.buf, "region 2") && strstr(err.buf, "not after the end of the one before"));
	c->start = was;

	strsink_init(&err);
	uint32_t npages = a->npages; /* empty */
	a->npages = 0;
	EXPECT_EQ(vm_space_check(s, vouch, &err.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(err.buf, "region 0") && strstr(err.buf, "empty or outside the user half"));
	a->npages = npages;

	strsink_init(&err);
	struct vm_region *last = c;
	while (last->next) last = last->next;
	last->next = a; /* a cycle */
	EXPECT_EQ(vm_space_check(s, vouch, &err.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(err.buf, "more regions than counted") != NULL);
	last->next = 0;

	strsink_init(&err);
	s->nregions++; /* a region lost */
	EXPECT_EQ(vm_space_check(s, vouch, &err.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(err.buf, "regions listed") != NULL);
	s->nregions--;

	EXPECT_EQ(vm_space_check(s, 0, 0), 0);
	vm_space_destroy(s);
	EXPECT_EQ(fa.nallocated, 0);
}
