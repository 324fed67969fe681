/*
 * mems_index.h - the records of the MeMS 2-D free list and the index beside it.
 *
 * Internal to mems.c (and its tests): callers of MeMS use mems.h.
 *
 * Each main-chain node (struct mems_node) holds its sub-chain, the PROCESS
 * and HOLE segments that tile it in address order, in one of two forms:
 *
 *   - array mode (up to MEMS_ARRAY_MAX_SEGS segments, the common case): the
 *     offset of every segment's first byte in the node, in order, then the
 *     node's length (so segment i is off[i]..off[i+1]) and, past it, NONE;
 *     and a bit mask of which segments are holes:
 *
 *       off:   [ 0     1000  1096  3000  4096  NONE ... ]     nsegs = 4
 *       holes:   0     1     0     1                   (bit i: segment i)
 *                P     H     P     H
 *
 *     Up to MEMS_INLINE_SEGS segments (most nodes) the arrays sit inside
 *     the node, so a node, its figures and its offsets share two or three
 *     cache lines; beyond that they move to a block of their own from the
 *     metadata allocator, which doubles as the node needs. Up to 64
 *     segments the segment at an offset is a count of the offsets not
 *     above it, the first hole that fits the first set bit of a compare of
 *     every length with the request (vector compares over one or two
 *     blocks of offsets), and a split or a merge moves one or two whole
 *     blocks one or two slots; beyond that a binary search, a walk over
 *     the hole bits and a memmove of the offsets after the change.
 *   - tree mode (a node of more than MEMS_ARRAY_MAX_SEGS segments, or of
 *     more bytes than 31-bit offsets reach): a record per segment (struct
 *     mems_seg), linked both ways in address order, and the records
 *     themselves the nodes of an AVL tree ordered by address, each carrying
 *     the largest hole of its subtree. Finding the segment at an address,
 *     the first hole that fits (go left whenever the left subtree holds a
 *     big enough hole) and adding or taking out a segment each cost
 *     O(log) of the node's segments. Records come from blocks the node
 *     takes from the metadata allocator.
 *
 * A node in a tree, or with its arrays in a block, that falls back to
 * MEMS_INLINE_SEGS / 2 segments returns to the arrays inside it; that
 * takes no memory, so free never allocates.
 *
 * Each node also knows its largest hole (maxhole), which the node index of
 * mems.c gathers into a tournament tree across the main chain.
 */
#ifndef MM_MEMS_INDEX_H
#define MM_MEMS_INDEX_H

#include "mm_types.h"
#include "mm_alloc.h"

enum mems_kind {
	MEMS_HOLE = 0,
	MEMS_PROCESS = 1,
};

/* Segments a node keeps in the arrays inside it. */
#define MEMS_INLINE_SEGS 64u
/* The most segments a node keeps in array mode; a split that would make
 * one more moves the node to a tree. */
#define MEMS_ARRAY_MAX_SEGS 512u
/* Offsets are 31 bits (the vector compares below are of signed values): a
 * node of more bytes than this is a tree from the start. */
#define MEMS_ARRAY_MAX_BYTES 0x7ffff000u
/* While a node has at most MEMS_BLOCK segments, array mode works on a
 * block of offsets at once (8, 16 or 32 of them, the fewest that hold the
 * node's segments): searches count over the whole block and moves move it
 * whole, with no loop that ends at an unpredictable place. Offsets past
 * the node's length are MEMS_OFF_NONE. */
#define MEMS_BLOCK 32u
/* Up to two blocks (MEMS_INLINE_SEGS segments) the same is done twice. */
#define MEMS_BLOCK2 (2u * MEMS_BLOCK)
#define MEMS_OFF_NONE 0x7fffffffu
/* Offset slots beyond a capacity: the length, and room for a block move
 * that starts up to MEMS_INLINE_SEGS + 2 slots on. */
#define MEMS_OFF_PAD (MEMS_BLOCK + 4u)

/* One segment of a node in tree mode: a PROCESS (allocated) or HOLE (free)
 * range, in the sub-chain and in the node's AVL tree. */
