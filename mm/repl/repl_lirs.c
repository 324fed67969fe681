/*
 * repl_lirs.c - LIRS, Low Inter-reference Recency Set replacement.
 *
 * LIRS ranks pages by inter-reference recency (IRR: how many distinct pages
 * were touched between a page's last two uses) instead of plain recency, so
 * a loop or scan longer than memory no longer flushes the pages that are
 * reused quickly. Pages are LIR (low IRR: always resident, most of memory) or
 * HIR (high IRR: a small resident part, LIRS_HIR_PERCENT of the frames, plus
 * non-resident pages that are only remembered).
 *
 *   stack S  recency order of LIR pages and of the HIR pages (resident or
 *            not) seen since the oldest LIR page; S's bottom is always LIR
 *            ("pruning" drops HIR entries from the bottom)
 *   queue Q  the resident HIR pages; its front is the victim
 *   list NR  the non-resident HIR pages still in S, oldest first; at most
 *            LIRS_NONRESIDENT_FACTOR * nframes of them (the oldest is dropped)
 *
 * A hit on a LIR page moves it to S's top. A hit on a resident HIR page that
 * is still in S means its IRR is lower than the oldest LIR page's recency: it
 * becomes LIR and the LIR page at S's bottom becomes HIR (to Q's end).
 * Otherwise an HIR page moves to the tops of S and Q's end. A missed page
 * that is remembered in S becomes LIR in the same way; a new one is HIR.
 * Until the LIR set is full every new page is LIR.
 * Every operation is O(1) amortised (pruning removes what was added).
 *
 * With every frame resident Q is never empty (the LIR set holds at most
 * lir_max < nframes pages). With free slots present it may be: victims
 * taken ahead by the page-out daemon or isolated for write-back, resident
 * HIR pages released by their owner. Then select_victim refills the HIR
 * set the way the paper does when a LIR page must give way: the LIR page
 * at the bottom of S turns resident HIR, goes to Q's end and leaves S
 * (S is pruned after), and it is the victim.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

#ifndef LIRS_HIR_PERCENT
#define LIRS_HIR_PERCENT 1u
#endif
#ifndef LIRS_NONRESIDENT_FACTOR
#define LIRS_NONRESIDENT_FACTOR 2u
#endif

enum { LIRS_USED = 1, LIRS_LIR = 2 };

struct lirs {
	uint32_t nframes, nentries;
	uint32_t lir_max, nlir;
	struct repl_dlist s, q, nr; /* over entries */
	uint32_t nr_max;
	uint64_t *page;      /* per entry */
	uint32_t *slot;      /* per entry: its slot, or REPL_NO_SLOT if not resident */
	uint8_t *flags;      /* per entry: LIRS_* */
	uint32_t *free;      /* stack of unused entries */
	uint32_t nfree;
	uint32_t *slot_entry; /* per slot: its entry, or REPL_NO_SLOT */
	struct repl_map map; /* page -> entry */
};

struct lirs_layout {
	size_t s_next, s_prev, q_next, q_prev, nr_next, nr_prev;
	size_t page, slot, flags, free, slot_entry, map, end;
};

static uint32_t lirs_nentries(uint32_t n)
{
	return n + LIRS_NONRESIDENT_FACTOR * n;
}

static void lirs_layout(uint32_t n, struct lirs_layout *l)
{
	size_t e = lirs_nentries(n), end = 0;
	mm_take(&end, sizeof(struct lirs));
	l->s_next = mm_take(&end, e * 4);
	l->s_prev = mm_take(&end, e * 4);
	l->q_next = mm_take(&end, e * 4);
	l->q_prev = mm_take(&end, e * 4);
	l->nr_next = mm_take(&end, e * 4);
	l->nr_prev = mm_take(&end, e * 4);
	l->page = mm_take(&end, e * 8);
	l->slot = mm_take(&end, e * 4);
	l->flags = mm_take(&end, e);
	l->free = mm_take(&end, e * 4);
	l->slot_entry = mm_take(&end, (size_t)n * 4);
	l->map = mm_take(&end, repl_map_bytes((uint32_t)e));
	l->end = end;
}

