/*
 * repl_drive.h - drive one replacement policy directly, the way mm/pool.c
 * does (lowest free slot first; when full select_victim, page_out, then
 * page_in; a hit is referenced(slot, A=1)), and report what it did, for
 * hand-worked tests of single policies; drive_evict frees a frame ahead of
 * need, as the page-out daemon does. Pages are small numbers; lookups are
 * linear (the tests use up to 1024 frames).
 */
#ifndef REPL_DRIVE_H
#define REPL_DRIVE_H

#include <stdlib.h>
#include "repl.h"

#define DRIVE_HIT ((uint64_t)-1)  /* drive_ref: the page was resident */
#define DRIVE_FREE ((uint64_t)-2) /* drive_ref: a miss that took a free frame */

struct repl_drive {
	const struct repl_ops *ops;
	void *state;
	uint32_t n;
	uint64_t page[1024];
	bool used[1024];
	long misses;
};

static inline void drive_init(struct repl_drive *d, const struct repl_ops *ops, uint32_t n)
{
	d->ops = ops;
	d->n = n;
	d->state = malloc(ops->state_size(n));
	d->misses = 0;
	for (uint32_t i = 0; i < 1024; i++) d->used[i] = false;
	if (n > 1024 || ops->init(d->state, n, 1) != 0) abort();
}

static inline void drive_fini(struct repl_drive *d)
{
	free(d->state);
}

static inline int drive_slot_of(const struct repl_drive *d, uint64_t page)
{
	for (uint32_t i = 0; i < d->n; i++)
		if (d->used[i] && d->page[i] == page) return (int)i;
	return -1;
}

/* One reference: DRIVE_HIT, DRIVE_FREE, or the page evicted for it. */
static inline uint64_t drive_ref(struct repl_drive *d, uint64_t page)
{
	int s = drive_slot_of(d, page);
	if (s >= 0) {
		d->ops->referenced(d->state, (uint32_t)s, true, false);
		return DRIVE_HIT;
	}
	d->misses++;
	if (d->ops->will_load) d->ops->will_load(d->state, page);
	uint64_t gone = DRIVE_FREE;
	for (uint32_t i = 0; i < d->n && s < 0; i++)
		if (!d->used[i]) s = (int)i;
	if (s < 0) {
		s = (int)d->ops->select_victim(d->state);
		gone = d->page[s];
		d->ops->page_out(d->state, (uint32_t)s);
	}
	d->used[s] = true;
	d->page[s] = page;
	d->ops->page_in(d->state, (uint32_t)s, page, false);
	return gone;
}

/* The page-out daemon's step: select_victim and page_out with no page_in
 * after (the frame stays free). Returns the page evicted, or
 * DRIVE_NOT_RESIDENT if the policy named a free slot (left alone). */
#define DRIVE_NOT_RESIDENT ((uint64_t)-3)
static inline uint64_t drive_evict(struct repl_drive *d)
{
	uint32_t s = d->ops->select_victim(d->state);
	if (s >= d->n || !d->used[s]) return DRIVE_NOT_RESIDENT;
	d->ops->page_out(d->state, s);
	d->used[s] = false;
	return d->page[s];
}

/* Page page comes back into the free slot it left (a failed write-back):
 * page_in(slot, page, false), as if loaded. */
static inline void drive_put_back(struct repl_drive *d, uint32_t slot, uint64_t page)
{
	if (slot >= d->n || d->used[slot]) abort();
	d->used[slot] = true;
	d->page[slot] = page;
	d->ops->page_in(d->state, slot, page, false);
}

/* Run refs[0..n) and store what each did in out[] (DRIVE_* or a page). */
static inline void drive_run(struct repl_drive *d, const uint64_t *refs, size_t n, uint64_t *out)
{
	for (size_t i = 0; i < n; i++) out[i] = drive_ref(d, refs[i]);
}

#endif
