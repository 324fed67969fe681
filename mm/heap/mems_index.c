/*
 * mems_index.c - the sub-chain of a MeMS node in tree mode and the moves
 * between the two modes (see mems_index.h), and the check of a node.
 *
 * The tree is an AVL tree (Adelson-Velsky and Landis) of segment records
 * keyed by address, with parent pointers, each node augmented with the
 * largest hole in its subtree (PROCESS records count 0). Every operation
 * touches one root-to-leaf path, so with s segments first fit, lookup,
 * insertion and removal cost O(log s); AVL keeps the height below
 * 1.44 log2(s + 2). A record that changes size in place costs a walk up
 * that stops at the first figure that does not change.
 *
 * Array mode lives in mems_index.h (its operations are short and inline);
 * here are its moves of more than a block, which call memmove (the kernel
 * and the user runtime provide one for the compiler), and the moves of a
 * node's arrays between the node and a block of their own.
 */
#include "mems_index.h"
#include "mm_env.h"
#include "fmt.h"
#include "mmlib.h"

#define MEMS_JUNK 0xdb

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
	x->maxhole = mems_max3(mems_seg_hole(x), mems_tree_max(x->child[L]), mems_tree_max(x->child[R]));
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

struct mems_seg *mems_tree_first(struct mems_seg *root)
{
	return root ? leftmost(root) : NULL;
}

struct mems_seg *mems_tree_next(struct mems_seg *s)
{
	if (s->child[R]) return leftmost(s->child[R]);
	while (s->parent && s->parent->child[R] == s) s = s->parent;
	return s->parent;
}

