/*
 * mems_index.c - the index of one MeMS node: a B+ tree of small blocks over
 * the node's segments in address order, every block augmented with the
 * largest hole below it (see mems_index.h for the layout).
 *
 * Algorithm: a B+ tree with MEMS_FAN entries per block. Inner separators are
 * exactly the first key of each child. Insertion splits a full block in two
 * halves and inserts the new half into the parent (a full root grows a new
 * root). Removal drops a block that empties, merges a block that falls below
 * a quarter full into a neighbour under the same parent when both fit in one
 * block, and replaces a root with a single child by that child. There is no
 * borrowing, so blocks may stay sparse, but the height never exceeds what the
 * largest size reached needed: log(MEMS_FAN / 2) of it, plus one.
 *
 * A largest-hole figure changes by one entry at a time: raising it walks up
 * while it beats the parent's figure, lowering the largest entry rescans the
 * block and walks up while the result differs. In the common case (a node of
 * at most MEMS_FAN segments) the tree is one leaf and every operation is a
 * short scan or shift inside it.
 */
#include "mems_index.h"
#include "mm_env.h"
#include "fmt.h"

/* Levels a tree may have before mems_idx_check calls it broken. */
#define IDX_MAX_LEVELS 24u

/* ---- blocks ---- */

static struct mems_blk *take_blk(struct mems_blkpool *pool, uint32_t level)
{
	struct mems_blk *b = pool->spare;
	MM_ASSERT(b != NULL, "no reserved index block");
	pool->spare = b->parent;
	pool->nspare--;
	b->parent = b->prev = b->next = NULL;
	b->max = 0;
	b->n = 0;
	b->level = level;
	return b;
}

/* Recycle b, marked so that a stale pointer to it fails mems_idx_check. */
static void give_blk(struct mems_blkpool *pool, struct mems_blk *b)
{
	b->n = 0;
	b->level = 0xdeadu;
	b->prev = b->next = NULL;
	b->parent = pool->spare;
	pool->spare = b;
	pool->nspare++;
}

/* b's slot in its parent. */
static unsigned slot_of(const struct mems_blk *b)
{
	const struct mems_blk *p = b->parent;
	unsigned i = 0;
	while (p->u.kid[i] != b) {
		i++;
		MM_ASSERT(i < p->n, "index block %p missing from its parent", (const void *)b);
	}
	return i;
}

static inline void move_entry(struct mems_blk *to, unsigned j, const struct mems_blk *from, unsigned i)
{
	to->key[j] = from->key[i];
	to->hole[j] = from->hole[i];
	to->u.seg[j] = from->u.seg[i];
}

/* ---- keeping the figures above a block right ---- */

/* b->max may be stale (too high or too low): rescan it and walk up while the
 * figures change. Everything above b must agree with b's old max. */
void mems_idx_carry_max(struct mems_blk *b)
{
	for (;;) {
		size_t m = mems_idx_scan_max(b);
		if (m == b->max) return;
		b->max = m;
		struct mems_blk *p = b->parent;
		if (!p) return;
		p->hole[slot_of(b)] = m;
		b = p;
	}
}

/* A hole of v > b->max appeared in b: raise the figures above. */
void mems_idx_raise_max(struct mems_blk *b, size_t v)
{
	for (;;) {
		b->max = v;
		struct mems_blk *p = b->parent;
		if (!p) return;
		p->hole[slot_of(b)] = v;
		if (v <= p->max) return;
		b = p;
	}
}

/* Recompute every figure from b up to the root, without stopping early. */
static void refresh_up(struct mems_blk *b)
{
	for (; b; b = b->parent) {
		b->max = mems_idx_scan_max(b);
		if (b->parent) b->parent->hole[slot_of(b)] = b->max;
	}
}

/* b's first key changed: copy it into the separators above. */
static void carry_key(struct mems_blk *b)
{
	while (b->parent) {
		unsigned i = slot_of(b);
		b->parent->key[i] = b->key[0];
		if (i) return;
		b = b->parent;
	}
}

/* ---- insertion ---- */

/* Put an entry at slot i of b, which has room. */
static void put(struct mems_blk *b, unsigned i, size_t key, size_t hole, void *p)
{
	mems_idx_put(b, i, key, hole, p);
	if (b->level) b->u.kid[i]->parent = b;
}

/* Move the upper half of b, which is full, to a new block after it. */
static struct mems_blk *split(struct mems_blkpool *pool, struct mems_blk *b)
{
	struct mems_blk *nb = take_blk(pool, b->level);
	unsigned h = b->n / 2;
	nb->n = b->n - h;
	for (unsigned j = 0; j < nb->n; j++) {
		move_entry(nb, j, b, h + j);
		if (b->level) nb->u.kid[j]->parent = nb;
	}
	b->n = h;
	nb->parent = b->parent;
	nb->prev = b;
	nb->next = b->next;
	if (b->next) b->next->prev = nb;
	b->next = nb;
	return nb;
}

