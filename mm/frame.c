/*
 * frame.c - the physical frame allocator: a binary buddy system.
 *
 * Algorithm: free memory is kept as blocks of 2^k frames aligned to 2^k, one
 * doubly linked free list per order k = 0..FRAME_MAX_ORDER, threaded through
 * the frame descriptors by frame number. Allocation takes the smallest
 * non-empty order >= the request (a bit mask of non-empty lists finds it) and
 * splits it, pushing the upper halves onto the lower lists. Freeing looks at
 * the buddy (pfn ^ 2^k): while it heads a free block of the same order the two
 * merge, so no two free buddies ever coexist. Both cost O(FRAME_MAX_ORDER),
 * whatever the size of memory.
 *
 * Only the first frame of a block (its head) carries the block's order and
 * state; the other frames of a block are tails (flags 0). The block holding
 * any frame is found by trying the aligned heads above it, order by order.
 * Reserved frames are not blocks: each is flagged on its own.
 *
 * The buddy arithmetic (pfn ^ 2^k, alignment, ranges) is done on the frame
 * numbers' integers (pfn_u32); the interface and the free lists keep pfn_t.
 */
#include "check.h"
#include "frame.h"
#include "mm_env.h"
#include "mmlib.h"

#define FREE_HEAD (FRAME_F_FREE | FRAME_F_HEAD)
#define ALLOC_HEAD (FRAME_F_ALLOCATED | FRAME_F_HEAD)

size_t frame_desc_bytes(uint32_t npfns)
{
	return (size_t)npfns * sizeof(struct frame);
}

void frame_init(struct frame_alloc *fa, uint32_t npfns, void *desc_mem)
{
	MM_ASSERT(npfns == 0 || desc_mem != NULL, "no descriptor memory for %u frames", npfns);
	MM_ASSERT(((uintptr_t)desc_mem & 3u) == 0, "descriptor memory %p misaligned", desc_mem);
	MM_ASSERT(npfns < pfn_u32(PFN_NONE), "too many frames: %u", npfns);
	fa->desc = desc_mem;
	fa->npfns = npfns;
	for (unsigned k = 0; k < FRAME_NORDERS; k++) {
		fa->free_head[k] = PFN_NONE;
		fa->nblocks[k] = 0;
	}
	fa->nonempty = 0;
	fa->nfree = 0;
	fa->nallocated = 0;
	fa->nreserved = npfns;
	fa->strict = false;
	for (uint32_t p = 0; p < npfns; p++) {
		struct frame *f = &fa->desc[p];
		f->next = PFN_NONE;
		f->prev = PFN_NONE;
		f->order = 0;
		f->flags = FRAME_F_RESERVED;
		f->aux = 0;
	}
}

/* ---- free lists ---- */

static inline void list_push(struct frame_alloc *fa, pfn_t pfn, unsigned order)
{
	struct frame *f = frame_desc(fa, pfn);
	pfn_t old = fa->free_head[order];
	f->next = old;
	f->prev = PFN_NONE;
	f->order = (uint8_t)order;
	f->flags = FREE_HEAD;
	if (!pfn_is_none(old)) frame_desc(fa, old)->prev = pfn;
	fa->free_head[order] = pfn;
	fa->nblocks[order]++;
	fa->nonempty |= 1u << order;
}

static inline void list_remove(struct frame_alloc *fa, pfn_t pfn, unsigned order)
{
	const struct frame *f = frame_desc(fa, pfn);
	pfn_t next = f->next, prev = f->prev;
	if (!pfn_is_none(prev))
		frame_desc(fa, prev)->next = next;
	else
		fa->free_head[order] = next;
	if (!pfn_is_none(next)) frame_desc(fa, next)->prev = prev;
	if (--fa->nblocks[order] == 0) fa->nonempty &= ~(1u << order);
}

