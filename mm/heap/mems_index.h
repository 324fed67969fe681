/*
 * mems_index.h - the records of the MeMS 2-D free list and the index beside it.
 *
 * Internal to mems.c (and its tests): callers of MeMS use mems.h.
 *
 * The list: each main-chain node (struct mems_node) has a sub-chain of
 * segment records (struct mems_seg) linked both ways in address order. A
 * node keeps its records in its own storage, so a segment, its neighbours
 * and the node itself sit close together in memory.
 *
 * The index, kept in step with the list, has two parts:
 *
 *   - the holes of each node, in address order, as a hole set (struct
 *     mems_holes) that knows its largest hole. Up to MEMS_ARRAY_HOLES holes
 *     (the common case) it is three small arrays inside the node: offsets,
 *     sizes and records, searched by a scan (first fit) or a binary search
 *     (the hole at or before an offset). Beyond that the hole records
 *     themselves become the nodes of an AVL tree ordered by address, each
 *     carrying the largest hole of its subtree: first fit is one descent
 *     (go left whenever the left subtree holds a big enough hole). A node
 *     back at MEMS_ARRAY_HOLES / 2 holes returns to the arrays.
 *
 *       holes.key:  [ 96   1900  2000 ]      offsets in the node, increasing
 *       holes.size: [ 100  4     1500 ]      holes.max = 1500
 *       holes.seg:  [ *    *     *    ]      the records
 *
 *     A hole keeps its place in address order when malloc carves the
 *     PROCESS part off its front or a free grows it, so the common changes
 *     rewrite one entry (arrays) or refresh one figure up a path that stops
 *     at the first figure that does not change (tree).
 *
 *   - an open-addressing hash table from the start address of every PROCESS
 *     segment to its record (linear probing, at most a quarter full), so
 *     free finds the segment it is given in O(1) expected.
 *
 * The hole sets are inline or intrusive and the hash only shrinks on free:
 * free never allocates, so it cannot fail for lack of memory.
 */
#ifndef MM_MEMS_INDEX_H
#define MM_MEMS_INDEX_H

#include "mm_types.h"
#include "mm_alloc.h"

enum mems_kind {
	MEMS_HOLE = 0,
	MEMS_PROCESS = 1,
};

struct mems_node;

/* One segment of a sub-chain: a PROCESS (allocated) or a HOLE (free) range.
 * The tree fields are used by holes of a node in tree mode only. */
struct mems_seg {
	uint64_t start;              /* first MeMS virtual address */
	size_t nbytes;               /* length, > 0 */
	uint8_t kind;                /* enum mems_kind */
	uint8_t height;              /* hole tree subtree height, leaf = 1 */
	struct mems_seg *prev, *next; /* sub-chain, within one node */
	struct mems_node *node;      /* the main-chain node holding it */
	struct mems_seg *child[2];   /* hole tree: [0] left, [1] right */
	struct mems_seg *parent;     /* hole tree */
	size_t maxhole;              /* largest hole in this tree node's subtree */
};

/* Holes a node keeps in arrays; more switch it to a tree. */
#define MEMS_ARRAY_HOLES 16u

/* The holes of one node, in address order, and the largest of them. */
struct mems_holes {
	size_t n;                    /* how many */
	size_t max;                  /* the largest hole's size, 0 if none */
	struct mems_seg *root;       /* tree mode: the AVL root; NULL in array mode */
	size_t key[MEMS_ARRAY_HOLES];  /* array mode: offsets in the node */
	size_t size[MEMS_ARRAY_HOLES]; /* array mode: sizes */
	struct mems_seg *seg[MEMS_ARRAY_HOLES]; /* array mode: records */
};

/* A hole in a hole set: its record, and its slot in array mode. */
struct mems_hpos {
	struct mems_seg *s;
	unsigned i;
};

/* Segment records a node holds inline (a node then fills about 1 KiB on a
 * 32-bit machine), and per extra block it takes when it needs more (a block
 * fills 1 KiB, a kmalloc size class). */
#define MEMS_NODE_RECS 16u
#define MEMS_CHUNK_SEGS ((1024u - sizeof(void *)) / sizeof(struct mems_seg))

/* An extra block of records for a node that needs more than its own. */
struct mems_chunk {
	struct mems_chunk *next;
	struct mems_seg segs[MEMS_CHUNK_SEGS];
};

