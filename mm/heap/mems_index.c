/*
 * mems_index.c - the index beside the MeMS 2-D list (see mems_index.h): the
 * hole set of a node, in arrays or as an AVL tree, and the address hash.
 *
 * The tree (tree mode of a hole set) is an AVL tree (Adelson-Velsky and
 * Landis) of HOLE records keyed by address, with parent pointers, each node
 * augmented with the largest hole in its subtree. Every operation touches
 * one root-to-leaf path, so with h holes first fit, lookup, insertion and
 * removal cost O(log h); AVL keeps the height below 1.44 log2(h + 2). A hole
 * that changes size in place costs a walk up that stops at the first figure
 * that does not change.
 *
 * The arrays (array mode, up to MEMS_ARRAY_HOLES holes) are kept sorted by
 * offset; insertion and removal shift the entries after the slot, moving a
 * carried entry through registers (no library call).
 *
 * The address hash: linear probing over a power-of-two table kept at most a
 * quarter full, Fibonacci hashing of the low 32 bits of the address,
 * deletion by moving later entries of the probe run back (no tombstones),
 * doubling when full; each operation is O(1) expected and amortized.
 */
#include "mems_index.h"
#include "mm_env.h"
#include "fmt.h"
#include "mmlib.h"

#define L 0
#define R 1

static inline unsigned height(const struct mems_seg *x)
{
	return x ? x->height : 0;
}

/* Recompute x's height and hole maximum from its children. */
static inline void pull(struct mems_seg *x)
{
	unsigned hl = height(x->child[L]), hr = height(x->child[R]);
	x->height = (uint8_t)(1 + (hl > hr ? hl : hr));
	x->maxhole = mems_idx_max3(x->nbytes, mems_idx_max(x->child[L]), mems_idx_max(x->child[R]));
}

/* Make the link that pointed at old (from parent, or the root) point at new. */
static void replace_child(struct mems_seg **root, struct mems_seg *parent,
			  struct mems_seg *old, struct mems_seg *new)
{
	if (!parent)
		*root = new;
	else
		parent->child[parent->child[R] == old] = new;
	if (new) new->parent = parent;
}

/*
 * Rotate x down towards side d (d = L: its right child y comes up):
 *
 *        x                y
 *      /   \            /   \
 *     a     y    ->     x     c        (for d = L)
 *          / \         / \
 *         b   c       a   b
 */
static struct mems_seg *rotate(struct mems_seg **root, struct mems_seg *x, int d)
{
	struct mems_seg *y = x->child[!d];
	replace_child(root, x->parent, x, y);
	x->child[!d] = y->child[d];
	if (x->child[!d]) x->child[!d]->parent = x;
	y->child[d] = x;
	x->parent = y;
	pull(x);
	pull(y);
	return y;
}

/* Restore the AVL balance at x (its subtrees are balanced); returns the node
 * now at x's place. */
static struct mems_seg *rebalance(struct mems_seg **root, struct mems_seg *x)
{
	unsigned hl = height(x->child[L]), hr = height(x->child[R]);
	if (hl > hr + 1 || hr > hl + 1) {
		int heavy = hr > hl; /* the taller side */
		struct mems_seg *c = x->child[heavy];
		if (height(c->child[heavy]) < height(c->child[!heavy]))
			rotate(root, c, heavy); /* zig-zag: make it zig-zig first */
		return rotate(root, x, !heavy);
	}
	pull(x);
	return x;
}

/*
 * Rebalance and refresh the nodes from x up towards the root. A subtree whose
 * height and hole maximum come out as they were leaves its parent's inputs
 * unchanged, so the walk stops there; every node off the walk must already
 * agree with its children.
 */
static void fix_up(struct mems_seg **root, struct mems_seg *x)
{
	while (x) {
		uint8_t old_h = x->height;
		size_t old_m = x->maxhole;
		struct mems_seg *y = rebalance(root, x);
		if (y->height == old_h && y->maxhole == old_m) return;
		x = y->parent;
	}
}

static struct mems_seg *leftmost(struct mems_seg *x)
{
	while (x->child[L]) x = x->child[L];
	return x;
}

struct mems_seg *mems_idx_first(struct mems_seg *root)
{
	return root ? leftmost(root) : NULL;
}

