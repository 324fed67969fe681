/*
 * fit_worst.c - Worst Fit (an extra policy, no memman number).
 *
 * A request for n units takes the largest hole, if it has at least n units;
 * among holes of that same size, the lowest-addressed one. The segment sits
 * at the start of the hole. A scan of every hole: O(holes) per allocation.
 * Worst Fit keeps the leftover holes big, and so uses up the big ones.
 */
#include "fit.h"
#include "mmlib.h"
#include "mm_env.h"

struct worst {
	struct fit_space sp; /* first, as fit.h requires */
};

static size_t worst_layout(uint32_t n, size_t *arrays)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct worst));
	*arrays = mm_take(&end, fit_space_bytes(n));
	return end;
}

static size_t worst_state_size(uint32_t n)
{
	size_t arrays;
	return worst_layout(n, &arrays);
}

static int worst_init(void *state, uint32_t n)
{
	if (n == 0 || n > FIT_MAX_UNITS) return -MM_EINVAL;
	struct worst *s = state;
	size_t arrays;
	worst_layout(n, &arrays);
	fit_space_init(&s->sp, (char *)state + arrays, n);
	return 0;
}

static uint32_t worst_alloc(void *state, uint32_t n)
{
	struct worst *s = state;
	uint32_t pick = FIT_NONE;
	if (n == 0) return FIT_NONE;
	for (uint32_t h = s->sp.first; h != FIT_NONE; h = s->sp.next[h])
		if (pick == FIT_NONE || s->sp.hole_len[h] > s->sp.hole_len[pick]) pick = h;
	if (pick == FIT_NONE || s->sp.hole_len[pick] < n) return FIT_NONE;
	return fit_space_take(&s->sp, pick, n);
}

static void worst_free(void *state, uint32_t base, uint32_t n)
{
	struct worst *s = state;
	fit_space_release(&s->sp, base, n);
}

static int worst_check(const void *state, struct mm_sink *err)
{
	return fit_space_check(fit_space_of(state), err);
}

const struct fit_ops fit_worst_ops = {
	.name = "worst",
	.aliases = "worst-fit worstfit worst_fit wf",
	.memman = 0,
	.summary = "Worst Fit: the largest hole (lowest address among equals)",
	.state_size = worst_state_size,
	.init = worst_init,
	.alloc = worst_alloc,
	.free = worst_free,
	.check = worst_check,
};
