/*
 * arena.c - the "virtual memory allocator" arena: miniblocks in an AVL tree
 * keyed by start address; blocks are the maximal contiguous runs of them
 * (see arena.h for why blocks are derived rather than stored).
 *
 * Algorithm: a textbook AVL tree (recursive insert and delete with single
 * and double rotations, heights in the nodes, no parent pointers). Ordered
 * walks use an explicit stack (struct arena_iter), so nothing here recurses
 * deeper than the tree's height (< ARENA_MAX_HEIGHT).
 *
 * Block bookkeeping: a new miniblock [s, e) creates one block, minus one for
 * each neighbour it touches (a neighbour ending at s, one starting at e);
 * removing it does the reverse. That keeps nblocks exact in O(log n).
 */
#include "arena.h"
#include "mm_env.h"
#include "mmlib.h"

#define ARENA_JUNK 0x6b /* freed miniblocks are filled with this */

/* ---- AVL tree ---------------------------------------------------------- */

static int height(const struct arena_mini *m)
{
	return m ? m->height : 0;
}

static void fix_height(struct arena_mini *m)
{
	int hl = height(m->left), hr = height(m->right);
	m->height = (hl > hr ? hl : hr) + 1;
}

static struct arena_mini *rotate_right(struct arena_mini *m)
{
	struct arena_mini *l = m->left;
	m->left = l->right;
	l->right = m;
	fix_height(m);
	fix_height(l);
	return l;
}

static struct arena_mini *rotate_left(struct arena_mini *m)
{
	struct arena_mini *r = m->right;
	m->right = r->left;
	r->left = m;
	fix_height(m);
	fix_height(r);
	return r;
}

/* Restore the AVL property at m (its subtrees are AVL trees). */
static struct arena_mini *rebalance(struct arena_mini *m)
{
	fix_height(m);
	int bal = height(m->left) - height(m->right);
	if (bal > 1) {
		if (height(m->left->left) < height(m->left->right))
			m->left = rotate_left(m->left);
		return rotate_right(m);
	}
	if (bal < -1) {
		if (height(m->right->right) < height(m->right->left))
			m->right = rotate_right(m->right);
		return rotate_left(m);
	}
	return m;
}

static struct arena_mini *avl_insert(struct arena_mini *root, struct arena_mini *n)
{
	if (!root) return n;
	MM_ASSERT(n->start != root->start, "duplicate miniblock start %llx",
		  (unsigned long long)n->start);
	if (n->start < root->start)
		root->left = avl_insert(root->left, n);
	else
		root->right = avl_insert(root->right, n);
	return rebalance(root);
}

/* Unlink the smallest node of a non-empty subtree into *min. */
static struct arena_mini *avl_remove_min(struct arena_mini *root, struct arena_mini **min)
{
	if (!root->left) {
		*min = root;
		return root->right;
	}
	root->left = avl_remove_min(root->left, min);
	return rebalance(root);
}

/* Unlink the node whose start is key (it must exist). */
static struct arena_mini *avl_remove(struct arena_mini *root, uint64_t key)
{
	MM_ASSERT(root, "miniblock %llx vanished from the tree", (unsigned long long)key);
	if (key < root->start) {
		root->left = avl_remove(root->left, key);
	} else if (key > root->start) {
		root->right = avl_remove(root->right, key);
	} else {
		if (!root->left) return root->right;
		if (!root->right) return root->left;
		struct arena_mini *succ;
		struct arena_mini *right = avl_remove_min(root->right, &succ);
		succ->left = root->left;
		succ->right = right;
		root = succ;
	}
	return rebalance(root);
}

/* The last miniblock whose start is <= addr (or < addr if strict). */
static struct arena_mini *find_le(const struct arena *a, uint64_t addr, bool strict)
{
	struct arena_mini *m = a->root, *best = NULL;
	while (m) {
		if (m->start < addr || (!strict && m->start == addr)) {
			best = m;
			m = m->right;
		} else {
			m = m->left;
		}
	}
	return best;
}

/* The first miniblock whose start is > addr. */
static struct arena_mini *find_gt(const struct arena *a, uint64_t addr)
{
	struct arena_mini *m = a->root, *best = NULL;
	while (m) {
		if (m->start > addr) {
			best = m;
			m = m->left;
		} else {
			m = m->right;
		}
	}
	return best;
}

static uint64_t mini_end(const struct arena_mini *m)
{
	return m->start + m->nbytes;
}

