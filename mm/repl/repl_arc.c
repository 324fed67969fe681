/*
 * repl_arc.c - ARC, Adaptive Replacement Cache (N. Megiddo and D. S. Modha,
 * "ARC: A Self-Tuning, Low Overhead Replacement Cache", FAST 2003, Fig. 4).
 *
 * With c frames ARC keeps four LRU lists of pages (MRU at the head):
 *
 *   T1  resident pages seen once lately          L1 = T1 + B1 <= c
 *   T2  resident pages seen at least twice       L2 = T2 + B2 <= 2c
 *   B1  ghosts: pages evicted from T1            T1 + T2 <= c
 *   B2  ghosts: pages evicted from T2            L1 + L2 <= 2c
 *
 * and a target p (0..c) for the size of T1. A hit moves the page to T2's
 * MRU end. REPLACE evicts T1's LRU page (into B1) when |T1| > p, else T2's
 * LRU page (into B2). A miss on a ghost in B1 grows p by max(|B2|/|B1|, 1),
 * one in B2 shrinks it by max(|B1|/|B2|, 1), and the page goes to T2; a new
 * page goes to T1 after the directory is trimmed (case IV of the paper: the
 * LRU of B1 is dropped when L1 is full, the LRU of B2 when all 2c are).
 * p is kept as a real number in 32.32 fixed point, as the paper's quotients
 * are real; the kernel has no floating point.
 *
 * The miss is known before REPLACE runs: the pool names the page it is
 * about to load (will_load) before it asks for a victim, so a ghost hit
 * adapts p first and REPLACE runs with the new p and the paper's tie rule
 * for a page in B2 (evict from T1 when |T1| = p), exactly as Fig. 4. A
 * caller that does not name the page (will_load is optional) gets the
 * adaptation at page_in instead, from the list sizes seen at
 * select_victim: it then steers the next replacement, not this one. The
 * same happens to a fault whose I/O overlaps another's in the user pool
 * (ARC remembers one miss in progress): Fig. 4 is exact for faults that
 * come one at a time, as in every replay and the kernel's own pools.
 * Pages released by their owner (page_out without select_victim) leave ARC
 * entirely. Ghosts are kept by page in a repl_map; every operation is O(1).
 *
 * With free slots present (victims taken ahead by the page-out daemon, or
 * isolated for write-back) REPLACE may run several times before the next
 * page_in, each victim becoming a ghost as usual, and one of T1 and T2 may
 * be empty: REPLACE then takes the LRU page of the other list, as the
 * paper's own rule does when |T1| = p = c. The page_in that follows uses
 * the list sizes seen at the last REPLACE; later ones, the sizes they find.
 * A victim put back after a failed write-back is a ghost hit (it goes to
 * T2). With every frame resident nothing changes.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

enum { ARC_T1, ARC_T2, ARC_B1, ARC_B2, ARC_NLISTS, ARC_FREE = 0xff };
#define ARC_ONE (1ull << 32) /* 1.0 in p's fixed point */

static const char *const arc_list_name[ARC_NLISTS] = { "T1", "T2", "B1", "B2" };

/* The list sizes just before a replacement, for the page_in that follows. */
struct arc_before {
	bool valid;
	uint32_t victim;      /* the slot chosen */
	uint32_t len[ARC_NLISTS];
};

struct arc {
	uint32_t c, nentries;
	uint64_t p;                    /* target size of T1, 32.32 fixed point */
	struct repl_dlist l[ARC_NLISTS]; /* share next/prev: an entry is on one list */
	uint64_t *page;                /* per entry */
	uint32_t *slot;                /* per entry: its slot, or REPL_NO_SLOT (a ghost) */
	uint8_t *where;                /* per entry: ARC_T1.. or ARC_FREE */
	uint32_t *free;                /* stack of unused entries */
	uint32_t nfree;
	uint32_t *slot_entry;          /* per slot: its entry, or REPL_NO_SLOT */
	struct repl_map map;           /* page -> entry, resident or ghost */
	struct arc_before before;
	struct {                       /* the miss in progress, named by will_load */
		bool valid, adapted, in_b2;
		uint64_t page;
	} miss;
};

struct arc_layout {
	size_t next, prev, page, slot, where, free, slot_entry, map, end;
};

