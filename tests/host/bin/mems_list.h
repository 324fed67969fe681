/*
 * mems_list.h - a straightforward MeMS, the way the seeds describe it: a
 * doubly linked main chain of nodes (page mappings), each with a doubly
 * linked sub-chain of PROCESS and HOLE segments, and nothing else. malloc
 * walks the chain for the first hole that fits (main-chain order, then
 * sub-chain order), free and get walk it to the address. Same addresses,
 * same splits and merges, same stats text as mm/heap/mems.c, which keeps an
 * index beside its list instead.
 *
 * It is the baseline of tests/host/bin/mems_bench.c (what the index buys at
 * scale) and a second model in tests/host/test_mems.c. Host only: header
 * functions over the C library's malloc for the records and a mems_pager
 * for the nodes' pages. Returns and errors follow mems.h (0 / -MM_E*).
 */
#ifndef MEMS_LIST_H
#define MEMS_LIST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "mems.h"

struct ml_seg {
	uint64_t start;
	size_t nbytes;
	int process;
	struct ml_seg *prev, *next;
};

struct ml_node {
	uint64_t start;
	size_t npages;
	void *kaddr;
	size_t nsegs;
	struct ml_seg *first;
	struct ml_node *prev, *next;
};

struct mems_list {
	struct mems_pager pager;
	struct ml_node *head, *tail;
	uint64_t end;
};

static inline void mems_list_init(struct mems_list *l, const struct mems_pager *pg)
{
	l->pager = *pg;
	l->head = l->tail = NULL;
	l->end = MEMS_VADDR_BASE;
}

static inline struct ml_seg *ml_new_seg(uint64_t start, size_t nbytes, int process)
{
	struct ml_seg *s = malloc(sizeof *s);
	if (!s) abort();
	s->start = start;
	s->nbytes = nbytes;
	s->process = process;
	s->prev = s->next = NULL;
	return s;
}

/* Put s after pos in node n's sub-chain. */
static inline void ml_link_after(struct ml_node *n, struct ml_seg *pos, struct ml_seg *s)
{
	s->prev = pos;
	s->next = pos->next;
	if (pos->next) pos->next->prev = s;
	pos->next = s;
	n->nsegs++;
}

static inline void ml_unlink(struct ml_node *n, struct ml_seg *s)
{
	if (s->prev) s->prev->next = s->next;
	else n->first = s->next;
	if (s->next) s->next->prev = s->prev;
	n->nsegs--;
	free(s);
}

/* A new node of npages at the end of the chain, one hole over it all;
 * NULL if the pager refuses. */
static inline struct ml_node *ml_grow(struct mems_list *l, size_t npages)
{
	void *k = NULL;
	if (l->pager.map(l->pager.ctx, npages, &k) < 0 || !k) return NULL;
	struct ml_node *n = malloc(sizeof *n);
	if (!n) abort();
	n->start = l->end;
	n->npages = npages;
	n->kaddr = k;
	n->nsegs = 1;
	n->first = ml_new_seg(l->end, npages * MEMS_PAGE_SIZE, 0);
	n->prev = l->tail;
	n->next = NULL;
	if (l->tail) l->tail->next = n;
	else l->head = n;
	l->tail = n;
	l->end += npages * MEMS_PAGE_SIZE;
	return n;
}

/* The first hole of at least nbytes in list order, and its node; NULL if none. */
static inline struct ml_seg *ml_first_fit(const struct mems_list *l, size_t nbytes,
					  struct ml_node **np)
{
	for (struct ml_node *n = l->head; n; n = n->next)
		for (struct ml_seg *s = n->first; s; s = s->next)
			if (!s->process && s->nbytes >= nbytes) {
				*np = n;
				return s;
			}
	return NULL;
}