static size_t lirs_state_size(uint32_t n)
{
	struct lirs_layout l;
	lirs_layout(n, &l);
	return l.end;
}

static int lirs_init(void *state, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > REPL_MAX_FRAMES / (1 + LIRS_NONRESIDENT_FACTOR)) return -MM_EINVAL;
	struct lirs *s = state;
	struct lirs_layout l;
	char *base = state;
	lirs_layout(n, &l);
	uint32_t e = lirs_nentries(n);
	uint32_t hir = n * LIRS_HIR_PERCENT / 100;
	s->nframes = n;
	s->nentries = e;
	s->lir_max = n - (hir ? hir : 1);
	s->nlir = 0;
	s->nr_max = LIRS_NONRESIDENT_FACTOR * n;
	repl_dlist_init(&s->s, (uint32_t *)(base + l.s_next), (uint32_t *)(base + l.s_prev), e);
	repl_dlist_init(&s->q, (uint32_t *)(base + l.q_next), (uint32_t *)(base + l.q_prev), e);
	repl_dlist_init(&s->nr, (uint32_t *)(base + l.nr_next), (uint32_t *)(base + l.nr_prev), e);
	s->page = (uint64_t *)(base + l.page);
	s->slot = (uint32_t *)(base + l.slot);
	s->flags = (uint8_t *)(base + l.flags);
	s->free = (uint32_t *)(base + l.free);
	s->slot_entry = (uint32_t *)(base + l.slot_entry);
	for (uint32_t i = 0; i < e; i++) {
		s->flags[i] = 0;
		s->slot[i] = REPL_NO_SLOT;
		s->free[i] = e - 1 - i; /* entry 0 is handed out first */
	}
	s->nfree = e;
	for (uint32_t i = 0; i < n; i++) s->slot_entry[i] = REPL_NO_SLOT;
	repl_map_init(&s->map, base + l.map, e);
	return 0;
}

static bool is_lir(const struct lirs *s, uint32_t x)
{
	return s->flags[x] & LIRS_LIR;
}

/* Drop entry x altogether (it must be in none of the lists). */
static void forget(struct lirs *s, uint32_t x)
{
	repl_map_del(&s->map, s->page[x]);
	s->flags[x] = 0;
	s->slot[x] = REPL_NO_SLOT;
	s->free[s->nfree++] = x;
}

/* Remove HIR entries from the bottom of S; a non-resident one is forgotten. */
static void prune(struct lirs *s)
{
	while (s->s.tail != REPL_NO_SLOT && !is_lir(s, s->s.tail)) {
		uint32_t x = s->s.tail;
		repl_dlist_remove(&s->s, x);
		if (s->slot[x] == REPL_NO_SLOT) {
			repl_dlist_remove(&s->nr, x);
			forget(s, x);
		}
	}
}

static void to_top(struct lirs *s, uint32_t x)
{
	if (repl_dlist_has(&s->s, x)) repl_dlist_remove(&s->s, x);
	repl_dlist_push_front(&s->s, x);
}

/* The LIR page at the bottom of S becomes a resident HIR page at Q's end
 * and leaves S (as when promote() overfills the LIR set). */
static void demote_bottom(struct lirs *s)
{
	prune(s);
	uint32_t b = s->s.tail;
	MM_ASSERT(b != REPL_NO_SLOT && is_lir(s, b), "lirs: S bottom %u is not LIR", b);
	repl_dlist_remove(&s->s, b);
	s->flags[b] &= (uint8_t)~LIRS_LIR;
	s->nlir--;
	repl_dlist_push_back(&s->q, b);
	prune(s);
}

/* x (resident, on top of S) joins the LIR set; if that overfills it, the
 * LIR page at the bottom of S becomes a resident HIR page at Q's end. */
