/*
 * repl_clockpro.c - CLOCK-Pro (S. Jiang, F. Chen and X. Zhang, "CLOCK-Pro:
 * An Effective Improvement of the CLOCK Replacement", USENIX ATC 2005,
 * sections 3.2-3.4).
 *
 * LIRS's idea on a clock: pages are hot (small reuse distance) or cold, and
 * a cold page is in its "test period" for a while after it is faulted in or
 * found referenced. Every page, resident or not, sits on ONE circular list
 * in the order of its accesses; a hit only sets the page's reference bit.
 * Three hands move the same way round the clock:
 *
 *   HAND_hot   at the list tail, the hot page with the largest recency. As
 *              it passes a page, that page is at the list head (the head is
 *              the place just behind HAND_hot, where pages are inserted). A
 *              referenced hot page is spared (bit cleared); the first hot
 *              page with its bit clear turns cold; a cold page it passes
 *              ends its test period (a non-resident one leaves the clock);
 *              it stops at a hot page.
 *   HAND_cold  at the resident cold page with the largest recency: the
 *              victim search. Bit clear: that page is replaced (it stays as
 *              a non-resident cold page if in its test period, else leaves).
 *              Bit set: cleared, and the page moves to the list head, turned
 *              hot if it was in its test period (then HAND_hot runs), else
 *              given a new test period.
 *   HAND_test  at the cold page in its test period with the largest
 *              recency. It runs when more than m pages are non-resident and
 *              ends one test period (a non-resident page leaves the clock).
 *
 * A fault on a non-resident page still in its test period makes it hot at
 * the list head (HAND_hot runs); any other faulted page is cold at the head
 * and starts a test period, except that until memory is full pages are hot
 * while fewer than m - m_c are. Adaptation: m_c, the target number of
 * resident cold pages, grows by 1 when a cold page is accessed during its
 * test period and shrinks by 1 when a test period ends without one; HAND_hot
 * runs while more than m - m_c pages are hot. m_c starts at 1% of m (LIRS's
 * share of resident HIR pages) and stays within [1, m - 1].
 *
 * Reading of the paper where it is terse: a test period that ends (by
 * HAND_hot or HAND_test) on a resident page whose bit is set counts as
 * accessed during the period (+1), and a page released by its owner leaves
 * the clock without changing m_c. The page faulted in has its bit clear
 * (the fault itself is the access the test period starts from). The victim
 * search does not depend on the page being faulted in, so this API runs the
 * paper's sequence exactly: HAND_cold in select_victim, the rest in
 * page_out and page_in. Non-resident pages are found by page in a repl_map.
 *
 * With every frame resident there is always a resident cold page: at most
 * m - 1 pages are hot (a faulted page turns hot only while fewer than
 * m - m_c are, and promote() rebalances to m - m_c). With free slots present (victims taken ahead by
 * the page-out daemon or isolated for write-back, cold pages released by
 * their owner) there may be none, before HAND_cold starts or after it
 * promotes the last one: then HAND_hot runs once, as it does to rebalance,
 * and the hot page it turns cold is HAND_cold's to take (its bit is clear
 * and it is in no test period, so it is the victim and leaves the clock).
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

enum { CP_USED = 1, CP_HOT = 2, CP_TEST = 4, CP_REF = 8 };

struct clockpro {
	uint32_t m, nentries;
	uint32_t cold_target;          /* m_c */
	uint32_t nhot, ncold, nnonres; /* resident hot, resident cold, non-resident */
	uint32_t nring;                /* entries on the clock */
	uint32_t tail;                 /* HAND_hot; the head is just behind it */
	uint32_t hand_cold, hand_test; /* REPL_NO_SLOT: start from the tail */
	uint32_t victim;               /* entry named by select_victim, or REPL_NO_SLOT */
	bool replaced;                 /* the victim went out: the next page_in found memory full */
	uint32_t *next, *prev;         /* per entry: the clock, in hand order */
	uint64_t *page;                /* per entry */
	uint32_t *slot;                /* per entry: its slot, or REPL_NO_SLOT */
	uint8_t *flags;                /* per entry: CP_* */
	uint32_t *free;                /* stack of unused entries */
	uint32_t nfree;
	uint32_t *slot_entry;          /* per slot: its entry, or REPL_NO_SLOT */
	struct repl_map map;           /* page -> entry */
};

