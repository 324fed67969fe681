/*
 * test_vmpool.c - the pool backend over page tables and swap (mm/vmpool.c)
 * on simulated physical memory, with a host "CPU" that walks the page
 * tables, takes faults through vm_fault and sets the accessed and dirty bits
 * as x86 does. Checks: data integrity under heavy eviction for every policy,
 * the write-back rule, swap exhaustion reported as out-of-memory with
 * nothing lost, and agreement with the software backend on the same trace.
 */
#include <stdlib.h>
#include "env_host.h"
#include "host_alloc.h"
#include "htest.h"
#include "frame.h"
#include "pool_soft.h"
#include "repl.h"
#include "vmpool.h"
#include "host_frames.h"
#include "host_cpu.h"

#define SIM_BYTES (16u << 20)
#define BASE vaddr_make(0x10000000u)

static struct frame_alloc fa;
static void *desc;


struct rig {
	struct vm_sys sys;
	struct ramswap rs;
	struct swap_area sw;
	struct vmpool vp;
	struct vm_space *s;
};

static int rig_init(struct rig *g, uint32_t nframes, uint32_t nslots, const char *policy, uint32_t npages)
{
	host_frames_init(&fa, &desc, SIM_BYTES);
	g->sys = (struct vm_sys){ host_frames_source(&fa), host_allocator(NULL), PADDR_NULL, 0, 0 };
	g->rs = (struct ramswap){ calloc(nslots, 4096), nslots, 0 };
	struct swap_dev dev = { "ram", nslots, rs_read, rs_write, &g->rs, 0 };
	if (swap_init(&g->sw, &dev, &host_malloc)) return -1;
	struct pool_config cfg = { nframes, repl_lookup(policy), 42, 0 };
	if (!cfg.policy || vmpool_init(&g->vp, &g->sys, &g->sw, &cfg)) return -1;
	g->s = vm_space_create(&g->sys);
	if (!g->s || vmpool_attach(&g->vp, g->s) || vm_region_add(g->s, BASE, npages, VM_READ | VM_WRITE)) return -1;
	return 0;
}

static void rig_fini(struct rig *g)
{
	vmpool_detach(&g->vp, g->s);
	vm_space_destroy(g->s);
	vmpool_fini(&g->vp);
	swap_fini(&g->sw, &host_malloc);
	free(g->rs.pages);
}

/* The address of byte off of page `page` of the region at BASE. */
static vaddr_t at(uint32_t page, uint32_t off) { return vaddr_add(BASE, page * 4096 + off); }

static uint32_t pattern(uint32_t page, uint32_t word) { return page * 2654435761u ^ (word * 40503u) ^ 0x5a5a5a5au; }

HTEST(vmpool_integrity_every_policy)
{
	for (size_t k = 0; k < repl_count(); k++) {
		const struct repl_ops *ops = repl_at(k);
		if (ops->needs_future) continue; /* OPT is exercised by replay */
		struct rig g;
		enum { FRAMES = 8, PAGES = 64 };
		ASSERT_EQ(rig_init(&g, FRAMES, 128, ops->name, PAGES), 0);
		/* write a unique pattern to 8x as many pages as frames (words 0, 100, 1023) */
		for (uint32_t p = 0; p < PAGES; p++)
			for (uint32_t w = 0; w < 1024; w += 341) {
				uint32_t v = pattern(p, w);
				ASSERT_EQ(cpu_access(g.s, at(p, w * 4), true, &v), VM_RESOLVED);
			}
		srand(1234 + (unsigned)k);
		int bad = 0;
		for (int i = 0; i < 4000; i++) {
			uint32_t p = (uint32_t)rand() % PAGES, w = ((uint32_t)rand() % 4) * 341, v = 0;
			if (rand() % 4 == 0) { /* rewrite with the same pattern: dirty again */
				v = pattern(p, w);
				ASSERT_EQ(cpu_access(g.s, at(p, w * 4), true, &v), VM_RESOLVED);
			} else {
				ASSERT_EQ(cpu_access(g.s, at(p, w * 4), false, &v), VM_RESOLVED);
				bad += v != pattern(p, w);
			}
			if (i % 500 == 0) EXPECT_EQ(vmpool_check(&g.vp, NULL), 0);
		}
		EXPECT_EQ(bad, 0);
		if (bad) printf("# policy %s lost data\n", ops->name);
		EXPECT_TRUE(g.vp.pool.nresident <= FRAMES);
		EXPECT_TRUE(g.vp.pool.stats.evictions > 1000);
		EXPECT_EQ(vmpool_check(&g.vp, NULL), 0);
		rig_fini(&g);
		EXPECT_EQ(fa.nallocated, 0);
		EXPECT_EQ(g.sw.stats.in_use, 0);
	}
}

