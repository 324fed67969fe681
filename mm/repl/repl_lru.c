/*
 * repl_lru.c - exact LRU, Least Recently Used (memman policy 4).
 *
 * Resident slots are kept on a list in recency order: a page moves to the
 * front when it is loaded and whenever a sample finds its accessed bit set
 * (the pool samples the touched page after every reference of a trace, so
 * the order is exact). The victim is the back of the list. Every operation
 * is O(1) (an index-linked list). The list holds only resident pages, so
 * with free slots present the victim is still the least recently used
 * resident page.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"

struct lru {
	uint32_t nframes;
	struct repl_dlist order; /* head = most recently used */
};

static size_t lru_layout(uint32_t n, size_t *next, size_t *prev)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct lru));
	*next = mm_take(&end, (size_t)n * 4);
	*prev = mm_take(&end, (size_t)n * 4);
	return end;
}

static size_t lru_state_size(uint32_t n)
{
	size_t a, b;
	return lru_layout(n, &a, &b);
}

static int lru_init(void *state, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > REPL_MAX_FRAMES) return -MM_EINVAL;
	struct lru *s = state;
	size_t next, prev;
	lru_layout(n, &next, &prev);
	s->nframes = n;
	repl_dlist_init(&s->order, (uint32_t *)((char *)state + next),
			(uint32_t *)((char *)state + prev), n);
	return 0;
}

static void lru_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct lru *s = state;
	MM_ASSERT(slot < s->nframes, "lru: page_in(%u) of %u", slot, s->nframes);
	repl_dlist_push_front(&s->order, slot);
}

static void lru_page_out(void *state, uint32_t slot)
{
	struct lru *s = state;
	MM_ASSERT(slot < s->nframes, "lru: page_out(%u) of %u", slot, s->nframes);
	repl_dlist_remove(&s->order, slot);
}

static void lru_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct lru *s = state;
	MM_ASSERT(slot < s->nframes && repl_dlist_has(&s->order, slot), "lru: referenced(%u)", slot);
	if (!accessed || s->order.head == slot) return;
	repl_dlist_remove(&s->order, slot);
	repl_dlist_push_front(&s->order, slot);
}

static void lru_tick(void *state)
{
}

static uint32_t lru_select_victim(void *state)
{
	struct lru *s = state;
	MM_ASSERT(s->order.count > 0, "lru: victim wanted with none of %u resident", s->nframes);
	return s->order.tail;
}

/* select_victim and page_out in one */
static uint32_t lru_take_victim(void *state)
{
	struct lru *s = state;
	MM_ASSERT(s->order.count > 0, "lru: victim wanted with none of %u resident", s->nframes);
	return repl_dlist_pop_back(&s->order);
}

static bool lru_tracks(const void *state, uint32_t slot)
{
	const struct lru *s = state;
	return slot < s->nframes && repl_dlist_has(&s->order, slot);
}

static int lru_check(const void *state, struct mm_sink *err)
{
	const struct lru *s = state;
	return repl_dlist_check(&s->order, s->nframes, "lru list", err);
}

const struct repl_ops repl_lru_ops = {
	.name = "lru",
	.aliases = "least-recently-used",
	.memman = 4,
	.summary = "Least Recently Used, exact (recency list, O(1) per reference)",
	.state_size = lru_state_size,
	.init = lru_init,
	.page_in = lru_page_in,
	.page_out = lru_page_out,
	.referenced = lru_referenced,
	.tick = lru_tick,
	.select_victim = lru_select_victim,
	.take_victim = lru_take_victim,
	.tracks = lru_tracks,
	.check = lru_check,
};