static void arc_layout(uint32_t c, struct arc_layout *l)
{
	size_t e = 2 * (size_t)c, end = 0;
	mm_take(&end, sizeof(struct arc));
	l->next = mm_take(&end, e * 4);
	l->prev = mm_take(&end, e * 4);
	l->page = mm_take(&end, e * 8);
	l->slot = mm_take(&end, e * 4);
	l->where = mm_take(&end, e);
	l->free = mm_take(&end, e * 4);
	l->slot_entry = mm_take(&end, (size_t)c * 4);
	l->map = mm_take(&end, repl_map_bytes((uint32_t)e));
	l->end = end;
}

static size_t arc_state_size(uint32_t c)
{
	struct arc_layout l;
	arc_layout(c, &l);
	return l.end;
}

static int arc_init(void *state, uint32_t c, uint64_t seed)
{
	if (c == 0 || c > REPL_MAX_FRAMES / 2) return -MM_EINVAL;
	struct arc *s = state;
	struct arc_layout l;
	char *base = state;
	arc_layout(c, &l);
	s->c = c;
	s->nentries = 2 * c;
	s->p = 0;
	uint32_t *next = (uint32_t *)(base + l.next), *prev = (uint32_t *)(base + l.prev);
	for (int i = 0; i < ARC_NLISTS; i++) repl_dlist_init(&s->l[i], next, prev, s->nentries);
	s->page = (uint64_t *)(base + l.page);
	s->slot = (uint32_t *)(base + l.slot);
	s->where = (uint8_t *)(base + l.where);
	s->free = (uint32_t *)(base + l.free);
	s->slot_entry = (uint32_t *)(base + l.slot_entry);
	for (uint32_t i = 0; i < s->nentries; i++) {
		s->where[i] = ARC_FREE;
		s->slot[i] = REPL_NO_SLOT;
		s->free[i] = s->nentries - 1 - i;
	}
	s->nfree = s->nentries;
	for (uint32_t i = 0; i < c; i++) s->slot_entry[i] = REPL_NO_SLOT;
	repl_map_init(&s->map, base + l.map, s->nentries);
	s->before.valid = false;
	s->miss.valid = false;
	return 0;
}

static uint32_t len(const struct arc *s, int list)
{
	return s->l[list].count;
}

/* Move entry x to the MRU end of list to (off whatever list it was on). */
static void to_mru(struct arc *s, uint32_t x, int to)
{
	if (s->where[x] != ARC_FREE) repl_dlist_remove(&s->l[s->where[x]], x);
	repl_dlist_push_front(&s->l[to], x);
	s->where[x] = (uint8_t)to;
}

/* Drop entry x (on a list) altogether. */
static void forget(struct arc *s, uint32_t x)
{
	repl_dlist_remove(&s->l[s->where[x]], x);
	repl_map_del(&s->map, s->page[x]);
	s->where[x] = ARC_FREE;
	s->slot[x] = REPL_NO_SLOT;
	s->free[s->nfree++] = x;
}

static void forget_lru(struct arc *s, int list)
{
	MM_ASSERT(len(s, list) > 0, "arc: %s is empty", arc_list_name[list]);
	forget(s, s->l[list].tail);
}

/* REPLACE of Fig. 4: which list gives up its LRU page (the other one when
 * the chosen list has no resident page); the tie |T1| = p goes to T1 when
 * the missing page is in B2. */
static int replace_from(const struct arc *s)
{
	uint32_t t1 = len(s, ARC_T1);
	uint64_t t1p = (uint64_t)t1 << 32;
	bool take_t1 = t1 >= 1 && (t1p > s->p || (s->miss.valid && s->miss.in_b2 && t1p == s->p));
	if (!take_t1 && len(s, ARC_T2) == 0) take_t1 = true; /* |T1| <= p, T2 empty */
	return take_t1 ? ARC_T1 : ARC_T2;
}

static uint32_t arc_select_victim(void *state)
{
	struct arc *s = state;
	MM_ASSERT(len(s, ARC_T1) + len(s, ARC_T2) > 0, "arc: victim wanted with none of %u resident", s->c);
	uint32_t x = s->l[replace_from(s)].tail;
	s->before.valid = true;
	s->before.victim = s->slot[x];
	for (int i = 0; i < ARC_NLISTS; i++) s->before.len[i] = len(s, i);
	return s->slot[x];
}

