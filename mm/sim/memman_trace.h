/*
 * memman_trace.h - memman trace files: parsing and validating them into
 * processes and their accesses.
 *
 *   total_mem virtual_mem                      (bytes; the first line)
 *   t0 name tf b p1 t1 [p2 t2 ...]             (one process per line)
 *
 * A process arrives at time t0, ends at tf, needs b bytes (so ceil(b/16)
 * pages of MEMMAN_PAGE_BYTES) and accesses byte position pN of its own
 * memory at time tN. All numbers are unsigned decimal below 2^32; fields
 * are separated by blanks (spaces, tabs); a CR before the newline and blank
 * lines are ignored; the last line needs no newline.
 *
 * Process ids: processes are numbered 0, 1, 2, ... in the order of their
 * lines in the file (blank lines do not count). That number is the id
 * written into memory by the process and into memman's byte images, so at
 * most MEMMAN_MAX_PROCS (255) processes fit in a trace: 0xff marks free
 * bytes. Names need not be unique.
 *
 * Validation is all or nothing: the first problem is reported with its
 * 1-based line number and no part of the trace is returned. Refused:
 *   - a first line that is not exactly two numbers, a size of 0 or not a
 *     multiple of 16 (unless MEMMAN_TRACE_ROUND is given: then any size of
 *     at least 16 is accepted and only its whole 16-byte pages are used),
 *     a size above MEMMAN_MAX_BYTES;
 *   - a process line with fewer than 6 fields or an odd number of p/t
 *     fields; a field that is not a number where one is expected;
 *   - tf < t0; b == 0; a position outside [0, b); a time outside [t0, tf];
 *   - a name longer than MEMMAN_NAME_MAX bytes;
 *   - any byte that is not a printable character, blank or line end;
 *   - more than MEMMAN_MAX_PROCS processes, or no first line at all.
 * A process whose b is bigger than the whole virtual memory is NOT refused
 * here: like any process that does not fit, it is rejected when it arrives.
 */
#ifndef MM_MEMMAN_TRACE_H
#define MM_MEMMAN_TRACE_H

#include "mm_types.h"
#include "mm_alloc.h"

#define MEMMAN_PAGE_BYTES 16u
#define MEMMAN_NAME_MAX 32u
#define MEMMAN_MAX_PROCS 255u
/* Sizes above this would need more than 2^24 frames or pages. */
#define MEMMAN_MAX_BYTES (1u << 28)
/* The most accesses a trace may hold (indices stay within 31 bits). */
#define MEMMAN_MAX_ACCESSES 0x7fffffffu

/* Parse flags. */
#define MEMMAN_TRACE_ROUND 1u /* accept sizes that are not multiples of 16 */

struct memman_access {
	uint32_t pos;  /* byte offset in the process's own memory, < b */
	uint32_t time; /* in [t0, tf] */
};

struct memman_proc {
	uint32_t id;        /* 0-based order of its line among process lines */
	uint32_t line;      /* 1-based line number in the file */
	uint32_t t0, tf;    /* arrival and end times */
	uint32_t nbytes;    /* b */
	uint32_t npages;    /* ceil(b / 16) */
	uint32_t first;     /* index of its first access in trace.accesses */
	uint32_t naccesses; /* its accesses: accesses[first .. first+naccesses) */
	char name[MEMMAN_NAME_MAX + 1];
};

struct memman_trace {
	uint32_t total_mem, virtual_mem; /* bytes, as written */
	uint32_t nframes;                /* total_mem / 16 */
	uint32_t nvpages;                /* virtual_mem / 16 */
	uint32_t nprocs, naccesses;
	struct memman_proc *procs;       /* in line order (procs[i].id == i) */
	struct memman_access *accesses;  /* grouped by process, in line order */
};

struct memman_error {
	uint32_t line; /* 1-based; 0 when the problem is not a line's */
	char msg[160]; /* "line 3: access time 9 outside [1, 3]" */
};

/*
 * Parse buf[0..nbytes). Returns 0 and fills *out (its arrays from a; NULL
 * when empty), or -MM_EINVAL (*err says where and why) or -MM_ENOMEM; *out
 * is then empty. flags: 0 or MEMMAN_TRACE_ROUND.
 */
int memman_trace_parse(const char *buf, size_t nbytes, unsigned flags,
		       const struct mm_allocator *a, struct memman_trace *out,
		       struct memman_error *err);
void memman_trace_free(struct memman_trace *t, const struct mm_allocator *a);

/* The page of a process holding byte position pos. */
static inline uint32_t memman_page_of(uint32_t pos)
{
	return pos / MEMMAN_PAGE_BYTES;
}

#endif
