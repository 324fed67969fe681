/*
 * bench_swap.c - the swap-out + swap-in fault round trip on the boot's swap
 * device: a pool of one frame and two dirty pages touched in turn, so every
 * access evicts the other page (a write-back) and reads its own back. Quoted
 * in guest instructions, in null traps, and against a demand-zero fault
 * measured in the same boot.
 */
#include "bench.h"
#include "io.h"
#include "kernel.h"
#include "layout.h"
#include "mem.h"
#include "mmlib.h"
#include "repl.h"
#include "swapdev.h"

#define SWB_BASE vaddr_make(0x30000000u)

static struct bench b;

/* The first word of page i of the region at SWB_BASE. */
static volatile uint32_t *page_word(uint32_t i) { return vaddr_ptr(vaddr_add(SWB_BASE, i * PAGE_SIZE)); }

/* The demand-zero fault that clears its frame itself (the stock of frames
 * zeroed in idle time set aside): the same work a swap-in does, one page
 * of memory traffic. */
static uint64_t demand_zero_median(void)
{
	uint32_t max = kzero.max;
	kzero.max = 0;
	frame_zero_drain(&kzero);
	struct vm_space *s = vm_space_create(&kvm);
	if (!s || vm_region_add(s, SWB_BASE, 512, VM_READ | VM_WRITE)) KPANIC("bench: out of memory");
	vm_switch(s);
	bench_start(&b, "swap_bench_demand_zero_fault");
	for (uint32_t i = 0; i < 512; i++) {
		uint64_t t0 = rdtsc();
		*page_word(i) = i;
		bench_add(&b, rdtsc() - t0);
	}
	vm_switch(0);
	vm_space_destroy(s);
	kzero.max = max;
	return bench_report(&b, "cycles");
}

static void bench_swap_round_trip(void)
{
	if (!kswap_ready) return;
	uint64_t dz = demand_zero_median();
	static struct vmpool vp;
	struct pool_config cfg = { 1, repl_lookup("fifo"), 1, 0 };
	struct vm_space *s = vm_space_create(&kvm);
	if (!s || vmpool_init(&vp, &kvm, &kswap, &cfg)) KPANIC("bench: out of memory");
	vmpool_attach(&vp, s);
	vm_region_add(s, SWB_BASE, 2, VM_READ | VM_WRITE);
	vm_switch(s);
	for (uint32_t i = 0; i < 2; i++) *page_word(i) = i;
	char name[64];
	mm_snprintf(name, sizeof name, "swap_round_trip_%s", kswap.dev.name);
	bench_start(&b, name);
	uint32_t n = mm_strcmp(kswap.dev.name, "ata") == 0 ? 200 : 2000;
	for (uint32_t i = 0; i < n; i++) {
		volatile uint32_t *p = page_word(i & 1);
		uint64_t t0 = rdtsc();
		*p = i;
		bench_add(&b, rdtsc() - t0);
	}
	vm_switch(0);
	uint64_t med = bench_report(&b, "cycles");
	uint64_t unit = bench_null_trap_median();
	kprintf("BENCH %s_in_null_traps median=%llu p99=%llu unit=null_traps\n", name,
		(unsigned long long)(med / unit), (unsigned long long)(b.samples[(b.n * 99) / 100] / unit));
	kprintf("BENCH %s_in_demand_zero_faults value=%llu.%02llu (goal for ram: 1.75 or less)\n", name,
		(unsigned long long)(med / dz), (unsigned long long)((med * 100 / dz) % 100));
	vmpool_detach(&vp, s);
	vm_space_destroy(s);
	vmpool_fini(&vp);
}
BENCH_SUITE(swap, bench_swap_round_trip);