struct mems_seg {
	uint64_t start;              /* first MeMS virtual address */
	size_t nbytes;               /* length, > 0 */
	uint8_t kind;                /* enum mems_kind */
	uint8_t height;              /* subtree height, leaf = 1 */
	struct mems_seg *prev, *next; /* sub-chain, within one node */
	struct mems_seg *child[2];   /* [0] left (lower addresses), [1] right */
	struct mems_seg *parent;
	size_t maxhole;              /* largest hole in this subtree, 0 if none */
};

/* Records per extra block (a block fills 1 KiB, a kmalloc size class). */
#define MEMS_CHUNK_SEGS ((1024u - sizeof(void *)) / sizeof(struct mems_seg))

/* A block of records for a node in tree mode. */
struct mems_chunk {
	struct mems_chunk *next;
	struct mems_seg segs[MEMS_CHUNK_SEGS];
};

/* One main-chain node: a mapping of whole pages obtained from the pager.
 * What malloc, free and get read comes first, then the inline offsets. */
struct mems_node {
	uint64_t start;              /* MeMS address of its first byte */
	void *kaddr;                 /* where the pager mapped it */
	size_t maxhole;              /* its largest hole, 0 if none */
	uint32_t *off;               /* array mode: the offsets (inline_off or ext) */
	uint64_t *holes;             /* array mode: the hole bits (&inline_holes or ext) */
	uint32_t nsegs;              /* segments in its sub-chain */
	uint32_t cap;                /* array mode: segments the arrays hold; 0 in tree mode */
	uint64_t inline_holes;
	uint32_t inline_off[MEMS_INLINE_SEGS + MEMS_OFF_PAD];
	uint32_t index;              /* its position in the main chain, from 0 */
	struct mems_seg *root;       /* tree mode: the AVL root */
	void *ext;                   /* array mode beyond MEMS_INLINE_SEGS: the block */
	size_t npages;
	struct mems_node *prev, *next; /* the main chain */
	/* tree mode */
	struct mems_seg *first, *last; /* its sub-chain */
	size_t nspare;
	struct mems_seg *spare;      /* unused records, linked by next */
	struct mems_chunk *chunks;   /* the blocks they come from */
};

static inline size_t mems_node_bytes(const struct mems_node *n)
{
	return n->npages * 4096u;
}

static inline bool mems_tree_mode(const struct mems_node *n)
{
	return n->cap == 0;
}

/* ---- array mode ---- */

/* The lowest set bit of x (> 0). A 32-bit machine takes it a word at a
 * time (its 64-bit builtin is a library call, which the kernel lacks). */
static inline unsigned mems_ctz64(uint64_t x)
{
	if (sizeof(unsigned long) >= 8) return (unsigned)__builtin_ctzl((unsigned long)x);
	uint32_t lo = (uint32_t)x;
	return lo ? (unsigned)__builtin_ctz(lo) : 32u + (unsigned)__builtin_ctz((uint32_t)(x >> 32));
}

/* Bits below i of a word (i <= 64). */
static inline uint64_t mems_bits_below(unsigned i)
{
	return i >= 64 ? ~0ull : (1ull << i) - 1;
}

static inline bool mems_arr_hole(const struct mems_node *n, unsigned i)
{
	return n->holes[i / 64] >> (i % 64) & 1;
}

static inline size_t mems_arr_len(const struct mems_node *n, unsigned i)
{
	return n->off[i + 1] - n->off[i];
}

/* Four 32-bit values, for moving or comparing sixteen bytes at once (where
 * the machine has no vector registers the compiler uses plain ones);
 * mems_off4 for loads and stores at any 4-byte boundary. Comparisons are
 * of signed values (the one kind the oldest vector units compare), so the
 * values compared stay below 2^31. */
typedef int32_t mems_i32x4 __attribute__((vector_size(16)));
typedef uint32_t mems_u32x4 __attribute__((vector_size(16)));
typedef uint32_t mems_off4 __attribute__((vector_size(16), aligned(4), may_alias));
typedef int32_t mems_s32x4u __attribute__((vector_size(16), aligned(4), may_alias));

