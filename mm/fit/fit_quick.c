/*
 * fit_quick.c - Quick Fit (memman free-space algorithm 3).
 *
 * Besides the address-ordered hole list every policy has (fit.c), Quick Fit
 * keeps its holes on separate free lists by size:
 *
 *   list k, 1 <= k <= FIT_QUICK_CLASSES (16)   the holes of exactly k units
 *   list 0, the general list                   the holes of more than 16 units
 *
 * Every hole is on exactly one list, each list in address order (a hole
 * that grows or shrinks moves to the list of its new size). The placement
 * rule, so that results are reproducible:
 *
 *   1. n <= 16: the lowest-addressed hole on list n, if any (an exact fit);
 *      else the lowest-addressed hole on the first non-empty list among
 *      n+1, n+2, ..., 16 (the smallest listed size that fits);
 *   2. otherwise (n > 16, or no small list had a hole): the
 *      lowest-addressed hole on the general list with at least n units.
 *
 * The segment sits at the start of the chosen hole; the rest stays a hole
 * and goes to the list of its size. A free coalesces as every policy does,
 * and the merged hole joins the list of its new size.
 *
 * Costs: step 1 is O(16); step 2 O(general holes); keeping a list in
 * address order costs O(its length) per insertion; a free also pays
 * fit.c's O(holes) neighbour search.
 */
#include "fit.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

#define NLISTS (FIT_QUICK_CLASSES + 1u)

struct quick {
	struct fit_space sp; /* first, as fit.h requires */
	uint32_t head[NLISTS];   /* per list: its lowest hole start, or FIT_NONE */
	uint32_t count[NLISTS];  /* per list: its number of holes */
	uint32_t *qnext, *qprev; /* per hole start: neighbours on its size list */
};

static uint32_t quick_list(uint32_t len)
{
	return len <= FIT_QUICK_CLASSES ? len : 0;
}

static size_t quick_layout(uint32_t n, size_t *arrays, size_t *links)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct quick));
	*arrays = mm_take(&end, fit_space_bytes(n));
	*links = mm_take(&end, (size_t)n * 2u * sizeof(uint32_t));
	return end;
}

static size_t quick_state_size(uint32_t n)
{
	size_t arrays, links;
	return quick_layout(n, &arrays, &links);
}

/* A hole appeared: insert it in its list, keeping address order. */
static void quick_on_add(void *ctx, uint32_t start, uint32_t len)
{
	struct quick *s = ctx;
	uint32_t k = quick_list(len), p = FIT_NONE, nx = s->head[k];
	while (nx != FIT_NONE && nx < start) {
		p = nx;
		nx = s->qnext[nx];
	}
	s->qprev[start] = p;
	s->qnext[start] = nx;
	if (p != FIT_NONE) s->qnext[p] = start;
	else s->head[k] = start;
	if (nx != FIT_NONE) s->qprev[nx] = start;
	s->count[k]++;
}

/* A hole is going away (or changing size): take it off its list. */
static void quick_on_remove(void *ctx, uint32_t start, uint32_t len)
{
	struct quick *s = ctx;
	uint32_t k = quick_list(len), p = s->qprev[start], nx = s->qnext[start];
	if (p != FIT_NONE) s->qnext[p] = nx;
	else s->head[k] = nx;
	if (nx != FIT_NONE) s->qprev[nx] = p;
	s->count[k]--;
}

static int quick_init(void *state, uint32_t n)
{
	if (n == 0 || n > FIT_MAX_UNITS) return -MM_EINVAL;
	struct quick *s = state;
	size_t arrays, links;
	quick_layout(n, &arrays, &links);
	fit_space_init(&s->sp, (char *)state + arrays, n);
	s->qnext = (uint32_t *)((char *)state + links);
	s->qprev = s->qnext + n;
	for (uint32_t k = 0; k < NLISTS; k++) {
		s->head[k] = FIT_NONE;
		s->count[k] = 0;
	}
	s->sp.on_add = quick_on_add;
	s->sp.on_remove = quick_on_remove;
	s->sp.ctx = s;
	quick_on_add(s, 0, n); /* the first hole, made before the hooks were set */
	return 0;
}

static uint32_t quick_alloc(void *state, uint32_t n)
{
	struct quick *s = state;
	if (n == 0) return FIT_NONE;
	for (uint32_t k = n; k <= FIT_QUICK_CLASSES; k++)
		if (s->head[k] != FIT_NONE) return fit_space_take(&s->sp, s->head[k], n);
	for (uint32_t h = s->head[0]; h != FIT_NONE; h = s->qnext[h])
		if (s->sp.hole_len[h] >= n) return fit_space_take(&s->sp, h, n);
	return FIT_NONE;
}

static void quick_free(void *state, uint32_t base, uint32_t n)
{
	struct quick *s = state;
	fit_space_release(&s->sp, base, n);
}

/* List k: in address order, linked both ways, every member a hole of its
 * size class; returns its length through *seen. */
static int quick_check_list(const struct quick *s, uint32_t k, uint32_t *seen, struct mm_sink *err)
{
	uint32_t p = FIT_NONE, n = 0;
	for (uint32_t h = s->head[k]; h != FIT_NONE; p = h, h = s->qnext[h]) {
		if (h >= s->sp.nunits || s->sp.hole_len[h] == 0)
			return mm_bad(err, "quick fit: list %u holds %u, not a hole", k, h);
		if (quick_list(s->sp.hole_len[h]) != k)
			return mm_bad(err, "quick fit: hole %u of %u units on list %u", h, s->sp.hole_len[h], k);
		if (s->qprev[h] != p || (p != FIT_NONE && p >= h))
			return mm_bad(err, "quick fit: list %u out of order or badly linked at %u", k, h);
		if (++n > s->sp.nholes) return mm_bad(err, "quick fit: list %u loops", k);
	}
	if (n != s->count[k]) return mm_bad(err, "quick fit: list %u has %u holes, count %u", k, n, s->count[k]);
	*seen = n;
	return 0;
}

static int quick_check(const void *state, struct mm_sink *err)
{
	const struct quick *s = state;
	uint32_t total = 0;
	int e = fit_space_check(&s->sp, err);
	if (e) return e;
	for (uint32_t k = 0; k < NLISTS; k++) {
		uint32_t n = 0;
		e = quick_check_list(s, k, &n, err);
		if (e) return e;
		total += n;
	}
	if (total != s->sp.nholes)
		return mm_bad(err, "quick fit: %u holes on the lists, %u in the range", total, s->sp.nholes);
	return 0;
}

const struct fit_ops fit_quick_ops = {
	.name = "quick",
	.aliases = "quick-fit quickfit quick_fit qf",
	.memman = 3,
	.summary = "Quick Fit: exact-size lists for 1..16 units, then a general list",
	.state_size = quick_state_size,
	.init = quick_init,
	.alloc = quick_alloc,
	.free = quick_free,
	.check = quick_check,
};
