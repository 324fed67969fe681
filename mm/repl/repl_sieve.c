/*
 * repl_sieve.c - SIEVE (Y. Zhang, J. Yang, Y. Yue, Y. Vigfusson and K. V.
 * Rashmi, "SIEVE is Simpler than LRU: an Efficient Turn-Key Eviction
 * Algorithm for Web Caches", NSDI 2024, Algorithm 1).
 *
 * The resident pages are one FIFO queue (new pages at the head), each with
 * a "visited" bit set by a reference. A hand starts at the tail and moves
 * toward the head, wrapping to the tail: a visited page has its bit cleared
 * and is passed, the first unvisited page is the victim, and the hand stays
 * where the victim was (it moves on to the next newer page). Unlike Clock,
 * a retained page is never moved and new pages do not go where the hand is,
 * so pages that survive a pass age in place and new ones are tried first:
 * a "lazy promotion, quick demotion" queue that resists scans with nothing
 * but a reference bit. O(1) per reference; a sweep may pass every page.
 * The queue holds only resident pages and the hand is always on one of
 * them (or at the tail), so with free slots present the sweep is the same
 * over the pages there are.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

struct sieve {
	uint32_t nframes;
	uint32_t hand;            /* the next page the hand looks at; REPL_NO_SLOT: the tail */
	struct repl_dlist queue;  /* head = newest */
	uint8_t *visited;         /* per slot */
};

static size_t sieve_layout(uint32_t n, size_t *next, size_t *prev, size_t *visited)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct sieve));
	*next = mm_take(&end, (size_t)n * 4);
	*prev = mm_take(&end, (size_t)n * 4);
	*visited = mm_take(&end, n);
	return end;
}

static size_t sieve_state_size(uint32_t n)
{
	size_t a, b, c;
	return sieve_layout(n, &a, &b, &c);
}

static int sieve_init(void *state, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > REPL_MAX_FRAMES) return -MM_EINVAL;
	struct sieve *s = state;
	size_t next, prev, visited;
	sieve_layout(n, &next, &prev, &visited);
	s->nframes = n;
	s->hand = REPL_NO_SLOT;
	repl_dlist_init(&s->queue, (uint32_t *)((char *)state + next), (uint32_t *)((char *)state + prev), n);
	s->visited = (uint8_t *)state + visited;
	mm_memset(s->visited, 0, n);
	return 0;
}

static void sieve_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct sieve *s = state;
	MM_ASSERT(slot < s->nframes && !repl_dlist_has(&s->queue, slot), "sieve: page_in(%u)", slot);
	repl_dlist_push_front(&s->queue, slot);
	s->visited[slot] = 0;
}

static void sieve_page_out(void *state, uint32_t slot)
{
	struct sieve *s = state;
	MM_ASSERT(slot < s->nframes && repl_dlist_has(&s->queue, slot), "sieve: page_out(%u)", slot);
	if (s->hand == slot) s->hand = s->queue.prev[slot]; /* the next newer page (none: the tail) */
	repl_dlist_remove(&s->queue, slot);
	s->visited[slot] = 0;
}

static void sieve_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct sieve *s = state;
	MM_ASSERT(slot < s->nframes && repl_dlist_has(&s->queue, slot), "sieve: referenced(%u)", slot);
	if (accessed) s->visited[slot] = 1;
}

static void sieve_tick(void *state)
{
}

static uint32_t sieve_select_victim(void *state)
{
	struct sieve *s = state;
	MM_ASSERT(s->queue.count > 0, "sieve: victim wanted with none of %u resident", s->nframes);
	uint32_t o = s->hand == REPL_NO_SLOT ? s->queue.tail : s->hand;
	while (s->visited[o]) { /* ends within one turn: every bit passed is cleared */
		s->visited[o] = 0;
		o = s->queue.prev[o];
		if (o == REPL_NO_SLOT) o = s->queue.tail;
	}
	s->hand = o;
	return o;
}

static bool sieve_tracks(const void *state, uint32_t slot)
{
	const struct sieve *s = state;
	return slot < s->nframes && repl_dlist_has(&s->queue, slot);
}

static int sieve_check(const void *state, struct mm_sink *err)
{
	const struct sieve *s = state;
	int e = repl_dlist_check(&s->queue, s->nframes, "sieve queue", err);
	if (e) return e;
	if (s->hand != REPL_NO_SLOT && (s->hand >= s->nframes || !repl_dlist_has(&s->queue, s->hand)))
		return mm_bad(err, "sieve: hand at slot %u, not in the queue", s->hand);
	for (uint32_t i = 0; i < s->nframes; i++)
		if (s->visited[i] > 1 || (s->visited[i] && !repl_dlist_has(&s->queue, i)))
			return mm_bad(err, "sieve: slot %u visited %u out of the queue", i, s->visited[i]);
	return 0;
}

const struct repl_ops repl_sieve_ops = {
	.name = "sieve",
	.aliases = "",
	.memman = 0,
	.summary = "SIEVE: FIFO queue and a hand that skips visited pages in place; new pages tried first",
	.state_size = sieve_state_size,
	.init = sieve_init,
	.page_in = sieve_page_in,
	.page_out = sieve_page_out,
	.referenced = sieve_referenced,
	.tick = sieve_tick,
	.select_victim = sieve_select_victim,
	.tracks = sieve_tracks,
	.check = sieve_check,
};
