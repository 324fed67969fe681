/*
 * repl_opt.c - OPT (Belady's MIN): evict the page whose next use lies
 * furthest in the future, or that is never used again. It needs the whole
 * reference string, so it only runs on replayed traces: the pool hands it a
 * table next_use[i] (index of the next reference to the page of reference i)
 * and keeps future->now at the reference in progress.
 *
 * Each resident slot's key is the index of its page's next use, refreshed at
 * page_in and at every hit; a binary max-heap of slots on that key gives the
 * victim at the root. O(log nframes) per reference and per victim, so long
 * traces (500,000 references) replay fast. Two resident pages never share a
 * finite key, so the fault count is exactly Belady's minimum. The heap holds
 * only resident slots, so with free slots present the victim is still the
 * resident page used farthest in the future.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

struct opt {
	uint32_t nframes, nheap;
	const struct repl_future *future;
	uint32_t *key;  /* per slot: next use of its page */
	uint32_t *heap; /* slots; heap[0] has the largest key */
	uint32_t *pos;  /* per slot: index in heap, or REPL_NO_SLOT */
};

static size_t opt_layout(uint32_t n, size_t *key, size_t *heap, size_t *pos)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct opt));
	*key = mm_take(&end, (size_t)n * 4);
	*heap = mm_take(&end, (size_t)n * 4);
	*pos = mm_take(&end, (size_t)n * 4);
	return end;
}

static size_t opt_state_size(uint32_t n)
{
	size_t a, b, c;
	return opt_layout(n, &a, &b, &c);
}

static int opt_init(void *state, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > REPL_MAX_FRAMES) return -MM_EINVAL;
	struct opt *s = state;
	size_t key, heap, pos;
	opt_layout(n, &key, &heap, &pos);
	s->nframes = n;
	s->nheap = 0;
	s->future = NULL;
	s->key = (uint32_t *)((char *)state + key);
	s->heap = (uint32_t *)((char *)state + heap);
	s->pos = (uint32_t *)((char *)state + pos);
	for (uint32_t i = 0; i < n; i++) s->pos[i] = REPL_NO_SLOT;
	return 0;
}

static void opt_set_future(void *state, const struct repl_future *future)
{
	struct opt *s = state;
	s->future = future;
}

/* Next use of the page of the reference in progress. */
static uint32_t opt_next_use(const struct opt *s)
{
	const struct repl_future *f = s->future;
	MM_ASSERT(f && f->now < f->nrefs, "opt: no future (now %u)", f ? f->now : 0);
	return f->next_use[f->now];
}

static void heap_place(struct opt *s, uint32_t at, uint32_t slot)
{
	s->heap[at] = slot;
	s->pos[slot] = at;
}

static void heap_up(struct opt *s, uint32_t at)
{
	uint32_t slot = s->heap[at];
	while (at > 0) {
		uint32_t parent = (at - 1) / 2;
		if (s->key[s->heap[parent]] >= s->key[slot]) break;
		heap_place(s, at, s->heap[parent]);
		at = parent;
	}
	heap_place(s, at, slot);
}

static void heap_down(struct opt *s, uint32_t at)
{
	uint32_t slot = s->heap[at];
	for (;;) {
		uint32_t child = 2 * at + 1;
		if (child >= s->nheap) break;
		if (child + 1 < s->nheap && s->key[s->heap[child + 1]] > s->key[s->heap[child]]) child++;
		if (s->key[s->heap[child]] <= s->key[slot]) break;
		heap_place(s, at, s->heap[child]);
		at = child;
	}
	heap_place(s, at, slot);
}

static void opt_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct opt *s = state;
	MM_ASSERT(slot < s->nframes && s->pos[slot] == REPL_NO_SLOT, "opt: page_in(%u)", slot);
	s->key[slot] = opt_next_use(s);
	heap_place(s, s->nheap++, slot);
	heap_up(s, s->nheap - 1);
}

static void opt_page_out(void *state, uint32_t slot)
{
	struct opt *s = state;
	MM_ASSERT(slot < s->nframes && s->pos[slot] != REPL_NO_SLOT, "opt: page_out(%u)", slot);
	uint32_t at = s->pos[slot];
	uint32_t last = s->heap[--s->nheap];
	s->pos[slot] = REPL_NO_SLOT;
	if (last == slot) return;
	heap_place(s, at, last);
	heap_up(s, at);
	heap_down(s, s->pos[last]);
}

static void opt_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct opt *s = state;
	MM_ASSERT(slot < s->nframes && s->pos[slot] != REPL_NO_SLOT, "opt: referenced(%u)", slot);
	if (!accessed) return;
	s->key[slot] = opt_next_use(s); /* only ever grows: the next use moved on */
	heap_up(s, s->pos[slot]);
	heap_down(s, s->pos[slot]);
}

static void opt_tick(void *state)
{
}

static uint32_t opt_select_victim(void *state)
{
	struct opt *s = state;
	MM_ASSERT(s->nheap > 0, "opt: victim wanted with none of %u resident", s->nframes);
	return s->heap[0];
}

static bool opt_tracks(const void *state, uint32_t slot)
{
	const struct opt *s = state;
	return slot < s->nframes && s->pos[slot] != REPL_NO_SLOT;
}

static int opt_check(const void *state, struct mm_sink *err)
{
	const struct opt *s = state;
	uint32_t placed = 0;
	if (s->nheap > s->nframes) return mm_bad(err, "opt: heap of %u > %u frames", s->nheap, s->nframes);
	for (uint32_t at = 0; at < s->nheap; at++) {
		uint32_t slot = s->heap[at];
		if (slot >= s->nframes || s->pos[slot] != at)
			return mm_bad(err, "opt: heap[%u] = slot %u does not point back", at, slot);
		if (at && s->key[s->heap[(at - 1) / 2]] < s->key[slot])
			return mm_bad(err, "opt: heap order broken at %u", at);
	}
	for (uint32_t i = 0; i < s->nframes; i++) placed += s->pos[i] != REPL_NO_SLOT;
	if (placed != s->nheap) return mm_bad(err, "opt: %u slots placed, heap has %u", placed, s->nheap);
	return 0;
}

const struct repl_ops repl_opt_ops = {
	.name = "opt",
	.aliases = "belady min optimal",
	.memman = 0,
	.summary = "OPT (Belady): evict the page used furthest in the future (traces only)",
	.needs_future = true,
	.state_size = opt_state_size,
	.init = opt_init,
	.page_in = opt_page_in,
	.page_out = opt_page_out,
	.referenced = opt_referenced,
	.tick = opt_tick,
	.select_victim = opt_select_victim,
	.set_future = opt_set_future,
	.tracks = opt_tracks,
	.check = opt_check,
};