/* Bit j set for each of g[0..16) that is >= x (all of them and x in
 * 1..2^31-1). */
static inline unsigned mems_ge_mask16(const uint32_t *g, uint32_t x)
{
	const mems_s32x4u *v = (const mems_s32x4u *)g;
	const int32_t y = (int32_t)x - 1;
	const mems_i32x4 ys = { y, y, y, y }, b = { 1, 2, 4, 8 }; /* b << 12 stays below 2^31 */
	mems_i32x4 a = ((v[0] > ys) & b) | ((v[1] > ys) & (b << 4));
	a |= ((v[2] > ys) & (b << 8)) | ((v[3] > ys) & (b << 12));
	return (unsigned)(a[0] | a[1] | a[2] | a[3]);
}

/* A block of a node's offsets is worked on whole, in quads of four: a node
 * of up to 8, 16 or 32 segments takes a block of 2, 4 or 8 quads (the
 * smallest that holds its segments), so a node of a few segments, the
 * usual kind, does a quarter of the work of a full block. The helpers
 * below take the number of quads, always a constant where they are
 * inlined (MEMS_BY_WIDTH), so that their loops unroll. */
#define MEMS_INLINE __attribute__((always_inline)) inline

/* EXPR (which names nq) with nq the constant quads of a node of k
 * segments (k <= MEMS_BLOCK). */
#define MEMS_BY_WIDTH(k, EXPR)                                                 \
	((k) <= 8 ? ({ const unsigned nq = 2; EXPR; })                             \
		  : (k) <= 16 ? ({ const unsigned nq = 4; EXPR; }) : ({ const unsigned nq = 8; EXPR; }))

/* How many of o[0..4 nq) are <= x (all of them and x below 2^31). */
static MEMS_INLINE unsigned mems_block_count_le(const uint32_t *o, uint32_t x, unsigned nq)
{
	const mems_s32x4u *v = (const mems_s32x4u *)o;
	const int32_t y = (int32_t)x;
	const mems_i32x4 ys = { y, y, y, y };
	mems_i32x4 a = { 0, 0, 0, 0 }, b = { 0, 0, 0, 0 }; /* each lane -1 where true */
#pragma GCC unroll 8
	for (unsigned q = 0; q < nq; q += 2) {
		a += v[q] <= ys;
		b += v[q + 1] <= ys;
	}
	a += b;
	return (unsigned)-(a[0] + a[1] + a[2] + a[3]);
}

/* *a = the lane-wise larger of *a and *b (through pointers: a vector passed
 * or returned by value would change the calling convention of a machine
 * without vector registers). */
static inline void mems_max_x4(mems_i32x4 *a, const mems_i32x4 *b)
{
	mems_i32x4 gt = *a > *b;
	*a = (*a & gt) | (*b & ~gt);
}

/* The largest of g[0..16) (all below 2^31). */
static inline uint32_t mems_max16(const uint32_t *g)
{
	const mems_s32x4u *v = (const mems_s32x4u *)g;
	mems_i32x4 a = v[0], b = v[2], c = v[1], d = v[3];
	mems_max_x4(&a, &c);
	mems_max_x4(&b, &d);
	mems_max_x4(&a, &b);
	int32_t m01 = a[0] > a[1] ? a[0] : a[1], m23 = a[2] > a[3] ? a[2] : a[3];
	return (uint32_t)(m01 > m23 ? m01 : m23);
}

/* Bit j set for each lane j of a comparison (lanes 0 or -1). */
typedef float mems_f32x4 __attribute__((vector_size(16)));
static inline unsigned mems_lane_bits(mems_i32x4 c)
{
#if defined(__SSE2__)
	return (unsigned)__builtin_ia32_movmskps((mems_f32x4)c);
#else
	return (unsigned)((c[0] & 1) | (c[1] & 2) | (c[2] & 4) | (c[3] & 8));
#endif
}

