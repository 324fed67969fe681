/*
 * mems.c - MeMS: a heap of page mappings kept as a 2-D free list, with
 * first-fit allocation in list order (see mems.h for the contract).
 *
 * The main chain is a doubly linked list of nodes, each one mapping of whole
 * pages from the pager; a node's sub-chain is its PROCESS and HOLE segments,
 * which tile it in address order. MeMS addresses start at 1000 and run on
 * across the nodes, so list order is address order. Beside the list an
 * index answers the questions of malloc, free and get without walking it:
 *   - nodes, which are only ever appended, sit in an array in main-chain
 *     order, under a 16-way tournament tree of each node's largest hole
 *     (one descent, a vector compare a level, finds the first node with a
 *     hole big enough);
 *   - a table with an entry per MeMS page names the node of every page, so
 *     the node holding an address is one look-up;
 *   - each node keeps its own sub-chain (mems_index.h): the offsets of its
 *     segments and a bit mask of its holes in arrays inside the node (or in
 *     a block of their own past 64 segments), or, for a node of more than
 *     512 segments, an AVL tree of segment records augmented with the
 *     largest hole below.
 * malloc carves the PROCESS part off the front of the first hole that fits;
 * free turns a PROCESS segment into a hole merged with the holes beside it.
 * Either changes one node and, when that node's largest hole changes, the
 * tournament path above it. Every figure the stats print is kept as it
 * changes. free never allocates and cannot fail for lack of memory. Nodes
 * are never unmapped before mems_finish(), as in the original.
 */
#include "mems.h"
#include "mems_index.h"
#include "mm_env.h"
#include "mmlib.h"

#define MEMS_MAGIC 0x4d654d53u /* "MeMS" */
#define MEMS_JUNK 0xdb
static const char *const msg_ok = "success";
static const char *const msg_uninit = "MeMS is not initialised (run mems_init first)";
static const char *const msg_nometa = "no memory for MeMS bookkeeping";

static int set_err(struct mems *m, int err, const char *msg)
{
	m->last_err = err;
	m->last_msg = msg;
	return err;
}

/* Record a failure of a call that returns an address: the address is 0. */
static uint64_t fail0(struct mems *m, int err, const char *msg)
{
	set_err(m, err, msg);
	return 0;
}

static inline void set_ok(struct mems *m)
{
	m->last_err = 0;
	m->last_msg = msg_ok;
}

bool mems_ready(const struct mems *m)
{
	return m && m->magic == MEMS_MAGIC;
}

int mems_last_error(const struct mems *m)
{
	return m ? m->last_err : -MM_EINVAL;
}

const char *mems_last_message(const struct mems *m)
{
	if (!m) return msg_uninit;
	return m->last_msg ? m->last_msg : msg_ok;
}

/* ---- the node index ----
 *
 * nodes[] lists the nodes in main-chain order. tour[] is a tournament tree
 * over them with sixteen branches a level: each leaf holds the largest
 * hole of one node (in 31 bits, larger ones as 2^31 - 1; 0 past the last
 * node), each inner slot the largest of its sixteen children, so the slots
 * that one descent compares sit side by side in one cache line:
 *
 *     level 0 (16 slots):         [ a0 a1 ... a15 ]
 *     level 1 (256 slots):        [ children of a0 ][ children of a1 ] ...
 *     ...
 *     level h-1 (16^h leaves):    [ nodes 0..15 ][ nodes 16..31 ] ...
 *
 * Level l starts at slot (16^(l+1) - 16) / 15, so the next level starts at
 * 16 times this one's start plus 16. The first node with a hole of n bytes
 * is found by taking, at each level, the first of the sixteen slots that is
 * at least n (one vector compare). A leaf that changes replays the levels
 * above it as far as their winners change. Both arrays are blocks from
 * the metadata allocator: nodes[] doubles, tour[] grows a level when every
 * leaf is taken. pagemap[p] is the node holding MeMS addresses
 * 1000 + 4096 p .. 1000 + 4096 p + 4095 (nodes are whole pages).
 */

#define TOUR_FANOUT 16u

/* A node's largest hole as a tournament value (which the vector compares
 * take as signed: at most 2^31 - 1). */
#define TOUR_TOP 0x7fffffffu
static inline uint32_t tour_value(size_t maxhole)
{
	return maxhole > TOUR_TOP ? TOUR_TOP : (uint32_t)maxhole;
}