HTEST(vmpool_writeback_rule)
{
	struct rig g;
	ASSERT_EQ(rig_init(&g, 1, 16, "fifo", 4), 0);
	uint32_t v = 7;
	ASSERT_EQ(cpu_access(g.s, BASE, true, &v), VM_RESOLVED);      /* page 0 dirty */
	ASSERT_EQ(cpu_access(g.s, at(1, 0), false, &v), VM_RESOLVED); /* evicts 0: written */
	EXPECT_EQ(g.vp.pool.stats.writebacks, 1);
	ASSERT_EQ(cpu_access(g.s, BASE, false, &v), VM_RESOLVED); /* evicts 1: clean, never written out: written */
	EXPECT_EQ(v, 7);
	EXPECT_EQ(g.vp.pool.stats.writebacks, 2);
	EXPECT_EQ(g.vp.pool.stats.swapins, 1);
	ASSERT_EQ(cpu_access(g.s, at(1, 0), false, &v), VM_RESOLVED); /* evicts 0: clean with a valid copy: dropped */
	EXPECT_EQ(g.vp.pool.stats.writebacks, 2);
	EXPECT_EQ(g.vp.pool.stats.evictions, 3);
	pte_t *e = pgt_walk(&g.sys.frames, g.s->pd, BASE, false);
	EXPECT_TRUE(e && pte_is_swapped(*e));
	EXPECT_EQ(g.sw.stats.writes, 2);
	rig_fini(&g);
}

HTEST(vmpool_swap_exhaustion)
{
	struct rig g;
	ASSERT_EQ(rig_init(&g, 2, 3, "lru", 16), 0);
	uint32_t v;
	int resolved = 0;
	enum vm_verdict last = VM_RESOLVED;
	for (uint32_t p = 0; p < 16 && last == VM_RESOLVED; p++) {
		v = 100 + p;
		last = cpu_access(g.s, at(p, 0), true, &v);
		resolved += last == VM_RESOLVED;
	}
	/* 2 frames + 3 slots hold 5 pages; the 6th cannot be made room for */
	EXPECT_EQ(resolved, 5);
	EXPECT_EQ(last, VM_OOM);
	EXPECT_STREQ(g.vp.last_error, "swap space exhausted");
	/* nothing already stored is lost: a page either reads back its value or
	 * (swapped, and no slot for the victim) is refused again; never wrong */
	int readable = 0, refused = 0, wrong = 0;
	for (uint32_t p = 0; p < 5; p++) {
		v = 0;
		enum vm_verdict r = cpu_access(g.s, at(p, 0), false, &v);
		readable += r == VM_RESOLVED;
		refused += r == VM_OOM;
		wrong += r == VM_RESOLVED && v != 100 + p;
	}
	EXPECT_EQ(wrong, 0);
	EXPECT_EQ(readable, 2); /* the two resident pages */
	EXPECT_EQ(refused, 3);
	/* giving memory back (the region) lets the workload go on */
	EXPECT_EQ(vm_region_remove(g.s, BASE), 0);
	EXPECT_EQ(g.sw.stats.in_use, 0);
	EXPECT_EQ(vm_region_add(g.s, BASE, 16, VM_READ | VM_WRITE), 0);
	v = 5;
	EXPECT_EQ(cpu_access(g.s, at(9, 0), true, &v), VM_RESOLVED);
	EXPECT_EQ(vmpool_check(&g.vp, NULL), 0);
	rig_fini(&g);
}

