/*
 * repl_fifo.c - FIFO replacement (memman policy 2).
 *
 * Resident slots sit on a queue in the order their pages were loaded; the
 * victim is the oldest, whatever its use. References are ignored, which is
 * what makes FIFO subject to Belady's anomaly (more frames, more faults).
 * Every operation is O(1) (an index-linked list, so a page released out of
 * order leaves no hole).
 *
 * With free slots present (a victim isolated while it is written back, or
 * frames freed ahead by the page-out daemon) nothing changes: the queue
 * holds only resident pages, so the victim is the oldest resident one.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"

struct fifo {
	uint32_t nframes;
	struct repl_dlist queue; /* head = oldest */
};

static size_t fifo_layout(uint32_t n, size_t *next, size_t *prev)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct fifo));
	*next = mm_take(&end, (size_t)n * 4);
	*prev = mm_take(&end, (size_t)n * 4);
	return end;
}

static size_t fifo_state_size(uint32_t n)
{
	size_t a, b;
	return fifo_layout(n, &a, &b);
}

static int fifo_init(void *state, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > REPL_MAX_FRAMES) return -MM_EINVAL;
	struct fifo *s = state;
	size_t next, prev;
	fifo_layout(n, &next, &prev);
	s->nframes = n;
	repl_dlist_init(&s->queue, (uint32_t *)((char *)state + next),
			(uint32_t *)((char *)state + prev), n);
	return 0;
}

static void fifo_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct fifo *s = state;
	MM_ASSERT(slot < s->nframes, "fifo: page_in(%u) of %u", slot, s->nframes);
	repl_dlist_push_back(&s->queue, slot);
}

static void fifo_page_out(void *state, uint32_t slot)
{
	struct fifo *s = state;
	MM_ASSERT(slot < s->nframes, "fifo: page_out(%u) of %u", slot, s->nframes);
	repl_dlist_remove(&s->queue, slot);
}

static void fifo_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct fifo *s = state;
	MM_ASSERT(slot < s->nframes && repl_dlist_has(&s->queue, slot), "fifo: referenced(%u)", slot);
}

static void fifo_tick(void *state)
{
}

static uint32_t fifo_select_victim(void *state)
{
	struct fifo *s = state;
	MM_ASSERT(s->queue.count > 0, "fifo: victim wanted with none of %u resident", s->nframes);
	return s->queue.head;
}

/* select_victim and page_out in one */
static uint32_t fifo_take_victim(void *state)
{
	struct fifo *s = state;
	MM_ASSERT(s->queue.count > 0, "fifo: victim wanted with none of %u resident", s->nframes);
	return repl_dlist_pop_front(&s->queue);
}

static bool fifo_tracks(const void *state, uint32_t slot)
{
	const struct fifo *s = state;
	return slot < s->nframes && repl_dlist_has(&s->queue, slot);
}

static int fifo_check(const void *state, struct mm_sink *err)
{
	const struct fifo *s = state;
	return repl_dlist_check(&s->queue, s->nframes, "fifo queue", err);
}

const struct repl_ops repl_fifo_ops = {
	.name = "fifo",
	.aliases = "first-in-first-out",
	.memman = 2,
	.summary = "First In, First Out: evict the page loaded longest ago",
	.state_size = fifo_state_size,
	.init = fifo_init,
	.page_in = fifo_page_in,
	.page_out = fifo_page_out,
	.referenced = fifo_referenced,
	.tick = fifo_tick,
	.select_victim = fifo_select_victim,
	.take_victim = fifo_take_victim,
	.tracks = fifo_tracks,
	.check = fifo_check,
};