/* Bit j set for each j in 0..4 nq - 1 whose segment o[j]..o[j+1] is at
 * least x long (x in 1..2^31-1; NONE past the length gives 0 or a length
 * that the hole bits rule out). */
static MEMS_INLINE uint32_t mems_block_fit_mask(const uint32_t *o, uint32_t x, unsigned nq)
{
	const mems_s32x4u *a = (const mems_s32x4u *)o, *b = (const mems_s32x4u *)(o + 1);
	const int32_t y = (int32_t)x - 1;
	const mems_i32x4 ys = { y, y, y, y };
	uint32_t mask = 0;
#pragma GCC unroll 8
	for (unsigned q = 0; q < nq; q++)
		mask |= (uint32_t)mems_lane_bits((b[q] - a[q]) > ys) << (4 * q);
	return mask;
}

/* The longest of the segments j in 0..4 nq - 1 of o whose bit is set in
 * bits (0 if none). */
static MEMS_INLINE uint32_t mems_block_max_len(const uint32_t *o, uint32_t bits, unsigned nq)
{
	const mems_s32x4u *a = (const mems_s32x4u *)o, *b = (const mems_s32x4u *)(o + 1);
	const mems_u32x4 w = { 1, 2, 4, 8 };
	const int32_t h = (int32_t)bits;
	const mems_i32x4 hs = { h, h, h, h }, zero = { 0, 0, 0, 0 };
	mems_i32x4 mx = zero;
#pragma GCC unroll 8
	for (unsigned q = 0; q < nq; q++) {
		mems_i32x4 in = (hs & (mems_i32x4)(w << (4 * q))) != zero;
		mems_i32x4 len = (b[q] - a[q]) & in;
		mems_max_x4(&mx, &len);
	}
	int32_t m01 = mx[0] > mx[1] ? mx[0] : mx[1], m23 = mx[2] > mx[3] ? mx[2] : mx[3];
	return (uint32_t)(m01 > m23 ? m01 : m23);
}

/* The segment holding offset off (< the node's length): the last offset
 * <= off. Up to MEMS_BLOCK2 segments a count of the offsets after the
 * first that are <= off, over the whole block at once (NONE is above every
 * offset), else a binary search without branches on the data. */
static inline unsigned mems_arr_floor(const struct mems_node *n, size_t off)
{
	const uint32_t *o = n->off;
	uint32_t x = (uint32_t)off;
	unsigned k = n->nsegs;
	if (k <= MEMS_BLOCK) return MEMS_BY_WIDTH(k, mems_block_count_le(o + 1, x, nq));
	if (k <= MEMS_BLOCK2) return mems_block_count_le(o + 1, x, 8) + mems_block_count_le(o + 1 + MEMS_BLOCK, x, 8);
	unsigned base = 0, len = n->nsegs;
	while (len > 1) {
		unsigned half = len / 2;
		base = o[base + half] <= x ? base + half : base;
		len -= half;
	}
	return base;
}

/* The largest hole after segment i (0 if none). */
static inline size_t mems_arr_max_after(const struct mems_node *n, unsigned i)
{
	size_t m = 0;
	unsigned w = i / 64;
	/* the bits after i in its word, then the words after it */
	for (uint64_t h = n->holes[w] & ~mems_bits_below(i % 64 + 1);; h = n->holes[++w]) {
		for (; h; h &= h - 1) {
			size_t len = mems_arr_len(n, w * 64 + mems_ctz64(h));
			m = len > m ? len : m;
		}
		if ((w + 1) * 64 >= n->nsegs) return m;
	}
}

/* The largest hole of a node of at most MEMS_BLOCK2 segments but hole i
 * (0 if none): a vector compare over its blocks. */
static inline size_t mems_arr_block_max_but(const struct mems_node *n, unsigned i)
{
	uint64_t h = n->holes[0] & ~(1ull << i);
	unsigned k = n->nsegs;
	if (k <= MEMS_BLOCK) return MEMS_BY_WIDTH(k, mems_block_max_len(n->off, (uint32_t)h, nq));
	uint32_t m = mems_block_max_len(n->off, (uint32_t)h, 8);
	uint32_t m2 = mems_block_max_len(n->off + MEMS_BLOCK, (uint32_t)(h >> 32), 8);
	return m2 > m ? m2 : m;
}

