/*
 * mems_index.h - the records of the MeMS 2-D free list and the index beside it.
 *
 * Internal to mems.c (and its tests): callers of MeMS use mems.h.
 *
 * The list: each main-chain node (struct mems_node) has a sub-chain of
 * segment records (struct mems_seg) linked both ways in address order.
 *
 * The index of one node is a B+ tree of small blocks (struct mems_blk) over
 * the same segments in the same order. A leaf holds up to MEMS_FAN entries,
 * one per segment, in three parallel arrays: the segment's offset in its node
 * (the key), its size if it is a HOLE or 0 if it is a PROCESS, and its
 * record. An inner block holds one entry per child block: the child's first
 * key, the largest hole below it, and the child. Every block also keeps the
 * largest hole below it, so
 *   - the first hole of at least n bytes (in list order) is one descent that
 *     goes into the first child whose largest hole is big enough,
 *   - the segment holding an offset is one descent by binary search,
 * and a split or merge of segments moves a few entries inside one leaf and
 * refreshes a largest-hole figure up a path that is usually one block long.
 * A node of up to MEMS_FAN segments (the common case) is a single leaf.
 *
 *      inner   [ key0 key1 ...  ]   [ hole0 hole1 ... ]   [ kid0 kid1 ... ]
 *                 |                                        |
 *      leaves  [ 0 96 200 ... ] [ 0 0 1900 ... ] [ seg seg seg ... ]  <-> next leaf
 *
 * Blocks on one level are linked to their neighbours (prev/next), so the
 * entry before or after a segment is found without a descent.
 */
#ifndef MM_MEMS_INDEX_H
#define MM_MEMS_INDEX_H

#include "mm_types.h"

enum mems_kind {
	MEMS_HOLE = 0,
	MEMS_PROCESS = 1,
};

/* Entries per index block: a node of this many segments is a single leaf. */
#define MEMS_FAN 32u

/* One segment of a sub-chain: a PROCESS (allocated) or a HOLE (free) range. */
struct mems_seg {
	uint64_t start;              /* first MeMS virtual address */
	size_t nbytes;               /* length, > 0 */
	struct mems_seg *prev, *next; /* sub-chain, within one node */
	uint8_t kind;                /* enum mems_kind */
};

/* One block of a node's index: a leaf (level 0) or an inner block. */
struct mems_blk {
	struct mems_blk *parent;     /* NULL for the root */
	struct mems_blk *prev, *next; /* neighbours on the same level of this tree */
	size_t max;                  /* the largest hole[] entry */
	uint32_t n;                  /* entries in use, 1..MEMS_FAN */
	uint32_t level;              /* 0 for a leaf */
	size_t key[MEMS_FAN];        /* offset in the node of the entry's first segment */
	size_t hole[MEMS_FAN];       /* leaf: hole size or 0; inner: the child's max */
	union {
		struct mems_seg *seg[MEMS_FAN]; /* leaf */
		struct mems_blk *kid[MEMS_FAN]; /* inner */
	} u;
};

/* One main-chain node: a mapping of whole pages obtained from the pager. */
struct mems_node {
	uint64_t start;              /* MeMS address of its first byte */
	size_t npages;
	void *kaddr;                 /* where the pager mapped it */
	struct mems_blk *root;       /* the index of its segments */
	struct mems_node *prev, *next;
	struct mems_seg *first, *last; /* its sub-chain */
	size_t nsegs;
	size_t index;                /* its position in the main chain, from 0 */
};

/* A leaf entry: block and slot. */
struct mems_pos {
	struct mems_blk *b;
	unsigned i;
};

/* Blocks kept for reuse, linked through their parent field. Index changes
 * take blocks from here and never fail: the caller reserves them first. */
struct mems_blkpool {
	struct mems_blk *spare;
	size_t nspare;
};

/* The blocks an insertion into the tree at root may need (height + 1). */
static inline size_t mems_idx_insert_need(const struct mems_blk *root)
{
	return root ? root->level + 2u : 1u;
}

/* Make a tree of one leaf holding one entry; needs one spare block. */
void mems_idx_new(struct mems_blk **root, struct mems_blkpool *pool, size_t key, size_t hole,
		  struct mems_seg *s);

/* Insert an entry right after at (same tree). Needs mems_idx_insert_need()
 * spare blocks. Positions taken before the call are stale after it. */
void mems_idx_insert_after(struct mems_blk **root, struct mems_blkpool *pool, struct mems_pos at,
			   size_t key, size_t hole, struct mems_seg *s);

/* Give every block of the tree back to pool; *root becomes NULL. */
void mems_idx_clear(struct mems_blk **root, struct mems_blkpool *pool);

/* In-order walk over the leaf entries: the first one, false if empty. */
bool mems_idx_first(const struct mems_blk *root, struct mems_pos *at);

/* The general cases of the inline operations below (mems_index.c). */
void mems_idx_carry_max(struct mems_blk *b);
void mems_idx_raise_max(struct mems_blk *b, size_t v);
void mems_idx_split_slow(struct mems_blk **root, struct mems_blkpool *pool, struct mems_pos at,
			 size_t nbytes, struct mems_seg *rest);
void mems_idx_remove_slow(struct mems_blk **root, struct mems_blkpool *pool, struct mems_pos at);

/*
 * The operations on the hot paths of malloc, free and get are inline: in the
 * common case they stay inside one leaf. Entries move by rotating a carried
 * entry through the arrays (a few registers, no library call).
 */

/* The largest hole entry of b. */
static inline size_t mems_idx_scan_max(const struct mems_blk *b)
{
	size_t m = 0;
	for (unsigned i = 0; i < b->n; i++) m = b->hole[i] > m ? b->hole[i] : m;
	return m;
}