static void insert(struct mems_blk **root, struct mems_blkpool *pool, struct mems_blk *b,
		   unsigned i, size_t key, size_t hole, void *p);

/* b was split into b and nb: hang nb beside b in the parent (or a new root). */
static void hang(struct mems_blk **root, struct mems_blkpool *pool, struct mems_blk *b,
		 struct mems_blk *nb)
{
	b->max = mems_idx_scan_max(b);
	nb->max = mems_idx_scan_max(nb);
	if (!b->parent) {
		struct mems_blk *r = take_blk(pool, b->level + 1);
		put(r, 0, b->key[0], b->max, b);
		put(r, 1, nb->key[0], nb->max, nb);
		r->max = mems_idx_scan_max(r);
		*root = r;
		return;
	}
	unsigned at = slot_of(b);
	b->parent->hole[at] = b->max;
	insert(root, pool, b->parent, at + 1, nb->key[0], nb->max, nb);
	/* b and nb may now have different parents: refresh both paths */
	refresh_up(b->parent);
	refresh_up(nb->parent);
}

static void insert(struct mems_blk **root, struct mems_blkpool *pool, struct mems_blk *b,
		   unsigned i, size_t key, size_t hole, void *p)
{
	if (b->n < MEMS_FAN) {
		put(b, i, key, hole, p);
		if (i == 0) carry_key(b);
		if (hole > b->max) mems_idx_raise_max(b, hole);
		return;
	}
	struct mems_blk *nb = split(pool, b);
	if (i <= b->n)
		put(b, i, key, hole, p);
	else
		put(nb, i - b->n, key, hole, p);
	if (i == 0) carry_key(b);
	hang(root, pool, b, nb);
}

void mems_idx_new(struct mems_blk **root, struct mems_blkpool *pool, size_t key, size_t hole,
		  struct mems_seg *s)
{
	struct mems_blk *b = take_blk(pool, 0);
	put(b, 0, key, hole, s);
	b->max = hole;
	*root = b;
}

void mems_idx_insert_after(struct mems_blk **root, struct mems_blkpool *pool, struct mems_pos at,
			   size_t key, size_t hole, struct mems_seg *s)
{
	insert(root, pool, at.b, at.i + 1, key, hole, s);
}

void mems_idx_split_slow(struct mems_blk **root, struct mems_blkpool *pool, struct mems_pos at,
			 size_t nbytes, struct mems_seg *rest)
{
	struct mems_blk *b = at.b;
	size_t old = b->hole[at.i];
	MM_ASSERT(old > nbytes, "splitting a hole of %zu bytes at %zu", old, nbytes);
	b->hole[at.i] = 0;
	insert(root, pool, b, at.i + 1, b->key[at.i] + nbytes, old - nbytes, rest);
	/* the hole shrank: if it was b's largest, the figures above fall */
	if (old == b->max) mems_idx_carry_max(b);
}

/* ---- removal ---- */

static void remove_entry(struct mems_blk **root, struct mems_blkpool *pool, struct mems_blk *b,
			 unsigned i);

/* b emptied: take it off its level and out of its parent. */
static void drop(struct mems_blk **root, struct mems_blkpool *pool, struct mems_blk *b)
{
	struct mems_blk *p = b->parent;
	if (b->prev) b->prev->next = b->next;
	if (b->next) b->next->prev = b->prev;
	if (!p) {
		*root = NULL;
		give_blk(pool, b);
		return;
	}
	unsigned at = slot_of(b);
	give_blk(pool, b);
	remove_entry(root, pool, p, at);
}

/* a takes the entries of c, its next neighbour under the same parent; c goes. */
static void absorb(struct mems_blk **root, struct mems_blkpool *pool, struct mems_blk *a,
		   struct mems_blk *c)
{
	for (unsigned j = 0; j < c->n; j++) {
		move_entry(a, a->n + j, c, j);
		if (a->level) a->u.kid[a->n + j]->parent = a;
	}
	a->n += c->n;
	if (c->max > a->max) a->max = c->max;
	struct mems_blk *p = a->parent;
	unsigned at = slot_of(c);
	p->hole[at - 1] = a->max; /* a's slot: the parent's figure stays the same */
	a->next = c->next;
	if (c->next) c->next->prev = a;
	give_blk(pool, c);
	remove_entry(root, pool, p, at);
}

/* b fell below a quarter full: merge it with a neighbour if both fit. */
static void merge_small(struct mems_blk **root, struct mems_blkpool *pool, struct mems_blk *b)
{
	struct mems_blk *p = b->parent, *s = b->next;
	if (!p) return;
	if (s && s->parent == p && b->n + s->n <= MEMS_FAN) {
		absorb(root, pool, b, s);
		return;
	}
	s = b->prev;
	if (s && s->parent == p && s->n + b->n <= MEMS_FAN) absorb(root, pool, s, b);
}

static void remove_entry(struct mems_blk **root, struct mems_blkpool *pool, struct mems_blk *b,
			 unsigned i)
{
	size_t old = b->hole[i];
	mems_idx_cut(b, i);
	if (b->n == 0) {
		drop(root, pool, b);
		return;
	}
	if (i == 0) carry_key(b);
	if (old == b->max) mems_idx_carry_max(b);
	if (b->n < MEMS_FAN / 4) merge_small(root, pool, b);
}

