/*
 * trace.h - page reference traces: parsing them from a byte buffer (the
 * whole file, already decompressed) into an array of (page, is_write), and
 * the next-use table that OPT replays them with.
 *
 * Two formats, told apart by the first line that is neither empty nor "*":
 *
 *   LIRS     one block number (decimal) per line; the block is the page.
 *            Lines "*" (print marks of the original simulator) and empty
 *            lines are skipped. Every reference is a read.
 *   address  "l 0x1fffff50 1" / "s 0x1fffff50 1": load or store, a byte
 *            address in hex (0x optional), then optionally a decimal count
 *            of instructions since the previous access (ignored).
 *            page = address >> 12; "s" is a write.
 *
 * Leading and trailing blanks (and a CR before the newline) are ignored; the
 * last line needs no newline. Parsing is all or nothing: the first malformed
 * line is reported with its number and no reference is returned, so nothing
 * of a bad trace is ever replayed.
 */
#ifndef MM_TRACE_H
#define MM_TRACE_H

#include "mm_types.h"
#include "mm_alloc.h"

enum trace_format { TRACE_AUTO = 0, TRACE_LIRS = 1, TRACE_ADDR = 2 };

struct trace_ref {
	uint64_t page;
	uint32_t is_write;
};

struct trace {
	struct trace_ref *refs; /* from the allocator given to trace_parse */
	size_t nrefs;
	enum trace_format format; /* the one found, when TRACE_AUTO was asked */
};

struct trace_error {
	uint32_t line; /* 1-based; 0 when the problem is not a line's */
	char msg[128]; /* "line 7: expected ..." */
};

/* The most references a trace may hold (indices fit in 32 bits). */
#define TRACE_MAX_REFS 0xfffffffeu

/*
 * Parse buf[0..nbytes) in the given format (or detect it). Returns 0 and
 * fills *out (refs is NULL when the trace has no reference), or -MM_EINVAL
 * (malformed: *err says where and why) or -MM_ENOMEM; *out is then empty.
 */
int trace_parse(const char *buf, size_t nbytes, enum trace_format format,
		const struct mm_allocator *a, struct trace *out, struct trace_error *err);
void trace_free(struct trace *t, const struct mm_allocator *a);
const char *trace_format_name(enum trace_format format);

/*
 * Build next_use[i] = index of the next reference to the page of refs[i],
 * or REPL_NEVER (0xffffffff) if there is none: the future OPT needs
 * (pool_set_future). O(n) with a page hash. Returns 0 and *out (free it
 * with a), -MM_EINVAL (too many references) or -MM_ENOMEM.
 */
int trace_next_use(const struct trace_ref *refs, size_t n, const struct mm_allocator *a,
		   uint32_t **out);

#endif
