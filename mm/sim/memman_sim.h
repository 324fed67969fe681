/*
 * memman_sim.h - the memman simulation: the order of its events, and an
 * exact reference simulator that runs a trace through a frame pool.
 *
 * The rules (memman semantics as mmk defines them):
 *
 *   Pages are 16 bytes. Physical memory is a pool of total_mem/16 frames,
 *   virtual memory virtual_mem/16 pages. A process gets a segment of
 *   ceil(b/16) virtual pages chosen by the fit policy (mm/fit/fit.h); its byte
 *   position p is in its page p/16, virtual page base + p/16.
 *   At each integer time t, in this order:
 *     1. the processes with t0 == t arrive, in trace-line order, and each
 *        gets its segment; one that does not fit is rejected (it never
 *        runs: its accesses and its end are skipped);
 *     2. the accesses with time t happen in trace-line order (the lines in
 *        file order, and within a line its pairs from left to right): each
 *        is a write of the process id into its page;
 *     3. the processes with tf == t end, in trace-line order, releasing
 *        their frames, swap copies and segment (holes coalesce).
 *   A fault takes the lowest-numbered free frame; when none is free the
 *   replacement policy picks a victim. Every first touch is a fault.
 *
 * THE EVENT ITERATOR (memman_events_*) turns a trace into that order and
 * does the segment bookkeeping with its own fit instance, so a driver (this
 * file's simulator, or the kernel running one thread per process) only has
 * to act on each event:
 *
 *   ARRIVE(proc)  proc got segment [base, base+npages) of virtual pages
 *   REJECT(proc)  proc arrived but no hole was big enough
 *   ACCESS(proc, page)
 *                 proc writes its id at byte pos of its memory: its page
 *                 `page` (pos/16), virtual page `vpage` (base + page)
 *   END(proc)     proc ended; its segment [base, base+npages) has already
 *                 been given back to the fit policy; the driver releases the
 *                 frames and swap copies of the process's pages
 *   TICK(t)       time t is over (after its ends): the moment to print the
 *                 state "every interval time units" or to sweep R bits
 *
 * TICK(t) comes for every time t at which the trace schedules something
 * (an arrival, access or end, even of a rejected process) and, when an
 * interval is given, for every multiple of it from 0 up to the last end;
 * a driver printing the state "every interval time units" prints at the
 * TICKs whose time is a multiple of the interval. Times with nothing
 * scheduled and no tick due are skipped (nothing changes in them).
 *
 * Pages are named by a global key, memman_page_key(proc, page) = proc << 32
 * | page, so that two processes never share a page even when one reuses the
 * other's virtual pages: that is what the pool and OPT's future need.
 */
#ifndef MM_MEMMAN_SIM_H
#define MM_MEMMAN_SIM_H

#include "mm_types.h"
#include "mm_alloc.h"
#include "fmt.h"
#include "fit.h"
#include "repl.h"
#include "pool.h"
#include "pool_soft.h"
#include "trace.h"
#include "memman_trace.h"

enum memman_event_kind {
	MEMMAN_EV_ARRIVE = 1,
	MEMMAN_EV_REJECT = 2,
	MEMMAN_EV_ACCESS = 3,
	MEMMAN_EV_END = 4,
	MEMMAN_EV_TICK = 5,
};

struct memman_event {
	enum memman_event_kind kind;
	uint32_t time;
	uint32_t proc;   /* the process (its id, index into trace->procs); not for TICK */
	uint32_t base;   /* ARRIVE, ACCESS, END: first virtual page of its segment
			  * (REJECT: FIT_NONE) */
	uint32_t npages; /* ARRIVE, REJECT, END: pages of its segment */
	uint32_t pos;    /* ACCESS: byte position in the process's memory */
	uint32_t page;   /* ACCESS: pos / 16, the page in the process */
	uint32_t vpage;  /* ACCESS: base + page */
	uint32_t access; /* ACCESS: index into trace->accesses */
};

/* Where a process stands. */
enum memman_proc_state {
	MEMMAN_WAITING = 0,  /* not arrived yet */
	MEMMAN_RUNNING = 1,  /* has its segment */
	MEMMAN_REJECTED = 2, /* arrived, did not fit */
	MEMMAN_ENDED = 3,    /* ran and ended */
};