struct mems_seg *mems_idx_next(struct mems_seg *s)
{
	if (s->child[R]) return leftmost(s->child[R]);
	while (s->parent && s->parent->child[R] == s) s = s->parent;
	return s->parent;
}

void mems_idx_insert(struct mems_seg **root, struct mems_seg *s)
{
	s->child[L] = s->child[R] = s->parent = NULL;
	s->height = 1;
	s->maxhole = s->nbytes;
	struct mems_seg *x = *root;
	if (!x) {
		*root = s;
		return;
	}
	for (;;) {
		int side = x->start < s->start;
		if (!x->child[side]) {
			x->child[side] = s;
			s->parent = x;
			fix_up(root, x);
			return;
		}
		x = x->child[side];
	}
}

void mems_idx_remove(struct mems_seg **root, struct mems_seg *s)
{
	struct mems_seg *from, *t = NULL;
	if (s->child[L] && s->child[R]) {
		/* Put the successor t (no left child) in s's place. */
		t = leftmost(s->child[R]);
		if (t->parent != s) {
			from = t->parent;
			from->child[L] = t->child[R];
			if (t->child[R]) t->child[R]->parent = from;
			t->child[R] = s->child[R];
			t->child[R]->parent = t;
		} else {
			from = t;
		}
		t->child[L] = s->child[L];
		t->child[L]->parent = t;
		replace_child(root, s->parent, s, t);
		/* what s's parent last saw, for fix_up's early stop */
		t->height = s->height;
		t->maxhole = s->maxhole;
	} else {
		struct mems_seg *c = s->child[L] ? s->child[L] : s->child[R];
		from = s->parent;
		replace_child(root, s->parent, s, c);
	}
	s->child[L] = s->child[R] = s->parent = NULL;
	s->height = 0;
	s->maxhole = 0;
	fix_up(root, from);
	/* t took over s's figures, s's own hole included: if the walk from
	 * below stopped short of t, refresh t and what lies above it */
	if (t) fix_up(root, t);
}

/* ---- checking the tree ---- */

struct idx_walk {
	size_t max_nodes, count;
	int bad;
	const struct mems_seg *prev; /* the previous node in order */
	struct mm_sink *report;
};

static void idx_problem(struct idx_walk *w, const struct mems_seg *x, const char *what)
{
	w->bad++;
	if (w->report)
		mm_format(w->report, "mems index: hole at %llu: %s\n",
			  (unsigned long long)x->start, what);
}

/* Check the subtree at x (whose parent should be parent); returns its height. */
static unsigned idx_walk(struct idx_walk *w, const struct mems_seg *x,
			 const struct mems_seg *parent, unsigned depth)
{
	if (!x) return 0;
	if (++w->count > w->max_nodes || depth > 2 * 64) {
		if (w->count == w->max_nodes + 1 || depth == 2 * 64 + 1)
			idx_problem(w, x, "more nodes than holes, or a cycle");
		return 0;
	}
	if (x->parent != parent) idx_problem(w, x, "wrong parent link");
	if (x->kind != MEMS_HOLE) idx_problem(w, x, "a segment that is not a hole");
	unsigned hl = idx_walk(w, x->child[L], x, depth + 1);
	if (w->prev && w->prev->start >= x->start) idx_problem(w, x, "starts out of order");
	w->prev = x;
	unsigned hr = idx_walk(w, x->child[R], x, depth + 1);
	unsigned h = 1 + (hl > hr ? hl : hr);
	if (x->height != h) idx_problem(w, x, "stored height is wrong");
	if (hl > hr + 1 || hr > hl + 1) idx_problem(w, x, "AVL balance broken");
	if (x->maxhole != mems_idx_max3(x->nbytes, mems_idx_max(x->child[L]), mems_idx_max(x->child[R])))
		idx_problem(w, x, "largest-hole figure is wrong");
	return h;
}

static int idx_check(struct mems_seg *root, size_t max_nodes, size_t *count,
		     struct mm_sink *report)
{
	struct idx_walk w = { max_nodes, 0, 0, NULL, report };
	if (root && root->parent) idx_problem(&w, root, "the root has a parent");
	idx_walk(&w, root, root ? root->parent : NULL, 0);
	if (count) *count = w.count;
	return w.bad;
}

