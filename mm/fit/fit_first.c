/*
 * fit_first.c - First Fit (memman free-space algorithm 1).
 *
 * A request for n units takes the lowest-addressed hole of at least n units;
 * the segment sits at the start of that hole and the rest of it stays a
 * hole. Holes are scanned in address order: O(holes) per allocation, and a
 * free is O(holes) too (finding the neighbours to coalesce with; see fit.c).
 * First Fit tends to leave small holes near the start of the range.
 */
#include "fit.h"
#include "mmlib.h"
#include "mm_env.h"

struct first {
	struct fit_space sp; /* first, as fit.h requires */
};

static size_t first_layout(uint32_t n, size_t *arrays)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct first));
	*arrays = mm_take(&end, fit_space_bytes(n));
	return end;
}

static size_t first_state_size(uint32_t n)
{
	size_t arrays;
	return first_layout(n, &arrays);
}

static int first_init(void *state, uint32_t n)
{
	if (n == 0 || n > FIT_MAX_UNITS) return -MM_EINVAL;
	struct first *s = state;
	size_t arrays;
	first_layout(n, &arrays);
	fit_space_init(&s->sp, (char *)state + arrays, n);
	return 0;
}

static uint32_t first_alloc(void *state, uint32_t n)
{
	struct first *s = state;
	if (n == 0) return FIT_NONE;
	for (uint32_t h = s->sp.first; h != FIT_NONE; h = s->sp.next[h])
		if (s->sp.hole_len[h] >= n) return fit_space_take(&s->sp, h, n);
	return FIT_NONE;
}

static void first_free(void *state, uint32_t base, uint32_t n)
{
	struct first *s = state;
	fit_space_release(&s->sp, base, n);
}

static int first_check(const void *state, struct mm_sink *err)
{
	return fit_space_check(fit_space_of(state), err);
}

const struct fit_ops fit_first_ops = {
	.name = "first",
	.aliases = "first-fit firstfit first_fit ff",
	.memman = 1,
	.summary = "First Fit: the lowest-addressed hole big enough",
	.state_size = first_state_size,
	.init = first_init,
	.alloc = first_alloc,
	.free = first_free,
	.check = first_check,
};
