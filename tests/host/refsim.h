/*
 * refsim.h - a small reference simulator of OPT, LRU, FIFO and Clock, used
 * only by the host tests to check mm/'s policies and pool. It is written
 * the plain way on purpose (arrays of frames scanned from end to end, no
 * hash, no lists, no heap) so that it shares no code and no cleverness with
 * mm/: the two agreeing on real traces is evidence, not an echo.
 *
 * Every function returns the number of faults (misses) of a reference
 * string of pages with `frames` frames, starting empty. LIRS is here too,
 * stated with timestamps instead of stacks (see refsim_lirs). Frames are filled
 * in order; Clock's hand starts at frame 0, a loaded page has R = 1, a hit
 * sets R = 1, and after a replacement the hand points past the new page.
 */
#ifndef REFSIM_H
#define REFSIM_H

#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>

/* Index of page in frame[0..used), or -1. */
static inline long refsim_find(const uint64_t *frame, long used, uint64_t page)
{
	for (long f = 0; f < used; f++)
		if (frame[f] == page) return f;
	return -1;
}

static inline long refsim_lru(const uint64_t *pages, long n, long frames)
{
	uint64_t *frame = calloc((size_t)frames, sizeof *frame);
	long *last = calloc((size_t)frames, sizeof *last);
	long used = 0, faults = 0;
	for (long i = 0; i < n; i++) {
		long f = refsim_find(frame, used, pages[i]);
		if (f < 0) {
			faults++;
			if (used < frames) {
				f = used++;
			} else {
				f = 0;
				for (long g = 1; g < frames; g++)
					if (last[g] < last[f]) f = g;
			}
			frame[f] = pages[i];
		}
		last[f] = i;
	}
	free(frame);
	free(last);
	return faults;
}

static inline long refsim_fifo(const uint64_t *pages, long n, long frames)
{
	uint64_t *frame = calloc((size_t)frames, sizeof *frame);
	long *loaded = calloc((size_t)frames, sizeof *loaded);
	long used = 0, faults = 0;
	for (long i = 0; i < n; i++) {
		if (refsim_find(frame, used, pages[i]) >= 0) continue;
		faults++;
		long f;
		if (used < frames) {
			f = used++;
		} else {
			f = 0;
			for (long g = 1; g < frames; g++)
				if (loaded[g] < loaded[f]) f = g;
		}
		frame[f] = pages[i];
		loaded[f] = i;
	}
	free(frame);
	free(loaded);
	return faults;
}

static inline long refsim_clock(const uint64_t *pages, long n, long frames)
{
	uint64_t *frame = calloc((size_t)frames, sizeof *frame);
	char *r = calloc((size_t)frames, 1);
	long used = 0, faults = 0, hand = 0;
	for (long i = 0; i < n; i++) {
		long f = refsim_find(frame, used, pages[i]);
		if (f >= 0) {
			r[f] = 1;
			continue;
		}
		faults++;
		if (used < frames) {
			f = used++;
		} else {
			while (r[hand]) {
				r[hand] = 0;
				hand = (hand + 1) % frames;
			}
			f = hand;
			hand = (hand + 1) % frames;
		}
		frame[f] = pages[i];
		r[f] = 1;
	}
	free(frame);
	free(r);
	return faults;
}

/* Belady: on a fault with memory full, replace the page whose next use
 * (found by scanning forward) is furthest away, or that is never used again.
 * next[f] caches the next use of frame f's page, recomputed by a forward
 * scan each time that page is referenced. */
static inline long refsim_opt(const uint64_t *pages, long n, long frames)
{
	uint64_t *frame = calloc((size_t)frames, sizeof *frame);
	long *next = calloc((size_t)frames, sizeof *next);
	long used = 0, faults = 0;
	for (long i = 0; i < n; i++) {
		long f = refsim_find(frame, used, pages[i]);
		if (f < 0) {
			faults++;
			if (used < frames) {
				f = used++;
			} else {
				f = 0;
				for (long g = 1; g < frames; g++)
					if (next[g] > next[f]) f = g;
			}
			frame[f] = pages[i];
		}
		long j = i + 1;
		while (j < n && pages[j] != pages[i]) j++;
		next[f] = j; /* n: never again */
	}
	free(frame);
	free(next);
	return faults;
}

