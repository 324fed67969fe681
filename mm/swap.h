/*
 * swap.h - the swap area: a slot allocator over a swap device.
 *
 * A slot holds one page. The device is a table of two operations (read a
 * slot into a page, write a page to a slot) so the same code serves the RAM
 * device (a region reserved at boot), an ATA disk, or a host test's array.
 * Slots are handed out lowest-first from a bitmap with a rotating hint,
 * which keeps a page's slot stable while it is swapped in and out again.
 */
#ifndef MM_SWAP_H
#define MM_SWAP_H

#include "fmt.h"
#include "mm_alloc.h"

#define SWAP_NO_SLOT 0xffffffffu

struct swap_dev {
	const char *name;
	uint32_t nslots;
	/* 0, or -MM_EIO. buf is one page of kernel memory. */
	int (*read)(void *ctx, uint32_t slot, void *buf);
	int (*write)(void *ctx, uint32_t slot, const void *buf);
	void *ctx;
	/* Optional (NULL: one write per page): write pages[0..n) to the slots
	 * first..first+n-1 in one request. */
	int (*write_run)(void *ctx, uint32_t first, uint32_t n, const void *const *pages);
};

struct swap_stats {
	uint64_t reads, writes, errors;
	uint32_t in_use, peak;
	uint64_t full; /* allocations refused: the area was full */
};

struct swap_area {
	struct swap_dev dev;
	uint32_t *bitmap; /* 1 bit per slot: in use */
	uint32_t hint;    /* no free slot below this word */
	struct swap_stats stats;
};

/* Set up over dev (copied); the bitmap comes from a. 0 or -MM_ENOMEM. */
int swap_init(struct swap_area *sw, const struct swap_dev *dev, const struct mm_allocator *a);
void swap_fini(struct swap_area *sw, const struct mm_allocator *a);

/* A free slot, now in use; SWAP_NO_SLOT when the area is full. */
uint32_t swap_alloc(struct swap_area *sw);
/* Up to n adjacent free slots, now in use: the longest free run found
 * (searched from the hint, the first run of n taken at once). Returns how
 * many (0: the area is full), the first in *first. */
uint32_t swap_alloc_run(struct swap_area *sw, uint32_t n, uint32_t *first);
/* Give a slot back. -MM_EINVAL if it was not in use (nothing changes). */
int swap_free(struct swap_area *sw, uint32_t slot);
bool swap_in_use(const struct swap_area *sw, uint32_t slot);

/* Device I/O through the area (counted). 0 or -MM_EIO / -MM_EINVAL. */
int swap_read(struct swap_area *sw, uint32_t slot, void *page);
int swap_write(struct swap_area *sw, uint32_t slot, const void *page);
/* The same for a slot the caller holds (it allocated the slot and has not
 * freed it: its PTE or its own record says so, checked by its own check):
 * the device is called without the bitmap re-check, counted the same. The
 * fault path's entries. */
static inline int swap_read_held(struct swap_area *sw, uint32_t slot, void *page)
{
	int err = sw->dev.read(sw->dev.ctx, slot, page);
	if (err) sw->stats.errors++;
	else sw->stats.reads++;
	return err;
}
static inline int swap_write_held(struct swap_area *sw, uint32_t slot, const void *page)
{
	int err = sw->dev.write(sw->dev.ctx, slot, page);
	if (err) sw->stats.errors++;
	else sw->stats.writes++;
	return err;
}
/* pages[i] to slot first + i, every slot in use: one device request when
 * the device can (write_run), else one per page. 0, -MM_EIO, -MM_EINVAL. */
int swap_write_run(struct swap_area *sw, uint32_t first, uint32_t n, const void *const *pages);

/* Bitmap population equals stats.in_use. 0 or -MM_EINVAL. */
int swap_check(const struct swap_area *sw, struct mm_sink *err);
void swap_print(const struct swap_area *sw, struct mm_sink *out);

#endif