static void promote(struct lirs *s, uint32_t x)
{
	if (repl_dlist_has(&s->q, x)) repl_dlist_remove(&s->q, x);
	s->flags[x] |= LIRS_LIR;
	s->nlir++;
	if (s->nlir > s->lir_max) demote_bottom(s);
}

static void lirs_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct lirs *s = state;
	MM_ASSERT(slot < s->nframes && s->slot_entry[slot] == REPL_NO_SLOT, "lirs: page_in(%u)", slot);
	uint32_t x = repl_map_get(&s->map, page);
	if (x != REPL_MAP_NONE) { /* remembered: a non-resident HIR page in S */
		MM_ASSERT(s->slot[x] == REPL_NO_SLOT && repl_dlist_has(&s->nr, x),
			  "lirs: page %llu is already resident", (unsigned long long)page);
		repl_dlist_remove(&s->nr, x);
	} else {
		MM_ASSERT(s->nfree > 0, "lirs: out of entries");
		x = s->free[--s->nfree];
		s->page[x] = page;
		s->flags[x] = LIRS_USED;
		repl_map_put(&s->map, page, x);
	}
	s->slot[x] = slot;
	s->slot_entry[slot] = x;
	bool remembered = repl_dlist_has(&s->s, x);
	to_top(s, x);
	if (remembered || s->nlir < s->lir_max) promote(s, x);
	else repl_dlist_push_back(&s->q, x);
	prune(s); /* after releases S may have held only HIR entries */
}

static void lirs_page_out(void *state, uint32_t slot)
{
	struct lirs *s = state;
	MM_ASSERT(slot < s->nframes && s->slot_entry[slot] != REPL_NO_SLOT, "lirs: page_out(%u)", slot);
	uint32_t x = s->slot_entry[slot];
	s->slot_entry[slot] = REPL_NO_SLOT;
	s->slot[x] = REPL_NO_SLOT;
	if (repl_dlist_has(&s->q, x)) repl_dlist_remove(&s->q, x);
	if (is_lir(s, x)) { /* only when an owner releases a LIR page */
		s->flags[x] &= (uint8_t)~LIRS_LIR;
		s->nlir--;
	}
	if (!repl_dlist_has(&s->s, x)) {
		forget(s, x);
		return;
	}
	repl_dlist_push_back(&s->nr, x); /* remembered as non-resident HIR */
	if (s->nr.count > s->nr_max) {
		uint32_t old = s->nr.head;
		repl_dlist_remove(&s->nr, old);
		repl_dlist_remove(&s->s, old);
		forget(s, old);
	}
	prune(s);
}

static void lirs_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct lirs *s = state;
	MM_ASSERT(slot < s->nframes && s->slot_entry[slot] != REPL_NO_SLOT, "lirs: referenced(%u)", slot);
	if (!accessed) return;
	uint32_t x = s->slot_entry[slot];
	if (is_lir(s, x)) {
		bool bottom = s->s.tail == x;
		to_top(s, x);
		if (bottom) prune(s);
	} else if (repl_dlist_has(&s->s, x)) {
		to_top(s, x);
		promote(s, x);
	} else {
		to_top(s, x);
		repl_dlist_remove(&s->q, x);
		repl_dlist_push_back(&s->q, x);
	}
	prune(s);
}

static void lirs_tick(void *state)
{
}

static uint32_t lirs_select_victim(void *state)
{
	struct lirs *s = state;
	MM_ASSERT(s->nlir + s->q.count > 0, "lirs: victim wanted with none of %u resident", s->nframes);
	if (s->q.count == 0) demote_bottom(s);
	return s->slot[s->q.head];
}

static bool lirs_tracks(const void *state, uint32_t slot)
{
	const struct lirs *s = state;
	return slot < s->nframes && s->slot_entry[slot] != REPL_NO_SLOT;
}