/* The first slot of level l (of the tree in tour[]). */
static inline size_t tour_level(unsigned l)
{
	size_t at = 0;
	while (l--) at = TOUR_FANOUT * at + TOUR_FANOUT;
	return at;
}

/* Slots of a tree of levels levels. */
static inline size_t tour_slots(unsigned levels)
{
	return tour_level(levels);
}

/* Node n's largest hole went from old to its maxhole: set its leaf and
 * replay the levels above it, as far as their winners change. */
static inline void tour_update(struct mems *m, const struct mems_node *n, size_t old)
{
	uint32_t *t = m->tour, was = tour_value(old), now = tour_value(n->maxhole);
	size_t at = m->tour_leaf, j = n->index;
	t[at + j] = now;
	for (unsigned l = m->tour_levels - 1; l > 0 && was != now; l--) {
		/* the parent of slot j of level l */
		size_t up = (at - TOUR_FANOUT) / TOUR_FANOUT, pj = j / TOUR_FANOUT;
		uint32_t p = t[up + pj], w;
		if (now > was) {
			if (p >= now) return; /* it already beats the new value */
			w = now;
		} else {
			if (p != was) return; /* its winner is another child */
			w = mems_max16(t + at + pj * TOUR_FANOUT);
		}
		t[up + pj] = w;
		was = p;
		now = w;
		at = up;
		j = pj;
	}
}

/* The first node (in main-chain order) with a hole of at least nbytes: one
 * descent, at each level the first slot that is big enough. */
static struct mems_node *tour_first_fit_big(const struct mems *m, size_t nbytes);
static inline struct mems_node *tour_first_fit(const struct mems *m, size_t nbytes)
{
	if (nbytes >= TOUR_TOP) return tour_first_fit_big(m, nbytes);
	const uint32_t *t = m->tour;
	uint32_t x = (uint32_t)nbytes;
	if (!t) return NULL;
	unsigned fits = mems_ge_mask16(t, x);
	if (!fits) return NULL;
	size_t j = (unsigned)__builtin_ctz(fits), at = 0;
	for (unsigned l = 1; l < m->tour_levels; l++) {
		at = TOUR_FANOUT * at + TOUR_FANOUT;
		fits = mems_ge_mask16(t + at + TOUR_FANOUT * j, x);
		MM_ASSERT(fits, "tournament slot %zu of level %u is larger than its children", j, l - 1);
		j = TOUR_FANOUT * j + (unsigned)__builtin_ctz(fits);
	}
	return m->nodes[j];
}

/* First fit of 2^31 - 1 bytes or more, which the tournament's values cannot
 * tell apart: a walk of the node array. */
static __attribute__((noinline)) struct mems_node *tour_first_fit_big(const struct mems *m,
								     size_t nbytes)
{
	for (size_t i = 0; i < m->nnodes; i++)
		if (m->nodes[i]->maxhole >= nbytes) return m->nodes[i];
	return NULL;
}

/* The node holding vaddr, or NULL. */
static inline struct mems_node *node_at(const struct mems *m, uint64_t vaddr)
{
	if (vaddr < MEMS_VADDR_BASE || vaddr >= m->end) return NULL;
	return m->pagemap[(size_t)((vaddr - MEMS_VADDR_BASE) / MEMS_PAGE_SIZE)];
}

/* Fill the inner levels of a tree of levels levels from its leaves. */
static void tour_build(uint32_t *t, unsigned levels)
{
	for (unsigned l = levels - 1; l > 0; l--) {
		size_t at = tour_level(l), up = tour_level(l - 1), count = tour_level(l + 1) - at;
		for (size_t g = 0; g < count / TOUR_FANOUT; g++) t[up + g] = mems_max16(t + at + TOUR_FANOUT * g);
	}
}

/* Make room for one more node: the node array doubles when full, the
 * tournament grows a level when all its leaves are taken. */
