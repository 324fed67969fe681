/*
 * pool_soft.c - the software pool backend (see pool_soft.h): per-slot
 * emulated A/D bits and a swap set kept as a page hash (repl_map) that grows
 * by doubling as pages get their first copy.
 */
#include "pool_soft.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

enum { SOFT_MAPPED = 4 }; /* alongside POOL_ACCESSED (1) and POOL_DIRTY (2) */

#define SOFT_SWAP_START 1024u

int pool_soft_init(struct pool_soft *s, uint32_t nframes, const struct mm_allocator *a)
{
	if (nframes == 0 || nframes > REPL_MAX_FRAMES || !a) return -MM_EINVAL;
	mm_memset(s, 0, sizeof *s);
	s->alloc = *a;
	s->nframes = nframes;
	s->page = mm_alloc(a, (size_t)nframes * sizeof(uint64_t));
	s->bits = mm_alloc(a, nframes);
	void *swap = mm_alloc(a, repl_map_bytes(SOFT_SWAP_START));
	if (!s->page || !s->bits || !swap) {
		mm_free(a, s->page);
		mm_free(a, s->bits);
		mm_free(a, swap);
		s->page = NULL; /* pool_soft_fini after a failed init frees nothing twice */
		s->bits = NULL;
		return -MM_ENOMEM;
	}
	mm_memset(s->bits, 0, nframes);
	repl_map_init(&s->swap, swap, SOFT_SWAP_START);
	return 0;
}

void pool_soft_fini(struct pool_soft *s)
{
	mm_free(&s->alloc, s->page);
	mm_free(&s->alloc, s->bits);
	mm_free(&s->alloc, s->swap.keys);
	s->page = NULL;
	s->bits = NULL;
	s->swap.keys = NULL;
}

static int soft_evict(void *ctx, uint32_t slot, uint64_t page)
{
	struct pool_soft *s = ctx;
	MM_ASSERT(slot < s->nframes && (s->bits[slot] & SOFT_MAPPED) && s->page[slot] == page,
		  "soft: evict(%u, %llu) of a slot not holding it", slot, (unsigned long long)page);
	uint32_t writes = repl_map_get(&s->swap, page);
	if (!(s->bits[slot] & POOL_DIRTY) && writes != REPL_MAP_NONE) {
		s->bits[slot] = 0; /* clean, and its copy is valid */
		s->stats.drops++;
		return 0;
	}
	if (writes == REPL_MAP_NONE) {
		writes = 0;
		if (s->swap.count == s->swap.limit &&
		    repl_map_grow(&s->swap, s->swap.limit * 2, &s->alloc) < 0)
			return -MM_ENOMEM; /* the page stays mapped, still dirty */
	}
	if (writes + 1 != REPL_MAP_NONE) writes++;
	repl_map_put(&s->swap, page, writes);
	s->bits[slot] = 0;
	s->stats.swap_writes++;
	return 1;
}

static int soft_load(void *ctx, uint32_t slot, uint64_t page, bool is_write)
{
	struct pool_soft *s = ctx;
	MM_ASSERT(slot < s->nframes && !(s->bits[slot] & SOFT_MAPPED), "soft: load into used slot %u", slot);
	s->page[slot] = page;
	s->bits[slot] = SOFT_MAPPED;
	if (repl_map_get(&s->swap, page) != REPL_MAP_NONE) {
		s->stats.swap_reads++;
		return 1;
	}
	s->stats.zero_fills++;
	return 0;
}

static unsigned soft_harvest(void *ctx, uint32_t slot)
{
	struct pool_soft *s = ctx;
	MM_ASSERT(slot < s->nframes && (s->bits[slot] & SOFT_MAPPED), "soft: harvest of free slot %u", slot);
	unsigned ad = s->bits[slot] & (POOL_ACCESSED | POOL_DIRTY);
	s->bits[slot] &= (uint8_t)~POOL_ACCESSED;
	return ad;
}

static void soft_touch(void *ctx, uint32_t slot, bool is_write)
{
	struct pool_soft *s = ctx;
	MM_ASSERT(slot < s->nframes && (s->bits[slot] & SOFT_MAPPED), "soft: access to free slot %u", slot);
	s->bits[slot] |= POOL_ACCESSED | (is_write ? POOL_DIRTY : 0);
}

struct pool_backend pool_soft_backend(struct pool_soft *s)
{
	struct pool_backend b = { soft_evict, soft_load, soft_harvest, soft_touch, s, 0 };
	return b;
}

void pool_soft_discard(struct pool_soft *s, uint32_t slot)
{
	MM_ASSERT(slot < s->nframes && (s->bits[slot] & SOFT_MAPPED), "soft: discard of free slot %u", slot);
	repl_map_del(&s->swap, s->page[slot]);
	s->bits[slot] = 0;
}

uint32_t pool_soft_writes(const struct pool_soft *s, uint64_t page)
{
	uint32_t w = repl_map_get(&s->swap, page);
	return w == REPL_MAP_NONE ? 0 : w;
}

bool pool_soft_mapped(const struct pool_soft *s, uint32_t slot, uint64_t *page, unsigned *ad)
{
	if (slot >= s->nframes || !(s->bits[slot] & SOFT_MAPPED)) return false;
	if (page) *page = s->page[slot];
	if (ad) *ad = s->bits[slot] & (POOL_ACCESSED | POOL_DIRTY);
	return true;
}

int pool_soft_check(const struct pool_soft *s, struct mm_sink *err)
{
	for (uint32_t i = 0; i < s->nframes; i++) {
		uint8_t b = s->bits[i];
		if (b & ~(SOFT_MAPPED | POOL_ACCESSED | POOL_DIRTY) || (b && !(b & SOFT_MAPPED)))
			return mm_bad(err, "soft: slot %u has bits %#x", i, b);
		for (uint32_t j = 0; j < i && (b & SOFT_MAPPED); j++)
			if ((s->bits[j] & SOFT_MAPPED) && s->page[j] == s->page[i])
				return mm_bad(err, "soft: page %llu mapped in slots %u and %u",
						(unsigned long long)s->page[i], j, i);
	}
	return repl_map_check(&s->swap, err);
}
