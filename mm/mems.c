/*
 * mems.c - MeMS: a heap of page mappings kept as a 2-D free list, with
 * first-fit allocation in list order (see mems.h for the contract).
 *
 * The main chain is a doubly linked list of nodes, each one mapping of whole
 * pages from the pager; a node's sub-chain is a doubly linked list of
 * PROCESS and HOLE segments that tile it. MeMS addresses start at 1000 and
 * run on across the nodes, so list order is address order.
 *
 * The index has two levels, so that a lookup touches few cache lines:
 *   - nodes, which are only ever appended, sit in arrays: their start
 *     addresses (binary search finds the node holding an address) and a
 *     tournament tree of each node's largest hole (a descent finds the first
 *     node with a hole big enough);
 *   - each node's segments are also the entries of a small B+ tree keyed by
 *     offset, every block augmented with the largest hole below it
 *     (mems_index.c); a node of up to MEMS_FAN segments is a single block.
 * First fit, the segment at an address, and every split or merge cost
 * O(log n), and in the common case a binary search or a scan in one block
 * plus a short walk up the tournament. Segment records are carved from
 * blocks taken from the metadata allocator and recycled on a spare list;
 * index blocks are recycled likewise; all go back at mems_finish(). Nodes are
 * never unmapped before mems_finish(), as in the original.
 */
#include "mems.h"
#include "mems_index.h"
#include "mm_env.h"
#include "mmlib.h"

#define MEMS_MAGIC 0x4d654d53u /* "MeMS" */
#define MEMS_JUNK 0xdb
/* Records per block: a block fits in 2 KiB, a size small allocators serve
 * without waste (kmalloc's largest slab class). */
#define MEMS_CHUNK_BYTES 2048u
#define MEMS_CHUNK_SEGS ((MEMS_CHUNK_BYTES - sizeof(void *)) / sizeof(struct mems_seg))

struct mems_chunk {
	struct mems_chunk *next;
	struct mems_seg segs[MEMS_CHUNK_SEGS];
};

static const char *const msg_ok = "success";
static const char *const msg_uninit = "MeMS is not initialised (run mems_init first)";

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

/* ---- segment records ---- */

static int refill_spares(struct mems *m)
{
	struct mems_chunk *c = mm_alloc(&m->meta, sizeof *c);
	if (!c) return -MM_ENOMEM;
	c->next = m->chunks;
	m->chunks = c;
	for (size_t i = MEMS_CHUNK_SEGS; i-- > 0;) {
		c->segs[i].next = m->spare;
		m->spare = &c->segs[i];
	}
	m->nspare += MEMS_CHUNK_SEGS;
	return 0;
}

static int reserve_blocks(struct mems *m, size_t need)
{
	while (m->blocks.nspare < need) {
		struct mems_blk *b = mm_alloc(&m->meta, sizeof *b);
		if (!b) return -MM_ENOMEM;
		b->parent = m->blocks.spare;
		m->blocks.spare = b;
		m->blocks.nspare++;
	}
	return 0;
}

/* Make sure the records and index blocks a change needs are ready, so that
 * it cannot fail halfway. */
static int reserve(struct mems *m, size_t nsegs, size_t nblocks)
{
	if (m->nspare < nsegs && refill_spares(m) < 0) return -MM_ENOMEM;
	return reserve_blocks(m, nblocks);
}

static struct mems_seg *take_seg(struct mems *m, uint64_t start, size_t nbytes,
				 enum mems_kind kind)
{
	struct mems_seg *s = m->spare;
	MM_ASSERT(s != NULL, "no reserved segment record");
	m->spare = s->next;
	m->nspare--;
	s->start = start;
	s->nbytes = nbytes;
	s->kind = (uint8_t)kind;
	return s;
}

/* Recycle s, poisoned so that a stale pointer to it fails mems_check. */
static void give_seg(struct mems *m, struct mems_seg *s)
{
	s->kind = MEMS_JUNK;
	s->prev = NULL;
	s->next = m->spare;
	m->spare = s;
	m->nspare++;
}

/* ---- sub-chain links ---- */

static void link_after(struct mems_node *node, struct mems_seg *pos, struct mems_seg *s)
{
	s->prev = pos;
	s->next = pos ? pos->next : NULL;
	if (s->next) s->next->prev = s;
	else node->last = s;
	if (pos) pos->next = s;
	else node->first = s;
	node->nsegs++;
}

