/*
 * fit.h - free-space (fit) policies: managers of a range of N units that hand
 * out contiguous segments, the fixed API every policy implements, and the
 * registry that lists them. memman allocates its processes' virtual pages
 * with them (its "espaco" command); a heap may use them too.
 *
 * Every policy keeps the same picture of the range, a struct fit_space:
 *
 *   unit   0       a          b            c                  N
 *          +-------+----------+------------+------------------+
 *          | seg   |  hole    |  seg       |  hole            |
 *          +-------+----------+------------+------------------+
 *
 * a set of segments (allocated, each remembered with its length) and of
 * holes (free runs). Holes never touch: a free coalesces the released
 * segment with the holes on either side, so every pair of holes has at
 * least one segment between them. Segments may touch. A segment always
 * starts at the lowest unit of the hole it is carved from; the remainder
 * (if any) stays a hole. The policies differ only in WHICH hole they pick:
 *
 *   first  (memman 1)  the lowest-addressed hole that is big enough.
 *   next   (memman 2)  like first, but the search starts at a roving
 *                      position: see fit_next.c for the exact rule.
 *   quick  (memman 3)  exact-size free lists for 1..FIT_QUICK_CLASSES units
 *                      plus a general list: see fit_quick.c for the rule.
 *   best               the smallest hole that is big enough (lowest address
 *                      among equals).
 *   worst              the largest hole (lowest address among equals).
 *
 * State: an instance lives in ONE block of state_size(nunits) bytes that the
 * caller provides (8-byte aligned). The block begins with a struct
 * fit_space (so generic code reads any policy's picture through
 * fit_space_of()); init() lays the block out and never allocates; policies
 * keep no globals.
 *
 * Contract of the ops: alloc(n) returns the first unit of a new segment of n
 * units, or FIT_NONE when no hole is big enough or n is 0 (running out is
 * not a bug). free(base, n) must name exactly a live segment (its base and
 * its length); anything else is a bug and panics (MM_ASSERT).
 */
#ifndef MM_FIT_H
#define MM_FIT_H

#include "mm_types.h"
#include "mm_alloc.h"
#include "fmt.h"
#include "mmlib.h"

#define FIT_NONE 0xffffffffu
/* The largest range any policy accepts (sizes stay within 32 bits). */
#define FIT_MAX_UNITS (1u << 24)
/* Quick Fit's exact-size lists cover holes of 1..FIT_QUICK_CLASSES units. */
#define FIT_QUICK_CLASSES 16u

/* ---- the shared picture of the range --------------------------------- */

/*
 * Per unit u (arrays of nunits entries):
 *   hole_len[u]  length of the hole starting at u, 0 if no hole starts there
 *   seg_len[u]   length of the segment starting at u, 0 if none starts there
 *   next[u], prev[u]
 *                for a hole start: the next/previous hole start in address
 *                order (FIT_NONE at the ends); meaningless elsewhere
 * first is the lowest hole start (FIT_NONE when the range is full).
 *
 * A policy that needs to follow holes as they appear and disappear (Quick
 * Fit's size lists) sets on_add/on_remove: every hole that comes into being
 * is announced with on_add after it is linked, every hole that stops being
 * one (taken, merged, or resized: a resize is a remove then an add) with
 * on_remove before it is unlinked.
 */
struct fit_space {
	uint32_t nunits;
	uint32_t nholes, nsegs;
	uint32_t free_units;
	uint32_t first;
	uint32_t *hole_len, *seg_len, *next, *prev;
	void (*on_add)(void *ctx, uint32_t start, uint32_t len);
	void (*on_remove)(void *ctx, uint32_t start, uint32_t len);
	void *ctx;
};

/* Bytes of the per-unit arrays of a space of nunits units. */
size_t fit_space_bytes(uint32_t nunits);
/* Lay a space out over mem (8-byte aligned, fit_space_bytes(nunits) bytes):
 * one hole covering everything (none when nunits is 0). */
void fit_space_init(struct fit_space *sp, void *mem, uint32_t nunits);
/* Carve a segment of n units from the start of the hole at start (which
 * must be a hole of at least n units). Returns start. */
