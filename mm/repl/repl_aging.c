/*
 * repl_aging.c - Aging, the software approximation of LRU.
 *
 * Each resident slot has an R bit (set when loaded or referenced) and a
 * 32-bit history counter. At every tick each counter shifts right by one and
 * R enters at the top bit, then R is cleared: the counter reads as "was the
 * page used in each of the last 32 tick intervals", most recent first. The
 * victim has the smallest (R, counter) pair, R counting as the newest bit;
 * ties go to the first one met by a scan that starts just past the previous
 * victim, so equal pages leave in turn. O(nframes) per victim and per tick.
 * The scan passes free slots by, so with free slots present the victim is
 * the smallest among the resident pages, ties broken the same way.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

struct aging {
	uint32_t nframes, nresident, hand;
	uint32_t *counter;
	uint8_t *flags; /* bit 0 resident, bit 1 R */
};

enum { AGING_RESIDENT = 1, AGING_R = 2 };

static size_t aging_layout(uint32_t n, size_t *counter, size_t *flags)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct aging));
	*counter = mm_take(&end, (size_t)n * 4);
	*flags = mm_take(&end, n);
	return end;
}

static size_t aging_state_size(uint32_t n)
{
	size_t a, b;
	return aging_layout(n, &a, &b);
}

static int aging_init(void *state, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > REPL_MAX_FRAMES) return -MM_EINVAL;
	struct aging *s = state;
	size_t counter, flags;
	aging_layout(n, &counter, &flags);
	s->nframes = n;
	s->nresident = 0;
	s->hand = 0;
	s->counter = (uint32_t *)((char *)state + counter);
	s->flags = (uint8_t *)state + flags;
	for (uint32_t i = 0; i < n; i++) {
		s->counter[i] = 0;
		s->flags[i] = 0;
	}
	return 0;
}

static void aging_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct aging *s = state;
	MM_ASSERT(slot < s->nframes && !s->flags[slot], "aging: page_in(%u)", slot);
	s->flags[slot] = AGING_RESIDENT | AGING_R;
	s->counter[slot] = 0;
	s->nresident++;
}

static void aging_page_out(void *state, uint32_t slot)
{
	struct aging *s = state;
	MM_ASSERT(slot < s->nframes && s->flags[slot], "aging: page_out(%u)", slot);
	s->flags[slot] = 0;
	s->counter[slot] = 0;
	s->nresident--;
}

static void aging_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct aging *s = state;
	MM_ASSERT(slot < s->nframes && s->flags[slot], "aging: referenced(%u)", slot);
	if (accessed) s->flags[slot] |= AGING_R;
}

static void aging_tick(void *state)
{
	struct aging *s = state;
	for (uint32_t i = 0; i < s->nframes; i++) {
		if (!s->flags[i]) continue;
		s->counter[i] = (s->counter[i] >> 1) | ((s->flags[i] & AGING_R) ? 0x80000000u : 0u);
		s->flags[i] &= (uint8_t)~AGING_R;
	}
}

/* Is slot a less worth keeping than slot b? */
static bool aging_older(const struct aging *s, uint32_t a, uint32_t b)
{
	uint8_t ra = s->flags[a] & AGING_R, rb = s->flags[b] & AGING_R;
	if (ra != rb) return ra < rb;
	return s->counter[a] < s->counter[b];
}

static uint32_t aging_select_victim(void *state)
{
	struct aging *s = state;
	MM_ASSERT(s->nresident > 0, "aging: victim wanted with none of %u resident", s->nframes);
	uint32_t best = REPL_NO_SLOT;
	for (uint32_t k = 0, i = s->hand; k < s->nframes; k++, i = i + 1 == s->nframes ? 0 : i + 1)
		if (s->flags[i] && (best == REPL_NO_SLOT || aging_older(s, i, best))) best = i;
	s->hand = best + 1 == s->nframes ? 0 : best + 1;
	return best;
}

static bool aging_tracks(const void *state, uint32_t slot)
{
	const struct aging *s = state;
	return slot < s->nframes && s->flags[slot];
}

static int aging_check(const void *state, struct mm_sink *err)
{
	const struct aging *s = state;
	uint32_t n = 0;
	if (s->hand >= s->nframes) return mm_bad(err, "aging: hand %u of %u", s->hand, s->nframes);
	for (uint32_t i = 0; i < s->nframes; i++) {
		uint8_t f = s->flags[i];
		if (f & ~(AGING_RESIDENT | AGING_R) || (f && !(f & AGING_RESIDENT)))
			return mm_bad(err, "aging: slot %u has flags %#x", i, f);
		if (!f && s->counter[i])
			return mm_bad(err, "aging: free slot %u has counter %#x", i, s->counter[i]);
		n += f & AGING_RESIDENT;
	}
	if (n != s->nresident) return mm_bad(err, "aging: %u resident slots, count %u", n, s->nresident);
	return 0;
}

const struct repl_ops repl_aging_ops = {
	.name = "aging",
	.aliases = "",
	.memman = 0,
	.summary = "Aging: 32-bit use history per page shifted at every tick, evict the smallest",
	.state_size = aging_state_size,
	.init = aging_init,
	.page_in = aging_page_in,
	.page_out = aging_page_out,
	.referenced = aging_referenced,
	.tick = aging_tick,
	.select_victim = aging_select_victim,
	.tracks = aging_tracks,
	.check = aging_check,
};