/* One main-chain node: a mapping of whole pages obtained from the pager.
 * The fields malloc and free use come first, the hole set's figures with
 * them in the first cache line. */
struct mems_node {
	uint64_t start;              /* MeMS address of its first byte */
	size_t index;                /* its position in the main chain, from 0 */
	size_t nsegs;
	struct mems_seg *first, *last; /* its sub-chain */
	struct mems_seg *spare;      /* its unused records, linked by next */
	struct mems_holes holes;     /* the index of its holes */
	size_t npages;
	void *kaddr;                 /* where the pager mapped it */
	struct mems_node *prev, *next;
	struct mems_chunk *chunks;   /* its extra blocks of records */
	struct mems_seg recs[MEMS_NODE_RECS];
};

/* ---- the AVL tree of a hole set in tree mode (mems_index.c) ---- */

/* Add hole s (start and nbytes set, not in the tree) in address order. */
void mems_idx_insert(struct mems_seg **root, struct mems_seg *s);
/* Take hole s out of the tree. */
void mems_idx_remove(struct mems_seg **root, struct mems_seg *s);
/* In-order walk: the first hole, and the one after s. */
struct mems_seg *mems_idx_first(struct mems_seg *root);
struct mems_seg *mems_idx_next(struct mems_seg *s);

static inline size_t mems_idx_max(const struct mems_seg *x)
{
	return x ? x->maxhole : 0;
}

static inline size_t mems_idx_max3(size_t a, size_t b, size_t c)
{
	size_t m = a > b ? a : b;
	return m > c ? m : c;
}

/* Hole s changed size (and perhaps start, keeping its place in address
 * order): refresh the largest-hole figures above it. */
static inline void mems_idx_update(struct mems_seg *s)
{
	/* a figure that comes out unchanged leaves everything above as it was */
	for (struct mems_seg *x = s; x; x = x->parent) {
		size_t m = mems_idx_max3(x->nbytes, mems_idx_max(x->child[0]), mems_idx_max(x->child[1]));
		if (m == x->maxhole) return;
		x->maxhole = m;
	}
}

/* ---- hole sets ---- */

/* Add hole s (start and nbytes set) of the node starting at base. */
void mems_holes_add(struct mems_holes *hs, struct mems_seg *s, uint64_t base);

/* Take the hole at out of the set. */
void mems_holes_remove(struct mems_holes *hs, struct mems_hpos at, uint64_t base);

/* Check the set against what it should hold: the holes of the sub-chain
 * from first (of the node starting at base), in order. Reports problems to
 * report (may be NULL) and returns how many there were. */
struct mm_sink;
int mems_holes_check(const struct mems_holes *hs, const struct mems_seg *first, uint64_t base,
		     struct mm_sink *report);

/* The largest size in the arrays. */
static inline size_t mems_holes_scan_max(const struct mems_holes *hs)
{
	size_t m = 0;
	for (size_t i = 0; i < hs->n; i++) m = hs->size[i] > m ? hs->size[i] : m;
	return m;
}

/* The first hole in address order of at least nbytes (> 0); false if none. */
static inline bool mems_holes_first_fit(const struct mems_holes *hs, size_t nbytes,
					struct mems_hpos *at)
{
	if (hs->max < nbytes) return false;
	if (hs->root) {
		struct mems_seg *x = hs->root;
		for (;;) {
			/* x's subtree holds such a hole */
			struct mems_seg *l = x->child[0];
			if (l && l->maxhole >= nbytes) x = l;
			else if (x->nbytes >= nbytes) break;
			else x = x->child[1];
		}
		at->s = x;
		at->i = 0; /* unused in tree mode */
		return true;
	}
	unsigned i = 0;
	while (hs->size[i] < nbytes) i++; /* max says one is there */
	at->s = hs->seg[i];
	at->i = i;
	return true;
}

/* The hole with the greatest offset <= off in the node starting at base;
 * false if none. */
static inline bool mems_holes_floor(const struct mems_holes *hs, uint64_t base, size_t off,
				    struct mems_hpos *at)
{
	if (hs->root) {
		struct mems_seg *best = NULL;
		for (struct mems_seg *x = hs->root; x;) {
			int right = x->start - base <= off;
			best = right ? x : best;
			x = x->child[right];
		}
		at->s = best;
		at->i = 0; /* unused in tree mode */
		return best != NULL;
	}
	if (!hs->n || hs->key[0] > off) return false;
	/* the last key <= off: key[0] <= off, keys increase */
	unsigned i = 0, len = (unsigned)hs->n;
	while (len > 1) {
		unsigned half = len / 2;
		i = hs->key[i + half] <= off ? i + half : i;
		len -= half;
	}
	at->s = hs->seg[i];
	at->i = i;
	return true;
}