/* b's largest hole entry fell (or may have): rescan it, and above if it has
 * a parent. */
static inline void mems_idx_lower(struct mems_blk *b)
{
	if (b->parent) mems_idx_carry_max(b);
	else b->max = mems_idx_scan_max(b);
}

/* Open slot i of b (which has room) for an entry, shifting the rest right. */
static inline void mems_idx_put(struct mems_blk *b, unsigned i, size_t key, size_t hole, void *p)
{
	for (unsigned j = i; j < b->n; j++) {
		size_t k = b->key[j], h = b->hole[j];
		void *q = b->u.seg[j];
		b->key[j] = key;
		b->hole[j] = hole;
		b->u.seg[j] = p;
		key = k;
		hole = h;
		p = q;
	}
	b->key[b->n] = key;
	b->hole[b->n] = hole;
	b->u.seg[b->n] = p;
	b->n++;
}

/* Close slot i of b, shifting the rest left. */
static inline void mems_idx_cut(struct mems_blk *b, unsigned i)
{
	unsigned last = b->n - 1;
	size_t key = b->key[last], hole = b->hole[last];
	void *p = b->u.seg[last];
	for (unsigned j = last; j > i; j--) {
		size_t k = b->key[j - 1], h = b->hole[j - 1];
		void *q = b->u.seg[j - 1];
		b->key[j - 1] = key;
		b->hole[j - 1] = hole;
		b->u.seg[j - 1] = p;
		key = k;
		hole = h;
		p = q;
	}
	b->n = last;
}

/* The first entry in order whose hole is at least nbytes (nbytes > 0); false
 * if there is none. */
static inline bool mems_idx_first_fit(const struct mems_blk *b, size_t nbytes, struct mems_pos *at)
{
	if (!b || b->max < nbytes) return false;
	for (;;) {
		unsigned i = 0;
		while (b->hole[i] < nbytes && i + 1 < b->n) i++;
		if (!b->level) {
			at->b = (struct mems_blk *)b;
			at->i = i;
			return b->hole[i] >= nbytes;
		}
		b = b->u.kid[i];
	}
}

/* The last entry whose key is <= off; false if there is none. */
static inline bool mems_idx_floor(const struct mems_blk *b, size_t off, struct mems_pos *at)
{
	if (!b || b->key[0] > off) return false;
	for (;;) {
		/* the last key <= off: key[0] <= off, keys in order */
		unsigned base = 0, len = b->n;
		while (len > 1) {
			unsigned half = len / 2;
			base = b->key[base + half] <= off ? base + half : base;
			len -= half;
		}
		if (!b->level) {
			at->b = (struct mems_blk *)b;
			at->i = base;
			return true;
		}
		b = b->u.kid[base];
	}
}

/* The entries before and after at; false at either end of the tree. */
static inline bool mems_idx_next(struct mems_pos *at)
{
	if (at->i + 1 < at->b->n) {
		at->i++;
		return true;
	}
	if (!at->b->next) return false;
	at->b = at->b->next;
	at->i = 0;
	return true;
}

static inline bool mems_idx_prev(struct mems_pos *at)
{
	if (at->i) {
		at->i--;
		return true;
	}
	if (!at->b->prev) return false;
	at->b = at->b->prev;
	at->i = at->b->n - 1;
	return true;
}

/* Set at's hole figure (the size of a hole, 0 for a PROCESS). */
static inline void mems_idx_set(struct mems_pos at, size_t hole)
{
	struct mems_blk *b = at.b;
	size_t old = b->hole[at.i];
	b->hole[at.i] = hole;
	if (hole > b->max) {
		if (b->parent) mems_idx_raise_max(b, hole);
		else b->max = hole;
	} else if (old == b->max && hole < old) {
		mems_idx_lower(b);
	}
}

/* at is a hole of more than nbytes: make it a PROCESS entry (hole 0) of
 * nbytes followed by a new hole entry for rest (the remaining bytes). Needs
 * mems_idx_insert_need() spare blocks; positions taken before are stale. */
static inline void mems_idx_split(struct mems_blk **root, struct mems_blkpool *pool,
				  struct mems_pos at, size_t nbytes, struct mems_seg *rest)
{
	struct mems_blk *b = at.b;
	if (b->n == MEMS_FAN) {
		mems_idx_split_slow(root, pool, at, nbytes, rest);
		return;
	}
	size_t old = b->hole[at.i];
	b->hole[at.i] = 0;
	mems_idx_put(b, at.i + 1, b->key[at.i] + nbytes, old - nbytes, rest);
	if (old == b->max) mems_idx_lower(b);
}

/* Remove at's entry; blocks that empty or merge go back to pool. Positions
 * taken before the call are stale after it. */
static inline void mems_idx_remove(struct mems_blk **root, struct mems_blkpool *pool,
				   struct mems_pos at)
{
	struct mems_blk *b = at.b;
	if (b->parent ? at.i == 0 || b->n <= MEMS_FAN / 4 : b->n == 1) {
		mems_idx_remove_slow(root, pool, at);
		return;
	}
	size_t old = b->hole[at.i];
	mems_idx_cut(b, at.i);
	if (old == b->max) mems_idx_lower(b);
}

/* Walk the whole tree: block fill, levels, parent and neighbour links, keys
 * strictly increasing and equal to the separators above, hole maxima, at most
 * max_entries leaf entries (guards against cycles). Reports each problem to
 * report (may be NULL) and returns how many there were; *count receives the
 * number of leaf entries seen. */
struct mm_sink;
int mems_idx_check(const struct mems_blk *root, size_t max_entries, size_t *count,
		   struct mm_sink *report);

#endif