static void unlink_seg(struct mems_node *node, struct mems_seg *s)
{
	if (s->prev) s->prev->next = s->next;
	else node->first = s->next;
	if (s->next) s->next->prev = s->prev;
	else node->last = s->prev;
	node->nsegs--;
}

/* ---- the node index ----
 *
 * nodes[] and starts[] list the nodes in main-chain order. tour[] is a
 * tournament tree over them laid out as a binary heap: leaf i, tour[cap + i],
 * holds the largest hole of node i (0 past the last node), each inner slot
 * the larger of its two children, and tour[1] the largest hole of all:
 *
 *                     tour[1]
 *                 /             \
 *            tour[2]           tour[3]
 *            /     \           /     \
 *      tour[cap] tour[cap+1] tour[cap+2] tour[cap+3]   (cap = 4)
 *
 * The three arrays share one block from the metadata allocator, which
 * starts[] begins; it doubles when full.
 */

static inline size_t node_maxhole(const struct mems_node *n)
{
	return n->root ? n->root->max : 0;
}

static inline size_t max2(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Node n's largest hole may have changed: replay the matches above it. */
static void tour_update(struct mems *m, const struct mems_node *n)
{
	size_t i = m->cap + n->index;
	m->tour[i] = node_maxhole(n);
	for (i >>= 1; i; i >>= 1) {
		size_t v = max2(m->tour[2 * i], m->tour[2 * i + 1]);
		if (m->tour[i] == v) break;
		m->tour[i] = v;
	}
}

/* The first node (in main-chain order) with a hole of at least nbytes. */
static struct mems_node *tour_first_fit(const struct mems *m, size_t nbytes)
{
	if (!m->cap || m->tour[1] < nbytes) return NULL;
	size_t i = 1;
	while (i < m->cap) i = 2 * i + (m->tour[2 * i] < nbytes);
	return m->nodes[i - m->cap];
}

/* The node holding vaddr, or NULL. */
static struct mems_node *node_at(const struct mems *m, uint64_t vaddr)
{
	if (vaddr < MEMS_VADDR_BASE || vaddr >= m->end) return NULL;
	/* the last node starting at or below vaddr (starts[0] is 1000) */
	const uint64_t *st = m->starts;
	size_t base = 0, len = m->nnodes;
	while (len > 1) {
		size_t half = len / 2;
		base = st[base + half] <= vaddr ? base + half : base;
		len -= half;
	}
	return m->nodes[base];
}

/* Make room for one more node, doubling the arrays if they are full. */
static int reserve_node_slot(struct mems *m)
{
	if (m->nnodes < m->cap) return 0;
	size_t cap = m->cap ? 2 * m->cap : 8;
	size_t per = sizeof(uint64_t) + 2 * sizeof(size_t) + sizeof(struct mems_node *);
	if (cap > (size_t)-1 / per) return -MM_ENOMEM;
	uint64_t *starts = mm_alloc(&m->meta, cap * per);
	if (!starts) return -MM_ENOMEM;
	size_t *tour = (size_t *)(starts + cap);
	struct mems_node **nodes = (struct mems_node **)(tour + 2 * cap);
	mm_memset(tour, 0, 2 * cap * sizeof *tour);
	for (size_t i = 0; i < m->nnodes; i++) {
		starts[i] = m->starts[i];
		nodes[i] = m->nodes[i];
		tour[cap + i] = node_maxhole(nodes[i]);
	}
	for (size_t i = cap - 1; i >= 1; i--) tour[i] = max2(tour[2 * i], tour[2 * i + 1]);
	mm_free(&m->meta, m->starts);
	m->starts = starts;
	m->tour = tour;
	m->nodes = nodes;
	m->cap = cap;
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
		mems_idx_clear(&n->root, &m->blocks);
		mm_memset(n, MEMS_JUNK, sizeof *n);
		mm_free(&m->meta, n);
		n = next;
	}
	while (m->blocks.spare) {
		struct mems_blk *b = m->blocks.spare;
		m->blocks.spare = b->parent;
		mm_free(&m->meta, b);
	}
	struct mems_chunk *c = m->chunks;
	while (c) {
		struct mems_chunk *next = c->next;
		mm_free(&m->meta, c);
		c = next;
	}
	mm_free(&m->meta, m->starts); /* the block of the node arrays */
	mm_memset(m, 0, sizeof *m);
	set_ok(m);
}

