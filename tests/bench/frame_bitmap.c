/*
 * frame_bitmap.c - the naive bitmap frame allocator (see frame_bitmap.h).
 *
 * Algorithm: one bit per frame, set when the frame is in use. Allocation of
 * order k scans from frame 0 for the first 2^k-aligned run of clear bits,
 * skipping whole words that are full; freeing clears the bits. No lists, no
 * coalescing: the bitmap is the whole state. Inside, frame numbers are the
 * integers of the pfn_t the interface takes (bit indices).
 */
#include "frame_bitmap.h"

#define WORD_BITS 32u

size_t bitmap_desc_bytes(uint32_t npfns)
{
	return ((size_t)npfns + WORD_BITS - 1u) / WORD_BITS * sizeof(uint32_t);
}

static bool bit_get(const struct bitmap_alloc *ba, uint32_t p)
{
	return (ba->bits[p / WORD_BITS] >> (p % WORD_BITS)) & 1u;
}

static void bit_put(struct bitmap_alloc *ba, uint32_t p, bool used)
{
	uint32_t m = 1u << (p % WORD_BITS);
	if (used)
		ba->bits[p / WORD_BITS] |= m;
	else
		ba->bits[p / WORD_BITS] &= ~m;
}

void bitmap_init(struct bitmap_alloc *ba, uint32_t npfns, void *mem)
{
	size_t nwords = bitmap_desc_bytes(npfns) / sizeof(uint32_t);
	ba->bits = mem;
	ba->npfns = npfns;
	ba->nfree = 0;
	for (size_t i = 0; i < nwords; i++) ba->bits[i] = 0xffffffffu;
}

static uint32_t clip_end(const struct bitmap_alloc *ba, uint32_t start, uint32_t count)
{
	if (start >= ba->npfns) return start;
	if (count > ba->npfns - start) return ba->npfns;
	return start + count;
}

static int mark_range(struct bitmap_alloc *ba, uint32_t start, uint32_t count, bool used)
{
	uint32_t end = clip_end(ba, start, count);
	int changed = 0;
	for (uint32_t p = start; p < end; p++) {
		if (bit_get(ba, p) == used) continue;
		bit_put(ba, p, used);
		changed++;
	}
	if (used)
		ba->nfree -= (uint32_t)changed;
	else
		ba->nfree += (uint32_t)changed;
	return changed;
}

int bitmap_release_range(struct bitmap_alloc *ba, pfn_t start, uint32_t count)
{
	return mark_range(ba, pfn_u32(start), count, false);
}

int bitmap_reserve_range(struct bitmap_alloc *ba, pfn_t start, uint32_t count)
{
	return mark_range(ba, pfn_u32(start), count, true);
}

/* Runs shorter than a word: look at each aligned slot of each word. */
static pfn_t scan_small(struct bitmap_alloc *ba, unsigned order)
{
	unsigned n = 1u << order;
	uint32_t slot = (n == WORD_BITS) ? 0xffffffffu : (1u << n) - 1u;
	uint32_t nwords = (ba->npfns + WORD_BITS - 1u) / WORD_BITS;
	for (uint32_t w = 0; w < nwords; w++) {
		uint32_t word = ba->bits[w];
		if (word == 0xffffffffu) continue;
		for (unsigned s = 0; s < WORD_BITS; s += n) {
			uint32_t p = w * WORD_BITS + s;
			if (p + n > ba->npfns) return PFN_NONE;
			if ((word & (slot << s)) == 0) return pfn_make(p);
		}
	}
	return PFN_NONE;
}

/* Runs of whole words: look for 2^order/32 aligned empty words. */
static pfn_t scan_words(struct bitmap_alloc *ba, unsigned order)
{
	uint32_t n = 1u << order;
	uint32_t words = n / WORD_BITS;
	for (uint32_t p = 0; p + n <= ba->npfns; p += n) {
		uint32_t w = p / WORD_BITS, i = 0;
		while (i < words && ba->bits[w + i] == 0) i++;
		if (i == words) return pfn_make(p);
	}
	return PFN_NONE;
}

pfn_t bitmap_alloc(struct bitmap_alloc *ba, unsigned order)
{
	if (order > BITMAP_MAX_ORDER) return PFN_NONE;
	pfn_t p = (1u << order) >= WORD_BITS ? scan_words(ba, order) : scan_small(ba, order);
	if (pfn_is_none(p)) return PFN_NONE;
	mark_range(ba, pfn_u32(p), 1u << order, true);
	return p;
}

int bitmap_free(struct bitmap_alloc *ba, pfn_t pfn, unsigned order)
{
	uint32_t first = pfn_u32(pfn);
	if (order > BITMAP_MAX_ORDER || first >= ba->npfns) return -MM_EINVAL;
	uint32_t n = 1u << order;
	if ((first & (n - 1u)) || n > ba->npfns - first) return -MM_EINVAL;
	for (uint32_t p = first; p < first + n; p++)
		if (!bit_get(ba, p)) return -MM_EINVAL;
	mark_range(ba, first, n, false);
	return 0;
}
