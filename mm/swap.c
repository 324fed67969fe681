/*
 * swap.c - swap slots over a swap device (see swap.h). Algorithm: a bitmap
 * of slots searched a word at a time from a hint below which every word is
 * full, so allocation skips 32 used slots per step and freeing moves the
 * hint back down.
 */
#include "mm_env.h"
#include "mmlib.h"
#include "swap.h"

static uint32_t nwords(const struct swap_area *sw) { return (sw->dev.nslots + 31) / 32; }

int swap_init(struct swap_area *sw, const struct swap_dev *dev, const struct mm_allocator *a)
{
	mm_memset(sw, 0, sizeof(*sw));
	sw->dev = *dev;
	size_t bytes = (size_t)nwords(sw) * 4 + 4;
	sw->bitmap = mm_alloc(a, bytes);
	if (!sw->bitmap) return -MM_ENOMEM;
	mm_memset(sw->bitmap, 0, bytes);
	/* bits past nslots in the last word count as used, so they are never chosen */
	for (uint32_t s = dev->nslots; s < nwords(sw) * 32; s++) sw->bitmap[s / 32] |= 1u << (s % 32);
	return 0;
}

void swap_fini(struct swap_area *sw, const struct mm_allocator *a)
{
	mm_free(a, sw->bitmap);
	sw->bitmap = 0;
}

uint32_t swap_alloc(struct swap_area *sw)
{
	for (uint32_t w = sw->hint; w < nwords(sw); w++) {
		uint32_t bits = sw->bitmap[w];
		if (bits == 0xffffffffu) continue;
		uint32_t b = (uint32_t)__builtin_ctz(~bits);
		sw->bitmap[w] = bits | (1u << b);
		sw->hint = w;
		if (++sw->stats.in_use > sw->stats.peak) sw->stats.peak = sw->stats.in_use;
		return w * 32 + b;
	}
	sw->hint = nwords(sw);
	sw->stats.full++;
	return SWAP_NO_SLOT;
}

bool swap_in_use(const struct swap_area *sw, uint32_t slot)
{
	return slot < sw->dev.nslots && (sw->bitmap[slot / 32] & (1u << (slot % 32)));
}

int swap_free(struct swap_area *sw, uint32_t slot)
{
	if (!swap_in_use(sw, slot)) return -MM_EINVAL;
	sw->bitmap[slot / 32] &= ~(1u << (slot % 32));
	sw->stats.in_use--;
	if (slot / 32 < sw->hint) sw->hint = slot / 32;
	return 0;
}

static void mark_used(struct swap_area *sw, uint32_t slot)
{
	sw->bitmap[slot / 32] |= 1u << (slot % 32);
	if (++sw->stats.in_use > sw->stats.peak) sw->stats.peak = sw->stats.in_use;
}

uint32_t swap_alloc_run(struct swap_area *sw, uint32_t n, uint32_t *first)
{
	uint32_t best = 0, best_len = 0, run = 0;
	for (uint32_t s = sw->hint * 32; s < sw->dev.nslots && best_len < n; s++) {
		if (s % 32 == 0 && sw->bitmap[s / 32] == 0xffffffffu) { /* a full word: skip it */
			run = 0;
			s += 31;
			continue;
		}
		run = swap_in_use(sw, s) ? 0 : run + 1;
		if (run > best_len) {
			best_len = run;
			best = s + 1 - run;
		}
	}
	if (best_len == 0) {
		sw->stats.full++;
		return 0;
	}
	for (uint32_t s = best; s < best + best_len; s++) mark_used(sw, s);
	*first = best;
	return best_len;
}

int swap_write_run(struct swap_area *sw, uint32_t first, uint32_t n, const void *const *pages)
{
	if (n == 0 || first >= sw->dev.nslots || n > sw->dev.nslots - first) return -MM_EINVAL;
	for (uint32_t i = 0; i < n; i++)
		if (!swap_in_use(sw, first + i)) return -MM_EINVAL;
	int err = 0;
	if (sw->dev.write_run) {
		err = sw->dev.write_run(sw->dev.ctx, first, n, pages);
	} else {
		for (uint32_t i = 0; i < n && !err; i++) err = sw->dev.write(sw->dev.ctx, first + i, pages[i]);
	}
	if (err) sw->stats.errors++;
	else sw->stats.writes += n;
	return err;
}

int swap_read(struct swap_area *sw, uint32_t slot, void *page)
{
	if (!swap_in_use(sw, slot)) return -MM_EINVAL;
	return swap_read_held(sw, slot, page);
}

int swap_write(struct swap_area *sw, uint32_t slot, const void *page)
{
	if (!swap_in_use(sw, slot)) return -MM_EINVAL;
	return swap_write_held(sw, slot, page);
}

int swap_check(const struct swap_area *sw, struct mm_sink *err)
{
	uint32_t used = 0;
	for (uint32_t s = 0; s < sw->dev.nslots; s++) used += swap_in_use(sw, s);
	if (used != sw->stats.in_use) {
		if (err) mm_format(err, "swap: bitmap has %u slots in use, counter says %u\n", used, sw->stats.in_use);
		return -MM_EINVAL;
	}
	for (uint32_t w = 0; w < sw->hint && w < nwords(sw); w++) {
		if (sw->bitmap[w] != 0xffffffffu) {
			if (err) mm_format(err, "swap: word %u below the hint %u has a free slot\n", w, sw->hint);
			return -MM_EINVAL;
		}
	}
	return 0;
}

void swap_print(const struct swap_area *sw, struct mm_sink *out)
{
	mm_format(out, "swap device %s: %u slots (%u KiB), %u in use (peak %u)\n", sw->dev.name,
		  sw->dev.nslots, sw->dev.nslots * (PAGE_SIZE / 1024), sw->stats.in_use, sw->stats.peak);
	mm_format(out, "  reads %llu, writes %llu, errors %llu, refused (full) %llu\n",
		  (unsigned long long)sw->stats.reads, (unsigned long long)sw->stats.writes,
		  (unsigned long long)sw->stats.errors, (unsigned long long)sw->stats.full);
}
