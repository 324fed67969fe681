/*
 * test_frame_zero.c - frames zeroed ahead of need: the stock holds zero
 * pages that the allocators see as allocated and marked; taking and
 * draining keep every count right; a demand-zero fault maps a stocked
 * frame without clearing it again, and clears a fresh one when the stock
 * is empty.
 */
#include <stdlib.h>
#include "env_host.h"
#include "host_alloc.h"
#include "htest.h"
#include "frame_zero.h"
#include "vmspace.h"
#include "host_frames.h"

#define NPFNS 1024

static struct frame_alloc fa;
static struct frame_cache fc;
static struct frame_zero fz;
static void *desc;

static void setup(uint32_t max)
{
	host_frames_init(&fa, &desc, NPFNS * PAGE_SIZE); /* every byte 0xA5 */
	frame_cache_init(&fc, &fa);
	frame_zero_init(&fz, &fc, max);
}

HTEST(frame_zero_stock)
{
	setup(40);
	uint32_t free0 = frame_cache_nfree(&fc);
	EXPECT_EQ(frame_zero_fill(&fz, 25), 25);
	EXPECT_EQ(frame_zero_fill(&fz, 100), 15); /* up to max */
	EXPECT_EQ(frame_zero_fill(&fz, 100), 0);
	EXPECT_EQ(fz.n, 40);
	EXPECT_EQ(frame_zero_check(&fz, NULL), 0);
	EXPECT_EQ(frame_cache_nfree(&fc) + fz.n, free0);
	/* a stocked frame written behind the stock's back is caught */
	unsigned char *page = mm_phys_to_virt(pfn_to_paddr(fz.stock[3]));
	page[100] = 1;
	EXPECT_EQ(frame_zero_check(&fz, NULL), -MM_EINVAL);
	page[100] = 0;
	pfn_t p = frame_zero_take(&fz);
	ASSERT_TRUE(!pfn_is_none(p));
	EXPECT_EQ(frame_desc(&fa, p)->aux, 0);
	EXPECT_EQ(frame_cache_free(&fc, p), 0);
	frame_zero_drain(&fz);
	EXPECT_EQ(fz.n, 0);
	EXPECT_TRUE(pfn_is_none(frame_zero_take(&fz)));
	EXPECT_EQ(fz.hits, 1);
	EXPECT_EQ(fz.misses, 1);
	frame_cache_drain(&fc);
	EXPECT_EQ(fa.nfree, free0);
	EXPECT_EQ(frame_check(&fa, NULL), 0);
}

static unsigned long zeroed_calls, plain_calls;
static paddr_t src_alloc(void *ctx)
{
	(void)ctx;
	plain_calls++;
	pfn_t p = frame_cache_alloc(&fc);
	return pfn_is_none(p) ? PADDR_NULL : pfn_to_paddr(p);
}
static void src_free(void *ctx, paddr_t pa) { (void)ctx; frame_cache_free(&fc, paddr_to_pfn(pa)); }
static paddr_t src_alloc_zeroed(void *ctx)
{
	(void)ctx;
	zeroed_calls++;
	pfn_t p = frame_zero_take(&fz);
	return pfn_is_none(p) ? PADDR_NULL : pfn_to_paddr(p);
}

HTEST(frame_zero_serves_demand_zero_faults)
{
	setup(3);
	struct vm_sys sys = { { src_alloc, src_free, 0, src_alloc_zeroed }, host_allocator(NULL), PADDR_NULL, 0, 0 };
	struct vm_space *s = vm_space_create(&sys);
	ASSERT_TRUE(s != NULL);
	vaddr_t base = vaddr_make(0x400000);
	ASSERT_EQ(vm_region_add(s, base, 5, VM_READ | VM_WRITE), 0);
	EXPECT_EQ(frame_zero_fill(&fz, 3), 3);
	pfn_t stocked[3] = { fz.stock[2], fz.stock[1], fz.stock[0] }; /* taken last-in first */
	struct vm_fault_info info;
	plain_calls = zeroed_calls = 0;
	for (uint32_t i = 0; i < 5; i++) {
		vaddr_t va = vaddr_add(base, i * PAGE_SIZE);
		ASSERT_EQ(vm_fault(s, va, PF_W, &info), VM_RESOLVED);
		paddr_t pa;
		ASSERT_EQ(pgt_translate(s->pd, va, &pa, 0), 0);
		if (i < 3) EXPECT_EQ(pfn_u32(paddr_to_pfn(pa)), pfn_u32(stocked[i]));
		const unsigned char *pg = mm_phys_to_virt(paddr_page_down(pa));
		int nonzero = 0;
		for (int k = 0; k < 4096; k++) nonzero += pg[k] != 0;
		EXPECT_EQ(nonzero, 0); /* stocked or cleared now, never 0xA5 */
	}
	EXPECT_EQ(zeroed_calls, 5);
	EXPECT_EQ(fz.hits, 3);
	EXPECT_EQ(fz.misses, 2); /* the last two were cleared in the fault */
	vm_space_destroy(s);
	frame_zero_drain(&fz);
	frame_cache_drain(&fc);
	EXPECT_EQ(fa.nallocated, 0);
}
