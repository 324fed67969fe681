/*
 * mems_index.h - the records of the MeMS 2-D free list and the index beside it.
 *
 * Internal to mems.c (and its tests): callers of MeMS use mems.h.
 *
 * The segments of each main-chain node are also the nodes of an AVL tree
 * ordered by MeMS address (segments tile their node without gaps, so address
 * order is sub-chain order). Each tree node carries the size of the largest
 * HOLE in its subtree, so
 *   - "the first hole of at least n bytes in list order" is one descent
 *     (go left whenever the left subtree holds such a hole),
 *   - "the segment containing address v" is one descent (floor search),
 * and splitting, merging and kind changes cost one walk up to the root.
 * Parent pointers let an insert or removal start at the segment itself.
 */
#ifndef MM_MEMS_INDEX_H
#define MM_MEMS_INDEX_H

#include "mm_types.h"

enum mems_kind {
	MEMS_HOLE = 0,
	MEMS_PROCESS = 1,
};

struct mems_node;

/* One segment of a sub-chain: a PROCESS (allocated) or a HOLE (free) range.
 * The fields a descent of the index reads come first, in one cache line. */
struct mems_seg {
	uint64_t start;              /* first MeMS virtual address */
	struct mems_seg *child[2];   /* index (AVL) links: [0] left, [1] right */
	size_t maxhole;              /* largest hole size in this index subtree */
	size_t nbytes;               /* length, > 0 */
	uint8_t kind;                /* enum mems_kind */
	uint8_t height;              /* index subtree height, leaf = 1 */
	struct mems_seg *parent;     /* index (AVL) parent */
	struct mems_seg *prev, *next; /* sub-chain, within one node */
	struct mems_node *node;      /* the main-chain node holding it */
};

/* One main-chain node: a mapping of whole pages obtained from the pager. */
struct mems_node {
	uint64_t start;              /* MeMS address of its first byte */
	size_t npages;
	void *kaddr;                 /* where the pager mapped it */
	struct mems_node *prev, *next;
	struct mems_seg *first, *last; /* its sub-chain */
	size_t nsegs;
	struct mems_seg *root;       /* the index of its segments */
	size_t index;                /* its position in the main chain, from 0 */
};

/* The first segment in address order that is a hole of at least nbytes
 * (nbytes > 0), or NULL. */
struct mems_seg *mems_idx_first_fit(struct mems_seg *root, size_t nbytes);

/* The segment with the greatest start <= vaddr, or NULL. */
struct mems_seg *mems_idx_floor(struct mems_seg *root, uint64_t vaddr);

/* Link s into the index right after pos in address order; pos == NULL puts s
 * first. s's start, nbytes and kind must be set. */
void mems_idx_insert_after(struct mems_seg **root, struct mems_seg *pos, struct mems_seg *s);

/* Unlink s from the index. */
void mems_idx_remove(struct mems_seg **root, struct mems_seg *s);

/* s changed kind or size (not its place): refresh the hole maxima above it. */
void mems_idx_update(struct mems_seg *s);

/* In-order walk: the first segment, and the one after s. */
struct mems_seg *mems_idx_first(struct mems_seg *root);
struct mems_seg *mems_idx_next(struct mems_seg *s);

/* Walk the whole tree: parent links, AVL heights and balance, hole maxima,
 * strictly increasing starts, at most max_nodes nodes (guards against cycles).
 * Reports each problem to report (may be NULL) and returns how many there
 * were; *count receives the number of nodes seen. */
struct mm_sink;
int mems_idx_check(struct mems_seg *root, size_t max_nodes, size_t *count,
		   struct mm_sink *report);

/* The size a segment contributes to the hole maxima: nbytes if a hole. */
static inline size_t mems_idx_hole(const struct mems_seg *s)
{
	return s->kind == MEMS_HOLE ? s->nbytes : 0;
}

#endif