static int reserve_node_slot(struct mems *m)
{
	if (m->nnodes == m->nodes_cap) {
		size_t cap = m->nodes_cap ? 2 * m->nodes_cap : 16;
		if (cap > (size_t)-1 / sizeof(struct mems_node *)) return -MM_ENOMEM;
		struct mems_node **nodes = mm_alloc(&m->meta, cap * sizeof *nodes);
		if (!nodes) return -MM_ENOMEM;
		if (m->nnodes) mm_memcpy(nodes, m->nodes, m->nnodes * sizeof *nodes);
		mm_free(&m->meta, m->nodes);
		m->nodes = nodes;
		m->nodes_cap = cap;
	}
	size_t leaves = m->tour ? tour_level(m->tour_levels) - m->tour_leaf : 0;
	if (m->nnodes < leaves) return 0;
	unsigned levels = m->tour_levels + 1;
	if (levels > 7 || tour_slots(levels) > (size_t)-1 / sizeof(uint32_t)) return -MM_ENOMEM;
	uint32_t *t = mm_alloc(&m->meta, tour_slots(levels) * sizeof *t);
	if (!t) return -MM_ENOMEM;
	mm_memset(t, 0, tour_slots(levels) * sizeof *t);
	size_t at = tour_level(levels - 1);
	for (size_t i = 0; i < m->nnodes; i++) t[at + i] = tour_value(m->nodes[i]->maxhole);
	tour_build(t, levels);
	mm_free(&m->meta, m->tour);
	m->tour = t;
	m->tour_levels = levels;
	m->tour_leaf = at;
	return 0;
}

/* Make room in the page table for npages pages in all. */
static int reserve_pages(struct mems *m, uint64_t npages)
{
	if (npages <= m->pagemap_cap) return 0;
	uint64_t cap = m->pagemap_cap ? 2 * (uint64_t)m->pagemap_cap : 64;
	if (cap < npages) cap = npages;
	if (cap > (size_t)-1 / sizeof(struct mems_node *)) return -MM_ENOMEM;
	struct mems_node **pm = mm_alloc(&m->meta, (size_t)cap * sizeof *pm);
	if (!pm) return -MM_ENOMEM;
	if (m->npages) mm_memcpy(pm, m->pagemap, (size_t)m->npages * sizeof *pm);
	mm_free(&m->meta, m->pagemap);
	m->pagemap = pm;
	m->pagemap_cap = (size_t)cap;
	return 0;
}

/* ---- life cycle ---- */

int mems_init(struct mems *m, const struct mems_pager *pg, const struct mm_allocator *meta)
{
	if (!m) return -MM_EINVAL;
	if (m->magic == MEMS_MAGIC)
		return set_err(m, -MM_EEXIST, "MeMS is already initialised (mems_finish it first)");
	if (!pg || !pg->map || !pg->unmap || !pg->phys || !meta || !meta->alloc || !meta->free) {
		m->magic = 0;
		return set_err(m, -MM_EINVAL, "mems_init needs a pager and an allocator");
	}
	mm_memset(m, 0, sizeof *m);
	m->pager = *pg;
	m->meta = *meta;
	m->end = MEMS_VADDR_BASE;
	m->magic = MEMS_MAGIC;
	set_ok(m);
	return 0;
}

void mems_finish(struct mems *m)
{
	if (!mems_ready(m)) return;
	struct mems_node *n = m->head;
	while (n) {
		struct mems_node *next = n->next;
		m->pager.unmap(m->pager.ctx, n->kaddr, n->npages);
		mems_node_release(n, &m->meta);
		mm_memset(n, MEMS_JUNK, sizeof *n);
		mm_free(&m->meta, n);
		n = next;
	}
	mm_free(&m->meta, m->tour);
	mm_free(&m->meta, m->nodes);
	mm_free(&m->meta, m->pagemap);
	mm_memset(m, 0, sizeof *m);
	set_ok(m);
}

/* ---- malloc ---- */

/* Append a node of npages holding a PROCESS segment of nbytes first. */
static __attribute__((noinline)) uint64_t grow(struct mems *m, size_t nbytes, size_t npages)
{
	size_t node_bytes = npages * MEMS_PAGE_SIZE;
	if ((uint64_t)node_bytes > UINT64_MAX - m->end)
		return fail0(m, -MM_ENOMEM, "MeMS addresses would overflow");
	if (reserve_node_slot(m) < 0) return fail0(m, -MM_ENOMEM, msg_nometa);
	struct mems_node *n = mm_alloc(&m->meta, sizeof *n);
	if (!n) return fail0(m, -MM_ENOMEM, msg_nometa);
	void *kaddr = NULL;
	int rc = m->pager.map(m->pager.ctx, npages, &kaddr);
	if (rc < 0 || !kaddr) {
		mm_free(&m->meta, n);
		return fail0(m, -MM_ENOMEM, "the pager could not map the pages");
	}
	mm_memset(n, 0, sizeof *n);
	n->start = m->end;
	n->npages = npages;
	n->kaddr = kaddr;
	if (reserve_pages(m, m->npages + npages) < 0 ||
	    (mems_node_born_tree(npages) && mems_node_reserve(n, 2, &m->meta) < 0)) {
		mems_node_release(n, &m->meta);
		m->pager.unmap(m->pager.ctx, kaddr, npages);
		mm_free(&m->meta, n);
		return fail0(m, -MM_ENOMEM, msg_nometa);
	}
	mems_node_init(n, nbytes);
	n->prev = m->tail;
	if (m->tail) m->tail->next = n;
	else m->head = n;
	m->tail = n;
	n->index = (uint32_t)m->nnodes;
	m->nodes[m->nnodes++] = n;
	for (size_t p = 0; p < npages; p++) m->pagemap[m->npages + p] = n;
	m->npages += npages;
	m->end += node_bytes;
	m->nsegs += n->nsegs;
	m->hole_bytes += node_bytes; /* mems_malloc takes nbytes of it */
	tour_update(m, n, 0);
	return n->start;
}