/* ---- malloc ---- */

/* Turn the hole at (in node n) into a PROCESS segment of nbytes, the rest
 * staying a hole after it. */
static uint64_t use_hole(struct mems *m, struct mems_node *n, struct mems_pos at, size_t nbytes)
{
	struct mems_seg *h = at.b->u.seg[at.i];
	size_t rest = h->nbytes - nbytes;
	h->kind = MEMS_PROCESS;
	h->nbytes = nbytes;
	if (rest) {
		struct mems_seg *r = take_seg(m, h->start + nbytes, rest, MEMS_HOLE);
		link_after(n, h, r);
		mems_idx_split(&n->root, &m->blocks, at, nbytes, r);
		m->nsegs++;
	} else {
		mems_idx_set(at, 0);
	}
	tour_update(m, n);
	m->hole_bytes -= nbytes;
	m->process_bytes += nbytes;
	m->nprocess++;
	return h->start;
}

/* Append a node of npages holding a PROCESS segment of nbytes first. */
static uint64_t grow(struct mems *m, size_t nbytes, size_t npages)
{
	size_t node_bytes = npages * MEMS_PAGE_SIZE;
	if ((uint64_t)node_bytes > UINT64_MAX - m->end)
		return fail0(m, -MM_ENOMEM, "MeMS addresses would overflow");
	if (reserve_node_slot(m) < 0 || reserve(m, 2, 1) < 0)
		return fail0(m, -MM_ENOMEM, "no memory for MeMS bookkeeping");
	struct mems_node *n = mm_alloc(&m->meta, sizeof *n);
	if (!n) return fail0(m, -MM_ENOMEM, "no memory for MeMS bookkeeping");
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
	n->prev = m->tail;
	if (m->tail) m->tail->next = n;
	else m->head = n;
	m->tail = n;
	n->index = m->nnodes++;
	m->nodes[n->index] = n;
	m->starts[n->index] = n->start;
	m->npages += npages;
	m->end += node_bytes;

	struct mems_seg *p = take_seg(m, n->start, nbytes, MEMS_PROCESS);
	link_after(n, NULL, p);
	mems_idx_new(&n->root, &m->blocks, 0, 0, p);
	m->nsegs++;
	m->nprocess++;
	m->process_bytes += nbytes;
	if (node_bytes > nbytes) {
		struct mems_seg *h = take_seg(m, n->start + nbytes, node_bytes - nbytes, MEMS_HOLE);
		struct mems_pos first = { n->root, 0 };
		link_after(n, p, h);
		mems_idx_insert_after(&n->root, &m->blocks, first, nbytes, h->nbytes, h);
		m->nsegs++;
		m->hole_bytes += h->nbytes;
	}
	tour_update(m, n);
	return p->start;
}

uint64_t mems_malloc(struct mems *m, size_t nbytes)
{
	if (!mems_ready(m)) return m ? fail0(m, -MM_EINVAL, msg_uninit) : 0;
	if (nbytes == 0) return fail0(m, -MM_EINVAL, "cannot allocate 0 bytes");
	if (nbytes > (size_t)-1 - (MEMS_PAGE_SIZE - 1))
		return fail0(m, -MM_ENOMEM, "request larger than the address space");
	set_ok(m);
	struct mems_node *n = tour_first_fit(m, nbytes);
	if (!n) return grow(m, nbytes, (nbytes + MEMS_PAGE_SIZE - 1) / MEMS_PAGE_SIZE);
	if (reserve(m, 1, mems_idx_insert_need(n->root)) < 0)
		return fail0(m, -MM_ENOMEM, "no memory for MeMS bookkeeping");
	struct mems_pos at;
	bool found = mems_idx_first_fit(n->root, nbytes, &at);
	MM_ASSERT(found, "node %llu lists a hole of %zu bytes it lacks",
		  (unsigned long long)n->start, node_maxhole(n));
	return use_hole(m, n, at, nbytes);
}

/* ---- free ---- */

/* The entry of the segment containing vaddr, in *n's index; false if vaddr is
 * outside every node. */
static bool entry_at(struct mems *m, uint64_t vaddr, struct mems_node **n, struct mems_pos *at)
{
	*n = node_at(m, vaddr);
	if (!*n) return false;
	return mems_idx_floor((*n)->root, (size_t)(vaddr - (*n)->start), at);
}

