/*
 * bench_mem.c - benchmarks of the memory mechanism, in the kernel:
 * order-0 and order-4 alloc+free pairs of the buddy allocator and of the
 * naive bitmap-scan baseline (frame_bitmap.c) in the same boot and the same
 * state (half of memory allocated from the bottom, as after a long run),
 * map+unmap of one page, and the demand-zero fault round trip, also quoted
 * in null traps.
 */
#include "bench.h"
#include "frame_bitmap.h"
#include "io.h"
#include "kernel.h"
#include "layout.h"
#include "mem.h"
#include "mmlib.h"
#include "thread.h"

#define PAIRS 2000

static struct bench b;

static void cache_pairs(const char *name)
{
	bench_start(&b, name);
	for (int i = 0; i < PAIRS; i++) {
		uint64_t t0 = rdtsc();
		pfn_t p = frame_cache_alloc(&kfcache);
		frame_cache_free(&kfcache, p);
		bench_add(&b, rdtsc() - t0);
	}
	bench_report(&b, "cycles");
}

static void buddy_pairs(const char *name, unsigned order)
{
	bench_start(&b, name);
	for (int i = 0; i < PAIRS; i++) {
		uint64_t t0 = rdtsc();
		pfn_t p = frame_alloc(&kframes, order);
		frame_free(&kframes, p, order);
		bench_add(&b, rdtsc() - t0);
	}
	bench_report(&b, "cycles");
}

static void bitmap_pairs(struct bitmap_alloc *ba, const char *name, unsigned order)
{
	bench_start(&b, name);
	for (int i = 0; i < PAIRS / 4; i++) {
		uint64_t t0 = rdtsc();
		pfn_t p = bitmap_alloc(ba, order);
		bitmap_free(ba, p, order);
		bench_add(&b, rdtsc() - t0);
	}
	bench_report(&b, "cycles");
}

/* Take half of the free frames from the buddy allocator, lowest first as a
 * long-running system would have them; returns them in a kernel array. */
static pfn_t *fill_half(uint32_t *count)
{
	uint32_t n = kframes.nfree / 2;
	pfn_t *held = kmalloc(&kheap, (n + 1) * sizeof(pfn_t));
	if (!held) KPANIC("bench: no memory for %u frame numbers", (unsigned)n);
	for (uint32_t i = 0; i < n; i++) held[i] = frame_alloc(&kframes, 0);
	*count = n;
	return held;
}

static void bench_frames(void)
{
	uint32_t n;
	pfn_t *held = fill_half(&n);
	cache_pairs("frame_order0_pair");
	buddy_pairs("frame_buddy_order0_pair", 0);
	buddy_pairs("frame_order4_pair", 4);
	/* the baseline mirrors the buddy's state: the same frames in use */
	uint32_t npfns = kframes.npfns;
	void *mem = kmalloc(&kheap, bitmap_desc_bytes(npfns));
	if (mem) {
		struct bitmap_alloc ba;
		bitmap_init(&ba, npfns, mem);
		for (uint32_t i = 0; i < npfns; i++) {
			pfn_t p = pfn_make(i);
			if (frame_state(&kframes, p, 0, 0) == FRAME_STATE_FREE) bitmap_release_range(&ba, p, 1);
		}
		bitmap_pairs(&ba, "baseline_bitmap_order0_pair", 0);
		bitmap_pairs(&ba, "baseline_bitmap_order4_pair", 4);
		kfree(&kheap, mem);
	}
	for (uint32_t i = 0; i < n; i++) frame_free(&kframes, held[i], 0);
	kfree(&kheap, held);
	kprintf("# memory: %u frames (%u MiB)\n", (unsigned)npfns, (unsigned)(npfns >> 8));
}
BENCH_SUITE(frames, bench_frames);

#define UBASE vaddr_make(0x00400000u)

static void bench_map(void)
{
	struct vm_space *s = vm_space_create(&kvm);
	paddr_t pa = kframe_alloc();
	if (!s || paddr_is_null(pa)) KPANIC("bench: out of memory");
	pgt_map(&kvm.frames, s->pd, UBASE, pa, PTE_W); /* make the page table */
	pgt_unmap(s->pd, UBASE, 0);
	bench_start(&b, "map_unmap_page");
	for (int i = 0; i < PAIRS; i++) {
		uint64_t t0 = rdtsc();
		pgt_map(&kvm.frames, s->pd, UBASE, pa, PTE_W);
		pgt_unmap(s->pd, UBASE, 0);
		bench_add(&b, rdtsc() - t0);
	}
	bench_report(&b, "cycles");
	kframe_free(pa);
	vm_space_destroy(s);
}
BENCH_SUITE(map, bench_map);

/* First touches of npages fresh pages, one sample each. */
static uint64_t touch_fresh(const char *name, uint32_t npages)
{
	struct vm_space *s = vm_space_create(&kvm);
	if (!s || vm_region_add(s, UBASE, npages, VM_READ | VM_WRITE)) KPANIC("bench: out of memory");
	vm_switch(s);
	bench_start(&b, name);
	for (uint32_t i = 0; i < npages; i++) {
		volatile uint32_t *p = vaddr_ptr(vaddr_add(UBASE, i * PAGE_SIZE));
		uint64_t t0 = rdtsc();
		*p = i;
		bench_add(&b, rdtsc() - t0);
	}
	vm_switch(0);
	vm_space_destroy(s);
	return bench_report(&b, "cycles");
}

static void report_in_null_traps(const char *name, uint64_t med)
{
	uint64_t unit = bench_null_trap_median();
	kprintf("BENCH %s_in_null_traps median=%llu.%02llu p99=%llu unit=null_traps\n", name,
		(unsigned long long)(med / unit), (unsigned long long)(med * 100 / unit % 100),
		(unsigned long long)(b.samples[(b.n * 99) / 100] / unit));
}

/* The demand-zero fault: with the frame cleared inside the fault (the
 * stock of idle-time zeroed frames turned off), then with the stock full,
 * as a system that had idle time between bursts of faults finds it. */
static void bench_demand_zero(void)
{
	uint32_t max = kzero.max;
	kzero.max = 0;
	frame_zero_drain(&kzero);
	report_in_null_traps("demand_zero_fault_zeroing", touch_fresh("demand_zero_fault_zeroing", 1000));
	kzero.max = max;
	for (int i = 0; i < 500 && kzero.n < kzero.max; i++) thread_sleep_ticks(1);
	kprintf("# %u frames zeroed in idle time before the next run\n", kzero.n);
	report_in_null_traps("demand_zero_fault", touch_fresh("demand_zero_fault", kzero.n < 200 ? kzero.n : 200));
}
BENCH_SUITE(fault, bench_demand_zero);
