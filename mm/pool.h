/*
 * pool.h - a frame pool: the replacement MECHANISM that drives a policy.
 *
 * A pool is N frame slots (0..N-1) given to one workload, a replacement
 * policy instance (mm/repl/repl.h), a page -> slot hash (unless its backend
 * answers that look-up itself: pool_backend.lookup) and statistics. It does
 * not know what a frame or a page table is: it acts on the machine through a
 * struct pool_backend. The kernel's backend works on real PTEs and a swap
 * device; the host's (mm/sim/pool_soft.h) emulates A/D bits and a swap set. As
 * both run this same file, a deterministic policy gives the same counts on
 * both, as long as the same calls reach the pool in the same order.
 *
 * THE ORDER OF CALLS (this is the contract; pool.c and the fault sequence
 * it shares with pagers, pool_fault.h, are the only place that implements
 * it):
 *
 *   pool_fault(pool, P, w)                    page P not resident
 *     0. policy.will_load(P)                  (if the policy has it)
 *     1. slot = lowest-numbered free slot, now busy; if there is none:
 *          v = policy.select_victim()         (a resident slot)
 *          policy.page_out(v)                 (v is busy: in transit;
 *                                              policy.take_victim, if the
 *                                              policy has it, does both)
 *          backend.evict(v, page of v)        (unmap; write back if needed)
 *          evictions++, writebacks += wrote
 *          slot = v
 *     2. backend.load(slot, P, w)            (zero-fill or swap in)
 *        swapins += read
 *     3. policy.page_in(slot, P, w)          (the slot is used)
 *     4. faults++
 *   A backend error stops the sequence where it happens: a failed evict
 *   puts the victim back (policy.page_in(v, its page, false): it stays
 *   resident, as if just loaded), a failed load leaves the slot free;
 *   neither counts a fault. With every slot busy and none resident the
 *   fault returns -MM_EAGAIN (wait for an I/O to end, then try again).
 *
 *   pool_evict_begin(pool) / pool_evict_end   reclaim ahead of need (the
 *                                             page-out daemon)
 *     1. v = policy.select_victim(); policy.page_out(v); v is busy
 *     2. (the caller unmaps and writes the page, maybe with others)
 *     3. end: evictions++, writebacks += wrote, reclaims++, v is free;
 *        or, if the write failed, page_in(v, its page, false) as above
 *
 *   pool_reference(pool, P, w)                one reference of a trace
 *     1. if P is not resident: pool_fault(pool, P, w)
 *     2. backend.touch(slot, w)               (host only: software A/D bits)
 *     3. pool_access_done(pool, P)
 *
 *   pool_access_done(pool, P)                 after a real access to P
 *     1. (A, D) = backend.harvest(slot)       (clears A)
 *     2. unless P faulted during this reference (page_in stood for it):
 *          policy.referenced(slot, A, D)
 *     3. refs++; every tick_every-th reference (if not 0): pool_tick(pool)
 *
 *   pool_tick(pool)                           periodic sweep
 *     1. for every resident slot in slot order:
 *          (A, D) = backend.harvest(slot); if A: policy.referenced(slot, A, D)
 *     2. policy.tick()
 *
 * The kernel's #PF handler calls pool_fault; its trace runner calls
 * pool_access_done after each access (the hardware already set A/D), which
 * makes it do exactly what pool_reference does on the host.
 *
 * While a future is attached (pool_set_future, for OPT) reference number
 * `refs` is the one in progress: future.now = refs - base at every step.
 *
 * INTERRUPTS AND LOCKING. A pool has no lock: mmk runs on one CPU, and every
 * call into a pool must be a critical section, with interrupts off or where
 * nothing else that uses the pool can run. Who calls what, and how:
 *
 *   pool_fault        from the #PF handler (an interrupt gate: interrupts
 *                     are off for the whole fault, backend I/O included:
 *                     swap is polled, so a fault never sleeps; except in
 *                     the user pool: SLEEPING I/O below, where a process's
 *                     fault runs with interrupts on and its lock, not the
 *                     interrupt flag, keeps others out)
 *   pool_access_done  from the thread that made the access, interrupts off
 *                     around it (vmpool_access_done does that)
 *   pool_tick         from the timer for pools registered to be swept
 *                     (interrupts off), or from the one thread that drives
 *                     a pool nobody sweeps (memman's time steps)
 *   pool_release      while a space's pages are removed (vm_region_remove
 *                     through the pager): its threads are stopped and a
 *                     swept pool is unregistered from the timer first
 *   pool_init/fini, pool_plan_future, pool_check: before or after use, or
 *                     with interrupts off
 *
 * Backend ops run in their caller's context and never call back into the
 * pool. On the host everything is one thread.
 *
 * SLEEPING I/O (the user pool, mm/anon.c). A pool whose callers all hold
 * one lock may let its backend sleep in swap I/O with the lock RELEASED
 * (the kernel's ATA driver then waits for its interrupt and other threads
 * run, faulting and evicting in the same pool meanwhile). The rules:
 *   - every entry into the pool, and every change to a PTE the pool
 *     manages, is made holding the lock (anon's sync ops); the backend
 *     drops it only around the device call of evict or load, and takes it
 *     again before it returns;
 *   - while it is dropped the slot is busy: no fault takes it, no policy
 *     knows it, the sweep (pool_tick) passes it by, pool_release cannot
 *     find it; the pool's other slots stay usable;
 *   - the page is in transit: eviction unmaps it before it writes it out,
 *     a page being read in stays unmapped until loaded, so nobody changes
 *     it; the owner marks it so, and a second fault on it, a release of
 *     it, waits for that I/O to end (anon's wait/wake) instead of starting
 *     another; the pool itself never sees a fault on a page in transit;
 *   - a fault re-reads its PTE once it holds the lock (the page may have
 *     come in, or gone out, meanwhile);
 *   - the timer's sweep skips a pool whose lock is held;
 *   - what the pool shares with code outside it (the frame allocator, the
 *     kernel heap, the swap area) is called in critical sections of its
 *     own (the kernel's kvm_irqsafe, anon's sync enter/leave);
 *   - a failed write-back leaves the page resident and mapped as before, a
 *     failed read leaves it in swap: nothing is lost, the fault fails.
 * Other pools keep the rule above: every call a critical section, I/O
 * polled.
 */