static inline struct mems_seg *seg_of(struct mems_pos at)
{
	return at.b->u.seg[at.i];
}

/* s (a hole) absorbs the hole t right after it in node n (the list only). */
static void absorb_next(struct mems *m, struct mems_node *n, struct mems_seg *s, struct mems_seg *t)
{
	s->nbytes += t->nbytes;
	unlink_seg(n, t);
	give_seg(m, t);
	m->nsegs--;
}

/* Make the PROCESS segment at a hole, merged with the holes beside it. */
static void release(struct mems *m, struct mems_node *n, struct mems_pos at)
{
	struct mems_seg *s = seg_of(at);
	struct mems_pos next = at, prev = at;
	bool next_hole = mems_idx_next(&next) && next.b->hole[next.i];
	bool prev_hole = mems_idx_prev(&prev) && prev.b->hole[prev.i];
	s->kind = MEMS_HOLE;
	m->nprocess--;
	m->process_bytes -= s->nbytes;
	m->hole_bytes += s->nbytes;
	if (!next_hole && !prev_hole) {
		mems_idx_set(at, s->nbytes);
	} else if (!prev_hole) {
		absorb_next(m, n, s, seg_of(next));
		mems_idx_set(at, s->nbytes);
		mems_idx_remove(&n->root, &m->blocks, next);
	} else {
		struct mems_seg *p = s->prev;
		size_t next_key = next.b->key[next.i];
		if (next_hole) absorb_next(m, n, s, seg_of(next));
		absorb_next(m, n, p, s);
		mems_idx_set(prev, p->nbytes);
		mems_idx_remove(&n->root, &m->blocks, at);
		if (next_hole) {
			/* the removal may have moved entries: find the next one again */
			bool found = mems_idx_floor(n->root, next_key, &next);
			MM_ASSERT(found && next.b->key[next.i] == next_key, "lost the hole at %zu", next_key);
			mems_idx_remove(&n->root, &m->blocks, next);
		}
	}
	tour_update(m, n);
}

