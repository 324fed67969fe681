/*
 * repl_irg.c - IRG: evict the page whose next reference, predicted from its
 * inter-reference gap, is farthest from now.
 *
 * The model is the inter-reference gap of V. Phalke and B. Gopinath ("An
 * Inter-Reference Gap Model for Temporal Locality in Program Behavior",
 * SIGMETRICS 1995): a page's next gap is predicted from its past gaps. The
 * eviction rule is the one of Mockingjay (I. Shah, A. Jain and C. Lin,
 * "Effective Mimicry of Belady's MIN Policy", HPCA 2022): with each page's
 * estimated time of arrival ETA = last reference + predicted gap - now,
 * evict the page with the largest |ETA|: the page due farthest in the
 * future, or one long overdue (weighed IRG_LATE times, as a page that is
 * late is likely dead). This is Belady's rule with the future replaced by a
 * prediction; no future is read.
 *
 * Time counts the references the policy hears of (page_in and referenced
 * with A set); a reference to the page heard of just before is part of the
 * same access and is not counted (the correlated-reference period of LRU-K,
 * O'Neil, O'Neil and Weikum, SIGMOD 1993, at its shortest). The predicted
 * gap is the mean of the last gap and the previous prediction; a page seen
 * once has no gap yet and is predicted never to come back, so a scan is
 * evicted newest first (MRU among new pages) and loops keep most of their
 * pages. Evicted pages keep their last time and gap as ghosts (found by
 * page in a repl_map), IRG_GHOSTS per frame, oldest forgotten first.
 *
 * The resident pages sit in two indexed binary heaps by predicted arrival
 * (the earliest and the latest on top): O(log n) per reference. The heaps
 * hold only resident pages, so with free slots present the rule is the
 * same over the pages there are (a victim isolated for write-back is
 * already a ghost; put back by page_in it counts as referenced again).
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

#define IRG_GHOSTS 4u               /* ghosts kept per frame */
#define IRG_LATE 2u                 /* an overdue page counts this many times its lateness */
#define IRG_NO_GAP 0x80000000u      /* gap of a page seen once: "never again" */

struct irg_heap {
	uint32_t *slot; /* heap order */
	uint32_t *pos;  /* per slot: its index in slot[] */
	uint32_t n;
	bool max;       /* the largest key on top (else the smallest) */
};

struct irg {
	uint32_t nframes, nentries, nresident;
	uint64_t now;               /* references heard of */
	uint32_t last_slot;         /* the slot heard of last, or REPL_NO_SLOT */
	uint64_t *key;              /* per slot: predicted arrival (last + gap) */
	uint32_t *slot_entry;       /* per slot: its entry, or REPL_NO_SLOT */
	struct irg_heap early, late;
	uint64_t *page;             /* per entry */
	uint64_t *last;             /* per entry: time of its last reference */
	uint32_t *gap;              /* per entry: predicted gap, or IRG_NO_GAP */
	uint32_t *slot;             /* per entry: its slot, or REPL_NO_SLOT (a ghost) */
	uint32_t *free;             /* stack of unused entries */
	uint32_t nfree;
	struct repl_dlist ghosts;   /* over entries, oldest at the tail */
	struct repl_map map;        /* page -> entry */
};

struct irg_layout {
	size_t key, slot_entry, early_slot, early_pos, late_slot, late_pos;
	size_t page, last, gap, slot, free, g_next, g_prev, map, end;
};