/* ---- hole sets ---- */

/* Move the holes of the arrays into a tree. */
static void to_tree(struct mems_holes *hs)
{
	struct mems_seg *root = NULL;
	for (size_t i = 0; i < hs->n; i++) mems_idx_insert(&root, hs->seg[i]);
	hs->root = root;
}

/* Move the holes of the tree (at most MEMS_ARRAY_HOLES) into the arrays. */
static void to_array(struct mems_holes *hs, uint64_t base)
{
	size_t i = 0;
	for (struct mems_seg *s = mems_idx_first(hs->root); s; s = mems_idx_next(s), i++) {
		MM_ASSERT(i < MEMS_ARRAY_HOLES, "%zu holes do not fit the arrays", hs->n);
		hs->key[i] = (size_t)(s->start - base);
		hs->size[i] = s->nbytes;
		hs->seg[i] = s;
	}
	MM_ASSERT(i == hs->n, "the tree held %zu holes, not %zu", i, hs->n);
	hs->root = NULL;
	hs->max = mems_holes_scan_max(hs);
}

void mems_holes_add(struct mems_holes *hs, struct mems_seg *s, uint64_t base)
{
	if (!hs->root && hs->n == MEMS_ARRAY_HOLES) to_tree(hs);
	if (hs->root) {
		mems_idx_insert(&hs->root, s);
		hs->n++;
		hs->max = hs->root->maxhole;
		return;
	}
	size_t off = (size_t)(s->start - base), i = hs->n;
	/* shift the entries with greater offsets up by one */
	while (i && hs->key[i - 1] > off) {
		hs->key[i] = hs->key[i - 1];
		hs->size[i] = hs->size[i - 1];
		hs->seg[i] = hs->seg[i - 1];
		i--;
	}
	hs->key[i] = off;
	hs->size[i] = s->nbytes;
	hs->seg[i] = s;
	hs->n++;
	if (s->nbytes > hs->max) hs->max = s->nbytes;
}

void mems_holes_remove(struct mems_holes *hs, struct mems_hpos at, uint64_t base)
{
	if (hs->root) {
		mems_idx_remove(&hs->root, at.s);
		hs->n--;
		if (hs->n <= MEMS_ARRAY_HOLES / 2) to_array(hs, base);
		else hs->max = hs->root->maxhole;
		return;
	}
	size_t old = hs->size[at.i], last = --hs->n;
	/* carry the last entry down to slot at.i, each one moving up a slot */
	size_t key = hs->key[last], size = hs->size[last];
	struct mems_seg *seg = hs->seg[last];
	for (size_t j = last; j > at.i; j--) {
		size_t k = hs->key[j - 1], z = hs->size[j - 1];
		struct mems_seg *t = hs->seg[j - 1];
		hs->key[j - 1] = key;
		hs->size[j - 1] = size;
		hs->seg[j - 1] = seg;
		key = k;
		size = z;
		seg = t;
	}
	if (old == hs->max) hs->max = mems_holes_scan_max(hs);
}

static void holes_problem(int *bad, struct mm_sink *report, uint64_t base, const char *what)
{
	(*bad)++;
	if (report) mm_format(report, "mems holes: node %llu: %s\n", (unsigned long long)base, what);
}