static void arc_page_out(void *state, uint32_t slot)
{
	struct arc *s = state;
	MM_ASSERT(slot < s->c && s->slot_entry[slot] != REPL_NO_SLOT, "arc: page_out(%u)", slot);
	uint32_t x = s->slot_entry[slot];
	s->slot_entry[slot] = REPL_NO_SLOT;
	if (s->before.valid && s->before.victim == slot) { /* REPLACE: the page becomes a ghost */
		s->slot[x] = REPL_NO_SLOT;
		to_mru(s, x, s->where[x] == ARC_T1 ? ARC_B1 : ARC_B2);
		return;
	}
	s->before.valid = false; /* released by its owner */
	forget(s, x);
}

/* p += d, at most c; p -= d, at least 0 (both in fixed point). */
static void grow_p(struct arc *s, uint64_t d)
{
	uint64_t c = (uint64_t)s->c << 32;
	s->p = s->p + d > c ? c : s->p + d;
}

static void shrink_p(struct arc *s, uint64_t d)
{
	s->p = d > s->p ? 0 : s->p - d;
}

/* max(a/b, 1) in fixed point. b is 0 only when the page is the victim
 * itself, brought back by a caller at once (never by the pool). */
static uint64_t ratio_at_least_one(uint32_t a, uint32_t b)
{
	return a <= b || b == 0 ? ARC_ONE : ((uint64_t)a << 32) / b;
}

/* Case IV of Fig. 4, the directory part (REPLACE has already run if the
 * frames were full): make room in L1 or in the whole directory. */
static void trim_for_new(struct arc *s, const uint32_t *was, bool replaced)
{
	uint32_t l1 = was[ARC_T1] + was[ARC_B1];
	uint32_t all = l1 + was[ARC_T2] + was[ARC_B2];
	if (l1 == s->c) {
		if (was[ARC_T1] < s->c) {
			forget_lru(s, ARC_B1);
		} else { /* T1 held every frame: its LRU page leaves without a ghost */
			MM_ASSERT(replaced && len(s, ARC_B1) == 1, "arc: T1 full without a replacement");
			forget_lru(s, ARC_B1);
		}
	} else if (all >= 2 * s->c) {
		forget_lru(s, ARC_B2);
	}
}

/* Cases II and III of Fig. 4 begin here: p adapts to a ghost hit before
 * REPLACE. Told again for the same miss, nothing more happens. */
static void arc_will_load(void *state, uint64_t page)
{
	struct arc *s = state;
	if (s->miss.valid && s->miss.page == page) return;
	uint32_t x = repl_map_get(&s->map, page);
	int where = x == REPL_MAP_NONE ? ARC_FREE : s->where[x];
	MM_ASSERT(where != ARC_T1 && where != ARC_T2, "arc: will_load of resident page %llu", (unsigned long long)page);
	s->miss.valid = true;
	s->miss.page = page;
	s->miss.in_b2 = where == ARC_B2;
	s->miss.adapted = where == ARC_B1 || where == ARC_B2;
	if (where == ARC_B1) grow_p(s, ratio_at_least_one(len(s, ARC_B2), len(s, ARC_B1)));
	else if (where == ARC_B2) shrink_p(s, ratio_at_least_one(len(s, ARC_B1), len(s, ARC_B2)));
}

static void arc_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct arc *s = state;
	MM_ASSERT(slot < s->c && s->slot_entry[slot] == REPL_NO_SLOT, "arc: page_in(%u)", slot);
	bool replaced = s->before.valid;
	uint32_t now[ARC_NLISTS];
	for (int i = 0; i < ARC_NLISTS; i++) now[i] = len(s, i);
	const uint32_t *was = replaced ? s->before.len : now;
	s->before.valid = false;
	bool adapted = s->miss.valid && s->miss.page == page && s->miss.adapted;
	s->miss.valid = false;
	uint32_t x = repl_map_get(&s->map, page);
	if (x != REPL_MAP_NONE) {
		MM_ASSERT(s->where[x] == ARC_B1 || s->where[x] == ARC_B2, "arc: page %llu is already resident",
			  (unsigned long long)page);
		if (adapted) { /* (will_load did it) */
		} else if (s->where[x] == ARC_B1) {
			grow_p(s, ratio_at_least_one(was[ARC_B2], was[ARC_B1]));
		} else {
			shrink_p(s, ratio_at_least_one(was[ARC_B1], was[ARC_B2]));
		}
		to_mru(s, x, ARC_T2);
	} else {
		trim_for_new(s, was, replaced);
		MM_ASSERT(s->nfree > 0, "arc: out of entries");
		x = s->free[--s->nfree];
		s->page[x] = page;
		repl_map_put(&s->map, page, x);
		to_mru(s, x, ARC_T1);
	}
	s->slot[x] = slot;
	s->slot_entry[slot] = x;
}