/* Take the first block off free list `order`, which is not empty. */
static inline pfn_t list_pop(struct frame_alloc *fa, unsigned order)
{
	pfn_t pfn = fa->free_head[order];
	pfn_t next = frame_desc(fa, pfn)->next;
	fa->free_head[order] = next;
	if (!pfn_is_none(next)) frame_desc(fa, next)->prev = PFN_NONE;
	if (--fa->nblocks[order] == 0) fa->nonempty &= ~(1u << order);
	return pfn;
}

/*
 * Put the block [pfn, pfn + 2^order) on the free lists, merging it with its
 * buddy for as long as the buddy is a free block of the same order. The
 * caller has made every frame of the block but the head a tail.
 */
#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE void free_block(struct frame_alloc *fa, uint32_t p, unsigned order)
{
	while (order < FRAME_MAX_ORDER) {
		uint32_t buddy = p ^ (1u << order);
		if (buddy >= fa->npfns) break;
		const struct frame *b = &fa->desc[buddy];
		if (b->flags != FREE_HEAD || b->order != order) break;
		list_remove(fa, pfn_make(buddy), order);
		fa->desc[p | buddy].flags = 0; /* the upper head becomes a tail */
		p &= buddy;
		order++;
	}
	list_push(fa, pfn_make(p), order);
}

/* The largest order of an aligned block starting at p and at most n long. */
static unsigned largest_order(uint32_t p, uint32_t n)
{
	unsigned k = 0;
	while (k < FRAME_MAX_ORDER && (p & (1u << k)) == 0 && (2u << k) <= n) k++;
	return k;
}

/* Free the frames [p, q), all tails already, as the largest aligned blocks. */
static void free_run(struct frame_alloc *fa, uint32_t p, uint32_t q)
{
	while (p < q) {
		unsigned k = largest_order(p, q - p);
		free_block(fa, p, k);
		p += 1u << k;
	}
}

/* ---- lookup ---- */

/* The block holding a non-reserved frame: the aligned head above it whose
 * order reaches down to it. Returns false when no head covers the frame. */
static bool find_block(const struct frame_alloc *fa, uint32_t p, uint32_t *head, unsigned *order)
{
	for (unsigned k = 0; k <= FRAME_MAX_ORDER; k++) {
		uint32_t h = p & ~((1u << k) - 1u);
		const struct frame *f = &fa->desc[h];
		if ((f->flags & FRAME_F_HEAD) && f->order >= k) {
			*head = h;
			*order = f->order;
			return true;
		}
	}
	return false;
}

/* frame_state over integers: the block of frame p is [*head, *head + 2^*order). */
static enum frame_state state_of(const struct frame_alloc *fa, uint32_t p, uint32_t *head,
				 unsigned *order)
{
	*head = p;
	*order = 0;
	if (p >= fa->npfns) return FRAME_STATE_INVALID;
	if (fa->desc[p].flags & FRAME_F_RESERVED) return FRAME_STATE_RESERVED;
	bool found = find_block(fa, p, head, order);
	MM_ASSERT(found, "frame 0x%x belongs to no block (flags 0x%x)", p, fa->desc[p].flags);
	return (fa->desc[*head].flags & FRAME_F_FREE) ? FRAME_STATE_FREE : FRAME_STATE_ALLOCATED;
}

enum frame_state frame_state(const struct frame_alloc *fa, pfn_t pfn, pfn_t *head,
			     unsigned *order)
{
	uint32_t h;
	unsigned k;
	enum frame_state st = state_of(fa, pfn_u32(pfn), &h, &k);
	if (head) *head = pfn_make(h);
	if (order) *order = k;
	return st;
}

/* ---- ranges ---- */

/* End of [start, start+count) clipped to memory (start if start is beyond). */
static uint32_t clip_end(const struct frame_alloc *fa, uint32_t start, uint32_t count)
{
	if (start >= fa->npfns) return start;
	if (count > fa->npfns - start) return fa->npfns;
	return start + count;
}