/* The miniblock with addr in [start, end), or NULL. */
static struct arena_mini *find_containing(const struct arena *a, uint64_t addr)
{
	struct arena_mini *m = find_le(a, addr, false);
	return m && addr - m->start < m->nbytes ? m : NULL;
}

static struct arena_mini *find_exact(const struct arena *a, uint64_t addr)
{
	struct arena_mini *m = find_le(a, addr, false);
	return m && m->start == addr ? m : NULL;
}

/* ---- iteration --------------------------------------------------------- */

static void iter_push(struct arena_iter *it, const struct arena_mini *m)
{
	MM_ASSERT(it->depth < ARENA_MAX_HEIGHT, "arena tree deeper than %d", ARENA_MAX_HEIGHT);
	it->stack[it->depth++] = m;
}

void arena_iter_seek(const struct arena *a, struct arena_iter *it, uint64_t addr)
{
	it->depth = 0;
	const struct arena_mini *m = a->root;
	while (m) {
		if (m->start >= addr) {
			iter_push(it, m);
			m = m->left;
		} else {
			m = m->right;
		}
	}
}

bool arena_iter_next(struct arena_iter *it, const struct arena_mini **out)
{
	if (it->depth == 0) return false;
	const struct arena_mini *m = it->stack[--it->depth];
	*out = m;
	for (const struct arena_mini *c = m->right; c; c = c->left)
		iter_push(it, c);
	return true;
}

/* ---- set-up and tear-down ---------------------------------------------- */

void arena_init(struct arena *a, const struct mm_allocator *alloc, uint64_t nbytes)
{
	a->alloc = *alloc;
	a->nbytes = nbytes;
	a->root = NULL;
	a->nminis = 0;
	a->nblocks = 0;
	a->used_bytes = 0;
}

static bool mini_large(const struct arena_mini *m) { return m->chunks != NULL; }

static uint64_t mini_nchunks(const struct arena_mini *m) { return (m->nbytes + ARENA_CHUNK - 1) / ARENA_CHUNK; }

static void mini_free(struct arena *a, struct arena_mini *m)
{
	if (mini_large(m)) {
		for (uint64_t i = 0; i < mini_nchunks(m); i++) mm_free(&a->alloc, m->chunks[i]);
		mm_free(&a->alloc, m->chunks);
		mm_memset(m, ARENA_JUNK, sizeof(*m));
	} else {
		mm_memset(m, ARENA_JUNK, sizeof(*m) + (size_t)m->nbytes);
	}
	mm_free(&a->alloc, m);
}

static void free_subtree(struct arena *a, struct arena_mini *m)
{
	if (!m) return;
	free_subtree(a, m->left);
	free_subtree(a, m->right);
	mini_free(a, m);
}

void arena_destroy(struct arena *a)
{
	free_subtree(a, a->root);
	a->root = NULL;
	a->nminis = 0;
	a->nblocks = 0;
	a->used_bytes = 0;
}

/* ---- blocks and miniblocks --------------------------------------------- */

/* The chunk table of a large miniblock, all chunks absent; NULL when out. */
static uint8_t **chunk_table(struct arena *a, uint64_t nbytes)
{
	uint64_t n = (nbytes + ARENA_CHUNK - 1) / ARENA_CHUNK;
	if (n > (uint64_t)(SIZE_MAX / sizeof(uint8_t *))) return NULL;
	uint8_t **t = mm_alloc(&a->alloc, (size_t)n * sizeof(uint8_t *));
	if (t) mm_memset(t, 0, (size_t)n * sizeof(uint8_t *));
	return t;
}

static struct arena_mini *mini_new(struct arena *a, uint64_t addr, uint64_t nbytes)
{
	bool large = nbytes > ARENA_CHUNK;
	size_t total = sizeof(struct arena_mini) + (large ? 0 : (size_t)nbytes);
	struct arena_mini *m = mm_alloc(&a->alloc, total);
	if (!m) return NULL;
	m->start = addr;
	m->nbytes = nbytes;
	m->left = m->right = NULL;
	m->height = 1;
	m->prot = ARENA_PROT_DEFAULT;
	m->data = large ? NULL : (uint8_t *)(m + 1);
	m->chunks = large ? chunk_table(a, nbytes) : NULL;
	if (large && !m->chunks) {
		mm_free(&a->alloc, m);
		return NULL;
	}
	if (!large) mm_memset(m->data, 0, (size_t)nbytes);
	return m;
}