struct clockpro_layout {
	size_t next, prev, page, slot, flags, free, slot_entry, map, end;
};

static void cp_layout(uint32_t m, struct clockpro_layout *l)
{
	size_t e = 2 * (size_t)m, end = 0;
	mm_take(&end, sizeof(struct clockpro));
	l->next = mm_take(&end, e * 4);
	l->prev = mm_take(&end, e * 4);
	l->page = mm_take(&end, e * 8);
	l->slot = mm_take(&end, e * 4);
	l->flags = mm_take(&end, e);
	l->free = mm_take(&end, e * 4);
	l->slot_entry = mm_take(&end, (size_t)m * 4);
	l->map = mm_take(&end, repl_map_bytes((uint32_t)e));
	l->end = end;
}

static size_t cp_state_size(uint32_t m)
{
	struct clockpro_layout l;
	cp_layout(m, &l);
	return l.end;
}

static uint32_t cold_max(const struct clockpro *s)
{
	return s->m > 1 ? s->m - 1 : 1;
}

static int cp_init(void *state, uint32_t m, uint64_t seed)
{
	if (m == 0 || m > REPL_MAX_FRAMES / 2) return -MM_EINVAL;
	struct clockpro *s = state;
	struct clockpro_layout l;
	char *base = state;
	cp_layout(m, &l);
	mm_memset(s, 0, sizeof *s);
	s->m = m;
	s->nentries = 2 * m;
	s->cold_target = m / 100 ? m / 100 : 1;
	s->tail = s->hand_cold = s->hand_test = s->victim = REPL_NO_SLOT;
	s->next = (uint32_t *)(base + l.next);
	s->prev = (uint32_t *)(base + l.prev);
	s->page = (uint64_t *)(base + l.page);
	s->slot = (uint32_t *)(base + l.slot);
	s->flags = (uint8_t *)(base + l.flags);
	s->free = (uint32_t *)(base + l.free);
	s->slot_entry = (uint32_t *)(base + l.slot_entry);
	for (uint32_t i = 0; i < s->nentries; i++) {
		s->flags[i] = 0;
		s->slot[i] = REPL_NO_SLOT;
		s->free[i] = s->nentries - 1 - i;
	}
	s->nfree = s->nentries;
	for (uint32_t i = 0; i < m; i++) s->slot_entry[i] = REPL_NO_SLOT;
	repl_map_init(&s->map, base + l.map, s->nentries);
	return 0;
}

static bool has(const struct clockpro *s, uint32_t x, uint8_t flag)
{
	return (s->flags[x] & flag) != 0;
}

static bool resident_cold(const struct clockpro *s, uint32_t x)
{
	return s->slot[x] != REPL_NO_SLOT && !has(s, x, CP_HOT);
}

/* ---- the clock ------------------------------------------------------------ */

/* Put x at the list head: just behind HAND_hot. */
static void ring_insert_head(struct clockpro *s, uint32_t x)
{
	if (s->tail == REPL_NO_SLOT) {
		s->next[x] = s->prev[x] = x;
		s->tail = x;
	} else {
		uint32_t t = s->tail, h = s->prev[t];
		s->next[h] = x;
		s->prev[x] = h;
		s->next[x] = t;
		s->prev[t] = x;
	}
	s->nring++;
}

/* Take x off the clock; a hand on x moves on to the next page. */
static void ring_remove(struct clockpro *s, uint32_t x)
{
	uint32_t n = s->nring == 1 ? REPL_NO_SLOT : s->next[x];
	if (s->tail == x) s->tail = n;
	if (s->hand_cold == x) s->hand_cold = n;
	if (s->hand_test == x) s->hand_test = n;
	if (n != REPL_NO_SLOT) {
		s->next[s->prev[x]] = s->next[x];
		s->prev[s->next[x]] = s->prev[x];
	}
	s->nring--;
}