static void irg_layout(uint32_t n, struct irg_layout *l)
{
	size_t e = (size_t)n * (1 + IRG_GHOSTS), end = 0;
	mm_take(&end, sizeof(struct irg));
	l->key = mm_take(&end, (size_t)n * 8);
	l->slot_entry = mm_take(&end, (size_t)n * 4);
	l->early_slot = mm_take(&end, (size_t)n * 4);
	l->early_pos = mm_take(&end, (size_t)n * 4);
	l->late_slot = mm_take(&end, (size_t)n * 4);
	l->late_pos = mm_take(&end, (size_t)n * 4);
	l->page = mm_take(&end, e * 8);
	l->last = mm_take(&end, e * 8);
	l->gap = mm_take(&end, e * 4);
	l->slot = mm_take(&end, e * 4);
	l->free = mm_take(&end, e * 4);
	l->g_next = mm_take(&end, e * 4);
	l->g_prev = mm_take(&end, e * 4);
	l->map = mm_take(&end, repl_map_bytes((uint32_t)e));
	l->end = end;
}

static size_t irg_state_size(uint32_t n)
{
	struct irg_layout l;
	irg_layout(n, &l);
	return l.end;
}

static int irg_init(void *state, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > REPL_MAX_FRAMES / (1 + IRG_GHOSTS)) return -MM_EINVAL;
	struct irg *s = state;
	struct irg_layout l;
	char *base = state;
	irg_layout(n, &l);
	mm_memset(s, 0, sizeof *s);
	s->nframes = n;
	s->nentries = n * (1 + IRG_GHOSTS);
	s->last_slot = REPL_NO_SLOT;
	s->key = (uint64_t *)(base + l.key);
	s->slot_entry = (uint32_t *)(base + l.slot_entry);
	s->early = (struct irg_heap){ (uint32_t *)(base + l.early_slot), (uint32_t *)(base + l.early_pos), 0, false };
	s->late = (struct irg_heap){ (uint32_t *)(base + l.late_slot), (uint32_t *)(base + l.late_pos), 0, true };
	s->page = (uint64_t *)(base + l.page);
	s->last = (uint64_t *)(base + l.last);
	s->gap = (uint32_t *)(base + l.gap);
	s->slot = (uint32_t *)(base + l.slot);
	s->free = (uint32_t *)(base + l.free);
	for (uint32_t i = 0; i < n; i++) s->slot_entry[i] = REPL_NO_SLOT;
	for (uint32_t i = 0; i < s->nentries; i++) {
		s->slot[i] = REPL_NO_SLOT;
		s->free[i] = s->nentries - 1 - i;
	}
	s->nfree = s->nentries;
	repl_dlist_init(&s->ghosts, (uint32_t *)(base + l.g_next), (uint32_t *)(base + l.g_prev), s->nentries);
	repl_map_init(&s->map, base + l.map, s->nentries);
	return 0;
}

/* ---- indexed heaps over slots, keyed by s->key ---------------------------- */

static bool above(const struct irg *s, const struct irg_heap *h, uint32_t a, uint32_t b)
{
	return h->max ? s->key[a] > s->key[b] : s->key[a] < s->key[b];
}

static void heap_set(struct irg_heap *h, uint32_t i, uint32_t slot)
{
	h->slot[i] = slot;
	h->pos[slot] = i;
}