int frame_release_range(struct frame_alloc *fa, pfn_t start, uint32_t count)
{
	uint32_t end = clip_end(fa, pfn_u32(start), count);
	uint32_t released = 0;
	uint32_t irq = mm_irq_save();
	uint32_t p = pfn_u32(start);
	while (p < end) {
		if (fa->desc[p].flags != FRAME_F_RESERVED) {
			p++;
			continue;
		}
		uint32_t q = p;
		while (q < end && fa->desc[q].flags == FRAME_F_RESERVED) fa->desc[q++].flags = 0;
		free_run(fa, p, q);
		released += q - p;
		p = q;
	}
	fa->nreserved -= released;
	fa->nfree += released;
	mm_irq_restore(irq);
	return (int)released;
}

/* First allocated frame of [start, end), or PFN_NONE. */
static pfn_t find_allocated(const struct frame_alloc *fa, uint32_t start, uint32_t end)
{
	uint32_t p = start;
	while (p < end) {
		uint32_t h;
		unsigned k;
		enum frame_state st = state_of(fa, p, &h, &k);
		if (st == FRAME_STATE_ALLOCATED) return pfn_make(p);
		p = (st == FRAME_STATE_FREE) ? h + (1u << k) : p + 1;
	}
	return PFN_NONE;
}

/* Reserve the part of the free block at h (order k) inside [start, end);
 * the rest of the block goes back on the free lists. Returns the end of the
 * reserved part. */
static uint32_t carve_block(struct frame_alloc *fa, uint32_t h, unsigned k, uint32_t start,
			    uint32_t end)
{
	uint32_t bend = h + (1u << k);
	uint32_t lo = h > start ? h : start;
	uint32_t hi = bend < end ? bend : end;
	list_remove(fa, pfn_make(h), k);
	fa->desc[h].flags = 0;
	for (uint32_t q = lo; q < hi; q++) {
		fa->desc[q].flags = FRAME_F_RESERVED;
		fa->desc[q].order = 0;
	}
	fa->nfree -= hi - lo;
	fa->nreserved += hi - lo;
	free_run(fa, h, lo);
	free_run(fa, hi, bend);
	return hi;
}

int frame_reserve_range(struct frame_alloc *fa, pfn_t start, uint32_t count)
{
	uint32_t first = pfn_u32(start);
	uint32_t end = clip_end(fa, first, count);
	uint32_t irq = mm_irq_save();
	pfn_t bad = find_allocated(fa, first, end);
	if (!pfn_is_none(bad)) {
		mm_irq_restore(irq);
		mm_log("frame_reserve_range: frame 0x%x is allocated\n", pfn_u32(bad));
		return -MM_EINVAL;
	}
	uint32_t reserved = 0;
	uint32_t p = first;
	while (p < end) {
		uint32_t h;
		unsigned k;
		if (state_of(fa, p, &h, &k) == FRAME_STATE_RESERVED) {
			p++;
			continue;
		}
		uint32_t hi = carve_block(fa, h, k, first, end);
		reserved += hi - p;
		p = hi;
	}
	mm_irq_restore(irq);
	return (int)reserved;
}

/* ---- allocation ---- */

pfn_t frame_alloc(struct frame_alloc *fa, unsigned order)
{
	if (order > FRAME_MAX_ORDER) return PFN_NONE;
	uint32_t irq = mm_irq_save();
	uint32_t avail = fa->nonempty >> order;
	if (avail == 0) {
		mm_irq_restore(irq);
		return PFN_NONE;
	}
	unsigned k = order + (unsigned)__builtin_ctz(avail);
	pfn_t pfn = list_pop(fa, k);
	while (k > order) {
		k--;
		list_push(fa, pfn_add(pfn, 1u << k), k);
	}
	struct frame *f = frame_desc(fa, pfn);
	f->order = (uint8_t)order;
	f->flags = ALLOC_HEAD;
	f->aux = 0;
	fa->nfree -= 1u << order;
	fa->nallocated += 1u << order;
	mm_irq_restore(irq);
	return pfn;
}