/* Serve nbytes from the front of hole i of node n in array mode (the first
 * that fits, the largest hole before it before), which has room for the
 * split if there is one. */
static inline uint64_t arr_malloc(struct mems *m, struct mems_node *n, unsigned i, size_t nbytes,
				  size_t before)
{
	size_t len = mems_arr_len(n, i), old_max = n->maxhole;
	uint64_t v = n->start + n->off[i];
	m->nsegs += len > nbytes;
	mems_arr_use(n, i, nbytes, before);
	if (n->maxhole != old_max) tour_update(m, n, old_max);
	return v;
}

/* First fit in node n, in tree mode (a spare record reserved). */
static uint64_t tree_malloc(struct mems *m, struct mems_node *n, size_t nbytes)
{
	struct mems_seg *h = mems_tree_first_fit(n->root, nbytes);
	uint64_t v = h->start;
	if (h->nbytes > nbytes) {
		/* a new record before h is the PROCESS part; h stays a hole, in
		 * its place in address order, only shorter */
		struct mems_seg *p = mems_node_take_seg(n);
		p->start = v;
		p->nbytes = nbytes;
		p->kind = MEMS_PROCESS;
		h->start += nbytes;
		h->nbytes -= nbytes;
		mems_tree_update(h);
		p->next = h;
		p->prev = h->prev;
		if (p->prev) p->prev->next = p;
		else n->first = p;
		h->prev = p;
		mems_tree_insert(&n->root, p);
		n->nsegs++;
		m->nsegs++;
	} else {
		h->kind = MEMS_PROCESS;
		mems_tree_update(h);
	}
	size_t old_max = n->maxhole;
	n->maxhole = n->root->maxhole;
	if (n->maxhole != old_max) tour_update(m, n, old_max);
	return v;
}

/* malloc in node n when it is a tree or its arrays are full: the arrays
 * may have to widen or become a tree first, which may fail for memory. */
static __attribute__((noinline)) uint64_t malloc_big(struct mems *m, struct mems_node *n,
						      size_t nbytes)
{
	if (!mems_tree_mode(n)) {
		size_t before;
		unsigned i = mems_arr_first_fit(n, nbytes, &before);
		if (mems_arr_len(n, i) == nbytes) return arr_malloc(m, n, i, nbytes, before);
		/* the split needs one more segment than the arrays hold */
		if (n->cap < MEMS_ARRAY_MAX_SEGS) {
			if (mems_node_widen(n, &m->meta) < 0) return fail0(m, -MM_ENOMEM, msg_nometa);
			return arr_malloc(m, n, i, nbytes, before);
		}
		/* its records, and the split's */
		if (mems_node_reserve(n, n->nsegs + 1u, &m->meta) < 0)
			return fail0(m, -MM_ENOMEM, msg_nometa);
		mems_node_to_tree(n, &m->meta);
	}
	if (mems_node_reserve(n, 1, &m->meta) < 0) return fail0(m, -MM_ENOMEM, msg_nometa);
	return tree_malloc(m, n, nbytes);
}

/* Why mems_malloc refuses nbytes, or 0 if it does not. */
static __attribute__((noinline)) int malloc_refused(struct mems *m, size_t nbytes)
{
	if (!mems_ready(m)) return m ? set_err(m, -MM_EINVAL, msg_uninit) : -MM_EINVAL;
	if (nbytes == 0) return set_err(m, -MM_EINVAL, "cannot allocate 0 bytes");
	if (nbytes > (size_t)-1 - (MEMS_PAGE_SIZE - 1))
		return set_err(m, -MM_ENOMEM, "request larger than the address space");
	return 0;
}