static void move_to_head(struct clockpro *s, uint32_t x)
{
	ring_remove(s, x);
	ring_insert_head(s, x);
}

/* HAND_hot moves past the tail page, which is then at the list head. */
static void advance_hot_hand(struct clockpro *s)
{
	uint32_t x = s->tail, n = s->next[x];
	if (s->hand_cold == x) s->hand_cold = n;
	if (s->hand_test == x) s->hand_test = n;
	s->tail = n;
}

/* ---- entries ---------------------------------------------------------------- */

static void forget(struct clockpro *s, uint32_t x)
{
	ring_remove(s, x);
	repl_map_del(&s->map, s->page[x]);
	s->flags[x] = 0;
	s->slot[x] = REPL_NO_SLOT;
	s->free[s->nfree++] = x;
}

static void adjust_cold_target(struct clockpro *s, bool accessed)
{
	if (accessed) {
		if (s->cold_target < cold_max(s)) s->cold_target++;
	} else if (s->cold_target > 1) {
		s->cold_target--;
	}
}

/* The test period of cold page x ends; a non-resident page leaves. */
static void end_test(struct clockpro *s, uint32_t x)
{
	s->flags[x] &= (uint8_t)~CP_TEST;
	adjust_cold_target(s, has(s, x, CP_REF));
	if (s->slot[x] == REPL_NO_SLOT) {
		s->nnonres--;
		forget(s, x);
	}
}

/* ---- the hands ------------------------------------------------------------ */

/* HAND_hot: turn one hot page cold, then stop at the next hot page. */
static void run_hand_hot(struct clockpro *s)
{
	bool demoted = false;
	while (s->nhot > 0) {
		uint32_t x = s->tail;
		if (has(s, x, CP_HOT)) {
			if (demoted) return;
			if (has(s, x, CP_REF)) {
				s->flags[x] &= (uint8_t)~CP_REF;
			} else {
				s->flags[x] &= (uint8_t)~CP_HOT;
				s->nhot--;
				s->ncold++;
				demoted = true;
			}
			advance_hot_hand(s);
		} else if (has(s, x, CP_TEST) && s->slot[x] == REPL_NO_SLOT) {
			end_test(s, x); /* leaves the clock: the tail moves on */
		} else {
			if (has(s, x, CP_TEST)) end_test(s, x);
			advance_hot_hand(s);
		}
	}
}

static void balance_hot(struct clockpro *s)
{
	while (s->nhot > s->m - s->cold_target) run_hand_hot(s);
}

/* HAND_test: end the test period of the oldest cold page in one. */
static void run_hand_test(struct clockpro *s)
{
	uint32_t x = s->hand_test == REPL_NO_SLOT ? s->tail : s->hand_test;
	for (uint32_t n = 0; !has(s, x, CP_TEST); n++) {
		MM_ASSERT(n < s->nring, "clockpro: no page in a test period");
		x = s->next[x];
	}
	s->hand_test = s->next[x];
	end_test(s, x);
}

/* HAND_cold's page: the first resident cold page from the hand on. */
static uint32_t cold_hand_page(struct clockpro *s)
{
	uint32_t x = s->hand_cold == REPL_NO_SLOT ? s->tail : s->hand_cold;
	for (uint32_t n = 0; !resident_cold(s, x); n++) {
		MM_ASSERT(n < s->nring, "clockpro: no resident cold page");
		x = s->next[x];
	}
	s->hand_cold = x;
	return x;
}

static void promote(struct clockpro *s, uint32_t x)
{
	adjust_cold_target(s, true); /* accessed during its test period */
	s->flags[x] = (uint8_t)((s->flags[x] | CP_HOT) & ~(CP_TEST | CP_REF));
	s->nhot++;
	move_to_head(s, x);
	balance_hot(s);
}