static void heap_up(const struct irg *s, struct irg_heap *h, uint32_t i)
{
	uint32_t x = h->slot[i];
	while (i > 0 && above(s, h, x, h->slot[(i - 1) / 2])) {
		heap_set(h, i, h->slot[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(h, i, x);
}

static void heap_down(const struct irg *s, struct irg_heap *h, uint32_t i)
{
	uint32_t x = h->slot[i];
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= h->n) break;
		if (c + 1 < h->n && above(s, h, h->slot[c + 1], h->slot[c])) c++;
		if (!above(s, h, h->slot[c], x)) break;
		heap_set(h, i, h->slot[c]);
		i = c;
	}
	heap_set(h, i, x);
}

static void heap_insert(const struct irg *s, struct irg_heap *h, uint32_t slot)
{
	heap_set(h, h->n++, slot);
	heap_up(s, h, h->n - 1);
}

static void heap_remove(const struct irg *s, struct irg_heap *h, uint32_t slot)
{
	uint32_t i = h->pos[slot], last = h->slot[--h->n];
	if (i == h->n) return;
	heap_set(h, i, last);
	heap_up(s, h, i);
	heap_down(s, h, h->pos[last]);
}

static void heap_fix(const struct irg *s, struct irg_heap *h, uint32_t slot)
{
	heap_up(s, h, h->pos[slot]);
	heap_down(s, h, h->pos[slot]);
}

/* ---- references ---------------------------------------------------------- */

/* Entry x is referenced now: update its gap and time. */
static void touch(struct irg *s, uint32_t x)
{
	s->now++;
	if (s->last[x]) {
		uint64_t r = s->now - s->last[x];
		uint32_t g = r >= IRG_NO_GAP ? IRG_NO_GAP - 1 : (uint32_t)r;
		s->gap[x] = s->gap[x] == IRG_NO_GAP ? g : (uint32_t)(((uint64_t)s->gap[x] + g) / 2);
	}
	s->last[x] = s->now;
}

static void rekey(struct irg *s, uint32_t slot)
{
	uint32_t x = s->slot_entry[slot];
	s->key[slot] = s->last[x] + s->gap[x];
}

static void forget(struct irg *s, uint32_t x)
{
	repl_map_del(&s->map, s->page[x]);
	s->slot[x] = REPL_NO_SLOT;
	s->free[s->nfree++] = x;
}

static void irg_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct irg *s = state;
	MM_ASSERT(slot < s->nframes && s->slot_entry[slot] == REPL_NO_SLOT, "irg: page_in(%u)", slot);
	uint32_t x = repl_map_get(&s->map, page);
	if (x != REPL_MAP_NONE) { /* a ghost comes back */
		MM_ASSERT(s->slot[x] == REPL_NO_SLOT, "irg: page %llu is already resident", (unsigned long long)page);
		repl_dlist_remove(&s->ghosts, x);
	} else {
		MM_ASSERT(s->nfree > 0, "irg: out of entries");
		x = s->free[--s->nfree];
		s->page[x] = page;
		s->last[x] = 0;
		s->gap[x] = IRG_NO_GAP;
		repl_map_put(&s->map, page, x);
	}
	touch(s, x);
	s->slot[x] = slot;
	s->slot_entry[slot] = x;
	s->nresident++;
	rekey(s, slot);
	heap_insert(s, &s->early, slot);
	heap_insert(s, &s->late, slot);
	s->last_slot = slot;
}

static void irg_page_out(void *state, uint32_t slot)
{
	struct irg *s = state;
	MM_ASSERT(slot < s->nframes && s->slot_entry[slot] != REPL_NO_SLOT, "irg: page_out(%u)", slot);
	uint32_t x = s->slot_entry[slot];
	heap_remove(s, &s->early, slot);
	heap_remove(s, &s->late, slot);
	s->slot_entry[slot] = REPL_NO_SLOT;
	s->slot[x] = REPL_NO_SLOT;
	s->nresident--;
	if (s->last_slot == slot) s->last_slot = REPL_NO_SLOT;
	repl_dlist_push_front(&s->ghosts, x);
	if (s->ghosts.count > IRG_GHOSTS * s->nframes) {
		uint32_t old = s->ghosts.tail;
		repl_dlist_remove(&s->ghosts, old);
		forget(s, old);
	}
}

static void irg_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct irg *s = state;
	MM_ASSERT(slot < s->nframes && s->slot_entry[slot] != REPL_NO_SLOT, "irg: referenced(%u)", slot);
	if (!accessed || slot == s->last_slot) return;
	s->last_slot = slot;
	touch(s, s->slot_entry[slot]);
	rekey(s, slot);
	heap_fix(s, &s->early, slot);
	heap_fix(s, &s->late, slot);
}

static void irg_tick(void *state)
{
}