uint64_t mems_malloc(struct mems *m, size_t nbytes)
{
	/* one test for all three refusals: not ready, 0 bytes, too many bytes */
	if (!mems_ready(m) || nbytes - 1 >= (size_t)-1 - (MEMS_PAGE_SIZE - 1)) {
		if (malloc_refused(m, nbytes) < 0) return 0;
	}
	set_ok(m);
	struct mems_node *n = tour_first_fit(m, nbytes);
	uint64_t v;
	if (!n) {
		v = grow(m, nbytes, (nbytes + MEMS_PAGE_SIZE - 1) / MEMS_PAGE_SIZE);
	} else if (n->nsegs < n->cap) {
		/* the common case: arrays with room for a split */
		size_t before;
		unsigned i = mems_arr_first_fit(n, nbytes, &before);
		v = arr_malloc(m, n, i, nbytes, before);
	} else {
		v = malloc_big(m, n, nbytes);
	}
	if (!v) return 0;
	m->hole_bytes -= nbytes;
	m->process_bytes += nbytes;
	m->nprocess++;
	return v;
}

/* ---- free ---- */

/* Why an address inside a segment of kind, but not the start of a PROCESS
 * segment, cannot be freed. */
static __attribute__((noinline)) int free_error(struct mems *m, unsigned kind)
{
	if (kind == MEMS_HOLE) return set_err(m, -MM_ENOENT, "address is in a hole (already free?)");
	return set_err(m, -MM_EINVAL, "address is inside a segment, not at its start");
}

/* Take record s out of the sub-chain and the tree of node n. */
static void tree_drop(struct mems *m, struct mems_node *n, struct mems_seg *s)
{
	if (s->prev) s->prev->next = s->next;
	else n->first = s->next;
	if (s->next) s->next->prev = s->prev;
	else n->last = s->prev;
	mems_tree_remove(&n->root, s);
	mems_node_give_seg(n, s);
	n->nsegs--;
	m->nsegs--;
}

/* Free the segment at vaddr of node n, in tree mode. */
static __attribute__((noinline)) int tree_free(struct mems *m, struct mems_node *n, uint64_t vaddr)
{
	struct mems_seg *s = mems_tree_floor(n->root, vaddr);
	if (s->kind != MEMS_PROCESS || s->start != vaddr) return free_error(m, s->kind);
	struct mems_seg *p = s->prev, *t = s->next;
	size_t nbytes = s->nbytes, old_max = n->maxhole;
	m->nprocess--;
	m->process_bytes -= nbytes;
	m->hole_bytes += nbytes;
	/* the hole that remains: p if it is a hole, else s; it keeps its start */
	struct mems_seg *h = p && p->kind == MEMS_HOLE ? p : s;
	size_t merged = h->nbytes + (h == p ? nbytes : 0);
	if (h == p) tree_drop(m, n, s);
	if (t && t->kind == MEMS_HOLE) {
		merged += t->nbytes;
		tree_drop(m, n, t);
	}
	h->kind = MEMS_HOLE;
	h->nbytes = merged;
	mems_tree_update(h);
	n->maxhole = n->root->maxhole;
	if (n->nsegs <= MEMS_INLINE_SEGS / 2 && !mems_node_born_tree(n->npages))
		mems_node_to_array(n, &m->meta);
	if (n->maxhole != old_max) tour_update(m, n, old_max);
	set_ok(m);
	return 0;
}

int mems_free(struct mems *m, uint64_t vaddr)
{
	if (!mems_ready(m)) return m ? set_err(m, -MM_EINVAL, msg_uninit) : -MM_EINVAL;
	struct mems_node *n = node_at(m, vaddr);
	if (!n) return set_err(m, -MM_EFAULT, "address is not inside MeMS memory");
	if (mems_tree_mode(n)) return tree_free(m, n, vaddr);
	size_t off = (size_t)(vaddr - n->start), old_max = n->maxhole;
	unsigned i = mems_arr_floor(n, off);
	bool hole = mems_arr_hole(n, i);
	if (hole || n->off[i] != off) return free_error(m, hole ? MEMS_HOLE : MEMS_PROCESS);
	size_t nbytes = mems_arr_len(n, i);
	unsigned k = n->nsegs;
	mems_arr_release(n, i);
	m->nsegs -= k - n->nsegs;
	m->nprocess--;
	m->process_bytes -= nbytes;
	m->hole_bytes += nbytes;
	if (n->ext && n->nsegs <= MEMS_INLINE_SEGS / 2) mems_node_narrow(n, &m->meta);
	if (n->maxhole != old_max) tour_update(m, n, old_max);
	set_ok(m);
	return 0;
}