static uint32_t cp_select_victim(void *state)
{
	struct clockpro *s = state;
	MM_ASSERT(s->nhot + s->ncold > 0, "clockpro: victim wanted with none of %u resident", s->m);
	for (;;) {
		if (s->ncold == 0) run_hand_hot(s); /* only with free slots present */
		uint32_t x = cold_hand_page(s);
		if (!has(s, x, CP_REF)) {
			s->victim = x;
			return s->slot[x];
		}
		if (has(s, x, CP_TEST)) {
			s->ncold--;
			promote(s, x);
		} else {
			s->flags[x] = (uint8_t)((s->flags[x] | CP_TEST) & ~CP_REF);
			move_to_head(s, x);
		}
	}
}

/* ---- the ops ---------------------------------------------------------------- */

static void cp_page_out(void *state, uint32_t slot)
{
	struct clockpro *s = state;
	MM_ASSERT(slot < s->m && s->slot_entry[slot] != REPL_NO_SLOT, "clockpro: page_out(%u)", slot);
	uint32_t x = s->slot_entry[slot];
	bool replaced = x == s->victim;
	s->victim = REPL_NO_SLOT;
	s->replaced = replaced;
	s->slot_entry[slot] = REPL_NO_SLOT;
	s->slot[x] = REPL_NO_SLOT;
	if (has(s, x, CP_HOT)) s->nhot--;
	else s->ncold--;
	if (!replaced || !has(s, x, CP_TEST)) { /* released, or out of its test period */
		forget(s, x);
		return;
	}
	s->flags[x] &= (uint8_t)~CP_REF;
	s->nnonres++;
	s->hand_cold = s->next[x]; /* it stops at the next resident cold page */
	while (s->nnonres > s->m) run_hand_test(s);
}

static void cp_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct clockpro *s = state;
	MM_ASSERT(slot < s->m && s->slot_entry[slot] == REPL_NO_SLOT, "clockpro: page_in(%u)", slot);
	bool memory_was_full = s->replaced;
	s->replaced = false;
	uint32_t x = repl_map_get(&s->map, page);
	if (x != REPL_MAP_NONE) { /* a non-resident cold page in its test period */
		MM_ASSERT(s->slot[x] == REPL_NO_SLOT && has(s, x, CP_TEST), "clockpro: page %llu is resident",
			  (unsigned long long)page);
		s->nnonres--;
		s->slot[x] = slot;
		s->slot_entry[slot] = x;
		promote(s, x);
		return;
	}
	MM_ASSERT(s->nfree > 0, "clockpro: out of entries");
	x = s->free[--s->nfree];
	s->page[x] = page;
	s->slot[x] = slot;
	s->slot_entry[slot] = x;
	repl_map_put(&s->map, page, x);
	if (!memory_was_full && s->nhot < s->m - s->cold_target) {
		s->flags[x] = CP_USED | CP_HOT;
		s->nhot++;
	} else {
		s->flags[x] = CP_USED | CP_TEST;
		s->ncold++;
	}
	ring_insert_head(s, x);
}

static void cp_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct clockpro *s = state;
	MM_ASSERT(slot < s->m && s->slot_entry[slot] != REPL_NO_SLOT, "clockpro: referenced(%u)", slot);
	if (accessed) s->flags[s->slot_entry[slot]] |= CP_REF;
}

static void cp_tick(void *state)
{
}

static bool cp_tracks(const void *state, uint32_t slot)
{
	const struct clockpro *s = state;
	return slot < s->m && s->slot_entry[slot] != REPL_NO_SLOT;
}

/* ---- check ------------------------------------------------------------------ */

static int cp_check_entry(const struct clockpro *s, uint32_t x, struct mm_sink *err)
{
	uint8_t f = s->flags[x];
	bool resident = s->slot[x] != REPL_NO_SLOT;
	if ((f & CP_HOT) && (f & CP_TEST)) return mm_bad(err, "clockpro: entry %u is hot and in a test period", x);
	if (!resident && (f & (CP_HOT | CP_REF | CP_TEST)) != CP_TEST)
		return mm_bad(err, "clockpro: non-resident entry %u has flags %#x", x, f);
	if (resident && (s->slot[x] >= s->m || s->slot_entry[s->slot[x]] != x))
		return mm_bad(err, "clockpro: entry %u and slot %u disagree", x, s->slot[x]);
	if (repl_map_get(&s->map, s->page[x]) != x)
		return mm_bad(err, "clockpro: entry %u (page %llu) is not in the map", x, (unsigned long long)s->page[x]);
	return 0;
}