#ifndef MM_POOL_H
#define MM_POOL_H

#include "mm_types.h"
#include "mm_alloc.h"
#include "fmt.h"
#include "repl.h"
#include "trace.h"

#define POOL_ACCESSED 1u /* harvest(): the A bit was set (and is now clear) */
#define POOL_DIRTY 2u    /* harvest(): the D bit is set (left set) */

/* Unmap page from slot; write it back if it is dirty or has no swap copy
 * yet. Returns 1 if it was written back, 0 if dropped (clean, with a valid
 * copy), or a negative MM_E* error (the page then stays resident and
 * nothing is counted). */
typedef int pool_evict_fn(void *ctx, uint32_t slot, uint64_t page);
/* Map page into slot: read it back from swap if it has a copy, else a
 * zero-filled frame. Returns 1 if read from swap, 0 if zero-filled, or a
 * negative MM_E* error (the slot then stays free). */
typedef int pool_load_fn(void *ctx, uint32_t slot, uint64_t page, bool is_write);

/* How the pool acts on the machine. Every op gets ctx first. */
struct pool_backend {
	pool_evict_fn *evict; /* (above) */
	pool_load_fn *load;
	/* The slot's A/D bits as POOL_ACCESSED | POOL_DIRTY; clears A. */
	unsigned (*harvest)(void *ctx, uint32_t slot);
	/* Optional (NULL in the kernel, where the access itself does it): an
	 * access to the page in slot sets A, and D if is_write. */
	void (*touch)(void *ctx, uint32_t slot, bool is_write);
	void *ctx;
	/* Optional: the slot whose page is page, or REPL_NO_SLOT, from the
	 * backend's own records (a vmpool reads the page's PTE). A pool whose
	 * backend has it keeps no page -> slot hash: a fault neither inserts
	 * nor deletes, and pool_check asks the backend about every used slot.
	 * It may answer a busy slot; the pool takes only used ones. */
	uint32_t (*lookup)(void *ctx, uint64_t page);
};

struct pool_stats {
	uint64_t refs;       /* references completed (pool_access_done calls) */
	uint64_t faults;     /* pool_fault calls that went through */
	uint64_t evictions;  /* pages evicted to make room */
	uint64_t writebacks; /* evictions that wrote the page back */
	uint64_t swapins;    /* loads that read the page back from swap */
	uint64_t reclaims;   /* evictions ahead of need (pool_evict_begin/end), not by a fault */
};

struct pool_config {
	uint32_t nframes;              /* slots, >= 1 */
	const struct repl_ops *policy; /* from the registry */
	uint64_t seed;                 /* for policies that draw random numbers */
	uint32_t tick_every;           /* references between automatic ticks; 0: never.
	                                * Trace replayers (tools/replay, the kernel's
	                                * replay) use nframes unless told otherwise. */
};

struct pool {
	struct pool_config cfg;
	struct pool_backend backend;
	struct mm_allocator alloc;
	struct repl policy;
	void *block;          /* the pool's memory: the arrays and the map */
	uint64_t *slot_page;  /* per slot: its page (valid when used) */
	uint8_t *slot_used;   /* per slot: free, used (holds a page) or busy (in transit) */
	uint32_t nresident;   /* used slots */
	uint32_t nbusy;       /* busy slots */
	uint32_t free_hint;   /* no free slot below this one */
	bool own_map;         /* the backend has no lookup: the pool keeps map */
	struct repl_map map;  /* page -> slot of the resident pages (own_map) */
	uint32_t fresh_slot;  /* slot loaded by the reference in progress */
	uint32_t tick_left;   /* references until the next automatic tick */
	bool has_future;
	bool fault_hooks;     /* a fault has a future to point or will_load to call */
	uint64_t future_base; /* refs when the future was attached */
	struct repl_future future;
	uint32_t *owned_future;            /* made by pool_plan_future */
	struct mm_allocator future_alloc;  /* ... with this */
	struct pool_stats stats;
};