/* ---- get ---- */

void *mems_get(struct mems *m, uint64_t vaddr)
{
	if (!mems_ready(m)) {
		if (m) set_err(m, -MM_EINVAL, msg_uninit);
		return NULL;
	}
	/* inside a node and not in a hole: inside a PROCESS segment */
	struct mems_node *n = node_at(m, vaddr);
	bool in = false;
	if (n) {
		if (mems_tree_mode(n)) in = mems_tree_floor(n->root, vaddr)->kind == MEMS_PROCESS;
		else in = !mems_arr_hole(n, mems_arr_floor(n, (size_t)(vaddr - n->start)));
	}
	if (!in) {
		set_err(m, -MM_EFAULT, "address is not inside an allocated segment");
		return NULL;
	}
	set_ok(m);
	return (char *)n->kaddr + (size_t)(vaddr - n->start);
}

int mems_phys(struct mems *m, uint64_t vaddr, paddr_t *pa)
{
	void *k = mems_get(m, vaddr);
	if (!k) return m ? m->last_err : -MM_EINVAL;
	*pa = m->pager.phys(m->pager.ctx, k);
	return 0;
}

/* ---- walking the segments ---- */

/* Call fn for each segment of node n in order until it returns nonzero. */
static int node_segments(const struct mems_node *n, size_t index,
			 int (*fn)(void *ctx, const struct mems_seg_info *si), void *ctx)
{
	struct mems_seg_info si = { 0, 0, false, index, n->start, n->npages, NULL };
	if (mems_tree_mode(n)) {
		for (const struct mems_seg *s = n->first; s; s = s->next) {
			si.start = s->start;
			si.nbytes = s->nbytes;
			si.process = s->kind == MEMS_PROCESS;
			si.kaddr = (char *)n->kaddr + (size_t)(s->start - n->start);
			int rc = fn(ctx, &si);
			if (rc) return rc;
		}
		return 0;
	}
	for (unsigned i = 0; i < n->nsegs; i++) {
		si.start = n->start + n->off[i];
		si.nbytes = mems_arr_len(n, i);
		si.process = !mems_arr_hole(n, i);
		si.kaddr = (char *)n->kaddr + n->off[i];
		int rc = fn(ctx, &si);
		if (rc) return rc;
	}
	return 0;
}

int mems_for_each_segment(const struct mems *m,
			  int (*fn)(void *ctx, const struct mems_seg_info *si), void *ctx)
{
	if (!mems_ready(m)) return 0;
	size_t i = 0;
	for (const struct mems_node *n = m->head; n; n = n->next, i++) {
		int rc = node_segments(n, i, fn, ctx);
		if (rc) return rc;
	}
	return 0;
}

/* ---- stats ---- */

static int print_seg(void *ctx, const struct mems_seg_info *si)
{
	mm_format(ctx, "%c[%llu:%llu] <-> ", si->process ? 'P' : 'H', (unsigned long long)si->start,
		  (unsigned long long)(si->start + si->nbytes - 1));
	return 0;
}

void mems_print_stats(struct mems *m, struct mm_sink *out)
{
	if (!mems_ready(m)) {
		if (m) set_err(m, -MM_EINVAL, msg_uninit);
		return;
	}
	mm_format(out, "----- MeMS SYSTEM STATS -----\n");
	for (const struct mems_node *n = m->head; n; n = n->next) {
		mm_format(out, "MAIN[%llu:%llu]-> ", (unsigned long long)n->start,
			  (unsigned long long)(n->start + mems_node_bytes(n) - 1));
		node_segments(n, n->index, print_seg, out);
		mm_format(out, "NULL\n");
	}
	mm_format(out, "Pages used:\t%llu\n", (unsigned long long)m->npages);
	mm_format(out, "Space unsued:\t%llu\n", (unsigned long long)m->hole_bytes);
	mm_format(out, "Main Chain Length:\t%zu\n", m->nnodes);
	mm_format(out, "Sub-chain Length array: [");
	for (const struct mems_node *n = m->head; n; n = n->next)
		mm_format(out, "%zu, ", (size_t)n->nsegs);
	mm_format(out, "]\n");
	mm_format(out, "-----------------------------\n");
	set_ok(m);
}