HTEST(vmpool_swap_device_error_keeps_page)
{
	struct rig g;
	ASSERT_EQ(rig_init(&g, 1, 8, "fifo", 4), 0);
	uint32_t v = 9;
	ASSERT_EQ(cpu_access(g.s, BASE, true, &v), VM_RESOLVED);
	g.rs.fail_writes = 1;
	EXPECT_EQ(cpu_access(g.s, at(1, 0), false, &v), VM_OOM);
	EXPECT_STREQ(g.vp.last_error, "swap device error");
	g.rs.fail_writes = 0;
	v = 0;
	EXPECT_EQ(cpu_access(g.s, BASE, false, &v), VM_RESOLVED); /* still resident, still 9 */
	EXPECT_EQ(v, 9);
	EXPECT_EQ(g.sw.stats.in_use, 0);
	rig_fini(&g);
}

/* The same reference string through the software backend and through real
 * page tables gives the same counts. */
HTEST(vmpool_agrees_with_soft_backend)
{
	enum { N = 6000, PAGES = 40, FRAMES = 7 };
	static uint32_t pages[N];
	static bool writes[N];
	srand(99);
	for (int i = 0; i < N; i++) {
		pages[i] = (uint32_t)(rand() % 3 ? rand() % 10 : rand() % PAGES);
		writes[i] = rand() % 5 == 0;
	}
	const char *pols[] = { "fifo", "lru", "clock", "sc", "nru", "aging" };
	for (size_t k = 0; k < sizeof pols / sizeof pols[0]; k++) {
		struct rig g;
		ASSERT_EQ(rig_init(&g, FRAMES, 64, pols[k], PAGES), 0);
		for (int i = 0; i < N; i++) {
			uint32_t v = (uint32_t)i;
			vaddr_t va = at(pages[i], 0);
			ASSERT_EQ(cpu_access(g.s, va, writes[i], &v), VM_RESOLVED);
			vmpool_access_done(&g.vp, g.s, va);
		}
		struct pool_soft soft;
		struct pool p;
		ASSERT_EQ(pool_soft_init(&soft, FRAMES, &host_malloc), 0);
		struct pool_backend be = pool_soft_backend(&soft);
		struct pool_config cfg = { FRAMES, repl_lookup(pols[k]), 42, 0 };
		ASSERT_EQ(pool_init(&p, &cfg, &be, &host_malloc), 0);
		for (int i = 0; i < N; i++) pool_reference(&p, pages[i], writes[i]);
		EXPECT_EQ(g.vp.pool.stats.faults, p.stats.faults);
		EXPECT_EQ(g.vp.pool.stats.evictions, p.stats.evictions);
		EXPECT_EQ(g.vp.pool.stats.writebacks, p.stats.writebacks);
		EXPECT_EQ(g.vp.pool.stats.refs, N);
		if (g.vp.pool.stats.faults != p.stats.faults || g.vp.pool.stats.writebacks != p.stats.writebacks)
			printf("# %s: vmpool faults %llu wb %llu, soft faults %llu wb %llu\n", pols[k],
			       (unsigned long long)g.vp.pool.stats.faults, (unsigned long long)g.vp.pool.stats.writebacks,
			       (unsigned long long)p.stats.faults, (unsigned long long)p.stats.writebacks);
		pool_fini(&p);
		pool_soft_fini(&soft);
		rig_fini(&g);
	}
}