struct memman_events {
	const struct memman_trace *trace;
	struct mm_allocator alloc;
	struct fit fit;         /* over trace->nvpages units */
	void *block;            /* the arrays below */
	uint32_t *by_arrival;   /* process ids sorted by (t0, line) */
	uint32_t *by_end;       /* process ids sorted by (tf, line) */
	uint32_t *by_time;      /* access indices sorted by (time, line, pair) */
	uint32_t *access_proc;  /* per access: its process */
	uint32_t *base;         /* per process: its segment's base, or FIT_NONE */
	uint8_t *state;         /* per process: enum memman_proc_state */
	uint32_t next_arrival, next_end, next_access;
	uint32_t interval;
	uint64_t now, last;     /* the time being worked through; the last end */
	int phase;              /* within now: arrivals, accesses, ends, tick */
	bool busy;              /* the trace scheduled something at now */
	bool done;
};

/*
 * Set up an iterator over trace (which must outlive it) with a fresh
 * instance of the fit policy over trace->nvpages pages. interval: also
 * TICK at every multiple of it (0: only at the times of events). Returns
 * 0, -MM_EINVAL (no fit policy) or -MM_ENOMEM.
 */
int memman_events_init(struct memman_events *it, const struct memman_trace *trace,
		       const struct fit_ops *fit, uint32_t interval,
		       const struct mm_allocator *a);
void memman_events_fini(struct memman_events *it);
/* The next event into *ev: returns 1, or 0 when the trace is over. */
int memman_events_next(struct memman_events *it, struct memman_event *ev);
static inline enum memman_proc_state memman_events_state(const struct memman_events *it,
							 uint32_t proc)
{
	return (enum memman_proc_state)it->state[proc];
}
/* The base of a running process's segment (FIT_NONE otherwise). */
static inline uint32_t memman_events_base(const struct memman_events *it, uint32_t proc)
{
	return it->base[proc];
}
/* The fit policy's segments are exactly the running processes'. 0 or
 * -MM_EINVAL with the problem described into err (may be NULL). */
int memman_events_check(const struct memman_events *it, struct mm_sink *err);

static inline uint64_t memman_page_key(uint32_t proc, uint32_t page)
{
	return ((uint64_t)proc << 32) | page;
}
static inline uint32_t memman_key_proc(uint64_t key)
{
	return (uint32_t)(key >> 32);
}
static inline uint32_t memman_key_page(uint64_t key)
{
	return (uint32_t)key;
}

/*
 * The reference string of a trace under a fit policy: every access that
 * happens (rejected processes make none), in event order, as
 * (memman_page_key(proc, page), write). *refs comes from a (NULL when
 * there is none). The kernel replays the same string; with pool_set_future
 * it gives OPT its future (trace_next_use(refs) links equal keys, so any
 * one-to-one renaming of the keys gives the same table). Returns 0,
 * -MM_EINVAL or -MM_ENOMEM.
 */
int memman_refstring(const struct memman_trace *trace, const struct fit_ops *fit,
		     const struct mm_allocator *a, struct trace_ref **refs, size_t *nrefs);

/* ---- the reference simulator ---------------------------------------- */

struct memman_sim_config {
	const struct fit_ops *fit;      /* free-space policy */
	const struct repl_ops *policy;  /* replacement policy */
	uint64_t seed;                  /* for randomised policies */
	uint32_t interval;              /* extra TICKs, see memman_events_init */
	bool sweep_each_tick;           /* pool_tick() at every TICK (NRU, aging) */
};

struct memman_sim {
	const struct memman_trace *trace;
	struct memman_sim_config cfg;
	struct mm_allocator alloc;
	struct memman_events ev;
	struct pool_soft soft;
	struct pool pool;
	bool soft_ready, pool_ready; /* set up (and so to be torn down) */
	uint64_t *proc_faults;   /* per process */
	uint64_t faults, accesses;
	uint32_t admitted, rejected, ended;
	uint32_t time;           /* of the last event */
};

/*
 * Set up a simulation of trace (which must outlive it): an event iterator,
 * a pool of trace->nframes frames with the policy over the software
 * backend, and, for a policy that needs the future, the next-use table of
 * the reference string. Returns 0, -MM_EINVAL or -MM_ENOMEM.
 */
int memman_sim_init(struct memman_sim *s, const struct memman_trace *trace,
		    const struct memman_sim_config *cfg, const struct mm_allocator *a);
