/*
 * fit.c - the picture of a range shared by every free-space policy (holes
 * and segments, holes kept in an address-ordered list and coalesced on
 * free), the registry of policies (lookup by name, alias or memman number
 * through the shared registry code of names.c; the list shown when a name
 * is unknown), instance creation and printing.
 *
 * Algorithm: per-unit tags. A hole is known by its first unit: hole_len[]
 * holds its length there, next[]/prev[] link it to its neighbours in address
 * order. A segment is known by its first unit too (seg_len[]), so a free can
 * be checked in O(1). Taking a segment from a hole and coalescing a freed
 * segment with its neighbours are O(1) once the neighbouring holes are
 * known; finding them is a walk of the hole list, O(holes).
 */
#include "fit.h"
#include "names.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

/* ---- the shared picture ------------------------------------------------ */

size_t fit_space_bytes(uint32_t nunits)
{
	return (size_t)nunits * 4u * sizeof(uint32_t);
}

void fit_space_init(struct fit_space *sp, void *mem, uint32_t nunits)
{
	uint32_t *a = mem;
	mm_memset(sp, 0, sizeof *sp);
	sp->nunits = nunits;
	sp->hole_len = a;
	sp->seg_len = a + nunits;
	sp->next = a + 2u * nunits;
	sp->prev = a + 3u * nunits;
	mm_memset(a, 0, fit_space_bytes(nunits));
	sp->first = FIT_NONE;
	if (nunits == 0) return;
	sp->hole_len[0] = nunits;
	sp->next[0] = sp->prev[0] = FIT_NONE;
	sp->first = 0;
	sp->nholes = 1;
	sp->free_units = nunits;
}

/* Make [start, start+len) a hole between the holes p and nx (either may be
 * FIT_NONE). */
static void hole_add(struct fit_space *sp, uint32_t start, uint32_t len, uint32_t p, uint32_t nx)
{
	sp->hole_len[start] = len;
	sp->prev[start] = p;
	sp->next[start] = nx;
	if (p != FIT_NONE) sp->next[p] = start;
	else sp->first = start;
	if (nx != FIT_NONE) sp->prev[nx] = start;
	sp->nholes++;
	if (sp->on_add) sp->on_add(sp->ctx, start, len);
}

static void hole_remove(struct fit_space *sp, uint32_t start)
{
	uint32_t p = sp->prev[start], nx = sp->next[start];
	if (sp->on_remove) sp->on_remove(sp->ctx, start, sp->hole_len[start]);
	if (p != FIT_NONE) sp->next[p] = nx;
	else sp->first = nx;
	if (nx != FIT_NONE) sp->prev[nx] = p;
	sp->hole_len[start] = 0;
	sp->nholes--;
}

uint32_t fit_space_take(struct fit_space *sp, uint32_t start, uint32_t n)
{
	MM_ASSERT(start < sp->nunits && n > 0 && sp->hole_len[start] >= n,
		  "fit: take %u units at %u, hole there has %u", n, start,
		  start < sp->nunits ? sp->hole_len[start] : 0);
	uint32_t len = sp->hole_len[start], p = sp->prev[start], nx = sp->next[start];
	hole_remove(sp, start);
	if (len > n) hole_add(sp, start + n, len - n, p, nx);
	sp->seg_len[start] = n;
	sp->nsegs++;
	sp->free_units -= n;
	return start;
}

uint32_t fit_space_hole_from(const struct fit_space *sp, uint32_t u)
{
	uint32_t h = sp->first;
	while (h != FIT_NONE && h + sp->hole_len[h] <= u) h = sp->next[h];
	return h;
}

uint32_t fit_space_release(struct fit_space *sp, uint32_t base, uint32_t n)
{
	MM_ASSERT(base < sp->nunits && n > 0 && sp->seg_len[base] == n,
		  "fit: free of %u units at %u, but the segment there has %u", n, base,
		  base < sp->nunits ? sp->seg_len[base] : 0);
	uint32_t nx = fit_space_hole_from(sp, base);
	uint32_t p = FIT_NONE;
	if (nx != FIT_NONE) p = sp->prev[nx];
	else /* every hole lies below base: p is the last one */
		for (uint32_t h = sp->first; h != FIT_NONE; h = sp->next[h]) p = h;
	sp->seg_len[base] = 0;
	sp->nsegs--;
	sp->free_units += n;
	uint32_t start = base, len = n;
	if (p != FIT_NONE && p + sp->hole_len[p] == base) {
		start = p;
		len += sp->hole_len[p];
		uint32_t pp = sp->prev[p];
		hole_remove(sp, p);
		p = pp;
	}
	if (nx != FIT_NONE && base + n == nx) {
		len += sp->hole_len[nx];
		uint32_t nn = sp->next[nx];
		hole_remove(sp, nx);
		nx = nn;
	}
	hole_add(sp, start, len, p, nx);
	return start;
}

