/*
 * mems.c - MeMS: a heap of page mappings kept as a 2-D free list, with
 * first-fit allocation in list order (see mems.h for the contract).
 *
 * The main chain is a doubly linked list of nodes, each one mapping of whole
 * pages from the pager; a node's sub-chain is a doubly linked list of
 * PROCESS and HOLE segments that tile it. MeMS addresses start at 1000 and
 * run on across the nodes, so list order is address order. The list gives
 * the order and the report; beside it an index answers the questions of
 * malloc, free and get without walking it:
 *   - nodes, which are only ever appended, sit in arrays: their start
 *     addresses (binary search finds the node holding an address) and a
 *     tournament tree of each node's largest hole (one descent finds the
 *     first node with a hole big enough);
 *   - each node's holes form a hole set (mems_index.c): small sorted arrays
 *     inside the node (a scan finds the first fit, a binary search the hole
 *     at an address) or, for a node of many holes, an AVL tree through the
 *     hole records by address, augmented with the largest hole below;
 *   - a hash table maps the start of every PROCESS segment to its record,
 *     so free finds its segment in O(1).
 * malloc carves the PROCESS part off the front of the first hole that fits:
 * a new record is the PROCESS segment, and the hole keeps its record and its
 * place in the hole set, whose entry changes in place (or whose tree figure
 * is refreshed up a short path). A free next to a hole grows that hole in
 * place the same way. Each node holds its own segment records (a few
 * inline, more in blocks from the metadata allocator when it needs them),
 * recycled on its own spare list: malloc and free call no allocator in the
 * common case, and the records one operation touches sit together. free
 * never allocates and cannot fail for lack of memory. Nodes are never
 * unmapped before mems_finish(), as in the original.
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

/* ---- segment records ---- */

static void add_spares(struct mems_node *n, struct mems_seg *segs, size_t count)
{
	for (size_t i = count; i-- > 0;) {
		segs[i].kind = MEMS_JUNK;
		segs[i].node = NULL;
		segs[i].next = n->spare;
		n->spare = &segs[i];
	}
}

/* Give node n another block of records. */
static int refill_spares(struct mems *m, struct mems_node *n)
{
	struct mems_chunk *c = mm_alloc(&m->meta, sizeof *c);
	if (!c) return -MM_ENOMEM;
	c->next = n->chunks;
	n->chunks = c;
	add_spares(n, c->segs, MEMS_CHUNK_SEGS);
	return 0;
}

/* Make sure node n has a spare record and the hash has room for one more
 * PROCESS segment, so that the split that follows cannot fail halfway. */
static inline int reserve(struct mems *m, struct mems_node *n)
{
	if (!n->spare && refill_spares(m, n) < 0) return -MM_ENOMEM;
	return mems_hash_reserve(&m->hash, &m->meta);
}

static inline struct mems_seg *take_seg(struct mems_node *n, uint64_t start, size_t nbytes,
					enum mems_kind kind)
{
	struct mems_seg *s = n->spare;
	MM_ASSERT(s != NULL, "no reserved segment record");
	n->spare = s->next;
	s->start = start;
	s->nbytes = nbytes;
	s->node = n;
	s->kind = (uint8_t)kind;
	return s;
}

/* Recycle s, poisoned so that a stale pointer to it fails mems_check. */
static inline void give_seg(struct mems_node *n, struct mems_seg *s)
{
	s->kind = MEMS_JUNK;
	s->node = NULL;
	s->prev = NULL;
	s->next = n->spare;
	n->spare = s;
}

/* ---- sub-chain links ---- */

static inline void link_after(struct mems_node *node, struct mems_seg *pos, struct mems_seg *s)
{
	s->prev = pos;
	s->next = pos ? pos->next : NULL;
	if (s->next) s->next->prev = s;
	else node->last = s;
	if (pos) pos->next = s;
	else node->first = s;
	node->nsegs++;
}

static inline void link_before(struct mems_node *node, struct mems_seg *pos, struct mems_seg *s)
{
	s->next = pos;
	s->prev = pos->prev;
	if (s->prev) s->prev->next = s;
	else node->first = s;
	pos->prev = s;
	node->nsegs++;
}

static inline void unlink_seg(struct mems_node *node, struct mems_seg *s)
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
	return n->holes.max;
}

