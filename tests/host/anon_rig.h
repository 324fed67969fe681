/*
 * anon_rig.h - the rig of the anon host tests: simulated physical memory,
 * a RAM swap device, an anon pool over them, spaces attached to it, and
 * word accesses through the host CPU (host_cpu.h).
 */
#ifndef ANON_RIG_H
#define ANON_RIG_H

#include <stdlib.h>
#include "anon.h"
#include "env_host.h"
#include "host_alloc.h"
#include "host_cpu.h"
#include "host_frames.h"
#include "repl.h"

#define SIM_BYTES (16u << 20)
#define BASE vaddr_make(0x10000000u)
#define RW (VM_READ | VM_WRITE)

static struct frame_alloc fa;
static void *desc;

struct rig {
	struct vm_sys sys;
	struct ramswap rs;
	struct swap_area sw;
	struct anon_pool ap;
};

/* The rig over the swap device dev (NULL: a RAM device of nslots, g->rs). */
static inline int rig_init_dev(struct rig *g, uint32_t nframes, uint32_t nslots, const char *policy,
			       const struct swap_dev *dev)
{
	host_frames_init(&fa, &desc, SIM_BYTES);
	g->sys = (struct vm_sys){ host_frames_source(&fa), host_allocator(NULL), PADDR_NULL, 0, 0 };
	g->rs = (struct ramswap){ calloc(nslots, 4096), nslots, 0 };
	struct swap_dev ram = { "ram", nslots, rs_read, rs_write, &g->rs, 0 };
	if (swap_init(&g->sw, dev ? dev : &ram, &host_malloc)) return -1;
	struct pool_config cfg = { nframes, repl_lookup(policy), 42, 0 };
	return cfg.policy ? anon_init(&g->ap, &g->sys, &g->sw, &cfg) : -1;
}

static inline int rig_init(struct rig *g, uint32_t nframes, uint32_t nslots, const char *policy)
{
	return rig_init_dev(g, nframes, nslots, policy, 0);
}

static inline struct vm_space *space(struct rig *g, uint32_t npages)
{
	struct vm_space *s = vm_space_create(&g->sys);
	if (!s) return 0;
	anon_attach(&g->ap, s);
	if (npages && vm_region_add(s, BASE, npages, RW)) return 0;
	return s;
}

static inline void drop(struct rig *g, struct vm_space *s)
{
	anon_detach(&g->ap, s);
	vm_space_destroy(s);
}

static inline void rig_fini(struct rig *g)
{
	anon_fini(&g->ap);
	swap_fini(&g->sw, &host_malloc);
	free(g->rs.pages);
}

static inline vaddr_t at(uint32_t page, uint32_t off) { return vaddr_add(BASE, page * 4096 + off); }
static inline uint32_t pattern(uint32_t who, uint32_t page) { return (who + 1) * 2654435761u ^ page * 40503u; }

static inline int put(struct vm_space *s, uint32_t page, uint32_t v) { return cpu_access(s, at(page, 8), true, &v); }
static inline uint32_t get(struct vm_space *s, uint32_t page)
{
	uint32_t v = 0xdeadbeef;
	return cpu_access(s, at(page, 8), false, &v) == VM_RESOLVED ? v : 0xdeadbeef;
}

static inline paddr_t frame_at(struct vm_space *s, uint32_t page)
{
	paddr_t pa = PADDR_NULL;
	pgt_translate(s->pd, at(page, 0), &pa, 0);
	return paddr_page_down(pa);
}

#endif
