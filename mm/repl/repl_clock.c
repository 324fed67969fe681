/*
 * repl_clock.c - Clock replacement.
 *
 * The slots form a ring in slot order with a hand. Each resident slot has an
 * R bit, set when its page is loaded or referenced. To choose a victim the
 * hand sweeps: a slot with R set has it cleared and is passed; the first
 * slot with R clear is the victim, and the hand stops just past it (so the
 * page loaded there is the last one the next sweep reaches). This is
 * Second-Chance without moving anything: the same decisions whenever pages
 * are only ever replaced, cheaper per step. O(nframes) worst case per victim.
 *
 * A free slot (its page isolated while written back, freed ahead by the
 * page-out daemon, or released by its owner) is passed by the hand like
 * an empty place on the dial: nothing to spare and nothing to evict. So
 * the victim is the first RESIDENT slot from the hand with R clear, and
 * with every slot resident nothing changes.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

enum { CLOCK_RESIDENT = 1, CLOCK_R = 2 };

struct clock {
	uint32_t nframes, nresident, hand;
	uint8_t *bits;
};

static size_t clock_layout(uint32_t n, size_t *bits)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct clock));
	*bits = mm_take(&end, n);
	return end;
}

static size_t clock_state_size(uint32_t n)
{
	size_t bits;
	return clock_layout(n, &bits);
}

static int clock_init(void *state, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > REPL_MAX_FRAMES) return -MM_EINVAL;
	struct clock *s = state;
	size_t bits;
	clock_layout(n, &bits);
	s->nframes = n;
	s->nresident = 0;
	s->hand = 0;
	s->bits = (uint8_t *)state + bits;
	for (uint32_t i = 0; i < n; i++) s->bits[i] = 0;
	return 0;
}

static void clock_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct clock *s = state;
	MM_ASSERT(slot < s->nframes && !s->bits[slot], "clock: page_in(%u)", slot);
	s->bits[slot] = CLOCK_RESIDENT | CLOCK_R;
	s->nresident++;
}

static void clock_page_out(void *state, uint32_t slot)
{
	struct clock *s = state;
	MM_ASSERT(slot < s->nframes && s->bits[slot], "clock: page_out(%u)", slot);
	s->bits[slot] = 0;
	s->nresident--;
}

static void clock_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct clock *s = state;
	MM_ASSERT(slot < s->nframes && s->bits[slot], "clock: referenced(%u)", slot);
	if (accessed) s->bits[slot] |= CLOCK_R;
}

static void clock_tick(void *state)
{
}

static uint32_t clock_select_victim(void *state)
{
	struct clock *s = state;
	MM_ASSERT(s->nresident > 0, "clock: victim wanted with none of %u resident", s->nframes);
	for (;;) { /* ends within two turns: the first clears every R bit */
		uint32_t at = s->hand;
		s->hand = at + 1 == s->nframes ? 0 : at + 1;
		if (!s->bits[at]) continue; /* a free slot */
		if (s->bits[at] & CLOCK_R) s->bits[at] &= (uint8_t)~CLOCK_R;
		else return at;
	}
}

static bool clock_tracks(const void *state, uint32_t slot)
{
	const struct clock *s = state;
	return slot < s->nframes && s->bits[slot];
}

static int clock_check(const void *state, struct mm_sink *err)
{
	const struct clock *s = state;
	uint32_t n = 0;
	if (s->hand >= s->nframes) return mm_bad(err, "clock: hand %u of %u", s->hand, s->nframes);
	for (uint32_t i = 0; i < s->nframes; i++) {
		uint8_t b = s->bits[i];
		if (b & ~(CLOCK_RESIDENT | CLOCK_R) || (b && !(b & CLOCK_RESIDENT)))
			return mm_bad(err, "clock: slot %u has bits %#x", i, b);
		n += b & CLOCK_RESIDENT;
	}
	if (n != s->nresident) return mm_bad(err, "clock: %u resident slots, count %u", n, s->nresident);
	return 0;
}

const struct repl_ops repl_clock_ops = {
	.name = "clock",
	.aliases = "",
	.memman = 0,
	.summary = "Clock: a hand sweeps the frames, clearing R bits, evicts the first with R clear",
	.state_size = clock_state_size,
	.init = clock_init,
	.page_in = clock_page_in,
	.page_out = clock_page_out,
	.referenced = clock_referenced,
	.tick = clock_tick,
	.select_victim = clock_select_victim,
	.tracks = clock_tracks,
	.check = clock_check,
};