static int lirs_check_entry(const struct lirs *s, uint32_t x, struct mm_sink *err)
{
	bool in_s = repl_dlist_has(&s->s, x), in_q = repl_dlist_has(&s->q, x);
	bool in_nr = repl_dlist_has(&s->nr, x), resident = s->slot[x] != REPL_NO_SLOT;
	if (!(s->flags[x] & LIRS_USED)) {
		if (in_s || in_q || in_nr || resident)
			return mm_bad(err, "lirs: unused entry %u is still linked", x);
		return 0;
	}
	if (repl_map_get(&s->map, s->page[x]) != x)
		return mm_bad(err, "lirs: entry %u (page %llu) is not in the map", x,
				(unsigned long long)s->page[x]);
	if (resident && (s->slot[x] >= s->nframes || s->slot_entry[s->slot[x]] != x))
		return mm_bad(err, "lirs: entry %u and slot %u disagree", x, s->slot[x]);
	if (is_lir(s, x) && (!resident || !in_s || in_q))
		return mm_bad(err, "lirs: LIR entry %u: resident %d, in S %d, in Q %d", x, resident, in_s, in_q);
	if (!is_lir(s, x) && resident != in_q)
		return mm_bad(err, "lirs: resident HIR entry %u must be on Q (resident %d, in Q %d)",
				x, resident, in_q);
	if (!resident && (!in_s || !in_nr))
		return mm_bad(err, "lirs: non-resident entry %u: in S %d, on NR %d", x, in_s, in_nr);
	if (resident && in_nr) return mm_bad(err, "lirs: resident entry %u on NR", x);
	return 0;
}

static int lirs_check(const void *state, struct mm_sink *err)
{
	const struct lirs *s = state;
	int e;
	if ((e = repl_dlist_check(&s->s, s->nentries, "lirs stack S", err)) ||
	    (e = repl_dlist_check(&s->q, s->nentries, "lirs queue Q", err)) ||
	    (e = repl_dlist_check(&s->nr, s->nentries, "lirs non-resident list", err)) ||
	    (e = repl_map_check(&s->map, err)))
		return e;
	uint32_t used = 0, lir = 0;
	for (uint32_t x = 0; x < s->nentries; x++) {
		if ((e = lirs_check_entry(s, x, err))) return e;
		used += s->flags[x] & LIRS_USED;
		lir += is_lir(s, x);
	}
	if (lir != s->nlir || s->nlir > s->lir_max)
		return mm_bad(err, "lirs: %u LIR entries, count %u, limit %u", lir, s->nlir, s->lir_max);
	if (used + s->nfree != s->nentries || used != s->map.count)
		return mm_bad(err, "lirs: %u used + %u free of %u entries, map has %u", used, s->nfree,
				s->nentries, s->map.count);
	if (s->nr.count > s->nr_max) return mm_bad(err, "lirs: %u non-resident > %u", s->nr.count, s->nr_max);
	if (s->nlir && !is_lir(s, s->s.tail)) return mm_bad(err, "lirs: bottom of S %u is HIR", s->s.tail);
	for (uint32_t i = 0; i < s->nframes; i++) {
		uint32_t x = s->slot_entry[i];
		if (x != REPL_NO_SLOT && (x >= s->nentries || s->slot[x] != i))
			return mm_bad(err, "lirs: slot %u points to entry %u which disagrees", i, x);
	}
	return 0;
}

const struct repl_ops repl_lirs_ops = {
	.name = "lirs",
	.aliases = "",
	.memman = 0,
	.summary = "LIRS: keeps pages of low inter-reference recency, 1% of frames for the rest",
	.state_size = lirs_state_size,
	.init = lirs_init,
	.page_in = lirs_page_in,
	.page_out = lirs_page_out,
	.referenced = lirs_referenced,
	.tick = lirs_tick,
	.select_victim = lirs_select_victim,
	.tracks = lirs_tracks,
	.check = lirs_check,
};