/* The first hole of at least nbytes (n->maxhole says there is one), and in
 * *before the largest of the holes before it (0 if none; up to
 * MEMS_BLOCK2 segments always 0: mems_arr_use does not need it there).
 * Up to MEMS_BLOCK2 segments the lengths of a block are compared with
 * nbytes at once and the first hole among those long enough taken, so
 * the choice is no branch; beyond that a walk over the hole bits. */
static inline unsigned mems_arr_first_fit(const struct mems_node *n, size_t nbytes, size_t *before)
{
	if (n->nsegs <= MEMS_BLOCK2) {
		uint32_t x = (uint32_t)nbytes; /* below a hole's length: below 2^31 */
		unsigned k = n->nsegs;
		uint64_t fit;
		if (k <= MEMS_BLOCK)
			fit = MEMS_BY_WIDTH(k, mems_block_fit_mask(n->off, x, nq));
		else
			fit = mems_block_fit_mask(n->off, x, 8) |
			      (uint64_t)mems_block_fit_mask(n->off + MEMS_BLOCK, x, 8) << 32;
		fit &= n->holes[0]; /* not 0: maxhole >= nbytes */
		*before = 0;
		return mems_ctz64(fit);
	}
	size_t m = 0;
	for (unsigned w = 0;; w++)
		for (uint64_t h = n->holes[w]; h; h &= h - 1) {
			unsigned i = w * 64 + mems_ctz64(h);
			size_t len = mems_arr_len(n, i);
			if (len >= nbytes) {
				*before = m;
				return i;
			}
			m = len > m ? len : m;
		}
}

/* Copy 4 nq offsets from src to dst, which may overlap: all loads come
 * before the stores. */
static MEMS_INLINE void mems_move_block(uint32_t *dst, const uint32_t *src, unsigned nq)
{
	const mems_off4 *s = (const mems_off4 *)src;
	mems_off4 a[8], *d = (mems_off4 *)dst;
#pragma GCC unroll 8
	for (unsigned q = 0; q < nq; q++) a[q] = s[q];
#pragma GCC unroll 8
	for (unsigned q = 0; q < nq; q++) d[q] = a[q];
}

/* Take segments from+0..from+d-1 (d = 0..2, 0 < from <= nsegs) out of a
 * node: the offsets and bits after them move down d slots. */
void mems_arr_cut_slow(struct mems_node *n, unsigned from, unsigned d);
static inline void mems_arr_cut(struct mems_node *n, unsigned from, unsigned d)
{
	unsigned k = n->nsegs;
	if (k > MEMS_BLOCK2) {
		mems_arr_cut_slow(n, from, d);
		return;
	}
	/* a whole block at once, as wide as the node's segments need (from
	 * >= 1, so it reaches the length), or two full ones if the offsets
	 * from from to the length span more than one (the lower first, which
	 * the upper's loads do not overlap): NONE moves down behind the
	 * length */
	if (k <= MEMS_BLOCK) {
		MEMS_BY_WIDTH(k, mems_move_block(n->off + from, n->off + from + d, nq));
	} else {
		mems_move_block(n->off + from, n->off + from + d, 8);
		if (k - from >= MEMS_BLOCK)
			mems_move_block(n->off + from + MEMS_BLOCK, n->off + from + d + MEMS_BLOCK, 8);
	}
	uint64_t h = n->holes[0], low = mems_bits_below(from);
	n->holes[0] = (h & low) | ((h >> d) & ~low);
	n->nsegs = k - d;
}

/* Put a segment starting at offset v in at index at (0 < at <= nsegs, nsegs
 * < cap), a hole if hole: the offsets and bits from at on move up a slot. */