/* Why freeing (pfn, order) is wrong (it is not a live block). */
static const char *free_problem(const struct frame_alloc *fa, pfn_t pfn)
{
	if (!frame_valid(fa, pfn)) return "beyond the end of memory";
	const struct frame *f = frame_desc(fa, pfn);
	if (f->flags == ALLOC_HEAD) return "wrong order";
	if (f->flags == FREE_HEAD) return "double free: the block is already free";
	if (f->flags & FRAME_F_RESERVED) return "the frame is reserved";
	if (frame_state(fa, pfn, 0, 0) == FRAME_STATE_FREE)
		return "double free: the frame is inside a free block";
	return "not the first frame of an allocated block";
}

/* Report a bad frame_free: panic in strict mode, else log and refuse. */
static int bad_free(const struct frame_alloc *fa, pfn_t pfn, unsigned order, const char *why)
{
	char held[32] = "";
	if (frame_valid(fa, pfn) && frame_desc(fa, pfn)->flags == ALLOC_HEAD)
		mm_snprintf(held, sizeof held, " (the block has order %u)", frame_desc(fa, pfn)->order);
	if (fa->strict)
		mm_panic(__FILE__, __LINE__, "frame_free(pfn 0x%x, order %u): %s%s", pfn_u32(pfn), order,
			 why, held);
	mm_log("frame_free(pfn 0x%x, order %u): %s%s\n", pfn_u32(pfn), order, why, held);
	return -MM_EINVAL;
}

int frame_free(struct frame_alloc *fa, pfn_t pfn, unsigned order)
{
	uint32_t irq = mm_irq_save();
	if (!frame_valid(fa, pfn) || frame_desc(fa, pfn)->flags != ALLOC_HEAD ||
	    frame_desc(fa, pfn)->order != order) {
		const char *why = free_problem(fa, pfn);
		mm_irq_restore(irq);
		return bad_free(fa, pfn, order, why);
	}
	fa->nallocated -= 1u << order;
	fa->nfree += 1u << order;
	free_block(fa, pfn_u32(pfn), order);
	mm_irq_restore(irq);
	return 0;
}

/* ---- checking and printing ---- */


/* Walk free list k; returns the number of blocks on it. */
static uint32_t check_list(const struct frame_alloc *fa, unsigned k, struct mm_check *c)
{
	uint32_t n = 0;
	pfn_t prev = PFN_NONE;
	for (pfn_t pfn = fa->free_head[k]; !pfn_is_none(pfn); pfn = frame_desc(fa, pfn)->next) {
		uint32_t p = pfn_u32(pfn);
		if (p >= fa->npfns) {
			mm_check_problem(c, "list %u: link to frame 0x%x beyond memory", k, p);
			break;
		}
		const struct frame *f = &fa->desc[p];
		if (f->flags != FREE_HEAD || f->order != k)
			mm_check_problem(c, "list %u: frame 0x%x has flags 0x%x order %u", k, p, f->flags, f->order);
		if (p & ((1u << k) - 1u)) mm_check_problem(c, "list %u: frame 0x%x not aligned", k, p);
		if (fa->npfns - p < (1u << k)) mm_check_problem(c, "list %u: block 0x%x runs past memory", k, p);
		if (!pfn_eq(f->prev, prev))
			mm_check_problem(c, "list %u: frame 0x%x prev 0x%x, expected 0x%x", k, p,
					 pfn_u32(f->prev), pfn_u32(prev));
		prev = pfn;
		if (++n > fa->nblocks[k]) {
			mm_check_problem(c, "list %u: longer than its count %u (a cycle?)", k, fa->nblocks[k]);
			break;
		}
	}
	if (n != fa->nblocks[k]) mm_check_problem(c, "list %u: %u blocks, count says %u", k, n, fa->nblocks[k]);
	if (((fa->nonempty >> k) & 1u) != (fa->nblocks[k] != 0))
		mm_check_problem(c, "list %u: non-empty bit disagrees with count %u", k, fa->nblocks[k]);
	return n;
}