int mems_free(struct mems *m, uint64_t vaddr)
{
	if (!mems_ready(m)) return m ? set_err(m, -MM_EINVAL, msg_uninit) : -MM_EINVAL;
	struct mems_node *n;
	struct mems_pos at;
	if (!entry_at(m, vaddr, &n, &at))
		return set_err(m, -MM_EFAULT, "address is not inside MeMS memory");
	struct mems_seg *s = seg_of(at);
	if (vaddr - s->start >= s->nbytes)
		return set_err(m, -MM_EFAULT, "address is not inside MeMS memory");
	if (s->kind == MEMS_HOLE)
		return set_err(m, -MM_ENOENT, "address is in a hole (already free?)");
	if (s->start != vaddr)
		return set_err(m, -MM_EINVAL, "address is inside a segment, not at its start");
	release(m, n, at);
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
	struct mems_node *n;
	struct mems_pos at;
	struct mems_seg *s = entry_at(m, vaddr, &n, &at) ? seg_of(at) : NULL;
	if (!s || s->kind != MEMS_PROCESS || vaddr - s->start >= s->nbytes) {
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

/* ---- stats ---- */

static void print_node(struct mm_sink *out, const struct mems_node *n)
{
	mm_format(out, "MAIN[%llu:%llu]-> ", (unsigned long long)n->start,
		  (unsigned long long)(n->start + (uint64_t)n->npages * MEMS_PAGE_SIZE - 1));
	for (const struct mems_seg *s = n->first; s; s = s->next)
		mm_format(out, "%c[%llu:%llu] <-> ", s->kind == MEMS_PROCESS ? 'P' : 'H',
			  (unsigned long long)s->start,
			  (unsigned long long)(s->start + s->nbytes - 1));
	mm_format(out, "NULL\n");
}

void mems_print_stats(struct mems *m, struct mm_sink *out)
{
	if (!mems_ready(m)) {
		if (m) set_err(m, -MM_EINVAL, msg_uninit);
		return;
	}
	mm_format(out, "----- MeMS SYSTEM STATS -----\n");
	for (const struct mems_node *n = m->head; n; n = n->next) print_node(out, n);
	mm_format(out, "Pages used:\t%llu\n", (unsigned long long)m->npages);
	mm_format(out, "Space unsued:\t%llu\n", (unsigned long long)m->hole_bytes);
	mm_format(out, "Main Chain Length:\t%zu\n", m->nnodes);
	mm_format(out, "Sub-chain Length array: [");
	for (const struct mems_node *n = m->head; n; n = n->next) mm_format(out, "%zu, ", n->nsegs);
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

int mems_for_each_segment(const struct mems *m,
			  int (*fn)(void *ctx, const struct mems_seg_info *si), void *ctx)
{
	if (!mems_ready(m)) return 0;
	size_t i = 0;
	for (const struct mems_node *n = m->head; n; n = n->next, i++) {
		for (const struct mems_seg *s = n->first; s; s = s->next) {
			struct mems_seg_info si = {
				s->start, s->nbytes, s->kind == MEMS_PROCESS, i, n->start,
				n->npages, (char *)n->kaddr + (size_t)(s->start - n->start),
			};
			int rc = fn(ctx, &si);
			if (rc) return rc;
		}
	}
	return 0;
}

/* ---- check ---- */

struct check {
	struct mm_sink *report;
	int bad;
	size_t segs_seen;
	uint64_t holes, procs_bytes;
	size_t procs;
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

/* Check one segment s, following prev, expected at start. */
static void check_seg(struct check *c, const struct mems_seg *s, const struct mems_seg *prev,
		      uint64_t start)
{
	unsigned long long a = s->start;
	if (s->prev != prev) problem(c, "segment %llu has a wrong prev link", a);
	if (s->start != start) problem(c, "segment %llu should start at %llu", a, (unsigned long long)start);
	if (s->nbytes == 0) problem(c, "segment %llu is empty", a);
	if (s->kind == MEMS_HOLE) {
		c->holes += s->nbytes;
		if (prev && prev->kind == MEMS_HOLE) problem(c, "holes at %llu and before are not merged", a);
	} else if (s->kind == MEMS_PROCESS) {
		c->procs++;
		c->procs_bytes += s->nbytes;
	} else {
		problem(c, "segment %llu has kind %u", a, s->kind);
	}
}

/* Check node n's sub-chain; returns false if walking further is unsafe. */
static bool check_node(struct check *c, const struct mems *m, const struct mems_node *n)
{
	uint64_t end = n->start + (uint64_t)n->npages * MEMS_PAGE_SIZE;
	const struct mems_seg *prev = NULL;
	uint64_t at = n->start;
	size_t count = 0;
	if (n->npages == 0) problem(c, "node %llu has no pages", (unsigned long long)n->start);
	if (!n->kaddr) problem(c, "node %llu has no memory", (unsigned long long)n->start);
	if (!n->first) problem(c, "node %llu has an empty sub-chain", (unsigned long long)n->start);
	for (const struct mems_seg *s = n->first; s; prev = s, s = s->next) {
		if (++c->segs_seen > m->nsegs) {
			problem(c, "more segments in the list than the count %zu", m->nsegs);
			return false;
		}
		check_seg(c, s, prev, at);
		at = s->start + s->nbytes;
		count++;
	}
	if (n->last != prev) problem(c, "node %llu: wrong last segment", (unsigned long long)n->start);
	if (at != end) problem(c, "node %llu: segments end at %llu, node at %llu",
			       (unsigned long long)n->start, (unsigned long long)at,
			       (unsigned long long)end);
	if (count != n->nsegs) problem(c, "node %llu: %zu segments, count says %zu",
				       (unsigned long long)n->start, count, n->nsegs);
	return true;
}

static void check_chain(struct check *c, const struct mems *m)
{
	const struct mems_node *prev = NULL;
	uint64_t at = MEMS_VADDR_BASE, npages = 0;
	size_t count = 0;
	for (const struct mems_node *n = m->head; n; prev = n, n = n->next) {
		if (++count > m->nnodes) {
			problem(c, "more nodes in the main chain than the count %zu", m->nnodes);
			return;
		}
		if (n->prev != prev) problem(c, "node %llu has a wrong prev link", (unsigned long long)n->start);
		if (n->start != at) problem(c, "node %llu should start at %llu",
					    (unsigned long long)n->start, (unsigned long long)at);
		if (!check_node(c, m, n)) return;
		at = n->start + (uint64_t)n->npages * MEMS_PAGE_SIZE;
		npages += n->npages;
	}
	if (m->tail != prev) problem(c, "the main chain's tail pointer is wrong");
	if (count != m->nnodes) problem(c, "%zu nodes, count says %zu", count, m->nnodes);
	if (at != m->end) problem(c, "nodes end at %llu, end says %llu",
				  (unsigned long long)at, (unsigned long long)m->end);
	if (npages != m->npages) problem(c, "%llu pages, count says %llu",
					 (unsigned long long)npages, (unsigned long long)m->npages);
	if (c->segs_seen != m->nsegs) problem(c, "%zu segments, count says %zu", c->segs_seen, m->nsegs);
	if (c->holes != m->hole_bytes) problem(c, "holes hold %llu bytes, count says %llu",
					       (unsigned long long)c->holes,
					       (unsigned long long)m->hole_bytes);
	if (c->procs != m->nprocess || c->procs_bytes != m->process_bytes)
		problem(c, "%zu PROCESS segments of %llu bytes, counts say %zu of %llu", c->procs,
			(unsigned long long)c->procs_bytes, m->nprocess,
			(unsigned long long)m->process_bytes);
}

/* Node n's tree must hold exactly its sub-chain, in order: each leaf entry
 * the next segment, keyed by its offset, with its size if it is a hole. */
static void check_node_tree(struct check *c, const struct mems_node *n)
{
	size_t count = 0;
	int bad = mems_idx_check(n->root, n->nsegs, &count, c->report);
	c->bad += bad;
	if (bad) return;
	if (count != n->nsegs) {
		problem(c, "node %llu: its index holds %zu segments, its sub-chain %zu",
			(unsigned long long)n->start, count, n->nsegs);
		return;
	}
	struct mems_pos at;
	bool more = mems_idx_first(n->root, &at);
	for (const struct mems_seg *s = n->first; s; s = s->next) {
		if (!more || at.b->u.seg[at.i] != s) {
			problem(c, "index order differs from the list at %llu",
				(unsigned long long)s->start);
			return;
		}
		if (at.b->key[at.i] != s->start - n->start)
			problem(c, "segment %llu is keyed %zu in the index", (unsigned long long)s->start,
				at.b->key[at.i]);
		if (at.b->hole[at.i] != (s->kind == MEMS_HOLE ? s->nbytes : 0))
			problem(c, "segment %llu: the index says hole size %zu",
				(unsigned long long)s->start, at.b->hole[at.i]);
		more = mems_idx_next(&at);
	}
	if (more) problem(c, "node %llu: its index holds segments the list does not",
			  (unsigned long long)n->start);
}

/* The node arrays must list the chain, and the tournament tree must hold each
 * node's largest hole at its leaf and the larger child in every inner slot. */
static void check_node_index(struct check *c, const struct mems *m)
{
	if (m->nnodes > m->cap || (m->cap & (m->cap - 1))) {
		problem(c, "%zu nodes in arrays of %zu slots", m->nnodes, m->cap);
		return;
	}
	size_t i = 0;
	for (const struct mems_node *n = m->head; n; n = n->next, i++) {
		if (n->index != i || m->nodes[i] != n || m->starts[i] != n->start)
			problem(c, "node %llu is not slot %zu of the node arrays",
				(unsigned long long)n->start, i);
		if (m->tour[m->cap + i] != node_maxhole(n))
			problem(c, "node %llu: the tournament says its largest hole is %zu, not %zu",
				(unsigned long long)n->start, m->tour[m->cap + i], node_maxhole(n));
		check_node_tree(c, n);
	}
	for (; i < m->cap; i++)
		if (m->tour[m->cap + i]) problem(c, "empty tournament slot %zu holds a hole", i);
	for (i = 1; i < m->cap; i++)
		if (m->tour[i] != max2(m->tour[2 * i], m->tour[2 * i + 1]))
			problem(c, "tournament slot %zu is not the larger of its children", i);
}

int mems_check(struct mems *m, struct mm_sink *report)
{
	struct check c = { report, 0, 0, 0, 0, 0 };
	if (!mems_ready(m)) {
		problem(&c, "not initialised");
		return -MM_EINVAL;
	}
	if (m->head && m->head->prev) problem(&c, "the first node has a prev link");
	if (!m->head && m->tail) problem(&c, "empty main chain but a tail");
	check_chain(&c, m);
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
		  (unsigned long long)ptr[0], (unsigned long long)pa);
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
