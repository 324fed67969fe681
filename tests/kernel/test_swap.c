/*
 * test_swap.c - swap and replacement on the real MMU: for every policy, a
 * pool of 8 frames pages a space of 64 pages against the boot's swap device
 * (RAM or ATA, whichever the kernel was booted with) and every byte pattern
 * survives random touches; a tiny swap area runs out cleanly.
 */
#include "guard.h"
#include "io.h"
#include "kernel.h"
#include "ktest.h"
#include "layout.h"
#include "mem.h"
#include "mmlib.h"
#include "mm_env.h"
#include "repl.h"
#include "swapdev.h"

#define SBASE vaddr_make(0x10000000u)

struct churn {
	struct vmpool *vp;
	struct vm_space *s;
	uint32_t npages, rounds, bad;
	struct mm_rng rng;
};

static uint32_t pattern(uint32_t page, uint32_t word) { return (page + 1) * 0x9E3779B1u ^ word * 0x85EBCA6Bu; }

/* Page p of the region at SBASE, and word w of it. */
static vaddr_t page_va(uint32_t p) { return vaddr_add(SBASE, p * PAGE_SIZE); }
static volatile uint32_t *word_at(uint32_t p, uint32_t w) { return vaddr_ptr(vaddr_add(page_va(p), w * 4)); }

static void write_all(struct churn *c)
{
	for (uint32_t p = 0; p < c->npages; p++)
		for (uint32_t w = 0; w < 1024; w += 97) {
			volatile uint32_t *x = word_at(p, w);
			*x = pattern(p, w);
		}
}

static void churn_run(void *arg)
{
	struct churn *c = arg;
	write_all(c);
	for (uint32_t i = 0; i < c->rounds; i++) {
		uint32_t p = mm_rng_below(&c->rng, c->npages);
		uint32_t w = mm_rng_below(&c->rng, 11) * 97;
		volatile uint32_t *x = word_at(p, w);
		if (mm_rng_below(&c->rng, 4) == 0) *x = pattern(p, w);
		else c->bad += *x != pattern(p, w);
		vmpool_access_done(c->vp, c->s, page_va(p));
	}
	/* and a last full pass over every word written */
	for (uint32_t p = 0; p < c->npages; p++)
		for (uint32_t w = 0; w < 1024; w += 97)
			c->bad += *word_at(p, w) != pattern(p, w);
}

static int churn_policy(const struct repl_ops *ops, struct swap_area *sw, struct churn *c, struct guard_report *rep)
{
	static struct vmpool vp;
	struct pool_config cfg = { 8, ops, 7, 8 };
	if (vmpool_init(&vp, &kvm, sw, &cfg)) return -1;
	struct vm_space *s = vm_space_create(&kvm);
	if (!s) return -1;
	vmpool_attach(&vp, s);
	vm_region_add(s, SBASE, c->npages, VM_READ | VM_WRITE);
	c->vp = &vp;
	c->s = s;
	int stopped = guard_run_in(s, churn_run, c, rep);
	int bad = vmpool_check(&vp, &console_sink);
	c->rounds = (uint32_t)vp.pool.stats.evictions; /* report back */
	vmpool_detach(&vp, s);
	vm_space_destroy(s);
	vmpool_fini(&vp);
	return stopped ? 1 : bad ? 2 : 0;
}

KTEST(swap, integrity_every_policy)
{
	KASSERT(kswap_ready, "no swap device");
	kmalloc_trim(&kheap);
	uint32_t free_before = kframes_free();
	uint32_t slots_before = kswap.stats.in_use;
	for (size_t k = 0; k < repl_count(); k++) {
		const struct repl_ops *ops = repl_at(k);
		if (ops->needs_future) continue;
		struct churn c = { .npages = 64, .rounds = 3000 };
		mm_rng_seed(&c.rng, 1000 + k);
		struct guard_report rep;
		int rc = churn_policy(ops, &kswap, &c, &rep);
		KEXPECT(rc == 0, "policy %s: %s at 0x%08x", ops->name, rc == 1 ? rep.reason : "pool check failed", rep.addr);
		KEXPECT(c.bad == 0, "policy %s: %u words lost", ops->name, c.bad);
		KEXPECT(c.rounds > 500, "policy %s evicted only %u pages", ops->name, c.rounds);
	}
	kmalloc_trim(&kheap);
	KEXPECT_EQ(kframes_free(), free_before);
	KEXPECT_EQ(kswap.stats.in_use, slots_before);
	KEXPECT_EQ(swap_check(&kswap, &console_sink), 0);
}

/* A swap area of 4 slots over frames of its own. */
static pfn_t tiny_frames[4];
static int tiny_read(void *ctx, uint32_t slot, void *buf) { (void)ctx; mm_memcpy(buf, mm_phys_to_virt(pfn_to_paddr(tiny_frames[slot])), PAGE_SIZE); return 0; }
static int tiny_write(void *ctx, uint32_t slot, const void *buf) { (void)ctx; mm_memcpy(mm_phys_to_virt(pfn_to_paddr(tiny_frames[slot])), buf, PAGE_SIZE); return 0; }

static void fill_pages(void *arg)
{
	struct churn *c = arg;
	for (uint32_t p = 0; p < c->npages; p++) {
		*word_at(p, 0) = pattern(p, 0);
		c->rounds = p + 1;
		__asm__ volatile("" ::: "memory"); /* a fault may stop us here: store now */
	}
}

KTEST(swap, exhaustion_is_reported)
{
	for (int i = 0; i < 4; i++) tiny_frames[i] = frame_alloc(&kframes, 0);
	struct swap_dev dev = { "tiny", 4, tiny_read, tiny_write, 0, 0 };
	struct swap_area sw;
	KASSERT(swap_init(&sw, &dev, &kheap_allocator) == 0, "swap_init");
	static struct vmpool vp;
	struct pool_config cfg = { 2, repl_lookup("fifo"), 1, 0 };
	KASSERT(vmpool_init(&vp, &kvm, &sw, &cfg) == 0, "pool");
	struct vm_space *s = vm_space_create(&kvm);
	KASSERT(s, "space");
	vmpool_attach(&vp, s);
	vm_region_add(s, SBASE, 10, VM_READ | VM_WRITE);
	struct churn c = { .vp = &vp, .s = s, .npages = 10 };
	struct guard_report rep;
	int stopped = guard_run_in(s, fill_pages, &c, &rep);
	KEXPECT_EQ(stopped, 1);
	KEXPECT(c.rounds == 6, "stopped after %u pages: %s at 0x%08x", c.rounds, rep.reason, rep.addr); /* 2 frames + 4 slots; the 7th is refused */
	KEXPECT(rep.reason && mm_strcmp(rep.reason, "swap space exhausted") == 0, "reason %s", rep.reason);
	KEXPECT_EQ(rep.addr, vaddr_u32(page_va(6)));
	KEXPECT_EQ(sw.stats.full, 1);
	/* the pages already stored are intact: the resident ones read back */
	vm_switch(s);
	KEXPECT_EQ(*word_at(5, 0), pattern(5, 0));
	KEXPECT_EQ(*word_at(4, 0), pattern(4, 0));
	vm_switch(0);
	KEXPECT_EQ(vmpool_check(&vp, &console_sink), 0);
	vmpool_detach(&vp, s);
	vm_space_destroy(s);
	vmpool_fini(&vp);
	swap_fini(&sw, &kheap_allocator);
	for (int i = 0; i < 4; i++) frame_free(&kframes, tiny_frames[i], 0);
}