void mems_tree_insert(struct mems_seg **root, struct mems_seg *s)
{
	s->child[L] = s->child[R] = s->parent = NULL;
	s->height = 1;
	s->maxhole = mems_seg_hole(s);
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

void mems_tree_remove(struct mems_seg **root, struct mems_seg *s)
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

/* ---- array mode: moves of more than a block ---- */

/* Words of hole bits that segments 0..nsegs-1 need. */
static inline unsigned words_for(unsigned nsegs)
{
	return (nsegs + 63) / 64;
}

void mems_arr_cut_slow(struct mems_node *n, unsigned from, unsigned d)
{
	unsigned k = n->nsegs;
	uint32_t *dst = n->off + from;
	/* the offsets from from + d on, the length included */
	__builtin_memmove(dst, dst + d, (k + 1 - d - from) * sizeof *dst);
	for (unsigned j = k + 1 - d; j <= k; j++) n->off[j] = MEMS_OFF_NONE;
	/* bits from+d.. move down d; each word takes the low bits of the next */
	uint64_t *hw = n->holes;
	unsigned nw = words_for(k);
	for (unsigned w = from / 64; d && w < nw; w++) {
		uint64_t next = w + 1 < nw ? hw[w + 1] : 0;
		uint64_t moved = (hw[w] >> d) | (next << (64 - d));
		uint64_t keep = from > 64 * w ? mems_bits_below(from - 64 * w) : 0;
		hw[w] = (hw[w] & keep) | (moved & ~keep);
	}
	n->nsegs = k - d;
}

void mems_arr_open_slow(struct mems_node *n, unsigned at, uint32_t v, bool hole)
{
	unsigned k = n->nsegs;
	uint32_t *o = n->off + at;
	__builtin_memmove(o + 1, o, (k + 1 - at) * sizeof *o); /* the length included */
	o[0] = v;
	/* bits at.. move up one; each word takes the top bit of the one below */
	uint64_t *hw = n->holes;
	for (unsigned w = words_for(k + 1); w-- > at / 64;) {
		uint64_t below = w > 0 ? hw[w - 1] >> 63 : 0;
		uint64_t moved = (hw[w] << 1) | below;
		uint64_t keep = at > 64 * w ? mems_bits_below(at - 64 * w) : 0;
		hw[w] = (hw[w] & keep) | (moved & ~keep);
	}
	hw[at / 64] |= (uint64_t)hole << (at % 64);
	n->nsegs = k + 1;
}

/* ---- the arrays' storage ---- */

/* The block of a node's arrays beyond MEMS_INLINE_SEGS: cap / 64 words of
 * hole bits, then cap + MEMS_OFF_PAD offsets. */
static size_t ext_bytes(unsigned cap)
{
	return cap / 64 * sizeof(uint64_t) + (cap + MEMS_OFF_PAD) * sizeof(uint32_t);
}

int mems_node_widen(struct mems_node *n, const struct mm_allocator *meta)
{
	unsigned cap = 2 * n->cap;
	MM_ASSERT(n->cap && cap <= MEMS_ARRAY_MAX_SEGS, "node %llu: arrays of %u cannot widen",
		  (unsigned long long)n->start, (unsigned)n->cap);
	uint64_t *hw = mm_alloc(meta, ext_bytes(cap));
	if (!hw) return -MM_ENOMEM;
	uint32_t *o = (uint32_t *)(hw + cap / 64);
	unsigned w = 0;
	for (; w < n->cap / 64; w++) hw[w] = n->holes[w];
	for (; w < cap / 64; w++) hw[w] = 0;
	unsigned j = 0;
	for (; j <= n->nsegs; j++) o[j] = n->off[j];
	for (; j < cap + MEMS_OFF_PAD; j++) o[j] = MEMS_OFF_NONE;
	mm_free(meta, n->ext);
	n->ext = hw;
	n->holes = hw;
	n->off = o;
	n->cap = cap;
	return 0;
}

/* Point node n at its inline arrays, all NONE and no holes. */
static void clear_inline(struct mems_node *n)
{
	for (size_t j = 0; j < MEMS_INLINE_SEGS + MEMS_OFF_PAD; j++) n->inline_off[j] = MEMS_OFF_NONE;
	n->inline_holes = 0;
	n->off = n->inline_off;
	n->holes = &n->inline_holes;
	n->cap = MEMS_INLINE_SEGS;
}

void mems_node_narrow(struct mems_node *n, const struct mm_allocator *meta)
{
	MM_ASSERT(n->ext && n->nsegs <= MEMS_INLINE_SEGS, "node %llu: %u segments do not fit inside it",
		  (unsigned long long)n->start, (unsigned)n->nsegs);
	const uint32_t *o = n->off;
	uint64_t h = n->holes[0];
	clear_inline(n);
	for (unsigned j = 0; j <= n->nsegs; j++) n->inline_off[j] = o[j];
	n->inline_holes = h;
	mm_free(meta, n->ext);
	n->ext = NULL;
}

/* ---- records of a node in tree mode ---- */

int mems_node_reserve(struct mems_node *n, size_t count, const struct mm_allocator *meta)
{
	while (n->nspare < count) {
		struct mems_chunk *c = mm_alloc(meta, sizeof *c);
		if (!c) return -MM_ENOMEM;
		c->next = n->chunks;
		n->chunks = c;
		for (size_t i = MEMS_CHUNK_SEGS; i-- > 0;) mems_node_give_seg(n, &c->segs[i]);
	}
	return 0;
}

struct mems_seg *mems_node_take_seg(struct mems_node *n)
{
	struct mems_seg *s = n->spare;
	MM_ASSERT(s != NULL, "node %llu has no reserved record", (unsigned long long)n->start);
	n->spare = s->next;
	n->nspare--;
	s->child[L] = s->child[R] = s->parent = NULL;
	s->prev = s->next = NULL;
	return s;
}

void mems_node_give_seg(struct mems_node *n, struct mems_seg *s)
{
	s->kind = MEMS_JUNK;
	s->prev = NULL;
	s->parent = NULL;
	s->next = n->spare;
	n->spare = s;
	n->nspare++;
}

static void free_chunks(struct mems_node *n, const struct mm_allocator *meta)
{
	struct mems_chunk *c = n->chunks;
	while (c) {
		struct mems_chunk *next = c->next;
		mm_memset(c, MEMS_JUNK, sizeof *c);
		mm_free(meta, c);
		c = next;
	}
	n->chunks = NULL;
	n->spare = NULL;
	n->nspare = 0;
}

void mems_node_release(struct mems_node *n, const struct mm_allocator *meta)
{
	free_chunks(n, meta);
	mm_free(meta, n->ext);
	n->ext = NULL;
}

/* ---- changing modes ---- */

void mems_node_init(struct mems_node *n, size_t nbytes)
{
	size_t node_bytes = mems_node_bytes(n);
	n->maxhole = node_bytes - nbytes;
	n->nsegs = node_bytes > nbytes ? 2 : 1;
	if (mems_node_born_tree(n->npages)) {
		struct mems_seg *p = mems_node_take_seg(n), *h = NULL;
		p->start = n->start;
		p->nbytes = nbytes;
		p->kind = MEMS_PROCESS;
		n->first = n->last = p;
		mems_tree_insert(&n->root, p);
		if (n->nsegs == 2) {
			h = mems_node_take_seg(n);
			h->start = n->start + nbytes;
			h->nbytes = node_bytes - nbytes;
			h->kind = MEMS_HOLE;
			p->next = h;
			h->prev = p;
			n->last = h;
			mems_tree_insert(&n->root, h);
		}
		n->cap = 0;
		return;
	}
	clear_inline(n);
	n->off[0] = 0;
	n->off[1] = (uint32_t)nbytes;
	if (n->nsegs == 2) {
		n->off[2] = (uint32_t)node_bytes;
		n->inline_holes = 2; /* segment 1 */
	}
}

void mems_node_to_tree(struct mems_node *n, const struct mm_allocator *meta)
{
	MM_ASSERT(n->cap && n->nspare >= n->nsegs, "node %llu: %u records for %u segments",
		  (unsigned long long)n->start, (unsigned)n->nspare, (unsigned)n->nsegs);
	struct mems_seg *root = NULL, *prev = NULL;
	for (unsigned i = 0; i < n->nsegs; i++) {
		struct mems_seg *s = mems_node_take_seg(n);
		s->start = n->start + n->off[i];
		s->nbytes = mems_arr_len(n, i);
		s->kind = (uint8_t)(mems_arr_hole(n, i) ? MEMS_HOLE : MEMS_PROCESS);
		s->prev = prev;
		if (prev) prev->next = s;
		else n->first = s;
		prev = s;
		mems_tree_insert(&root, s);
	}
	n->last = prev;
	n->root = root;
	mm_free(meta, n->ext);
	n->ext = NULL;
	n->off = NULL;
	n->holes = NULL;
	n->inline_holes = 0;
	n->cap = 0;
	MM_ASSERT(root->maxhole == n->maxhole, "node %llu: the tree's largest hole is %zu, not %zu",
		  (unsigned long long)n->start, root->maxhole, n->maxhole);
}

void mems_node_to_array(struct mems_node *n, const struct mm_allocator *meta)
{
	MM_ASSERT(!n->cap && n->nsegs <= MEMS_INLINE_SEGS && !mems_node_born_tree(n->npages),
		  "node %llu: %u segments do not fit the arrays", (unsigned long long)n->start,
		  (unsigned)n->nsegs);
	clear_inline(n);
	unsigned i = 0;
	for (const struct mems_seg *s = n->first; s; s = s->next, i++) {
		MM_ASSERT(i < n->nsegs, "node %llu: more records than its %u segments",
			  (unsigned long long)n->start, (unsigned)n->nsegs);
		n->off[i] = (uint32_t)(s->start - n->start);
		if (s->kind == MEMS_HOLE) n->inline_holes |= 1ull << i;
	}
	MM_ASSERT(i == n->nsegs, "node %llu: %u records, not %u", (unsigned long long)n->start, i,
		  (unsigned)n->nsegs);
	n->off[i] = (uint32_t)mems_node_bytes(n);
	n->root = NULL;
	n->first = n->last = NULL;
	free_chunks(n, meta);
}

/* ---- checking a node ---- */

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
		mm_format(w->report, "mems tree: segment at %llu: %s\n",
			  (unsigned long long)x->start, what);
}