struct tally {
	uint32_t nfree, nallocated, nreserved;
	uint32_t free_heads;
};

/* Check the block headed by p; returns its length in frames (1 if bogus). */
static uint32_t check_block(const struct frame_alloc *fa, uint32_t p, struct tally *t,
			    struct mm_check *c)
{
	const struct frame *f = &fa->desc[p];
	unsigned k = f->order;
	if (k > FRAME_MAX_ORDER || (p & ((1u << k) - 1u)) || fa->npfns - p < (1u << k)) {
		mm_check_problem(c, "frame 0x%x heads a bad block of order %u", p, k);
		return 1;
	}
	uint32_t len = 1u << k;
	for (uint32_t q = p + 1; q < p + len; q++)
		if (fa->desc[q].flags != 0)
			mm_check_problem(c, "frame 0x%x inside block 0x%x has flags 0x%x", q, p, fa->desc[q].flags);
	if (f->flags == ALLOC_HEAD) {
		t->nallocated += len;
		return len;
	}
	t->nfree += len;
	t->free_heads++;
	uint32_t buddy = p ^ len;
	if (k < FRAME_MAX_ORDER && buddy < fa->npfns && fa->desc[buddy].flags == FREE_HEAD &&
	    fa->desc[buddy].order == k)
		mm_check_problem(c, "free buddies 0x%x and 0x%x of order %u not merged", p, buddy, k);
	return len;
}

int frame_check(const struct frame_alloc *fa, struct mm_sink *report)
{
	struct mm_check c = { report, "frame_check", 0 };
	struct tally t = { 0, 0, 0, 0 };
	uint32_t listed = 0, listed_frames = 0;
	for (unsigned k = 0; k < FRAME_NORDERS; k++) {
		uint32_t n = check_list(fa, k, &c);
		listed += n;
		listed_frames += n << k;
	}
	uint32_t p = 0;
	while (p < fa->npfns) {
		uint8_t fl = fa->desc[p].flags;
		if (fl == FRAME_F_RESERVED) {
			t.nreserved++;
			p++;
		} else if (fl == FREE_HEAD || fl == ALLOC_HEAD) {
			p += check_block(fa, p, &t, &c);
		} else {
			mm_check_problem(&c, "frame 0x%x has flags 0x%x outside any block", p, fl);
			p++;
		}
	}
	if (t.nfree != fa->nfree || t.nallocated != fa->nallocated || t.nreserved != fa->nreserved)
		mm_check_problem(&c, "descriptors say free %u allocated %u reserved %u; counters say %u %u %u",
			t.nfree, t.nallocated, t.nreserved, fa->nfree, fa->nallocated, fa->nreserved);
	if (fa->nfree + fa->nallocated + fa->nreserved != fa->npfns)
		mm_check_problem(&c, "counters do not add up to %u frames", fa->npfns);
	if (t.free_heads != listed || listed_frames != fa->nfree)
		mm_check_problem(&c, "%u free blocks in descriptors, %u (%u frames) on the lists", t.free_heads,
			listed, listed_frames);
	return mm_check_result(&c);
}

void frame_print(const struct frame_alloc *fa, struct mm_sink *out)
{
	mm_format(out, "frames: %u total (%u KiB), %u free, %u allocated, %u reserved\n",
		  fa->npfns, fa->npfns * (PAGE_SIZE / 1024u), fa->nfree, fa->nallocated,
		  fa->nreserved);
	mm_format(out, "order  block KiB  free blocks  free frames\n");
	for (unsigned k = 0; k < FRAME_NORDERS; k++)
		mm_format(out, "%5u  %9u  %11u  %11u\n", k, (PAGE_SIZE / 1024u) << k,
			  fa->nblocks[k], fa->nblocks[k] << k);
}