/* Walk the clock from the tail: links, flags, counts, and where the hands
 * are: no page in a test period before HAND_test, no resident cold page
 * before HAND_cold (both counted from the tail). */
static int cp_check_ring(const struct clockpro *s, struct mm_sink *err)
{
	uint32_t n = 0, hot = 0, cold = 0, nonres = 0, x = s->tail;
	bool seen_cold_hand = s->hand_cold == REPL_NO_SLOT, seen_test_hand = s->hand_test == REPL_NO_SLOT;
	if ((x == REPL_NO_SLOT) != (s->nring == 0)) return mm_bad(err, "clockpro: tail %u with %u on the clock", x, s->nring);
	for (; n < s->nring; n++, x = s->next[x]) {
		int e;
		if (x >= s->nentries || !(s->flags[x] & CP_USED) || s->prev[s->next[x]] != x)
			return mm_bad(err, "clockpro: clock broken at entry %u (step %u)", x, n);
		if ((e = cp_check_entry(s, x, err))) return e;
		seen_cold_hand |= x == s->hand_cold;
		seen_test_hand |= x == s->hand_test;
		if (!seen_test_hand && has(s, x, CP_TEST))
			return mm_bad(err, "clockpro: entry %u in a test period is behind HAND_test", x);
		if (!seen_cold_hand && resident_cold(s, x))
			return mm_bad(err, "clockpro: resident cold entry %u is behind HAND_cold", x);
		hot += has(s, x, CP_HOT);
		cold += resident_cold(s, x);
		nonres += s->slot[x] == REPL_NO_SLOT;
	}
	if (s->nring && x != s->tail) return mm_bad(err, "clockpro: the clock does not close after %u", n);
	if (!seen_cold_hand || !seen_test_hand) return mm_bad(err, "clockpro: a hand is off the clock");
	if (hot != s->nhot || cold != s->ncold || nonres != s->nnonres)
		return mm_bad(err, "clockpro: %u hot, %u cold, %u non-resident; counts %u %u %u", hot, cold, nonres,
			      s->nhot, s->ncold, s->nnonres);
	return 0;
}

static int cp_check(const void *state, struct mm_sink *err)
{
	const struct clockpro *s = state;
	int e = repl_map_check(&s->map, err);
	if (e || (e = cp_check_ring(s, err))) return e;
	if (s->nring + s->nfree != s->nentries || s->nring != s->map.count)
		return mm_bad(err, "clockpro: %u on the clock + %u free of %u, map has %u", s->nring, s->nfree,
			      s->nentries, s->map.count);
	if (s->nnonres > s->m) return mm_bad(err, "clockpro: %u non-resident pages > %u", s->nnonres, s->m);
	if (s->cold_target < 1 || s->cold_target > cold_max(s))
		return mm_bad(err, "clockpro: cold target %u out of [1, %u]", s->cold_target, cold_max(s));
	uint32_t resident = 0;
	for (uint32_t i = 0; i < s->m; i++) {
		uint32_t x = s->slot_entry[i];
		if (x == REPL_NO_SLOT) continue;
		resident++;
		if (x >= s->nentries || s->slot[x] != i)
			return mm_bad(err, "clockpro: slot %u points to entry %u which disagrees", i, x);
	}
	if (resident != s->nhot + s->ncold)
		return mm_bad(err, "clockpro: %u resident slots, %u hot + %u cold", resident, s->nhot, s->ncold);
	return 0;
}

const struct repl_ops repl_clockpro_ops = {
	.name = "clockpro",
	.aliases = "clock-pro",
	.memman = 0,
	.summary = "CLOCK-Pro: hot, cold and test pages on one clock with three hands; cold share adapts",
	.state_size = cp_state_size,
	.init = cp_init,
	.page_in = cp_page_in,
	.page_out = cp_page_out,
	.referenced = cp_referenced,
	.tick = cp_tick,
	.select_victim = cp_select_victim,
	.tracks = cp_tracks,
	.check = cp_check,
};