int arena_alloc_block(struct arena *a, uint64_t addr, uint64_t nbytes)
{
	if (addr >= a->nbytes) return -MM_EFAULT;
	if (nbytes > a->nbytes - addr) return -MM_ENOSPC;
	if (nbytes == 0) return -MM_EINVAL;
	uint64_t end = addr + nbytes;
	const struct arena_mini *prev = find_le(a, addr, false);
	const struct arena_mini *next = find_gt(a, addr);
	if (prev && mini_end(prev) > addr) return -MM_EEXIST;
	if (next && next->start < end) return -MM_EEXIST;

	struct arena_mini *m = mini_new(a, addr, nbytes);
	if (!m) return -MM_ENOMEM;
	a->root = avl_insert(a->root, m);
	a->nminis++;
	a->used_bytes += nbytes;
	a->nblocks++;
	if (prev && mini_end(prev) == addr) a->nblocks--;
	if (next && next->start == end) a->nblocks--;
	return 0;
}

int arena_free_block(struct arena *a, uint64_t addr)
{
	struct arena_mini *m = find_exact(a, addr);
	if (!m) return -MM_ENOENT;
	const struct arena_mini *prev = find_le(a, addr, true);
	const struct arena_mini *next = find_gt(a, addr);
	bool joined_prev = prev && mini_end(prev) == addr;
	bool joined_next = next && next->start == mini_end(m);
	/* Alone: the block goes. At one end: it shrinks. In the middle: it splits. */
	a->nblocks = a->nblocks - 1 + (joined_prev ? 1 : 0) + (joined_next ? 1 : 0);
	a->nminis--;
	a->used_bytes -= m->nbytes;
	a->root = avl_remove(a->root, addr);
	mini_free(a, m);
	return 0;
}

int arena_mprotect(struct arena *a, uint64_t addr, unsigned prot)
{
	if (prot & ~ARENA_PROT_ALL) return -MM_EINVAL;
	struct arena_mini *m = find_exact(a, addr);
	if (!m) return -MM_ENOENT;
	m->prot = prot;
	return 0;
}

/* ---- access ------------------------------------------------------------ */

/* Called for each piece [off, off + n) of miniblock m that an access covers. */
typedef void (*piece_fn)(void *ctx, const struct arena_mini *m, uint64_t off, uint64_t n);

/*
 * Walk the miniblocks covering [addr, addr + nbytes) inside addr's block,
 * checking prot on each (the one holding addr even when nbytes is 0). With
 * fn set, a second pass hands each piece to fn, only if the checks passed.
 */
static int walk(const struct arena *a, uint64_t addr, uint64_t nbytes, unsigned prot,
		uint64_t *nclamped, piece_fn fn, void *ctx)
{
	const struct arena_mini *first = find_containing(a, addr);
	if (!first) return -MM_ENOENT;
	for (int pass = 0; pass < (fn ? 2 : 1); pass++) {
		struct arena_iter it;
		const struct arena_mini *m;
		arena_iter_seek(a, &it, first->start);
		bool ok = arena_iter_next(&it, &m);
		MM_ASSERT(ok && m == first, "iterator lost miniblock %llx",
			  (unsigned long long)first->start);
		uint64_t pos = addr, left = nbytes;
		for (;;) {
			uint64_t off = pos - m->start;
			uint64_t n = m->nbytes - off < left ? m->nbytes - off : left;
			if (pass == 0 && (m->prot & prot) != prot) return -MM_EFAULT;
			if (pass == 1 && n) fn(ctx, m, off, n);
			pos += n;
			left -= n;
			if (left == 0) break;
			const struct arena_mini *nx;
			if (!arena_iter_next(&it, &nx) || nx->start != pos) break;
			m = nx;
		}
		*nclamped = nbytes - left;
	}
	return 0;
}

int arena_access(const struct arena *a, uint64_t addr, uint64_t nbytes, unsigned prot,
		 uint64_t *nclamped)
{
	return walk(a, addr, nbytes, prot, nclamped, NULL, NULL);
}

struct copy_ctx {
	uint8_t *dst;
	const uint8_t *src;
};

/* Where byte off of m lives, and how many bytes follow it contiguously
 * (NULL for an absent chunk of a large miniblock: zeros). */
static uint8_t *mini_bytes(const struct arena_mini *m, uint64_t off, uint64_t *run)
{
	if (!mini_large(m)) {
		*run = m->nbytes - off;
		return m->data + off;
	}
	uint64_t in = off % ARENA_CHUNK;
	*run = ARENA_CHUNK - in;
	uint8_t *c = m->chunks[off / ARENA_CHUNK];
	return c ? c + in : NULL;
}