void mems_arr_open_slow(struct mems_node *n, unsigned at, uint32_t v, bool hole);
static inline void mems_arr_open(struct mems_node *n, unsigned at, uint32_t v, bool hole)
{
	unsigned k = n->nsegs;
	if (k >= MEMS_BLOCK2) {
		mems_arr_open_slow(n, at, v, hole);
		return;
	}
	/* one block as wide as the node's segments need (at >= 1, so it
	 * reaches the length), or two full ones, the upper first, whose
	 * stores the lower's loads do not overlap */
	if (k <= MEMS_BLOCK) {
		MEMS_BY_WIDTH(k, mems_move_block(n->off + at + 1, n->off + at, nq));
	} else {
		if (k - at >= MEMS_BLOCK)
			mems_move_block(n->off + at + 1 + MEMS_BLOCK, n->off + at + MEMS_BLOCK, 8);
		mems_move_block(n->off + at + 1, n->off + at, 8);
	}
	n->off[at] = v;
	uint64_t h = n->holes[0], low = (1ull << at) - 1;
	n->holes[0] = (h & low) | ((h & ~low) << 1) | (uint64_t)hole << at;
	n->nsegs = k + 1;
}

/* Serve nbytes from the front of hole i, the first that fits, the largest
 * hole before it before: a split if the hole is longer (the node must have
 * room for one more segment), else the hole becomes the PROCESS segment.
 * Keeps maxhole. */
static inline void mems_arr_use(struct mems_node *n, unsigned i, size_t nbytes, size_t before)
{
	size_t len = mems_arr_len(n, i);
	if (len == n->maxhole) {
		/* it was the largest: the largest now is the larger of what
		 * remains of it and the other holes (those before it and
		 * those after it) */
		size_t rest = len - nbytes, m;
		if (n->nsegs <= MEMS_BLOCK2) {
			m = mems_arr_block_max_but(n, i);
		} else {
			size_t after = mems_arr_max_after(n, i);
			m = before > after ? before : after;
		}
		n->maxhole = m > rest ? m : rest;
	}
	n->holes[i / 64] ^= 1ull << (i % 64); /* segment i is PROCESS */
	if (len > nbytes) mems_arr_open(n, i + 1, n->off[i] + (uint32_t)nbytes, true);
}

/* Turn PROCESS segment i into a hole merged with the holes beside it.
 * Returns the index of the merged hole. Keeps maxhole. */
static inline unsigned mems_arr_release(struct mems_node *n, unsigned i)
{
	unsigned before, after;
	if (n->nsegs <= 64) {
		uint64_t h = n->holes[0]; /* no bits at or past nsegs */
		before = (unsigned)((h << 1) >> i) & 1;
		after = (unsigned)((h >> i) >> 1) & 1;
	} else {
		before = i > 0 && mems_arr_hole(n, i - 1);
		after = i + 1 < n->nsegs && mems_arr_hole(n, i + 1);
	}
	unsigned lo = i - before; /* segments lo+1..lo+before+after join lo */
	n->holes[lo / 64] |= 1ull << (lo % 64);
	mems_arr_cut(n, lo + 1, before + after);
	size_t len = mems_arr_len(n, lo);
	n->maxhole = len > n->maxhole ? len : n->maxhole;
	return lo;
}

/* ---- tree mode (mems_index.c) ---- */

/* Add record s (start, nbytes and kind set) in address order. */
void mems_tree_insert(struct mems_seg **root, struct mems_seg *s);
/* Take record s out of the tree. */
void mems_tree_remove(struct mems_seg **root, struct mems_seg *s);
/* In-order walk: the first record, and the one after s. */
struct mems_seg *mems_tree_first(struct mems_seg *root);
struct mems_seg *mems_tree_next(struct mems_seg *s);

static inline size_t mems_tree_max(const struct mems_seg *x)
{
	return x ? x->maxhole : 0;
}

/* What a record adds to its subtree's largest hole. */
static inline size_t mems_seg_hole(const struct mems_seg *x)
{
	return x->kind == MEMS_HOLE ? x->nbytes : 0;
}

static inline size_t mems_max3(size_t a, size_t b, size_t c)
{
	size_t m = a > b ? a : b;
	return m > c ? m : c;
}