/* Validate, then commit: a fault whose page needs a page table that cannot
 * be had fails before any victim is evicted; every page stays as it was,
 * and the same fault goes through once memory is back. */
HTEST(vmpool_no_page_table_evicts_nothing)
{
	struct rig g;
	enum { FAR = 1024 }; /* page 1024 lies under the next page-directory entry */
	ASSERT_EQ(rig_init(&g, 2, 16, "fifo", FAR + 1), 0);
	for (uint32_t p = 0; p < 2; p++) {
		uint32_t v = pattern(p, 0);
		ASSERT_EQ(cpu_access(g.s, at(p, 0), true, &v), VM_RESOLVED);
	}
	enum { HOARD = SIM_BYTES / PAGE_SIZE };
	static pfn_t hoard[HOARD];
	uint32_t n = 0;
	for (pfn_t f; n < HOARD && !pfn_is_none(f = frame_alloc(&fa, 0));) hoard[n++] = f;
	uint32_t v = 1;
	EXPECT_EQ(cpu_access(g.s, at(FAR, 0), true, &v), VM_OOM);
	EXPECT_STREQ(g.vp.last_error, "out of memory for a page table");
	EXPECT_EQ(g.vp.pool.stats.evictions, 0);
	EXPECT_EQ(g.vp.pool.stats.writebacks, 0);
	EXPECT_EQ(g.vp.pool.nresident, 2);
	while (n) frame_free(&fa, hoard[--n], 0);
	EXPECT_EQ(cpu_access(g.s, at(FAR, 0), true, &v), VM_RESOLVED);
	EXPECT_EQ(g.vp.pool.stats.evictions, 1);
	for (uint32_t p = 0; p < 2; p++) {
		uint32_t got = 0;
		EXPECT_EQ(cpu_access(g.s, at(p, 0), false, &got), VM_RESOLVED);
		EXPECT_EQ(got, pattern(p, 0));
	}
	EXPECT_EQ(vmpool_check(&g.vp, NULL), 0);
	rig_fini(&g);
}

/* The pool keeps no page map of its own: a look-up reads the page's PTE
 * (present, mapping a pool frame whose slot remembers that PTE), and the
 * check catches a PTE that no longer finds its slot. */
HTEST(vmpool_lookup_reads_the_pte)
{
	struct rig g;
	ASSERT_EQ(rig_init(&g, 2, 16, "fifo", 4), 0);
	EXPECT_FALSE(g.vp.pool.own_map);
	uint32_t v = 1;
	ASSERT_EQ(cpu_access(g.s, BASE, true, &v), VM_RESOLVED);
	ASSERT_EQ(cpu_access(g.s, at(1, 0), true, &v), VM_RESOLVED);
	uint64_t k0 = vmpool_key(&g.vp, g.s, BASE), k1 = vmpool_key(&g.vp, g.s, at(1, 0));
	EXPECT_EQ(pool_lookup(&g.vp.pool, k0), 0);
	EXPECT_EQ(pool_lookup(&g.vp.pool, k1), 1);
	EXPECT_EQ(pool_lookup(&g.vp.pool, vmpool_key(&g.vp, g.s, at(2, 0))), -MM_ENOENT);
	EXPECT_EQ(pool_fault(&g.vp.pool, k0, false), -MM_EEXIST);
	EXPECT_EQ(vmpool_check(&g.vp, NULL), 0);
	pte_t *e = g.vp.slots[0].pte, saved = *e;
	*e = pte_make(g.vp.slots[1].frame, PTE_P | PTE_W | PTE_U); /* page 0 now maps slot 1's frame */
	EXPECT_EQ(pool_lookup(&g.vp.pool, k0), -MM_ENOENT);
	EXPECT_NE(pool_check(&g.vp.pool, NULL), 0);
	*e = saved;
	EXPECT_EQ(vmpool_check(&g.vp, NULL), 0);
	rig_fini(&g);
}