void mems_idx_remove_slow(struct mems_blk **root, struct mems_blkpool *pool, struct mems_pos at)
{
	remove_entry(root, pool, at.b, at.i);
	/* a root with one child hands over to it */
	struct mems_blk *r = *root;
	while (r && r->level && r->n == 1) {
		struct mems_blk *k = r->u.kid[0];
		k->parent = NULL;
		*root = k;
		give_blk(pool, r);
		r = k;
	}
}

static void clear_blk(struct mems_blkpool *pool, struct mems_blk *b)
{
	if (b->level)
		for (unsigned i = 0; i < b->n; i++) clear_blk(pool, b->u.kid[i]);
	give_blk(pool, b);
}

void mems_idx_clear(struct mems_blk **root, struct mems_blkpool *pool)
{
	if (*root) clear_blk(pool, *root);
	*root = NULL;
}

/* ---- walking ---- */

bool mems_idx_first(const struct mems_blk *b, struct mems_pos *at)
{
	if (!b) return false;
	while (b->level) b = b->u.kid[0];
	at->b = (struct mems_blk *)b;
	at->i = 0;
	return true;
}

/* ---- checking ---- */

struct idx_walk {
	size_t max_entries, count, blocks;
	int bad;
	bool stop;
	bool have_key;
	size_t last_key;                          /* the previous leaf key */
	const struct mems_blk *last[IDX_MAX_LEVELS]; /* the previous block on each level */
	struct mm_sink *report;
};

static void idx_problem(struct idx_walk *w, const struct mems_blk *b, const char *what)
{
	w->bad++;
	if (w->report)
		mm_format(w->report, "mems index: block %p (level %u, %u entries): %s\n",
			  (const void *)b, (unsigned)b->level, (unsigned)b->n, what);
}

static void walk_leaf(struct idx_walk *w, const struct mems_blk *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		if (++w->count > w->max_entries) {
			idx_problem(w, b, "more entries than segments, or a cycle");
			w->stop = true;
			return;
		}
		if (w->have_key && b->key[i] <= w->last_key) idx_problem(w, b, "keys out of order");
		w->have_key = true;
		w->last_key = b->key[i];
		if (!b->u.seg[i]) idx_problem(w, b, "an entry without a segment");
	}
}

/* Check the block b, expected at level with the given parent. */
static void walk_blk(struct idx_walk *w, const struct mems_blk *b, const struct mems_blk *parent,
		     unsigned level)
{
	if (++w->blocks > 2 * w->max_entries + 2) {
		idx_problem(w, b, "more blocks than entries allow, or a cycle");
		w->stop = true;
		return;
	}
	if (b->parent != parent) idx_problem(w, b, "wrong parent link");
	if (b->level != level) {
		idx_problem(w, b, "wrong level");
		w->stop = true;
		return;
	}
	if (b->n == 0 || b->n > MEMS_FAN) {
		idx_problem(w, b, "entry count out of range");
		w->stop = true;
		return;
	}
	if (b->prev != w->last[level]) idx_problem(w, b, "wrong prev link on its level");
	if (w->last[level] && w->last[level]->next != b)
		idx_problem(w, b, "the block before it on its level does not link to it");
	w->last[level] = b;
	if (b->max != mems_idx_scan_max(b)) idx_problem(w, b, "largest-hole figure is wrong");
	if (!level) {
		walk_leaf(w, b);
		return;
	}
	for (unsigned i = 0; i < b->n && !w->stop; i++) {
		const struct mems_blk *k = b->u.kid[i];
		if (!k) {
			idx_problem(w, b, "a missing child");
			w->stop = true;
			return;
		}
		walk_blk(w, k, b, level - 1);
		if (w->stop) return;
		if (b->key[i] != k->key[0]) idx_problem(w, b, "separator differs from its child's first key");
		if (b->hole[i] != k->max) idx_problem(w, b, "child's largest hole differs from its figure");
	}
}

int mems_idx_check(const struct mems_blk *root, size_t max_entries, size_t *count,
		   struct mm_sink *report)
{
	struct idx_walk w;
	w.max_entries = max_entries;
	w.count = w.blocks = 0;
	w.bad = 0;
	w.stop = w.have_key = false;
	w.last_key = 0;
	w.report = report;
	for (unsigned l = 0; l < IDX_MAX_LEVELS; l++) w.last[l] = NULL;
	if (root) {
		if (root->level >= IDX_MAX_LEVELS) {
			idx_problem(&w, root, "too many levels");
		} else {
			walk_blk(&w, root, NULL, root->level);
			for (unsigned l = 0; !w.stop && l <= root->level; l++)
				if (w.last[l] && w.last[l]->next) idx_problem(&w, w.last[l], "a next link past the last block");
		}
	}
	if (count) *count = w.count;
	return w.bad;
}