/*
 * Set up pool over memory from a (the allocator is copied; it must outlive
 * the pool). Returns 0, -MM_EINVAL (no policy, nframes 0 or too large, a
 * backend op missing) or -MM_ENOMEM.
 */
int pool_init(struct pool *p, const struct pool_config *cfg,
	      const struct pool_backend *backend, const struct mm_allocator *a);
/* Give back the pool's memory (the backend is not called). */
void pool_fini(struct pool *p);

/* Attach the future of the reference string about to be replayed: next_use
 * as built by trace_next_use() (it must outlive the pool's use of it). The
 * next reference is number 0 of it. Returns 0 or -MM_EINVAL (too long). */
int pool_set_future(struct pool *p, const uint32_t *next_use, size_t nrefs);
/* The one way a replayer gives a pool its future: if the policy needs one
 * (OPT), build the next uses of refs[0..n) with memory from a and attach
 * them; the pool owns them until pool_drop_future or pool_fini. A policy
 * that needs no future gets nothing. 0, -MM_ENOMEM or -MM_EINVAL. */
int pool_plan_future(struct pool *p, const struct trace_ref *refs, size_t n, const struct mm_allocator *a);
void pool_drop_future(struct pool *p);

/* The #PF entry: bring page in (see the order above). Returns the slot, or
 * -MM_EEXIST (already resident), -MM_EINVAL (the policy needs a future and
 * none is attached, or it is used up), or a backend error. */
int pool_fault(struct pool *p, uint64_t page, bool is_write);
/* pool_fault for a page the caller knows is not resident (its PTE is not
 * present, and the owner's check holds resident pages present), without
 * the look-up: the same order, results and errors but -MM_EEXIST. A page
 * that was resident after all is caught, as a bug, when it is mapped. */
int pool_fault_absent(struct pool *p, uint64_t page, bool is_write);
/* After an access to the resident page: sample its A/D bits, inform the
 * policy, count the reference, maybe tick. 0, -MM_ENOENT (not resident) or
 * -MM_EINVAL (the policy needs a future and it is used up). */
int pool_access_done(struct pool *p, uint64_t page);
/* One reference of a trace: fault if needed, touch, access_done. Returns 1
 * if it faulted, 0 if it hit, or a negative error (from pool_fault, or
 * -MM_EINVAL when the policy's future is used up). */
int pool_reference(struct pool *p, uint64_t page, bool is_write);
/* Replay refs[0..n) with pool_reference. A policy that needs the future
 * gets one first (trace_next_use, with the pool's allocator, freed at the
 * end). Returns 0, or the first error (the counts so far stay in stats). */
int pool_replay(struct pool *p, const struct trace_ref *refs, size_t n);
/* Reclaim one frame ahead of need (see the order above): the policy's
 * victim, whose page is stored in *page, is taken from the policy and its
 * slot is busy until pool_evict_end. Returns the slot, -MM_ENOENT (nothing
 * resident) or -MM_EAGAIN (nothing resident now, but slots are busy). */
int pool_evict_begin(struct pool *p, uint64_t *page);
/* The eviction of slot (holding page) ended: wrote is 1 (written back), 0
 * (dropped) or a negative error (the page stays resident: page_in again).
 * keep_slot: the slot stays busy for the caller's own load (pool_fault);
 * otherwise it is free and counted as a reclaim. */
void pool_evict_end(struct pool *p, uint32_t slot, uint64_t page, int wrote, bool keep_slot);
/* Slots free for faults to take without evicting. */
static inline uint32_t pool_free_slots(const struct pool *p)
{
	return p->cfg.nframes - p->nresident - p->nbusy;
}

/* The periodic sweep (see the order above). */
void pool_tick(struct pool *p);
/* The owner gives page up (e.g. its process ended): the slot is freed and the
 * policy told page_out; the backend is NOT called (the caller unmaps).
 * Returns 0 or -MM_ENOENT. */
int pool_release(struct pool *p, uint64_t page);

/* Replace the policy by a new instance of ops; every resident slot is
 * told to it (page_in, slot order) as if just loaded. 0, or -MM_ENOMEM /
 * -MM_EINVAL with the old policy kept. Not while a future is attached. */
int pool_set_policy(struct pool *p, const struct repl_ops *ops);

/* The slot holding page, or -MM_ENOENT. O(1) on average. */
int pool_lookup(const struct pool *p, uint64_t page);
/* The page in a used slot. */
uint64_t pool_slot_page(const struct pool *p, uint32_t slot);
bool pool_slot_used(const struct pool *p, uint32_t slot);

/* Walk slots, hash and policy; 0, or -MM_EINVAL with the first problem
 * described into err (may be NULL). */
int pool_check(const struct pool *p, struct mm_sink *err);
/* "refs=<n> faults=<n> evictions=<n> writebacks=<n>" (no newline). */
void pool_format_stats(const struct pool *p, struct mm_sink *out);

#endif