static void copy_out(void *ctx, const struct arena_mini *m, uint64_t off, uint64_t n)
{
	struct copy_ctx *c = ctx;
	while (n) {
		uint64_t run;
		const uint8_t *p = mini_bytes(m, off, &run);
		if (run > n) run = n;
		if (p) mm_memcpy(c->dst, p, (size_t)run);
		else mm_memset(c->dst, 0, (size_t)run);
		c->dst += run;
		off += run;
		n -= run;
	}
}

static void copy_in(void *ctx, const struct arena_mini *m, uint64_t off, uint64_t n)
{
	struct copy_ctx *c = ctx;
	while (n) {
		uint64_t run;
		uint8_t *p = mini_bytes(m, off, &run);
		MM_ASSERT(p, "write to an absent chunk at %llx", (unsigned long long)(m->start + off));
		if (run > n) run = n;
		mm_memcpy(p, c->src, (size_t)run);
		c->src += run;
		off += run;
		n -= run;
	}
}

struct chunk_ctx {
	struct arena *a;
	bool failed;
};

/* Give every chunk that [off, off + n) of m touches its memory. */
static void commit_chunks(void *ctx, const struct arena_mini *m, uint64_t off, uint64_t n)
{
	struct chunk_ctx *c = ctx;
	if (!mini_large(m) || c->failed) return;
	for (uint64_t i = off / ARENA_CHUNK; i <= (off + n - 1) / ARENA_CHUNK; i++) {
		if (m->chunks[i]) continue;
		uint64_t size = i + 1 < mini_nchunks(m) ? ARENA_CHUNK : m->nbytes - i * ARENA_CHUNK;
		m->chunks[i] = mm_alloc(&c->a->alloc, (size_t)size);
		if (!m->chunks[i]) {
			c->failed = true;
			return;
		}
		mm_memset(m->chunks[i], 0, (size_t)size);
	}
}

int arena_read(const struct arena *a, uint64_t addr, void *dst, uint64_t nbytes,
	       uint64_t *ndone)
{
	struct copy_ctx c = { dst, NULL };
	*ndone = 0;
	return walk(a, addr, nbytes, ARENA_PROT_READ, ndone, copy_out, &c);
}

int arena_write(struct arena *a, uint64_t addr, const void *src, uint64_t nbytes,
		uint64_t *ndone)
{
	struct copy_ctx c = { NULL, src };
	struct chunk_ctx cc = { a, false };
	uint64_t n;
	*ndone = 0;
	int rc = walk(a, addr, nbytes, ARENA_PROT_WRITE, &n, commit_chunks, &cc);
	if (rc) return rc;
	if (cc.failed) return -MM_ENOMEM; /* nothing written; chunks made stay (zeros) */
	return walk(a, addr, nbytes, ARENA_PROT_WRITE, ndone, copy_in, &c);
}

/* ---- reports ----------------------------------------------------------- */

void arena_get_stats(const struct arena *a, struct arena_stats *st)
{
	st->nbytes = a->nbytes;
	st->free_bytes = a->nbytes - a->used_bytes;
	st->nblocks = a->nblocks;
	st->nminis = a->nminis;
}

bool arena_find(const struct arena *a, uint64_t addr, struct arena_mini_info *info)
{
	const struct arena_mini *m = find_containing(a, addr);
	if (!m) return false;
	const struct arena_mini *prev = find_le(a, m->start, true);
	info->start = m->start;
	info->nbytes = m->nbytes;
	info->prot = m->prot;
	info->block_start = !(prev && mini_end(prev) == m->start);
	return true;
}

void arena_prot_str(unsigned prot, char buf[4])
{
	buf[0] = (prot & ARENA_PROT_READ) ? 'R' : '-';
	buf[1] = (prot & ARENA_PROT_WRITE) ? 'W' : '-';
	buf[2] = (prot & ARENA_PROT_EXEC) ? 'X' : '-';
	buf[3] = 0;
}

/* The end of the block whose first miniblock is the next one it yields. */
static uint64_t block_end(struct arena_iter it)
{
	const struct arena_mini *m;
	uint64_t end = 0;
	bool first = true;
	while (arena_iter_next(&it, &m)) {
		if (!first && m->start != end) break;
		end = mini_end(m);
		first = false;
	}
	return end;
}

