/*
 * repl_nru.c - NRU, Not Recently Used (memman policy 1).
 *
 * Every resident page has an R (referenced) and an M (modified) bit; together
 * they put it in one of four classes, 2R + M: 0 not referenced, clean;
 * 1 not referenced, dirty; 2 referenced, clean; 3 referenced, dirty.
 * R is set on every reference and cleared for all pages by the periodic
 * sweep (tick); M stays set until the page leaves. The victim is a page of
 * the lowest non-empty class, chosen uniformly at random among that class
 * by a seeded PRNG, so a run is reproducible from its seed.
 * Victim selection is one pass over the slots: O(nframes). Free slots are
 * in no class, so with free slots present the pick is among the resident
 * pages only.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

enum { NRU_RESIDENT = 1, NRU_R = 2, NRU_M = 4 };

struct nru {
	uint32_t nframes, nresident;
	struct mm_rng rng;
	uint8_t *bits; /* per slot: NRU_* flags */
};

static size_t nru_layout(uint32_t n, size_t *bits)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct nru));
	*bits = mm_take(&end, n);
	return end;
}

static size_t nru_state_size(uint32_t n)
{
	size_t bits;
	return nru_layout(n, &bits);
}

static int nru_init(void *state, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > REPL_MAX_FRAMES) return -MM_EINVAL;
	struct nru *s = state;
	size_t bits;
	nru_layout(n, &bits);
	s->nframes = n;
	s->nresident = 0;
	mm_rng_seed(&s->rng, seed);
	s->bits = (uint8_t *)state + bits;
	mm_memset(s->bits, 0, n);
	return 0;
}

static unsigned nru_class(uint8_t bits)
{
	return ((bits & NRU_R) ? 2u : 0u) + ((bits & NRU_M) ? 1u : 0u);
}

static void nru_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct nru *s = state;
	MM_ASSERT(slot < s->nframes && !(s->bits[slot] & NRU_RESIDENT), "nru: page_in(%u)", slot);
	s->bits[slot] = NRU_RESIDENT | NRU_R | (is_write ? NRU_M : 0);
	s->nresident++;
}

static void nru_page_out(void *state, uint32_t slot)
{
	struct nru *s = state;
	MM_ASSERT(slot < s->nframes && (s->bits[slot] & NRU_RESIDENT), "nru: page_out(%u)", slot);
	s->bits[slot] = 0;
	s->nresident--;
}

static void nru_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct nru *s = state;
	MM_ASSERT(slot < s->nframes && (s->bits[slot] & NRU_RESIDENT), "nru: referenced(%u)", slot);
	if (accessed) s->bits[slot] |= NRU_R;
	if (dirty) s->bits[slot] |= NRU_M;
}

static void nru_tick(void *state)
{
	struct nru *s = state;
	for (uint32_t i = 0; i < s->nframes; i++) s->bits[i] &= (uint8_t)~NRU_R;
}

static uint32_t nru_select_victim(void *state)
{
	struct nru *s = state;
	MM_ASSERT(s->nresident > 0, "nru: victim wanted with none of %u resident", s->nframes);
	uint32_t count[4] = { 0, 0, 0, 0 };
	for (uint32_t i = 0; i < s->nframes; i++)
		if (s->bits[i] & NRU_RESIDENT) count[nru_class(s->bits[i])]++;
	unsigned lowest = 0;
	while (lowest < 4 && count[lowest] == 0) lowest++;
	MM_ASSERT(lowest < 4, "nru: select_victim with no resident page");
	uint32_t pick = mm_rng_below(&s->rng, count[lowest]);
	for (uint32_t i = 0; i < s->nframes; i++) {
		if (!(s->bits[i] & NRU_RESIDENT) || nru_class(s->bits[i]) != lowest) continue;
		if (pick-- == 0) return i;
	}
	MM_ASSERT(0, "nru: class %u lost a member", lowest);
	return REPL_NO_SLOT;
}

static bool nru_tracks(const void *state, uint32_t slot)
{
	const struct nru *s = state;
	return slot < s->nframes && (s->bits[slot] & NRU_RESIDENT);
}

static int nru_check(const void *state, struct mm_sink *err)
{
	const struct nru *s = state;
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->nframes; i++) {
		if (s->bits[i] & ~(NRU_RESIDENT | NRU_R | NRU_M))
			return mm_bad(err, "nru: slot %u has stray bits %#x", i, s->bits[i]);
		if ((s->bits[i] & (NRU_R | NRU_M)) && !(s->bits[i] & NRU_RESIDENT))
			return mm_bad(err, "nru: free slot %u has R/M bits %#x", i, s->bits[i]);
		n += s->bits[i] & NRU_RESIDENT;
	}
	if (n != s->nresident) return mm_bad(err, "nru: %u resident slots, count %u", n, s->nresident);
	return 0;
}

const struct repl_ops repl_nru_ops = {
	.name = "nru",
	.aliases = "not-recently-used",
	.memman = 1,
	.summary = "Not Recently Used: lowest R/M class, random pick (seeded)",
	.state_size = nru_state_size,
	.init = nru_init,
	.page_in = nru_page_in,
	.page_out = nru_page_out,
	.referenced = nru_referenced,
	.tick = nru_tick,
	.select_victim = nru_select_victim,
	.tracks = nru_tracks,
	.check = nru_check,
};