uint32_t fit_space_take(struct fit_space *sp, uint32_t start, uint32_t n);
/* Give back the segment [base, base+n), coalescing it with neighbouring
 * holes. Panics unless it is exactly a live segment. Returns the start of
 * the hole that now contains it. */
uint32_t fit_space_release(struct fit_space *sp, uint32_t base, uint32_t n);
/* The piece starting at unit u (u must start a hole or a segment): its
 * length, and whether it is a hole. Walk a space with
 *   for (u = 0; u < sp->nunits; u += len) len = fit_space_piece(sp, u, &hole);
 */
uint32_t fit_space_piece(const struct fit_space *sp, uint32_t u, bool *is_hole);
/* The start of the hole containing or following unit u, in address order
 * (FIT_NONE when there is none). O(holes). */
uint32_t fit_space_hole_from(const struct fit_space *sp, uint32_t u);
/* Every unit covered exactly once, holes apart and linked in address order,
 * counts right. 0, or -MM_EINVAL with the first problem described into err
 * (which may be NULL). O(nunits). */
int fit_space_check(const struct fit_space *sp, struct mm_sink *err);

/* ---- policies ---------------------------------------------------------- */

struct fit_ops {
	const char *name;    /* canonical, lower case: "first" */
	const char *aliases; /* other accepted names, space separated, or "" */
	int memman;          /* memman's "espaco" number (1..3), or 0 */
	const char *summary; /* one line for the list of policies */

	size_t (*state_size)(uint32_t nunits);
	/* Returns 0, or -MM_EINVAL (nunits 0 or above FIT_MAX_UNITS). */
	int (*init)(void *state, uint32_t nunits);
	/* Base of a new segment of n units, or FIT_NONE. */
	uint32_t (*alloc)(void *state, uint32_t n);
	/* Release the live segment [base, base+n). */
	void (*free)(void *state, uint32_t base, uint32_t n);
	/* The space plus the policy's own structures; 0 or -MM_EINVAL. */
	int (*check)(const void *state, struct mm_sink *err);
};

/* The picture of any policy's state. */
static inline const struct fit_space *fit_space_of(const void *state)
{
	return (const struct fit_space *)state;
}

/* A policy instance: its ops and its state block. */
struct fit {
	const struct fit_ops *ops;
	void *state;
	uint32_t nunits;
};

/* Allocate the state from a and init it. Returns 0, -MM_ENOMEM or -MM_EINVAL. */
int fit_create(struct fit *f, const struct fit_ops *ops, uint32_t nunits,
	       const struct mm_allocator *a);
void fit_destroy(struct fit *f, const struct mm_allocator *a);
static inline uint32_t fit_alloc(struct fit *f, uint32_t n)
{
	return f->ops->alloc(f->state, n);
}
static inline void fit_free(struct fit *f, uint32_t base, uint32_t n)
{
	f->ops->free(f->state, base, n);
}
static inline int fit_check(const struct fit *f, struct mm_sink *err)
{
	return f->ops->check(f->state, err);
}
/* The instance's picture of the range. */
static inline const struct fit_space *fit_space(const struct fit *f)
{
	return fit_space_of(f->state);
}
/* One line per piece in address order, units inclusive:
 *   "  segment    0-3      (4 units)"
 *   "  hole       4-99     (96 units)"
 * preceded by "<policy>: <N> units, <F> free in <H> holes, <S> segments". */
void fit_print(const struct fit *f, struct mm_sink *out);

/* ---- registry ---------------------------------------------------------- */

size_t fit_count(void);
const struct fit_ops *fit_at(size_t i); /* NULL past the end */
/* By name or alias, case-insensitive; a decimal memman number ("2") is also
 * accepted. NULL when nothing matches. */
const struct fit_ops *fit_lookup(const char *name);
/* By memman number 1..3; NULL otherwise. */
const struct fit_ops *fit_by_memman(int number);
/* One line per policy: "  N: name   summary (also: aliases)", for help and
 * for the message shown when a name is unknown. */
void fit_list(struct mm_sink *out);

/* The policies themselves (mm/fit/fit_<name>.c). */
extern const struct fit_ops fit_first_ops, fit_next_ops, fit_quick_ops,
	fit_best_ops, fit_worst_ops;

/* Check functions report a corruption with mm_bad (check.h). */


#endif
