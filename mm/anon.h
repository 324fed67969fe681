/*
 * anon.h - shared anonymous memory: the pager of user processes. Pages may
 * be mapped by several address spaces at once (after fork), are copied on
 * the first write (copy-on-write), and page through a frame pool (mm/pool.c,
 * any replacement policy) to a swap area.
 *
 * Every page a process has is an anon page: its reference count is the
 * number of mappings (space, address) that hold it, kept in a reverse map
 * so that eviction can reach every PTE. While the page is resident, the
 * pool slot's frame is mapped by each of them; a PTE is writable only when
 * its region allows writes and the page has one mapping. Paged out, each
 * mapping's PTE holds the page's number (the swapped-PTE encoding of
 * mm/pgtable.h, with the number in place of a swap slot), and the page
 * knows its swap slot.
 *
 *   first touch      a new page (count 1), zero-filled or filled from the
 *                    region's file, loaded into a pool slot
 *   fork (share)     the child's PTE gets the same frame (or number), the
 *                    count goes up, both PTEs lose W
 *   write fault      count 1: the PTE gets W back (reuse); else the page is
 *                    copied into a new page for this mapping alone
 *   evict            every mapping's PTE <- swapped(number); written back if
 *                    any mapping dirtied it or it has no swap copy, unless
 *                    it still holds its file's bytes (then just dropped)
 *   load             read back (or fill) into the slot's frame; every
 *                    mapping's PTE <- frame
 *   release          the mapping goes; at count 0 the slot and swap copy go
 *
 * Keys of the pool are page numbers; a frame finds its slot through a hash
 * made once (a slot's frame never changes). Locking: every entry point
 * takes the pool's sync lock (struct anon_sync), which may be held across
 * swap I/O that sleeps; without one, every call must be a critical section
 * (pool.h).
 */
#ifndef MM_ANON_H
#define MM_ANON_H

#include "pool.h"
#include "swap.h"
#include "vmspace.h"

#define ANON_MAX_PAGES (1u << 20) /* page numbers fit a swapped PTE's 20 bits */

struct anon_rmap {
	struct vm_space *s;
	vaddr_t va;
	struct anon_rmap *next;
};

/* What a page being loaded starts as, when it has no swap copy: a copy of
 * src, or its region's bytes at va (zeros, or the file's). */
struct anon_fill {
	const void *src;
	const struct vm_region *region;
	vaddr_t va;
};

enum anon_transit { ANON_STILL, ANON_IN, ANON_OUT };

struct anon_page {
	uint32_t nmap;          /* mappings: the page's (and frame's) reference count */
	uint32_t slot;          /* pool slot while resident, REPL_NO_SLOT otherwise */
	uint32_t swap;          /* swap slot with a valid copy, or SWAP_NO_SLOT */
	bool from_file;         /* holds its region's file bytes, never written: eviction
	                           drops it and a load reads the file again */
	bool dirty;             /* written since its swap copy was made, by a mapping
	                           whose PTE (and its D bit) is gone: release, copy */
	uint8_t transit;        /* enum anon_transit: being read in or written out; its
	                           PTEs are then all swapped (unmapped) */
	const struct anon_fill *fill; /* while it is loaded by a fault: its contents */
	struct anon_rmap *maps;
};

struct anon_stats {
	uint64_t shares;      /* mappings given to a child at fork */
	uint64_t cow_copies;  /* write faults that copied a shared page */
	uint64_t cow_reuses;  /* write faults on a page nobody else held */
	uint64_t file_fills;  /* first touches filled from a file */
	uint64_t zero_fills;  /* first touches zero-filled */
	uint64_t file_drops;  /* evictions of clean file pages: nothing written */
	uint64_t io_retries;  /* faults tried again after a swap I/O error */
	uint64_t transit_waits; /* faults and releases that waited for a page in transit */
	uint64_t busy_waits;  /* faults that waited because every frame was in transit */
	uint64_t unlocked_ios; /* swap I/Os made with the pool's lock released */
	uint64_t reclaim_runs;   /* anon_reclaim calls that freed something */
	uint64_t cluster_writes; /* device writes of anon_reclaim (each of adjacent slots) */
	uint64_t cluster_pages;  /* pages they wrote */
};