static uint32_t irg_select_victim(void *state)
{
	struct irg *s = state;
	MM_ASSERT(s->nresident > 0, "irg: victim wanted with none of %u resident", s->nframes);
	uint32_t far = s->late.slot[0], overdue = s->early.slot[0];
	uint64_t now = s->now;
	if (s->key[far] < now) return overdue; /* every page is overdue: the most overdue */
	if (s->key[overdue] >= now) return far;
	return s->key[far] - now >= IRG_LATE * (now - s->key[overdue]) ? far : overdue;
}

static bool irg_tracks(const void *state, uint32_t slot)
{
	const struct irg *s = state;
	return slot < s->nframes && s->slot_entry[slot] != REPL_NO_SLOT;
}

static int irg_check_heap(const struct irg *s, const struct irg_heap *h, struct mm_sink *err)
{
	if (h->n != s->nresident) return mm_bad(err, "irg: heap of %u, %u resident", h->n, s->nresident);
	for (uint32_t i = 0; i < h->n; i++) {
		uint32_t x = h->slot[i];
		if (x >= s->nframes || s->slot_entry[x] == REPL_NO_SLOT || h->pos[x] != i)
			return mm_bad(err, "irg: heap place %u holds slot %u (pos %u)", i, x, x < s->nframes ? h->pos[x] : 0);
		if (i > 0 && above(s, h, x, h->slot[(i - 1) / 2]))
			return mm_bad(err, "irg: heap order broken at place %u", i);
	}
	return 0;
}

static int irg_check(const void *state, struct mm_sink *err)
{
	const struct irg *s = state;
	int e;
	if ((e = repl_map_check(&s->map, err)) || (e = irg_check_heap(s, &s->early, err)) ||
	    (e = irg_check_heap(s, &s->late, err)) ||
	    (e = repl_dlist_check(&s->ghosts, s->nentries, "irg ghosts", err)))
		return e;
	uint32_t resident = 0;
	for (uint32_t i = 0; i < s->nframes; i++) {
		uint32_t x = s->slot_entry[i];
		if (x == REPL_NO_SLOT) continue;
		resident++;
		if (x >= s->nentries || s->slot[x] != i || repl_dlist_has(&s->ghosts, x))
			return mm_bad(err, "irg: slot %u and entry %u disagree", i, x);
		if (s->key[i] != s->last[x] + s->gap[x] || s->last[x] > s->now)
			return mm_bad(err, "irg: slot %u has a stale key", i);
		if (repl_map_get(&s->map, s->page[x]) != x) return mm_bad(err, "irg: entry %u is not in the map", x);
	}
	if (resident != s->nresident) return mm_bad(err, "irg: %u resident slots, count %u", resident, s->nresident);
	if (s->ghosts.count > IRG_GHOSTS * s->nframes) return mm_bad(err, "irg: %u ghosts", s->ghosts.count);
	for (uint32_t x = s->ghosts.head; x != REPL_NO_SLOT; x = s->ghosts.next[x])
		if (s->slot[x] != REPL_NO_SLOT || repl_map_get(&s->map, s->page[x]) != x)
			return mm_bad(err, "irg: ghost entry %u is resident or unmapped", x);
	if (resident + s->ghosts.count + s->nfree != s->nentries || s->map.count != resident + s->ghosts.count)
		return mm_bad(err, "irg: %u resident + %u ghosts + %u free of %u, map %u", resident, s->ghosts.count,
			      s->nfree, s->nentries, s->map.count);
	return 0;
}

const struct repl_ops repl_irg_ops = {
	.name = "irg",
	.aliases = "inter-reference-gap",
	.memman = 0,
	.summary = "IRG: evicts the page whose next use, predicted from its inter-reference gaps, is farthest",
	.state_size = irg_state_size,
	.init = irg_init,
	.page_in = irg_page_in,
	.page_out = irg_page_out,
	.referenced = irg_referenced,
	.tick = irg_tick,
	.select_victim = irg_select_victim,
	.tracks = irg_tracks,
	.check = irg_check,
};