/* Check the subtree at x (whose parent should be parent); returns its height. */
static unsigned idx_walk(struct idx_walk *w, const struct mems_seg *x,
			 const struct mems_seg *parent, unsigned depth)
{
	if (!x) return 0;
	if (++w->count > w->max_nodes || depth > 2 * 64) {
		if (w->count == w->max_nodes + 1 || depth == 2 * 64 + 1)
			idx_problem(w, x, "more tree nodes than segments, or a cycle");
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
	if (x->maxhole != mems_max3(mems_seg_hole(x), mems_tree_max(x->child[L]), mems_tree_max(x->child[R])))
		idx_problem(w, x, "largest-hole figure is wrong");
	return h;
}

static void node_problem(int *bad, struct mm_sink *report, const struct mems_node *n, const char *what)
{
	(*bad)++;
	if (report) mm_format(report, "mems: node %llu: %s\n", (unsigned long long)n->start, what);
}

/* Tally one segment [start, start + nbytes) of kind, after one of kind prev. */
static void tally(int *bad, struct mm_sink *report, const struct mems_node *n, struct mems_tally *t,
		  unsigned kind, size_t nbytes, int prev_kind)
{
	if (nbytes == 0) node_problem(bad, report, n, "an empty segment");
	if (kind == MEMS_HOLE) {
		t->hole_bytes += nbytes;
		if (prev_kind == MEMS_HOLE) node_problem(bad, report, n, "two holes side by side, not merged");
	} else if (kind == MEMS_PROCESS) {
		t->nprocess++;
		t->process_bytes += nbytes;
	} else {
		node_problem(bad, report, n, "a segment of an unknown kind");
	}
	t->nsegs++;
}

static int check_array(const struct mems_node *n, struct mems_tally *t, struct mm_sink *report)
{
	int bad = 0;
	unsigned k = n->nsegs, cap = n->cap;
	bool inl = n->off == n->inline_off && n->holes == &n->inline_holes && !n->ext;
	bool ext = n->ext && n->holes == n->ext && n->off == (uint32_t *)(n->holes + cap / 64);
	if (!(inl && cap == MEMS_INLINE_SEGS) &&
	    !(ext && cap > MEMS_INLINE_SEGS && cap <= MEMS_ARRAY_MAX_SEGS && !(cap & (cap - 1)))) {
		node_problem(&bad, report, n, "the arrays are neither inside the node nor in a block of their own");
		return bad;
	}
	if (k == 0 || k > cap) {
		node_problem(&bad, report, n, "segment count outside the arrays");
		return bad;
	}
	if (mems_node_born_tree(n->npages)) {
		node_problem(&bad, report, n, "too long for array mode");
		return bad;
	}
	if (n->root || n->first || n->last || n->chunks || n->spare || n->nspare)
		node_problem(&bad, report, n, "tree-mode records in array mode");
	if (n->off[0] != 0) node_problem(&bad, report, n, "the first segment does not start the node");
	if (n->off[k] != mems_node_bytes(n)) node_problem(&bad, report, n, "the segments do not end with the node");
	for (size_t j = k + 1; j < cap + MEMS_OFF_PAD; j++)
		if (n->off[j] != MEMS_OFF_NONE) {
			node_problem(&bad, report, n, "an offset past the end of the node");
			break;
		}
	for (unsigned w = 0; w < cap / 64; w++) {
		uint64_t beyond = 64 * w >= k ? ~0ull : ~mems_bits_below(k - 64 * w);
		if (n->holes[w] & beyond) {
			node_problem(&bad, report, n, "hole bits past the last segment");
			break;
		}
	}
	size_t largest = 0;
	int prev_kind = -1;
	for (unsigned i = 0; i < k; i++) {
		if (n->off[i + 1] <= n->off[i]) {
			node_problem(&bad, report, n, "offsets out of order");
			return bad;
		}
		unsigned kind = mems_arr_hole(n, i) ? MEMS_HOLE : MEMS_PROCESS;
		size_t len = mems_arr_len(n, i);
		tally(&bad, report, n, t, kind, len, prev_kind);
		if (kind == MEMS_HOLE && len > largest) largest = len;
		prev_kind = (int)kind;
	}
	if (n->maxhole != largest) node_problem(&bad, report, n, "largest hole figure is wrong");
	return bad;
}

static int check_tree(const struct mems_node *n, struct mems_tally *t, struct mm_sink *report)
{
	int bad = 0;
	if (n->nsegs <= MEMS_INLINE_SEGS / 2 && !mems_node_born_tree(n->npages))
		node_problem(&bad, report, n, "a tree of segments that fit the arrays");
	if (!n->root) {
		node_problem(&bad, report, n, "tree mode without a tree");
		return bad;
	}
	if (n->off || n->holes || n->ext || n->inline_holes)
		node_problem(&bad, report, n, "array-mode storage in tree mode");
	/* the sub-chain */
	const struct mems_seg *prev = NULL;
	uint64_t at = n->start;
	size_t count = 0, largest = 0, spares = 0;
	int prev_kind = -1;
	for (const struct mems_seg *s = n->first; s; prev = s, s = s->next) {
		if (++count > n->nsegs) {
			node_problem(&bad, report, n, "more segments in the sub-chain than its count");
			return bad;
		}
		if (s->prev != prev) node_problem(&bad, report, n, "a wrong prev link in the sub-chain");
		if (s->start != at) node_problem(&bad, report, n, "a segment does not start where the one before ends");
		tally(&bad, report, n, t, s->kind, s->nbytes, prev_kind);
		if (s->kind == MEMS_HOLE && s->nbytes > largest) largest = s->nbytes;
		prev_kind = s->kind;
		at = s->start + s->nbytes;
	}
	if (n->last != prev) node_problem(&bad, report, n, "wrong last segment");
	if (count != n->nsegs) node_problem(&bad, report, n, "segment count differs from the sub-chain's");
	if (at != n->start + mems_node_bytes(n)) node_problem(&bad, report, n, "the segments do not end with the node");
	if (n->maxhole != largest || n->root->maxhole != largest)
		node_problem(&bad, report, n, "largest hole figure is wrong");
	for (const struct mems_seg *s = n->spare; s && spares <= n->nspare; s = s->next) spares++;
	if (spares != n->nspare) node_problem(&bad, report, n, "spare record count is wrong");
	if (bad) return bad;
	/* the tree: the same records, in the same order */
	struct idx_walk w = { count, 0, 0, NULL, report };
	if (n->root->parent) idx_problem(&w, n->root, "the root has a parent");
	idx_walk(&w, n->root, n->root->parent, 0);
	bad += w.bad;
	if (w.bad) return bad;
	if (w.count != count) {
		node_problem(&bad, report, n, "the tree holds another number of segments");
		return bad;
	}
	const struct mems_seg *x = mems_tree_first(n->root);
	for (const struct mems_seg *s = n->first; s; s = s->next) {
		if (x != s) {
			node_problem(&bad, report, n, "tree order differs from the sub-chain");
			break;
		}
		x = mems_tree_next((struct mems_seg *)x);
	}
	return bad;
}

int mems_node_check(const struct mems_node *n, struct mems_tally *t, struct mm_sink *report)
{
	return n->cap ? check_array(n, t, report) : check_tree(n, t, report);
}