/*
 * LIRS with timestamps. Every page ever seen has a record; "in S" is a flag
 * and S's order is the order of last use; Q's order is the time a page was
 * last put at Q's end; the non-resident pages remembered in S are dropped
 * oldest-first (by the time they left memory) beyond nr_max. The bottom of
 * S is found by scanning all records for the smallest last use, so it is
 * O(pages) per step: fine for a few thousand pages.
 * LIR capacity: frames - max(1, frames / 100).
 */
struct refsim_lirs_page {
	uint64_t page;
	long last, qtime, nrtime;
	char known, lir, res, in_s;
};

static inline long refsim_lirs_bottom(struct refsim_lirs_page *p, long np)
{
	long b = -1;
	for (long i = 0; i < np; i++)
		if (p[i].known && p[i].in_s && (b < 0 || p[i].last < p[b].last)) b = i;
	return b;
}

static inline void refsim_lirs_prune(struct refsim_lirs_page *p, long np)
{
	for (long b = refsim_lirs_bottom(p, np); b >= 0 && !p[b].lir; b = refsim_lirs_bottom(p, np)) {
		p[b].in_s = 0;
		if (!p[b].res) p[b].known = 0;
	}
}

static inline long refsim_lirs(const uint64_t *pages, long n, long frames, long nr_max)
{
	struct refsim_lirs_page *p = calloc((size_t)n + 1, sizeof *p);
	long np = 0, faults = 0, nlir = 0, nres = 0;
	long hir = frames / 100 ? frames / 100 : 1, lir_max = frames - hir;
	for (long t = 0; t < n; t++) {
		long x = -1;
		for (long i = 0; i < np; i++)
			if (p[i].known && p[i].page == pages[t]) x = i;
		if (x >= 0 && p[x].res) {
			if (p[x].lir) {
				p[x].last = t;
			} else if (p[x].in_s) {
				p[x].last = t;
				goto promote;
			} else {
				p[x].in_s = 1;
				p[x].last = t;
				p[x].qtime = t;
			}
			refsim_lirs_prune(p, np);
			continue;
		}
		faults++;
		if (nres == frames) { /* evict the front of Q */
			long v = -1, nr = 0, old = -1;
			for (long i = 0; i < np; i++)
				if (p[i].known && p[i].res && !p[i].lir && (v < 0 || p[i].qtime < p[v].qtime)) v = i;
			p[v].res = 0;
			nres--;
			p[v].nrtime = t;
			if (!p[v].in_s) p[v].known = 0;
			for (long i = 0; i < np; i++) {
				if (!p[i].known || p[i].res) continue;
				nr++;
				if (old < 0 || p[i].nrtime < p[old].nrtime) old = i;
			}
			if (nr > nr_max) p[old].known = p[old].in_s = 0;
			refsim_lirs_prune(p, np);
		}
		if (x < 0) {
			x = np++;
			p[x].page = pages[t];
			p[x].known = 1;
		}
		bool remembered = p[x].in_s;
		p[x].res = 1;
		nres++;
		p[x].in_s = 1;
		p[x].last = t;
		if (!remembered && nlir >= lir_max) {
			p[x].qtime = t;
			refsim_lirs_prune(p, np);
			continue;
		}
promote:
		p[x].lir = 1;
		if (++nlir > lir_max) { /* the LIR page used longest ago turns HIR */
			refsim_lirs_prune(p, np);
			long b = refsim_lirs_bottom(p, np);
			p[b].lir = 0;
			p[b].in_s = 0;
			p[b].qtime = t;
			nlir--;
		}
		refsim_lirs_prune(p, np);
	}
	free(p);
	return faults;
}

#endif