/* Record s changed size or kind (and perhaps start, keeping its place in
 * address order): refresh the largest-hole figures above it. */
static inline void mems_tree_update(struct mems_seg *s)
{
	/* a figure that comes out unchanged leaves everything above as it was */
	for (struct mems_seg *x = s; x; x = x->parent) {
		size_t m = mems_max3(mems_seg_hole(x), mems_tree_max(x->child[0]),
				     mems_tree_max(x->child[1]));
		if (m == x->maxhole) return;
		x->maxhole = m;
	}
}

/* The record holding address v (inside the tree's node). */
static inline struct mems_seg *mems_tree_floor(struct mems_seg *root, uint64_t v)
{
	struct mems_seg *best = root;
	for (struct mems_seg *x = root; x;) {
		int right = x->start <= v;
		best = right ? x : best;
		x = x->child[right];
	}
	return best;
}

/* The first hole in address order of at least nbytes (> 0); the root's
 * maxhole says there is one. */
static inline struct mems_seg *mems_tree_first_fit(struct mems_seg *root, size_t nbytes)
{
	struct mems_seg *x = root;
	for (;;) {
		/* x's subtree holds such a hole */
		struct mems_seg *l = x->child[0];
		if (l && l->maxhole >= nbytes) x = l;
		else if (x->kind == MEMS_HOLE && x->nbytes >= nbytes) return x;
		else x = x->child[1];
	}
}

/* ---- changing modes (mems_index.c) ---- */

/* Set up the sub-chain of new node n (start and npages set, the rest
 * zero): a PROCESS segment of nbytes, then a hole if the node is longer; in
 * array mode if the node is short enough for 32-bit offsets, else in tree
 * mode (two spare records must then be reserved). Sets maxhole. */
void mems_node_init(struct mems_node *n, size_t nbytes);

/* Whether node n (of npages) needs tree mode from the start. */
static inline bool mems_node_born_tree(size_t npages)
{
	return npages > MEMS_ARRAY_MAX_BYTES / 4096u;
}

/* Give node n in array mode arrays for twice as many segments (at most
 * MEMS_ARRAY_MAX_SEGS); 0 or -MM_ENOMEM with nothing changed. */
int mems_node_widen(struct mems_node *n, const struct mm_allocator *meta);

/* Move the arrays of node n (at most MEMS_INLINE_SEGS segments) back
 * inside it and give their block back to meta. */
void mems_node_narrow(struct mems_node *n, const struct mm_allocator *meta);

/* Make sure node n holds at least count spare records; 0 or -MM_ENOMEM
 * (the blocks already taken stay with the node). */
int mems_node_reserve(struct mems_node *n, size_t count, const struct mm_allocator *meta);

/* Take a spare record (one must be reserved). */
struct mems_seg *mems_node_take_seg(struct mems_node *n);

/* Give record s back to the node's spares, poisoned. */
void mems_node_give_seg(struct mems_node *n, struct mems_seg *s);

/* Move node n from array mode to tree mode (n->nsegs spare records must be
 * reserved); gives the block of its arrays, if any, back to meta. */
void mems_node_to_tree(struct mems_node *n, const struct mm_allocator *meta);

/* Move node n (at most MEMS_INLINE_SEGS segments, short enough for 32-bit
 * offsets) from tree mode back to the arrays inside it and give its blocks
 * of records back to meta. */
void mems_node_to_array(struct mems_node *n, const struct mm_allocator *meta);

/* Release every block node n took from meta. */
void mems_node_release(struct mems_node *n, const struct mm_allocator *meta);

/* Check node n's sub-chain and index: in array mode the offsets and the
 * mask, in tree mode the links, the AVL balance, order and figures; both
 * the largest hole. Adds the node's hole bytes, PROCESS bytes and counts to
 * the totals. Reports problems to report (may be NULL) and returns how many
 * there were. */
struct mm_sink;
struct mems_tally {
	uint64_t hole_bytes, process_bytes;
	size_t nsegs, nprocess;
};
int mems_node_check(const struct mems_node *n, struct mems_tally *t, struct mm_sink *report);

#endif