/* How callers of the pool exclude each other when its swap I/O may sleep:
 * every entry point (the pager ops, attach/detach aside, check, print,
 * set_policy, reclaim) runs between lock and unlock. io_begin/io_end
 * bracket one device call: the lock is released meanwhile (and the caller
 * may sleep in the I/O); wait releases the lock, sleeps until wake and
 * takes the lock again (a page was in transit). NULL ops: the caller keeps
 * every call a critical section itself (pool.h's rule), I/O keeps the lock
 * (if only io_begin is NULL) and nothing ever waits. enter/leave bracket
 * each call into the swap area, which is shared with code outside the pool
 * (the kernel's own pools): a short critical section where the pool runs
 * with interrupts on (NULL: nothing to do). */
struct anon_sync {
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);
	void (*io_begin)(void *ctx);
	void (*io_end)(void *ctx);
	void (*wait)(void *ctx);
	void (*wake)(void *ctx);
	uint32_t (*enter)(void *ctx);
	void (*leave)(void *ctx, uint32_t state);
	void *ctx;
};

/* Memory pressure: after a fault leaves fewer than low slots free, kick
 * (under the lock; it must not sleep) wakes whoever reclaims ahead of need
 * (a page-out daemon calling anon_reclaim). kick NULL: nobody. */
struct anon_pressure {
	uint32_t low;
	void (*kick)(void *ctx);
	void *ctx;
};

struct anon_pool {
	struct pool pool;
	struct anon_sync sync;
	struct anon_pressure pressure;
	const struct vm_sys *sys;
	struct swap_area *swap;
	paddr_t *frames;            /* per slot */
	struct repl_map frame_slot; /* frame number -> slot */
	void *frame_slot_mem;
	struct anon_page **pages;   /* by number (0 is never used) */
	uint32_t cap;               /* entries of pages[] */
	uint32_t *free_nums;        /* numbers given back, reused first */
	uint32_t nfree, next_num;
	uint32_t live;              /* pages that exist */
	uint32_t nspaces;           /* spaces attached */
	uint32_t hold_lock;         /* > 0: device calls keep the lock (a copy's source
	                               frame must not move meanwhile) */
	uint32_t in_flight;         /* pages on their way to or from the device with the lock released */
	const char *last_error;
	struct anon_stats stats;
};

/* Take cfg->nframes frames from sys; set up the pool and its policy.
 * 0, -MM_EINVAL or -MM_ENOMEM (nothing kept). */
int anon_init(struct anon_pool *ap, const struct vm_sys *sys, struct swap_area *sw,
	      const struct pool_config *cfg);
/* Give the frames back; every space must have been detached. */
void anon_fini(struct anon_pool *ap);
/* s pages through ap from now on (it must have no pages yet). */
void anon_attach(struct anon_pool *ap, struct vm_space *s);
/* Remove every region of s (releasing its pages) and let it go. */
void anon_detach(struct anon_pool *ap, struct vm_space *s);
/* Replace the policy; the resident pages are told to the new one as if
 * just loaded. 0 or -MM_ENOMEM / -MM_EINVAL (the old one stays). */
int anon_set_policy(struct anon_pool *ap, const struct repl_ops *ops);

/* The page-out daemon's step: evict pages until want slots are free or
 * batch pages were taken, writing the dirty ones to adjacent swap slots
 * with one device call per run of slots (the lock released meanwhile).
 * Returns the slots freed (>= 0), or, when none could be, the first
 * failure's error (the pages whose write failed stay resident). */
int anon_reclaim(struct anon_pool *ap, uint32_t want, uint32_t batch);

/* The page mapped at va in s (resident or not), or NULL. */
const struct anon_page *anon_page_at(const struct anon_pool *ap, const struct vm_space *s, vaddr_t va);

/* Every page's count equals its reverse-map length, every mapping's PTE
 * agrees with the page's state, the pool and swap are consistent. */
int anon_check(struct anon_pool *ap, struct mm_sink *err);
void anon_print(struct anon_pool *ap, struct mm_sink *out);

#endif
