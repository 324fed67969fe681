/*
 * fit_best.c - Best Fit (an extra policy, no memman number).
 *
 * A request for n units takes the smallest hole of at least n units; among
 * holes of that same size, the lowest-addressed one. The segment sits at the
 * start of the hole. A scan of every hole: O(holes) per allocation. Best Fit
 * leaves the big holes whole but litters the range with slivers.
 */
#include "fit.h"
#include "mmlib.h"
#include "mm_env.h"

struct best {
	struct fit_space sp; /* first, as fit.h requires */
};

static size_t best_layout(uint32_t n, size_t *arrays)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct best));
	*arrays = mm_take(&end, fit_space_bytes(n));
	return end;
}

static size_t best_state_size(uint32_t n)
{
	size_t arrays;
	return best_layout(n, &arrays);
}

static int best_init(void *state, uint32_t n)
{
	if (n == 0 || n > FIT_MAX_UNITS) return -MM_EINVAL;
	struct best *s = state;
	size_t arrays;
	best_layout(n, &arrays);
	fit_space_init(&s->sp, (char *)state + arrays, n);
	return 0;
}

static uint32_t best_alloc(void *state, uint32_t n)
{
	struct best *s = state;
	uint32_t pick = FIT_NONE;
	if (n == 0) return FIT_NONE;
	for (uint32_t h = s->sp.first; h != FIT_NONE; h = s->sp.next[h]) {
		uint32_t len = s->sp.hole_len[h];
		if (len >= n && (pick == FIT_NONE || len < s->sp.hole_len[pick])) pick = h;
		if (len == n) break; /* nothing can beat an exact fit at a lower address */
	}
	return pick == FIT_NONE ? FIT_NONE : fit_space_take(&s->sp, pick, n);
}

static void best_free(void *state, uint32_t base, uint32_t n)
{
	struct best *s = state;
	fit_space_release(&s->sp, base, n);
}

static int best_check(const void *state, struct mm_sink *err)
{
	return fit_space_check(fit_space_of(state), err);
}

const struct fit_ops fit_best_ops = {
	.name = "best",
	.aliases = "best-fit bestfit best_fit bf",
	.memman = 0,
	.summary = "Best Fit: the smallest hole big enough (lowest address among equals)",
	.state_size = best_state_size,
	.init = best_init,
	.alloc = best_alloc,
	.free = best_free,
	.check = best_check,
};
