/*
 * fit_next.c - Next Fit (memman free-space algorithm 2).
 *
 * First Fit whose search does not always start at unit 0 but at a roving
 * position, so that allocations spread over the range instead of piling up
 * at its start. The exact rule:
 *
 *   - The rover starts at unit 0.
 *   - A request for n units looks at the holes in address order starting
 *     with the hole that contains the rover or, if the rover is not in a
 *     hole, the first hole above it; after the highest hole it wraps round
 *     to the lowest hole and goes on up to (not including) the hole it
 *     started with. So every hole is looked at exactly once.
 *   - It takes the first hole of at least n units; the segment sits at the
 *     START of that hole (which may lie below the rover, when the rover is
 *     inside a hole that grew downwards by coalescing), the rest stays a
 *     hole.
 *   - After a successful allocation the rover is the unit just past the new
 *     segment, base + n, or 0 when that is the end of the range. A failed
 *     allocation and a free leave the rover where it is.
 *
 * O(holes) per allocation and per free.
 */
#include "fit.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

struct next {
	struct fit_space sp; /* first, as fit.h requires */
	uint32_t rover;
};

static size_t next_layout(uint32_t n, size_t *arrays)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct next));
	*arrays = mm_take(&end, fit_space_bytes(n));
	return end;
}

static size_t next_state_size(uint32_t n)
{
	size_t arrays;
	return next_layout(n, &arrays);
}

static int next_init(void *state, uint32_t n)
{
	if (n == 0 || n > FIT_MAX_UNITS) return -MM_EINVAL;
	struct next *s = state;
	size_t arrays;
	next_layout(n, &arrays);
	fit_space_init(&s->sp, (char *)state + arrays, n);
	s->rover = 0;
	return 0;
}

/* The hole to look at after h: the next one up, wrapping to the lowest. */
static uint32_t next_hole_round(const struct fit_space *sp, uint32_t h)
{
	return sp->next[h] != FIT_NONE ? sp->next[h] : sp->first;
}

static uint32_t next_alloc(void *state, uint32_t n)
{
	struct next *s = state;
	if (n == 0 || s->sp.first == FIT_NONE) return FIT_NONE;
	uint32_t start = fit_space_hole_from(&s->sp, s->rover);
	if (start == FIT_NONE) start = s->sp.first;
	uint32_t h = start;
	do {
		if (s->sp.hole_len[h] >= n) {
			uint32_t base = fit_space_take(&s->sp, h, n);
			s->rover = base + n == s->sp.nunits ? 0 : base + n;
			return base;
		}
		h = next_hole_round(&s->sp, h);
	} while (h != start);
	return FIT_NONE;
}

static void next_free(void *state, uint32_t base, uint32_t n)
{
	struct next *s = state;
	fit_space_release(&s->sp, base, n);
}

static int next_check(const void *state, struct mm_sink *err)
{
	const struct next *s = state;
	int e = fit_space_check(&s->sp, err);
	if (e) return e;
	if (s->rover >= s->sp.nunits)
		return mm_bad(err, "next fit: rover %u beyond %u units", s->rover, s->sp.nunits);
	return 0;
}

const struct fit_ops fit_next_ops = {
	.name = "next",
	.aliases = "next-fit nextfit next_fit nf",
	.memman = 2,
	.summary = "Next Fit: First Fit from a roving start (after the last allocation)",
	.state_size = next_state_size,
	.init = next_init,
	.alloc = next_alloc,
	.free = next_free,
	.check = next_check,
};