/* The MeMS address of nbytes (> 0), or 0 when the pager is out. */
static inline uint64_t mems_list_malloc(struct mems_list *l, size_t nbytes)
{
	struct ml_node *n = NULL;
	struct ml_seg *h = ml_first_fit(l, nbytes, &n);
	if (!h) {
		n = ml_grow(l, (nbytes + MEMS_PAGE_SIZE - 1) / MEMS_PAGE_SIZE);
		if (!n) return 0;
		h = n->first;
	}
	if (h->nbytes > nbytes) ml_link_after(n, h, ml_new_seg(h->start + nbytes, h->nbytes - nbytes, 0));
	h->nbytes = nbytes;
	h->process = 1;
	return h->start;
}

/* The node and segment holding vaddr, walking the chain; 0 or -MM_EFAULT. */
static inline int ml_find(const struct mems_list *l, uint64_t vaddr, struct ml_node **np,
			  struct ml_seg **sp)
{
	for (struct ml_node *n = l->head; n; n = n->next) {
		if (vaddr < n->start || vaddr >= n->start + n->npages * MEMS_PAGE_SIZE) continue;
		for (struct ml_seg *s = n->first; s; s = s->next)
			if (vaddr - s->start < s->nbytes) {
				*np = n;
				*sp = s;
				return 0;
			}
	}
	return -MM_EFAULT;
}

static inline int mems_list_free(struct mems_list *l, uint64_t vaddr)
{
	struct ml_node *n;
	struct ml_seg *s;
	if (ml_find(l, vaddr, &n, &s) < 0) return -MM_EFAULT;
	if (!s->process) return -MM_ENOENT;
	if (s->start != vaddr) return -MM_EINVAL;
	s->process = 0;
	if (s->next && !s->next->process) {
		s->nbytes += s->next->nbytes;
		ml_unlink(n, s->next);
	}
	if (s->prev && !s->prev->process) {
		s->prev->nbytes += s->nbytes;
		ml_unlink(n, s);
	}
	return 0;
}

/* The real address behind vaddr inside a PROCESS segment, else NULL. */
static inline void *mems_list_get(const struct mems_list *l, uint64_t vaddr)
{
	struct ml_node *n;
	struct ml_seg *s;
	if (ml_find(l, vaddr, &n, &s) < 0 || !s->process) return NULL;
	return (char *)n->kaddr + (size_t)(vaddr - n->start);
}

/* The MeMS SYSTEM STATS block, as the original printed it. */
static inline void mems_list_print_stats(const struct mems_list *l, FILE *out)
{
	uint64_t pages = 0, unused = 0;
	size_t nnodes = 0;
	fprintf(out, "----- MeMS SYSTEM STATS -----\n");
	for (const struct ml_node *n = l->head; n; n = n->next) {
		fprintf(out, "MAIN[%llu:%llu]-> ", (unsigned long long)n->start,
			(unsigned long long)(n->start + n->npages * MEMS_PAGE_SIZE - 1));
		for (const struct ml_seg *s = n->first; s; s = s->next) {
			fprintf(out, "%c[%llu:%llu] <-> ", s->process ? 'P' : 'H',
				(unsigned long long)s->start, (unsigned long long)(s->start + s->nbytes - 1));
			if (!s->process) unused += s->nbytes;
		}
		fprintf(out, "NULL\n");
		pages += n->npages;
		nnodes++;
	}
	fprintf(out, "Pages used:\t%llu\n", (unsigned long long)pages);
	fprintf(out, "Space unsued:\t%llu\n", (unsigned long long)unused);
	fprintf(out, "Main Chain Length:\t%zu\n", nnodes);
	fprintf(out, "Sub-chain Length array: [");
	for (const struct ml_node *n = l->head; n; n = n->next) fprintf(out, "%zu, ", n->nsegs);
	fprintf(out, "]\n");
	fprintf(out, "-----------------------------\n");
}

/* Unmap every node and free every record. */
static inline void mems_list_finish(struct mems_list *l)
{
	struct ml_node *n = l->head;
	while (n) {
		struct ml_node *next = n->next;
		struct ml_seg *s = n->first;
		while (s) {
			struct ml_seg *snext = s->next;
			free(s);
			s = snext;
		}
		l->pager.unmap(l->pager.ctx, n->kaddr, n->npages);
		free(n);
		n = next;
	}
	l->head = l->tail = NULL;
	l->end = MEMS_VADDR_BASE;
}

#endif