void mems_get_stats(const struct mems *m, struct mems_stats *st)
{
	mm_memset(st, 0, sizeof *st);
	if (!mems_ready(m)) return;
	st->npages = m->npages;
	st->hole_bytes = m->hole_bytes;
	st->process_bytes = m->process_bytes;
	st->nnodes = m->nnodes;
	st->nsegs = m->nsegs;
	st->nprocess = m->nprocess;
	st->end = m->end;
}

/* ---- check ---- */

struct check {
	struct mm_sink *report;
	int bad;
};

static void problem(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct check *c, const char *fmt, ...)
{
	c->bad++;
	if (!c->report) return;
	va_list ap;
	va_start(ap, fmt);
	mm_format(c->report, "mems: ");
	mm_vformat(c->report, fmt, ap);
	mm_format(c->report, "\n");
	va_end(ap);
}

/* The main chain, each node's sub-chain, and the counters. */
static void check_chain(struct check *c, const struct mems *m)
{
	const struct mems_node *prev = NULL;
	uint64_t at = MEMS_VADDR_BASE, npages = 0;
	size_t count = 0;
	struct mems_tally t = { 0, 0, 0, 0 };
	for (const struct mems_node *n = m->head; n; prev = n, n = n->next) {
		if (++count > m->nnodes) {
			problem(c, "more nodes in the main chain than the count %zu", m->nnodes);
			return;
		}
		unsigned long long a = n->start;
		if (n->prev != prev) problem(c, "node %llu has a wrong prev link", a);
		if (n->start != at) problem(c, "node %llu should start at %llu", a, (unsigned long long)at);
		if (n->npages == 0 || n->npages > (size_t)-1 / MEMS_PAGE_SIZE)
			problem(c, "node %llu has %zu pages", a, n->npages);
		if (!n->kaddr) problem(c, "node %llu has no memory", a);
		if (c->bad) return;
		c->bad += mems_node_check(n, &t, c->report);
		at = n->start + mems_node_bytes(n);
		npages += n->npages;
	}
	if (m->tail != prev) problem(c, "the main chain's tail pointer is wrong");
	if (count != m->nnodes) problem(c, "%zu nodes, count says %zu", count, m->nnodes);
	if (at != m->end) problem(c, "nodes end at %llu, end says %llu",
				  (unsigned long long)at, (unsigned long long)m->end);
	if (npages != m->npages) problem(c, "%llu pages, count says %llu",
					 (unsigned long long)npages, (unsigned long long)m->npages);
	if (t.nsegs != m->nsegs) problem(c, "%zu segments, count says %zu", t.nsegs, m->nsegs);
	if (t.hole_bytes != m->hole_bytes) problem(c, "holes hold %llu bytes, count says %llu",
						   (unsigned long long)t.hole_bytes,
						   (unsigned long long)m->hole_bytes);
	if (t.nprocess != m->nprocess || t.process_bytes != m->process_bytes)
		problem(c, "%zu PROCESS segments of %llu bytes, counts say %zu of %llu", t.nprocess,
			(unsigned long long)t.process_bytes, m->nprocess,
			(unsigned long long)m->process_bytes);
}

/* The node array and the page table must list the chain, and the
 * tournament tree must hold each node's largest hole at its leaf and the
 * largest child in every inner slot. */