/* The hole at changed its start (now off in the node) and/or its size in
 * place, still between the same neighbours: bring the set up to date. */
static inline void mems_holes_changed(struct mems_holes *hs, struct mems_hpos at, size_t off)
{
	size_t v = at.s->nbytes;
	if (hs->root) {
		mems_idx_update(at.s);
		hs->max = hs->root->maxhole;
		return;
	}
	size_t old = hs->size[at.i];
	hs->key[at.i] = off;
	hs->size[at.i] = v;
	if (v > hs->max) hs->max = v;
	else if (old == hs->max && v < old) hs->max = mems_holes_scan_max(hs);
}

/* ---- the address hash of PROCESS segments ---- */

/* A slot: the record (NULL: empty) and the low 32 bits of its start, which
 * both compare cheaply and give the home slot without reading the record. */
struct mems_hslot {
	uint32_t tag;
	struct mems_seg *seg;
};

struct mems_hash {
	struct mems_hslot *slot;     /* cap slots */
	size_t cap;                  /* 0 or a power of two >= MEMS_HASH_MIN */
	size_t count;                /* entries, at most cap / 4 */
	unsigned shift;              /* 32 - log2(cap) */
};

#define MEMS_HASH_MIN 64u

/* The home slot of an address whose low 32 bits are tag (Fibonacci hashing). */
static inline size_t mems_hash_home(const struct mems_hash *h, uint32_t tag)
{
	return (size_t)((tag * 0x9e3779b1u) >> h->shift);
}

/* The slot of the PROCESS segment starting at v, or NULL. */
static inline struct mems_hslot *mems_hash_find(const struct mems_hash *h, uint64_t v)
{
	if (!h->cap) return NULL;
	size_t mask = h->cap - 1;
	for (size_t i = mems_hash_home(h, (uint32_t)v);; i = (i + 1) & mask) {
		struct mems_hslot *sl = &h->slot[i];
		if (!sl->seg) return NULL;
		if (sl->tag == (uint32_t)v && sl->seg->start == v) return sl;
	}
}

/* Add s (its start not in the table; room reserved). */
static inline void mems_hash_add(struct mems_hash *h, struct mems_seg *s)
{
	size_t mask = h->cap - 1, i = mems_hash_home(h, (uint32_t)s->start);
	while (h->slot[i].seg) i = (i + 1) & mask;
	h->slot[i].tag = (uint32_t)s->start;
	h->slot[i].seg = s;
	h->count++;
}

/* Remove the entry in slot sl (found by mems_hash_find): later entries of
 * its probe run whose home does not lie between the gap and themselves
 * (cyclically) move back into it, so no tombstone is needed. */
static inline void mems_hash_remove(struct mems_hash *h, struct mems_hslot *sl)
{
	size_t mask = h->cap - 1, i = (size_t)(sl - h->slot);
	for (size_t j = i;;) {
		j = (j + 1) & mask;
		if (!h->slot[j].seg) break;
		size_t home = mems_hash_home(h, h->slot[j].tag);
		if (((j - home) & mask) < ((j - i) & mask)) continue;
		h->slot[i] = h->slot[j];
		i = j;
	}
	h->slot[i].seg = NULL;
	h->count--;
}

/* Move to a table twice as large (or the first one); 0 or -MM_ENOMEM with
 * nothing changed. */
int mems_hash_grow(struct mems_hash *h, const struct mm_allocator *meta);

/* Make sure one more entry fits within a quarter of the table (short probe
 * runs: few branches mispredicted). */
static inline int mems_hash_reserve(struct mems_hash *h, const struct mm_allocator *meta)
{
	if (4 * (h->count + 1) <= h->cap) return 0;
	return mems_hash_grow(h, meta);
}

/* Release the table. */
void mems_hash_free(struct mems_hash *h, const struct mm_allocator *meta);

/* Walk the table: every entry a PROCESS record under its tag, reachable
 * from its home slot without an empty slot between, the count right, at
 * most a quarter full. Reports problems to report (may be NULL) and returns
 * how many there were. */
int mems_hash_check(const struct mems_hash *h, struct mm_sink *report);

#endif