void memman_sim_fini(struct memman_sim *s);
/* Take the next event and carry it out (fault, release, sweep); *ev says
 * what it was. Returns 1, 0 when the trace is over, or a negative error of
 * the pool. */
int memman_sim_step(struct memman_sim *s, struct memman_event *ev);
/* Run to the end; each rejection is reported on msg (may be NULL) as
 * "t=<t>: process <id> (<name>) rejected: needs <n> pages, no hole big
 * enough". Returns 0 or the first error. */
int memman_sim_run(struct memman_sim *s, struct mm_sink *msg);
/* Per frame: the key of the page it holds, or MEMMAN_NO_PAGE. */
#define MEMMAN_NO_PAGE UINT64_MAX
void memman_sim_frames(const struct memman_sim *s, uint64_t *keys);
/* mm.mem (trace->total_mem bytes) and mm.vir (trace->virtual_mem bytes). */
void memman_sim_mem_image(const struct memman_sim *s, uint8_t *buf);
void memman_sim_vir_image(const struct memman_sim *s, uint8_t *buf);
/* "time <t>: <n> page faults" then the physical and virtual maps. */
void memman_sim_print_state(const struct memman_sim *s, struct mm_sink *out);
/* One line per process "  <id> <name>: <n> page faults" (with "rejected"
 * for a rejected one), then "page faults: <total>". */
void memman_sim_print_faults(const struct memman_sim *s, struct mm_sink *out);
/* Events, fit, pool, backend, and every resident page a running
 * process's. 0 or -MM_EINVAL with the problem described into err. */
int memman_sim_check(const struct memman_sim *s, struct mm_sink *err);

/* ---- views shared with the kernel's driver -------------------------- */

/*
 * memman's byte image of physical memory: nbytes bytes (total_mem), 0xff
 * everywhere but in the 16 bytes of each frame f that holds a page, which
 * are the id of its process (keys[f] as memman_page_key, or MEMMAN_NO_PAGE).
 * Bytes past the last whole frame stay 0xff.
 */
void memman_mem_image(const uint64_t *keys, uint32_t nframes, uint8_t *buf, uint32_t nbytes);
/* memman's byte image of virtual memory (virtual_mem bytes): each running
 * process's segment filled with its id, 0xff elsewhere. */
void memman_events_vir_image(const struct memman_events *it, uint8_t *buf);
/* "physical memory: <n> frames of 16 bytes, <f> free", then per frame
 * "  frame <f>: process <id> (<name>) page <p>", a run of free frames as
 * "  frames <a>-<b>: free" (or "  frame <f>: free"). */
void memman_print_frames(const struct memman_trace *trace, const uint64_t *keys,
			 uint32_t nframes, struct mm_sink *out);
/* The same with each frame's key from key(ctx, frame) (MEMMAN_NO_PAGE: free). */
typedef uint64_t (*memman_frame_key)(const void *ctx, uint32_t f);
void memman_print_frames_by(const struct memman_trace *trace, uint32_t nframes, memman_frame_key key,
			    const void *ctx, struct mm_sink *out);
/* "virtual memory: <n> pages of 16 bytes, <policy> fit, <f> free in <h>
 * holes", then per piece "  pages <a>-<b>: process <id> (<name>)" or
 * "  pages <a>-<b>: hole" ("page <a>" for a piece of one page). */
void memman_events_print_virt(const struct memman_events *it, struct mm_sink *out);
/* Print bytes exactly as `xxd -g 1` does: "%08x: " then the bytes in hex
 * separated by spaces, padded to 16 columns, two spaces, then the bytes as
 * characters ('.' for anything outside 0x20..0x7e). */
void memman_xxd(const uint8_t *bytes, size_t n, struct mm_sink *out);
/* The same, folded as hexdump folds: a full line equal to the one before it
 * is left out, and a line "*" stands for each run left out; the last line
 * is always printed. (xxd itself folds only all-zero lines, with -a.) */
void memman_xxd_folded(const uint8_t *bytes, size_t n, struct mm_sink *out);
/* One line describing an event, e.g. "t=3 access process 1 (p1) pos 17
 * page 1 vpage 5". */
void memman_print_event(const struct memman_trace *trace, const struct memman_event *ev,
			struct mm_sink *out);

#endif