static void check_node_index(struct check *c, const struct mems *m)
{
	if (m->nnodes > m->nodes_cap || (m->nnodes && !m->tour) || m->tour_levels > 7) {
		problem(c, "%zu nodes in an array of %zu and a tournament of %u levels", m->nnodes,
			m->nodes_cap, m->tour_levels);
		return;
	}
	if (m->npages > m->pagemap_cap) {
		problem(c, "%llu pages in a page table of %zu", (unsigned long long)m->npages,
			m->pagemap_cap);
		return;
	}
	if (!m->tour) return;
	size_t at = tour_level(m->tour_levels - 1), leaves = tour_level(m->tour_levels) - at;
	if (m->tour_leaf != at) {
		problem(c, "the tournament's leaves start at slot %zu, not %zu", m->tour_leaf, at);
		return;
	}
	if (m->nnodes > leaves) {
		problem(c, "%zu nodes in a tournament of %zu leaves", m->nnodes, leaves);
		return;
	}
	size_t i = 0, page = 0;
	for (const struct mems_node *n = m->head; n; n = n->next, i++) {
		if (n->index != i || m->nodes[i] != n)
			problem(c, "node %llu is not slot %zu of the node array",
				(unsigned long long)n->start, i);
		if (m->tour[at + i] != tour_value(n->maxhole))
			problem(c, "node %llu: the tournament says its largest hole is %u, not %zu",
				(unsigned long long)n->start, m->tour[at + i], n->maxhole);
		for (size_t p = 0; p < n->npages; p++, page++)
			if (m->pagemap[page] != n) {
				problem(c, "page %zu of node %llu is not the node's in the page table", p,
					(unsigned long long)n->start);
				break;
			}
	}
	for (; i < leaves; i++)
		if (m->tour[at + i]) {
			problem(c, "empty tournament leaf %zu holds a hole", i);
			break;
		}
	for (unsigned l = m->tour_levels - 1; l > 0; l--) {
		size_t lat = tour_level(l), up = tour_level(l - 1), count = (tour_level(l + 1) - lat) / TOUR_FANOUT;
		for (size_t g = 0; g < count; g++)
			if (m->tour[up + g] != mems_max16(m->tour + lat + TOUR_FANOUT * g)) {
				problem(c, "tournament slot %zu of level %u is not the largest of its children", g,
					l - 1);
				return;
			}
	}
}

int mems_check(struct mems *m, struct mm_sink *report)
{
	struct check c = { report, 0 };
	if (!mems_ready(m)) {
		problem(&c, "not initialised");
		return -MM_EINVAL;
	}
	if (m->head && m->head->prev) problem(&c, "the first node has a prev link");
	if (!m->head && m->tail) problem(&c, "empty main chain but a tail");
	if (!c.bad) check_chain(&c, m);
	if (!c.bad) check_node_index(&c, m);
	return c.bad ? -MM_EINVAL : 0;
}

/* ---- the official example ---- */

static int example_fail(struct mems *m, struct mm_sink *out)
{
	int err = m->last_err ? m->last_err : -MM_EINVAL;
	mm_format(out, "mems example: %s\n", mems_last_message(m));
	mems_finish(m);
	return err;
}

int mems_run_example(struct mems *m, struct mm_sink *out)
{
	uint64_t ptr[10];
	int32_t v;
	if (!mems_ready(m)) {
		set_err(m, -MM_EINVAL, msg_uninit);
		return example_fail(m, out);
	}
	if (m->head) {
		set_err(m, -MM_EEXIST, "the example needs an empty MeMS instance");
		return example_fail(m, out);
	}
	mm_format(out, "\n------- Allocated virtual addresses [mems_malloc] -------\n");
	for (int i = 0; i < 10; i++) {
		ptr[i] = mems_malloc(m, sizeof(int32_t) * 250);
		if (!ptr[i]) return example_fail(m, out);
		mm_format(out, "Virtual address: %llu\n", (unsigned long long)ptr[i]);
	}

	mm_format(out, "\n------ Assigning value to Virtual address [mems_get] -----\n");
	char *phy1 = mems_get(m, ptr[0] + sizeof(int32_t)); /* &ptr[0][1] */
	v = 200;
	mm_memcpy(phy1, &v, sizeof v);
	char *phy0 = mems_get(m, ptr[0]);
	paddr_t pa = m->pager.phys(m->pager.ctx, phy0);
	mm_format(out, "Virtual address: %llu\tPhysical Address: %llu\n",
		  (unsigned long long)ptr[0], (unsigned long long)paddr_u32(pa));
	mm_memcpy(&v, phy0 + sizeof(int32_t), sizeof v);
	mm_format(out, "Value written: %d\n", (int)v);

	mm_format(out, "\n--------- Printing Stats [mems_print_stats] --------\n");
	mems_print_stats(m, out);

	mm_format(out, "\n--------- Freeing up the memory [mems_free] --------\n");
	if (mems_free(m, ptr[3]) < 0) return example_fail(m, out);
	mems_print_stats(m, out);
	ptr[3] = mems_malloc(m, sizeof(int32_t) * 250);
	if (!ptr[3]) return example_fail(m, out);
	mems_print_stats(m, out);

	mm_format(out, "\n--------- Unmapping all memory [mems_finish] --------\n\n");
	mems_finish(m);
	return 0;
}