static void arc_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct arc *s = state;
	MM_ASSERT(slot < s->c && s->slot_entry[slot] != REPL_NO_SLOT, "arc: referenced(%u)", slot);
	if (accessed) to_mru(s, s->slot_entry[slot], ARC_T2); /* case I */
}

static void arc_tick(void *state)
{
}

static bool arc_tracks(const void *state, uint32_t slot)
{
	const struct arc *s = state;
	return slot < s->c && s->slot_entry[slot] != REPL_NO_SLOT;
}

/* One list: links both ways, its count, every entry on it says so. */
static int arc_check_list(const struct arc *s, int list, struct mm_sink *err)
{
	const struct repl_dlist *l = &s->l[list];
	uint32_t n = 0, prev = REPL_NO_SLOT;
	for (uint32_t x = l->head; x != REPL_NO_SLOT; x = l->next[x]) {
		if (x >= s->nentries || n >= s->nentries)
			return mm_bad(err, "arc: %s runs off at entry %u", arc_list_name[list], x);
		if (l->prev[x] != prev || s->where[x] != list)
			return mm_bad(err, "arc: entry %u on %s says list %u, prev %u", x, arc_list_name[list],
				      s->where[x], l->prev[x]);
		bool ghost = list == ARC_B1 || list == ARC_B2;
		if (ghost != (s->slot[x] == REPL_NO_SLOT))
			return mm_bad(err, "arc: entry %u on %s has slot %u", x, arc_list_name[list], s->slot[x]);
		if (!ghost && (s->slot[x] >= s->c || s->slot_entry[s->slot[x]] != x))
			return mm_bad(err, "arc: entry %u and slot %u disagree", x, s->slot[x]);
		if (repl_map_get(&s->map, s->page[x]) != x)
			return mm_bad(err, "arc: entry %u (page %llu) is not in the map", x,
				      (unsigned long long)s->page[x]);
		prev = x;
		n++;
	}
	if (prev != l->tail || n != l->count)
		return mm_bad(err, "arc: %s has %u entries, count %u, tail %u", arc_list_name[list], n, l->count, l->tail);
	return 0;
}

static int arc_check(const void *state, struct mm_sink *err)
{
	const struct arc *s = state;
	int e = repl_map_check(&s->map, err);
	if (e) return e;
	uint32_t used = 0;
	for (int i = 0; i < ARC_NLISTS; i++) {
		if ((e = arc_check_list(s, i, err))) return e;
		used += len(s, i);
	}
	if (used + s->nfree != s->nentries || used != s->map.count)
		return mm_bad(err, "arc: %u on lists + %u free of %u, map has %u", used, s->nfree, s->nentries,
			      s->map.count);
	uint32_t t1 = len(s, ARC_T1), t2 = len(s, ARC_T2), b1 = len(s, ARC_B1), b2 = len(s, ARC_B2);
	if (t1 + t2 > s->c || t1 + b1 > s->c || used > 2 * s->c)
		return mm_bad(err, "arc: |T1|=%u |T2|=%u |B1|=%u |B2|=%u break the bounds for c=%u", t1, t2, b1, b2, s->c);
	if (s->p > ((uint64_t)s->c << 32)) return mm_bad(err, "arc: p above c=%u", s->c);
	uint32_t resident = 0;
	for (uint32_t i = 0; i < s->c; i++) {
		uint32_t x = s->slot_entry[i];
		if (x == REPL_NO_SLOT) continue;
		resident++;
		if (x >= s->nentries || s->slot[x] != i)
			return mm_bad(err, "arc: slot %u points to entry %u which disagrees", i, x);
	}
	if (resident != t1 + t2) return mm_bad(err, "arc: %u resident slots, |T1|+|T2|=%u", resident, t1 + t2);
	return 0;
}

const struct repl_ops repl_arc_ops = {
	.name = "arc",
	.aliases = "adaptive-replacement-cache",
	.memman = 0,
	.summary = "ARC: recency (T1) and frequency (T2) lists with ghosts; T1's target adapts on ghost hits",
	.state_size = arc_state_size,
	.init = arc_init,
	.page_in = arc_page_in,
	.page_out = arc_page_out,
	.referenced = arc_referenced,
	.tick = arc_tick,
	.select_victim = arc_select_victim,
	.tracks = arc_tracks,
	.check = arc_check,
	.will_load = arc_will_load,
};