int mems_holes_check(const struct mems_holes *hs, const struct mems_seg *first, uint64_t base,
		     struct mm_sink *report)
{
	int bad = 0;
	size_t nholes = 0, largest = 0;
	for (const struct mems_seg *s = first; s; s = s->next) {
		if (s->kind != MEMS_HOLE) continue;
		nholes++;
		largest = s->nbytes > largest ? s->nbytes : largest;
	}
	if (hs->n != nholes) holes_problem(&bad, report, base, "hole count differs from the sub-chain's");
	if (hs->max != largest || (hs->root && hs->root->maxhole != largest))
		holes_problem(&bad, report, base, "largest hole figure is wrong");
	if (hs->root) {
		size_t count = 0;
		if (hs->n <= MEMS_ARRAY_HOLES / 2)
			holes_problem(&bad, report, base, "a tree of holes that fit the arrays");
		int tbad = idx_check(hs->root, nholes, &count, report);
		bad += tbad;
		if (tbad || count != nholes) {
			if (!tbad) holes_problem(&bad, report, base, "the tree holds another number of holes");
			return bad;
		}
		const struct mems_seg *t = mems_idx_first(hs->root);
		for (const struct mems_seg *s = first; s; s = s->next) {
			if (s->kind != MEMS_HOLE) continue;
			if (t != s) {
				holes_problem(&bad, report, base, "tree order differs from the sub-chain");
				break;
			}
			t = mems_idx_next((struct mems_seg *)t);
		}
		return bad;
	}
	if (hs->n > MEMS_ARRAY_HOLES) {
		holes_problem(&bad, report, base, "more holes than the arrays hold");
		return bad;
	}
	size_t i = 0;
	for (const struct mems_seg *s = first; s && i < hs->n; s = s->next) {
		if (s->kind != MEMS_HOLE) continue;
		if (hs->seg[i] != s) holes_problem(&bad, report, base, "an array slot holds another record");
		if (hs->key[i] != s->start - base) holes_problem(&bad, report, base, "an array offset is wrong");
		if (hs->size[i] != s->nbytes) holes_problem(&bad, report, base, "an array size is wrong");
		i++;
	}
	return bad;
}

/* ---- the address hash ---- */

static void hash_problem(int *bad, struct mm_sink *report, size_t slot, const char *what)
{
	(*bad)++;
	if (report) mm_format(report, "mems hash: slot %zu: %s\n", slot, what);
}

int mems_hash_grow(struct mems_hash *h, const struct mm_allocator *meta)
{
	size_t cap = h->cap ? 2 * h->cap : MEMS_HASH_MIN;
	unsigned shift = h->cap ? h->shift - 1 : 26; /* 2^(32 - 26) = MEMS_HASH_MIN */
	if (cap > (size_t)-1 / sizeof(struct mems_hslot) || shift == 0) return -MM_ENOMEM;
	struct mems_hslot *slot = mm_alloc(meta, cap * sizeof *slot);
	if (!slot) return -MM_ENOMEM;
	for (size_t i = 0; i < cap; i++) {
		slot[i].tag = 0;
		slot[i].seg = NULL;
	}
	struct mems_hash old = *h;
	h->slot = slot;
	h->cap = cap;
	h->shift = shift;
	h->count = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i].seg) mems_hash_add(h, old.slot[i].seg);
	mm_free(meta, old.slot);
	return 0;
}

void mems_hash_free(struct mems_hash *h, const struct mm_allocator *meta)
{
	mm_free(meta, h->slot);
	h->slot = NULL;
	h->cap = h->count = 0;
	h->shift = 0;
}

int mems_hash_check(const struct mems_hash *h, struct mm_sink *report)
{
	int bad = 0;
	if (!h->cap) {
		if (h->count || h->slot) hash_problem(&bad, report, 0, "no table but entries");
		return bad;
	}
	if ((h->cap & (h->cap - 1)) || h->cap < MEMS_HASH_MIN || !h->slot || h->shift >= 32 ||
	    ((size_t)1 << (32 - h->shift)) != h->cap) {
		hash_problem(&bad, report, 0, "size is not the power of two its shift says");
		return bad;
	}
	size_t mask = h->cap - 1, count = 0;
	for (size_t i = 0; i < h->cap; i++) {
		const struct mems_seg *s = h->slot[i].seg;
		if (!s) continue;
		count++;
		if (s->kind != MEMS_PROCESS) hash_problem(&bad, report, i, "a segment that is not a PROCESS");
		if (h->slot[i].tag != (uint32_t)s->start) hash_problem(&bad, report, i, "wrong tag");
		/* no empty slot between its home and i */
		for (size_t j = mems_hash_home(h, (uint32_t)s->start); j != i; j = (j + 1) & mask)
			if (!h->slot[j].seg) {
				hash_problem(&bad, report, i, "unreachable from its home slot");
				break;
			}
	}
	if (count != h->count) hash_problem(&bad, report, 0, "entry count is wrong");
	if (4 * h->count > h->cap) hash_problem(&bad, report, 0, "more than a quarter full");
	return bad;
}