static inline size_t max2(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Node n's largest hole may have changed: replay the matches above it, all
 * the way up (a fixed number of steps without branches beats stopping early
 * at an unpredictable level). */
static inline void tour_update(struct mems *m, const struct mems_node *n)
{
	size_t *t = m->tour, i = m->cap + n->index;
	t[i] = node_maxhole(n);
	for (i >>= 1; i; i >>= 1) t[i] = max2(t[2 * i], t[2 * i + 1]);
}

/* The first node (in main-chain order) with a hole of at least nbytes: one
 * descent, left whenever the left subtree has such a hole. */
static inline struct mems_node *tour_first_fit(const struct mems *m, size_t nbytes)
{
	const size_t *t = m->tour;
	if (!m->cap || t[1] < nbytes) return NULL;
	size_t i = 1;
	while (i < m->cap) i = 2 * i + (t[2 * i] < nbytes);
	return m->nodes[i - m->cap];
}

/* The node holding vaddr, or NULL. */
static inline struct mems_node *node_at(const struct mems *m, uint64_t vaddr)
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
		struct mems_chunk *c = n->chunks;
		while (c) {
			struct mems_chunk *cnext = c->next;
			mm_free(&m->meta, c);
			c = cnext;
		}
		mm_memset(n, MEMS_JUNK, sizeof *n);
		mm_free(&m->meta, n);
		n = next;
	}
	mems_hash_free(&m->hash, &m->meta);
	mm_free(&m->meta, m->starts); /* the block of the node arrays */
	mm_memset(m, 0, sizeof *m);
	set_ok(m);
}

/* ---- malloc ---- */

/* Serve nbytes from the front of the hole at of node n. */
static inline uint64_t use_hole(struct mems *m, struct mems_node *n, struct mems_hpos at,
				size_t nbytes)
{
	struct mems_seg *h = at.s, *p = h;
	if (h->nbytes > nbytes) {
		/* a new record before h is the PROCESS part; h stays a hole, in
		 * its place in address order, only shorter */
		p = take_seg(n, h->start, nbytes, MEMS_PROCESS);
		link_before(n, h, p);
		h->start += nbytes;
		h->nbytes -= nbytes;
		mems_holes_changed(&n->holes, at, (size_t)(h->start - n->start));
		m->nsegs++;
	} else {
		mems_holes_remove(&n->holes, at, n->start);
		h->kind = MEMS_PROCESS;
	}
	mems_hash_add(&m->hash, p);
	tour_update(m, n);
	m->hole_bytes -= nbytes;
	m->process_bytes += nbytes;
	m->nprocess++;
	return p->start;
}

