/*
 * mems_index.c - the index of the MeMS free list: an AVL tree (Adelson-Velsky
 * and Landis) of all segments keyed by MeMS address, with parent pointers and
 * each node augmented by the largest hole in its subtree. See mems_index.h.
 *
 * Every operation touches one root-to-leaf path, so with n segments first-fit,
 * lookup, insert and removal cost O(log n); AVL keeps the height below
 * 1.44 log2(n + 2).
 */
#include "mems_index.h"
#include "fmt.h"

#define L 0
#define R 1

static inline unsigned height(const struct mems_seg *x)
{
	return x ? x->height : 0;
}

static inline size_t maxhole(const struct mems_seg *x)
{
	return x ? x->maxhole : 0;
}

static inline size_t max3(size_t a, size_t b, size_t c)
{
	size_t m = a > b ? a : b;
	return m > c ? m : c;
}

/* Recompute x's height and hole maximum from its children. */
static inline void pull(struct mems_seg *x)
{
	unsigned hl = height(x->child[L]), hr = height(x->child[R]);
	x->height = (uint8_t)(1 + (hl > hr ? hl : hr));
	x->maxhole = max3(mems_idx_hole(x), maxhole(x->child[L]), maxhole(x->child[R]));
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
	x->height = (uint8_t)(1 + (hl > hr ? hl : hr));
	x->maxhole = max3(mems_idx_hole(x), maxhole(x->child[L]), maxhole(x->child[R]));
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

struct mems_seg *mems_idx_first_fit(struct mems_seg *root, size_t nbytes)
{
	struct mems_seg *x = root;
	if (!x || x->maxhole < nbytes) return NULL;
	while (x) {
		if (x->child[L] && x->child[L]->maxhole >= nbytes)
			x = x->child[L];
		else if (x->kind == MEMS_HOLE && x->nbytes >= nbytes)
			return x;
		else
			x = x->child[R]; /* the hole is there: maxhole says so */
	}
	return NULL;
}

struct mems_seg *mems_idx_floor(struct mems_seg *root, uint64_t vaddr)
{
	struct mems_seg *best = NULL;
	for (struct mems_seg *x = root; x;) {
		/* index by the comparison: the direction is unpredictable */
		int right = x->start <= vaddr;
		best = right ? x : best;
		x = x->child[right];
	}
	return best;
}

void mems_idx_insert_after(struct mems_seg **root, struct mems_seg *pos, struct mems_seg *s)
{
	s->child[L] = s->child[R] = s->parent = NULL;
	s->height = 1;
	s->maxhole = mems_idx_hole(s);
	if (!*root) {
		*root = s;
		return;
	}
	struct mems_seg *at;
	int side;
	if (!pos) {
		at = leftmost(*root);
		side = L;
	} else if (!pos->child[R]) {
		at = pos;
		side = R;
	} else {
		at = leftmost(pos->child[R]);
		side = L;
	}
	at->child[side] = s;
	s->parent = at;
	fix_up(root, at);
}

void mems_idx_remove(struct mems_seg **root, struct mems_seg *s)
{
	struct mems_seg *from;
	if (s->child[L] && s->child[R]) {
		/* Put the successor t (no left child) in s's place. */
		struct mems_seg *t = leftmost(s->child[R]);
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
	fix_up(root, from);
}

void mems_idx_update(struct mems_seg *s)
{
	for (struct mems_seg *x = s; x; x = x->parent) {
		size_t m = max3(mems_idx_hole(x), maxhole(x->child[L]), maxhole(x->child[R]));
		if (m == x->maxhole && x != s) break;
		x->maxhole = m;
	}
}

/* ---- checking ---- */

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
		mm_format(w->report, "mems index: segment at %llu: %s\n",
			  (unsigned long long)x->start, what);
}

/* Check the subtree at x (whose parent should be parent); returns its height. */
static unsigned idx_walk(struct idx_walk *w, const struct mems_seg *x,
			 const struct mems_seg *parent, unsigned depth)
{
	if (!x) return 0;
	if (++w->count > w->max_nodes || depth > 2 * 64) {
		if (w->count == w->max_nodes + 1 || depth == 2 * 64 + 1)
			idx_problem(w, x, "more nodes than segments, or a cycle");
		return 0;
	}
	if (x->parent != parent) idx_problem(w, x, "wrong parent link");
	unsigned hl = idx_walk(w, x->child[L], x, depth + 1);
	if (w->prev && w->prev->start >= x->start) idx_problem(w, x, "starts out of order");
	w->prev = x;
	unsigned hr = idx_walk(w, x->child[R], x, depth + 1);
	unsigned h = 1 + (hl > hr ? hl : hr);
	if (x->height != h) idx_problem(w, x, "stored height is wrong");
	if (hl > hr + 1 || hr > hl + 1) idx_problem(w, x, "AVL balance broken");
	if (x->maxhole != max3(mems_idx_hole(x), maxhole(x->child[L]), maxhole(x->child[R])))
		idx_problem(w, x, "largest-hole augmentation is wrong");
	if (x->kind != MEMS_HOLE && x->kind != MEMS_PROCESS) idx_problem(w, x, "bad kind");
	return h;
}

int mems_idx_check(struct mems_seg *root, size_t max_nodes, size_t *count,
		   struct mm_sink *report)
{
	struct idx_walk w = { max_nodes, 0, 0, NULL, report };
	idx_walk(&w, root, NULL, 0);
	if (count) *count = w.count;
	return w.bad;
}