void arena_pmap(const struct arena *a, struct mm_sink *out)
{
	struct arena_stats st;
	arena_get_stats(a, &st);
	mm_format(out, "Total memory: 0x%llX bytes\n", (unsigned long long)st.nbytes);
	mm_format(out, "Free memory: 0x%llX bytes\n", (unsigned long long)st.free_bytes);
	mm_format(out, "Number of allocated blocks: %llu\n", (unsigned long long)st.nblocks);
	mm_format(out, "Number of allocated miniblocks: %llu\n", (unsigned long long)st.nminis);

	struct arena_iter it;
	const struct arena_mini *m;
	uint64_t nblock = 0, nmini = 0, end = 0;
	arena_iter_seek(a, &it, 0);
	for (;;) {
		struct arena_iter here = it;
		if (!arena_iter_next(&it, &m)) break;
		if (nblock == 0 || m->start != end) {
			if (nblock) mm_format(out, "Block %llu end\n", (unsigned long long)nblock);
			nblock++;
			nmini = 0;
			mm_format(out, "\nBlock %llu begin\n", (unsigned long long)nblock);
			mm_format(out, "Zone: 0x%llX - 0x%llX\n", (unsigned long long)m->start,
				  (unsigned long long)block_end(here));
		}
		char prot[4];
		arena_prot_str(m->prot, prot);
		mm_format(out, "Miniblock %llu:\t\t0x%llX\t\t-\t\t0x%llX\t\t| %s\n",
			  (unsigned long long)++nmini, (unsigned long long)m->start,
			  (unsigned long long)mini_end(m), prot);
		end = mini_end(m);
	}
	if (nblock) mm_format(out, "Block %llu end\n", (unsigned long long)nblock);
}

/* ---- consistency check ------------------------------------------------- */

struct check_state {
	struct mm_sink *report;
	int problems;
};

static void problem(struct check_state *cs, const char *what, const struct arena_mini *m)
{
	cs->problems++;
	if (cs->report)
		mm_format(cs->report, "arena: %s (miniblock at 0x%llX, %llu bytes)\n", what,
			  m ? (unsigned long long)m->start : 0ull,
			  m ? (unsigned long long)m->nbytes : 0ull);
}

/* Heights, balance and the bounds every key of the subtree must respect
 * (lo <= start < hi, hi == 0 meaning none). Returns the true height. */
static int check_tree(struct check_state *cs, const struct arena_mini *m, uint64_t lo,
		      uint64_t hi, bool has_hi, int depth)
{
	if (!m) return 0;
	if (depth >= ARENA_MAX_HEIGHT) {
		problem(cs, "tree deeper than the AVL bound (a cycle?)", m);
		return ARENA_MAX_HEIGHT;
	}
	if (m->start < lo || (has_hi && m->start >= hi))
		problem(cs, "key out of search-tree order", m);
	int hl = check_tree(cs, m->left, lo, m->start, true, depth + 1);
	int hr = check_tree(cs, m->right, m->start + 1, hi, has_hi, depth + 1);
	int h = (hl > hr ? hl : hr) + 1;
	if (m->height != h) problem(cs, "stored height is wrong", m);
	if (hl - hr > 1 || hr - hl > 1) problem(cs, "subtree out of AVL balance", m);
	return h;
}

int arena_check(const struct arena *a, struct mm_sink *report)
{
	struct check_state cs = { report, 0 };
	check_tree(&cs, a->root, 0, 0, false, 0);
	if (cs.problems) return -MM_EIO; /* the walk below trusts the tree's shape */

	struct arena_iter it;
	const struct arena_mini *m;
	uint64_t nminis = 0, nblocks = 0, used = 0, end = 0;
	arena_iter_seek(a, &it, 0);
	while (arena_iter_next(&it, &m)) {
		if (m->nbytes == 0) problem(&cs, "empty miniblock", m);
		if (m->start >= a->nbytes || m->nbytes > a->nbytes - m->start)
			problem(&cs, "miniblock outside the arena", m);
		if (nminis && m->start < end) problem(&cs, "miniblocks overlap", m);
		if (m->nbytes > ARENA_CHUNK ? (m->data || !m->chunks) : (m->data != (const uint8_t *)(m + 1) || m->chunks))
			problem(&cs, "data pointer is wrong", m);
		if (m->prot & ~ARENA_PROT_ALL) problem(&cs, "unknown permission bits", m);
		if (nminis == 0 || m->start != end) nblocks++;
		nminis++;
		used += m->nbytes;
		end = mini_end(m);
	}
	if (nminis != a->nminis) problem(&cs, "miniblock count is wrong", NULL);
	if (nblocks != a->nblocks) problem(&cs, "block count is wrong", NULL);
	if (used != a->used_bytes) problem(&cs, "used byte count is wrong", NULL);
	return cs.problems ? -MM_EIO : 0;
}