uint32_t fit_space_piece(const struct fit_space *sp, uint32_t u, bool *is_hole)
{
	MM_ASSERT(u < sp->nunits && (sp->hole_len[u] || sp->seg_len[u]),
		  "fit: no piece starts at unit %u of %u", u, sp->nunits);
	*is_hole = sp->hole_len[u] != 0;
	return *is_hole ? sp->hole_len[u] : sp->seg_len[u];
}

/* The piece at u: one tag, a length that fits, no tag inside. */
static int check_piece(const struct fit_space *sp, uint32_t u, struct mm_sink *err)
{
	uint32_t h = sp->hole_len[u], s = sp->seg_len[u];
	if ((h == 0) == (s == 0))
		return mm_bad(err, "fit: unit %u starts %s (hole %u, segment %u)", u,
			       h ? "both a hole and a segment" : "nothing", h, s);
	uint32_t len = h ? h : s;
	if (len > sp->nunits - u)
		return mm_bad(err, "fit: piece at %u of %u units runs past %u", u, len, sp->nunits);
	for (uint32_t i = u + 1; i < u + len; i++)
		if (sp->hole_len[i] || sp->seg_len[i])
			return mm_bad(err, "fit: unit %u inside the piece at %u has a tag", i, u);
	return 0;
}

int fit_space_check(const struct fit_space *sp, struct mm_sink *err)
{
	uint32_t holes = 0, segs = 0, free_units = 0, expect = sp->first, last = FIT_NONE;
	bool prev_hole = false;
	for (uint32_t u = 0, len; u < sp->nunits; u += len) {
		int e = check_piece(sp, u, err);
		if (e) return e;
		bool hole = sp->hole_len[u] != 0;
		len = hole ? sp->hole_len[u] : sp->seg_len[u];
		if (!hole) {
			segs++;
			prev_hole = false;
			continue;
		}
		if (prev_hole) return mm_bad(err, "fit: holes at %u and before it touch", u);
		if (u != expect) return mm_bad(err, "fit: hole at %u, but the list says %u", u, expect);
		if (sp->prev[u] != last)
			return mm_bad(err, "fit: hole %u has prev %u, expected %u", u, sp->prev[u], last);
		holes++;
		free_units += len;
		prev_hole = true;
		last = u;
		expect = sp->next[u];
	}
	if (expect != FIT_NONE) return mm_bad(err, "fit: the hole list goes on to %u", expect);
	if (holes != sp->nholes || segs != sp->nsegs || free_units != sp->free_units)
		return mm_bad(err, "fit: counted %u holes, %u segments, %u free; recorded %u, %u, %u",
			       holes, segs, free_units, sp->nholes, sp->nsegs, sp->free_units);
	return 0;
}

/* ---- instances ---------------------------------------------------------- */

int fit_create(struct fit *f, const struct fit_ops *ops, uint32_t nunits,
	       const struct mm_allocator *a)
{
	if (!ops || nunits == 0 || nunits > FIT_MAX_UNITS) return -MM_EINVAL;
	void *state = mm_alloc(a, ops->state_size(nunits));
	if (!state) return -MM_ENOMEM;
	int err = ops->init(state, nunits);
	if (err) {
		mm_free(a, state);
		return err;
	}
	f->ops = ops;
	f->state = state;
	f->nunits = nunits;
	return 0;
}

void fit_destroy(struct fit *f, const struct mm_allocator *a)
{
	if (f->state) {
		mm_memset(f->state, 0x6b, f->ops->state_size(f->nunits)); /* junk */
		mm_free(a, f->state);
	}
	f->state = NULL;
}

void fit_print(const struct fit *f, struct mm_sink *out)
{
	const struct fit_space *sp = fit_space(f);
	mm_format(out, "%s: %u units, %u free in %u holes, %u segments\n", f->ops->name,
		  sp->nunits, sp->free_units, sp->nholes, sp->nsegs);
	bool hole;
	for (uint32_t u = 0, len; u < sp->nunits; u += len) {
		len = fit_space_piece(sp, u, &hole);
		mm_format(out, "  %-8s %u-%u (%u unit%s)\n", hole ? "hole" : "segment", u,
			  u + len - 1, len, len == 1 ? "" : "s");
	}
}

/* ---- registry ----------------------------------------------------------- */

/* memman's numbering first, then the extras. */
static const struct fit_ops *const registry[] = {
	&fit_first_ops, &fit_next_ops, &fit_quick_ops, &fit_best_ops, &fit_worst_ops,
};

MM_REGISTRY_FRONT(fit, struct fit_ops, registry)