/* Append a node of npages holding a PROCESS segment of nbytes first. */
static uint64_t grow(struct mems *m, size_t nbytes, size_t npages)
{
	size_t node_bytes = npages * MEMS_PAGE_SIZE;
	if ((uint64_t)node_bytes > UINT64_MAX - m->end)
		return fail0(m, -MM_ENOMEM, "MeMS addresses would overflow");
	if (reserve_node_slot(m) < 0 || mems_hash_reserve(&m->hash, &m->meta) < 0)
		return fail0(m, -MM_ENOMEM, msg_nometa);
	struct mems_node *n = mm_alloc(&m->meta, sizeof *n);
	if (!n) return fail0(m, -MM_ENOMEM, msg_nometa);
	void *kaddr = NULL;
	int rc = m->pager.map(m->pager.ctx, npages, &kaddr);
	if (rc < 0 || !kaddr) {
		mm_free(&m->meta, n);
		return fail0(m, -MM_ENOMEM, "the pager could not map the pages");
	}
	mm_memset(n, 0, sizeof *n);
	add_spares(n, n->recs, MEMS_NODE_RECS);
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

	struct mems_seg *p = take_seg(n, n->start, nbytes, MEMS_PROCESS);
	link_after(n, NULL, p);
	mems_hash_add(&m->hash, p);
	m->nsegs++;
	m->nprocess++;
	m->process_bytes += nbytes;
	if (node_bytes > nbytes) {
		struct mems_seg *h = take_seg(n, n->start + nbytes, node_bytes - nbytes, MEMS_HOLE);
		link_after(n, p, h);
		mems_holes_add(&n->holes, h, n->start);
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
	if (reserve(m, n) < 0) return fail0(m, -MM_ENOMEM, msg_nometa);
	struct mems_hpos at;
	bool found = mems_holes_first_fit(&n->holes, nbytes, &at);
	MM_ASSERT(found, "node %llu lists a hole of %zu bytes it lacks",
		  (unsigned long long)n->start, node_maxhole(n));
	return use_hole(m, n, at, nbytes);
}

/* ---- free ---- */

/* Whether vaddr (inside node n) lies in a hole. */
static inline bool in_hole(const struct mems_node *n, uint64_t vaddr)
{
	struct mems_hpos at;
	if (!mems_holes_floor(&n->holes, n->start, (size_t)(vaddr - n->start), &at)) return false;
	return vaddr - at.s->start < at.s->nbytes;
}

/* Turn the PROCESS segment s (in hash slot sl) into a hole, merged with the
 * holes beside it. */
static inline void release(struct mems *m, struct mems_seg *s, struct mems_hslot *sl)
{
	struct mems_node *n = s->node;
	struct mems_seg *p = s->prev, *t = s->next;
	size_t nbytes = s->nbytes, off = (size_t)(s->start - n->start);
	struct mems_hpos at;
	mems_hash_remove(&m->hash, sl);
	m->nprocess--;
	m->process_bytes -= nbytes;
	m->hole_bytes += nbytes;
	bool hole_before = p && p->kind == MEMS_HOLE, hole_after = t && t->kind == MEMS_HOLE;
	if (!hole_before && !hole_after) {
		s->kind = MEMS_HOLE;
		mems_holes_add(&n->holes, s, n->start);
		tour_update(m, n);
		return;
	}
	/* the hole at or before s, if any: p if it is a hole */
	bool some_before = mems_holes_floor(&n->holes, n->start, off, &at);
	if (hole_before) {
		/* p grows over s (and t): it keeps its place in address order */
		MM_ASSERT(some_before && at.s == p, "hole %llu is not indexed",
			  (unsigned long long)p->start);
		p->nbytes += nbytes + (hole_after ? t->nbytes : 0);
		mems_holes_changed(&n->holes, at, (size_t)(p->start - n->start));
		unlink_seg(n, s);
		give_seg(n, s);
		m->nsegs--;
		if (hole_after) {
			/* t, the hole after p, goes (at, a slot in the arrays, may
			 * be stale after this) */
			struct mems_hpos next = { t, at.i + 1 };
			mems_holes_remove(&n->holes, next, n->start);
			unlink_seg(n, t);
			give_seg(n, t);
			m->nsegs--;
		}
	} else {
		/* t grows back over s: its place in address order is the same */
		struct mems_hpos next = { t, some_before ? at.i + 1 : 0 };
		t->start = s->start;
		t->nbytes += nbytes;
		unlink_seg(n, s);
		give_seg(n, s);
		m->nsegs--;
		mems_holes_changed(&n->holes, next, off);
	}
	tour_update(m, n);
}

/* Why vaddr, which starts no PROCESS segment, cannot be freed. */
static int free_error(struct mems *m, uint64_t vaddr)
{
	struct mems_node *n = node_at(m, vaddr);
	if (!n) return set_err(m, -MM_EFAULT, "address is not inside MeMS memory");
	if (in_hole(n, vaddr)) return set_err(m, -MM_ENOENT, "address is in a hole (already free?)");
	return set_err(m, -MM_EINVAL, "address is inside a segment, not at its start");
}

int mems_free(struct mems *m, uint64_t vaddr)
{
	if (!mems_ready(m)) return m ? set_err(m, -MM_EINVAL, msg_uninit) : -MM_EINVAL;
	struct mems_hslot *sl = mems_hash_find(&m->hash, vaddr);
	if (!sl) return free_error(m, vaddr);
	release(m, sl->seg, sl);
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
	if (!n || in_hole(n, vaddr)) {
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

/* Check one segment s of node n, following prev, expected at start. */
static void check_seg(struct check *c, const struct mems_node *n, const struct mems_seg *s,
		      const struct mems_seg *prev, uint64_t start)
{
	unsigned long long a = s->start;
	if (s->node != n) problem(c, "segment %llu points at the wrong node", a);
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
		check_seg(c, n, s, prev, at);
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

/* Node n's hole set must hold exactly the holes of its sub-chain, in order. */
static void check_node_tree(struct check *c, const struct mems_node *n)
{
	c->bad += mems_holes_check(&n->holes, n->first, n->start, c->report);
}

/* The hash must hold exactly the PROCESS segments, each under its start. */
static void check_hash(struct check *c, const struct mems *m)
{
	int bad = mems_hash_check(&m->hash, c->report);
	c->bad += bad;
	if (bad) return;
	if (m->hash.count != m->nprocess)
		problem(c, "the hash holds %zu segments, the list %zu PROCESS segments",
			m->hash.count, m->nprocess);
	for (const struct mems_node *n = m->head; n; n = n->next)
		for (const struct mems_seg *s = n->first; s; s = s->next)
			if (s->kind == MEMS_PROCESS && (!mems_hash_find(&m->hash, s->start) ||
							mems_hash_find(&m->hash, s->start)->seg != s))
				problem(c, "PROCESS segment %llu is missing from the hash",
					(unsigned long long)s->start);
}

/* The node arrays must list the chain, and the tournament tree must hold each
 * node's largest hole at its leaf and the larger child in every inner slot
 * (the hole sets check their own figures against the list). */
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
	if (!c.bad) check_hash(&c, m);
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
