/*
 * repl_sc.c - Second-Chance replacement (memman policy 3).
 *
 * FIFO with a reprieve: slots queue in load order and each has an R bit, set
 * when its page is loaded or referenced. The victim search looks at the
 * oldest page: if its R bit is set, the bit is cleared and the page moves to
 * the back of the queue as if just loaded; the first page found with R clear
 * is the victim. If every page was referenced the search goes round once and
 * degenerates to FIFO. O(1) per reference, O(nframes) worst case per victim.
 * The queue holds only resident pages, so with free slots present the
 * search is the same over the pages there are.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

struct sc {
	uint32_t nframes;
	struct repl_dlist queue; /* head = oldest */
	uint8_t *r;              /* per slot R bit */
};

static size_t sc_layout(uint32_t n, size_t *next, size_t *prev, size_t *r)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct sc));
	*next = mm_take(&end, (size_t)n * 4);
	*prev = mm_take(&end, (size_t)n * 4);
	*r = mm_take(&end, n);
	return end;
}

static size_t sc_state_size(uint32_t n)
{
	size_t a, b, c;
	return sc_layout(n, &a, &b, &c);
}

static int sc_init(void *state, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > REPL_MAX_FRAMES) return -MM_EINVAL;
	struct sc *s = state;
	size_t next, prev, r;
	sc_layout(n, &next, &prev, &r);
	s->nframes = n;
	repl_dlist_init(&s->queue, (uint32_t *)((char *)state + next),
			(uint32_t *)((char *)state + prev), n);
	s->r = (uint8_t *)state + r;
	for (uint32_t i = 0; i < n; i++) s->r[i] = 0;
	return 0;
}

static void sc_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct sc *s = state;
	MM_ASSERT(slot < s->nframes, "sc: page_in(%u) of %u", slot, s->nframes);
	repl_dlist_push_back(&s->queue, slot);
	s->r[slot] = 1;
}

static void sc_page_out(void *state, uint32_t slot)
{
	struct sc *s = state;
	MM_ASSERT(slot < s->nframes, "sc: page_out(%u) of %u", slot, s->nframes);
	repl_dlist_remove(&s->queue, slot);
	s->r[slot] = 0;
}

static void sc_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct sc *s = state;
	MM_ASSERT(slot < s->nframes && repl_dlist_has(&s->queue, slot), "sc: referenced(%u)", slot);
	if (accessed) s->r[slot] = 1;
}

static void sc_tick(void *state)
{
}

static uint32_t sc_select_victim(void *state)
{
	struct sc *s = state;
	MM_ASSERT(s->queue.count > 0, "sc: victim wanted with none of %u resident", s->nframes);
	for (;;) {
		uint32_t oldest = s->queue.head;
		if (!s->r[oldest]) return oldest;
		s->r[oldest] = 0; /* second chance: back of the queue */
		repl_dlist_remove(&s->queue, oldest);
		repl_dlist_push_back(&s->queue, oldest);
	}
}

static bool sc_tracks(const void *state, uint32_t slot)
{
	const struct sc *s = state;
	return slot < s->nframes && repl_dlist_has(&s->queue, slot);
}

static int sc_check(const void *state, struct mm_sink *err)
{
	const struct sc *s = state;
	int e = repl_dlist_check(&s->queue, s->nframes, "sc queue", err);
	if (e) return e;
	for (uint32_t i = 0; i < s->nframes; i++)
		if (s->r[i] > 1 || (s->r[i] && !repl_dlist_has(&s->queue, i)))
			return mm_bad(err, "sc: slot %u has R=%u off the queue", i, s->r[i]);
	return 0;
}

const struct repl_ops repl_sc_ops = {
	.name = "sc",
	.aliases = "second-chance secondchance second_chance",
	.memman = 3,
	.summary = "Second-Chance: FIFO that spares (once) a page whose R bit is set",
	.state_size = sc_state_size,
	.init = sc_init,
	.page_in = sc_page_in,
	.page_out = sc_page_out,
	.referenced = sc_referenced,
	.tick = sc_tick,
	.select_victim = sc_select_victim,
	.tracks = sc_tracks,
	.check = sc_check,
};
