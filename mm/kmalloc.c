/*
 * kmalloc.c - the kernel's small-object allocator (see kmalloc.h).
 *
 * Algorithm: segregated size classes, each a slab cache. A slab is one page:
 *
 *   +------------------+--------+--------+-----+--------+-------+
 *   | struct km_slab   | obj 0  | obj 1  | ... | obj n-1| slack |
 *   +------------------+--------+--------+-----+--------+-------+
 *   ^ page boundary    ^ first_off
 *
 * The header holds a bitmap of the objects handed out and a free list threaded
 * through the first word of each free object. A class keeps its slabs on a
 * partial list (allocation takes from its head), a full list, and at most one
 * empty spare; a slab that empties while a spare exists goes back to the page
 * source. Requests above KMALLOC_MAX_SMALL take 2^k pages whose first bytes
 * are a struct km_large. kfree masks the pointer down to its page and
 * recognises either header by a magic number mixed with the header's address
 * and the instance, then validates the pointer against the slab geometry and
 * bitmap: a double free or a pointer inside an object is caught there.
 *
 * In debug mode freed objects are filled with KMALLOC_POISON (all but the
 * free-list word); allocation checks the fill and the free-list link, so a
 * write after free is reported when the object is next handed out (or by
 * kmalloc_check). A damaged free list is rebuilt from the bitmap.
 */
#include "check.h"
#include "kmalloc.h"
#include "mm_env.h"
#include "mmlib.h"

#define SLAB_MAGIC 0x51ab5eedu
#define LARGE_MAGIC 0x1a26eb10u
#define BITMAP_WORDS 8u /* 256 objects at most per slab */

struct km_slab {
	uint32_t magic;
	uint8_t cls;      /* size class index */
	uint8_t poisoned; /* created in debug mode: free objects hold poison */
	uint16_t nfree;
	struct km_slab *next, *prev;
	void *free;       /* first free object */
	uint32_t used[BITMAP_WORDS]; /* bit i: object i is handed out */
};

struct km_large {
	uint32_t magic;
	uint32_t order;
	size_t nbytes; /* what was asked for */
	struct km_large *next, *prev;
};

#define SLAB_HDR_BYTES ((sizeof(struct km_slab) + 15u) & ~(size_t)15u)
#define LARGE_HDR_BYTES ((sizeof(struct km_large) + 15u) & ~(size_t)15u)

/* ---- headers ---- */

static uint32_t mix(const struct kmalloc *km, const void *hdr)
{
	return (uint32_t)(uintptr_t)hdr ^ ((uint32_t)(uintptr_t)km * 2654435761u);
}

static void *page_of(const void *p)
{
	return (void *)((uintptr_t)p & ~(uintptr_t)PAGE_MASK);
}

static bool is_slab(const struct kmalloc *km, const void *pg)
{
	return *(const uint32_t *)pg == (SLAB_MAGIC ^ mix(km, pg));
}

static bool is_large(const struct kmalloc *km, const void *pg)
{
	return *(const uint32_t *)pg == (LARGE_MAGIC ^ mix(km, pg));
}

static int km_error(struct kmalloc *km, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int km_error(struct kmalloc *km, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	mm_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	km->nerrors++;
	if (km->strict) mm_panic(__FILE__, __LINE__, "%s", msg);
	mm_log("%s\n", msg);
	return -MM_EINVAL;
}

/* ---- set-up ---- */

void kmalloc_init(struct kmalloc *km, const struct kmalloc_pages *pages)
{
	mm_memset(km, 0, sizeof *km);
	km->pages = *pages;
	for (unsigned i = 0; i < KMALLOC_NCLASSES; i++) {
		struct kmalloc_class *c = &km->cls[i];
		c->shift = (uint8_t)(4u + i);
		c->size = 1u << c->shift;
		c->first_off = (uint16_t)SLAB_HDR_BYTES;
		c->objs_per_slab = (uint16_t)((PAGE_SIZE - SLAB_HDR_BYTES) >> c->shift);
		MM_ASSERT(c->objs_per_slab >= 1 && c->objs_per_slab <= BITMAP_WORDS * 32u,
			  "class %u: %u objects per slab", i, c->objs_per_slab);
	}
}

static void *pages_get(struct kmalloc *km, unsigned order)
{
	void *p = km->pages.alloc_pages(km->pages.ctx, order);
	if (!p) {
		km->nfailed++;
		return NULL;
	}
	MM_ASSERT(((uintptr_t)p & PAGE_MASK) == 0, "page source returned %p, not page aligned", p);
	km->npages += 1u << order;
	return p;
}

static void pages_put(struct kmalloc *km, void *p, unsigned order)
{
	km->npages -= 1u << order;
	km->pages.free_pages(km->pages.ctx, p, order);
}

/* ---- slab lists (doubly linked, NULL-terminated) ---- */

static void slab_push(struct km_slab **head, struct km_slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head) (*head)->prev = s;
	*head = s;
}

static void slab_unlink(struct km_slab **head, struct km_slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next) s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/* ---- objects inside a slab ---- */

static unsigned char *obj_at(const struct kmalloc_class *c, struct km_slab *s, unsigned i)
{
	return (unsigned char *)s + c->first_off + ((size_t)i << c->shift);
}

/* Index of the object at p, or -1 if p is not at an object boundary. */
static int obj_index(const struct kmalloc_class *c, const struct km_slab *s, const void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)s;
	if (off < c->first_off) return -1;
	off -= c->first_off;
	if (off & (c->size - 1u)) return -1;
	if ((off >> c->shift) >= c->objs_per_slab) return -1;
	return (int)(off >> c->shift);
}

static bool bit_test(const struct km_slab *s, unsigned i)
{
	return (s->used[i / 32u] >> (i % 32u)) & 1u;
}

static void bit_flip(struct km_slab *s, unsigned i)
{
	s->used[i / 32u] ^= 1u << (i % 32u);
}

/* First byte of free object o that is not poison, or -1 (the link word is
 * not poisoned). */
static int poison_damage(const struct kmalloc_class *c, const unsigned char *o)
{
	for (size_t i = sizeof(void *); i < c->size; i++)
		if (o[i] != KMALLOC_POISON) return (int)i;
	return -1;
}

/* Thread the free list through every object the bitmap says is free,
 * poisoning them in a debug slab. When repairing (km != NULL), damage to the
 * old poison is reported first. Returns how many objects are free. */
static unsigned slab_rebuild(struct kmalloc *km, const struct kmalloc_class *c, struct km_slab *s)
{
	unsigned n = 0;
	s->free = NULL;
	for (unsigned i = c->objs_per_slab; i-- > 0;) {
		if (bit_test(s, i)) continue;
		unsigned char *o = obj_at(c, s, i);
		int bad = km && s->poisoned ? poison_damage(c, o) : -1;
		if (bad >= 0)
			km_error(km, "kmalloc: object %p (%u bytes) written after free: byte %d is 0x%x",
				 (void *)o, c->size, bad, o[bad]);
		if (s->poisoned) mm_memset(o, KMALLOC_POISON, c->size);
		*(void **)o = s->free;
		s->free = o;
		n++;
	}
	return n;
}

static struct km_slab *slab_new(struct kmalloc *km, unsigned ci)
{
	struct kmalloc_class *c = &km->cls[ci];
	struct km_slab *s = pages_get(km, 0);
	if (!s) return NULL;
	mm_memset(s, 0, sizeof *s);
	s->magic = SLAB_MAGIC ^ mix(km, s);
	s->cls = (uint8_t)ci;
	s->poisoned = km->debug;
	s->nfree = c->objs_per_slab;
	slab_rebuild(NULL, c, s);
	c->nslabs++;
	return s;
}

static void slab_release(struct kmalloc *km, struct kmalloc_class *c, struct km_slab *s)
{
	s->magic = 0;
	c->nslabs--;
	pages_put(km, s, 0);
}

/* Debug checks on the object about to be handed out: its poison, and the
 * free-list link it holds. A bad link means the list is rebuilt from the
 * bitmap (checking the poison of every free object on the way). */
static void check_popped(struct kmalloc *km, struct kmalloc_class *c, struct km_slab *s,
			 unsigned char *o)
{
	int bad = poison_damage(c, o);
	if (bad >= 0)
		km_error(km, "kmalloc: object %p (%u bytes) written after free: byte %d is 0x%x",
			 (void *)o, c->size, bad, o[bad]);
	void *next = *(void **)o;
	int ni = next ? obj_index(c, s, next) : -1;
	bool link_ok = s->nfree == 1 ? next == NULL
				     : (next != o && ni >= 0 && !bit_test(s, (unsigned)ni));
	if (link_ok) return;
	km_error(km, "kmalloc: free list of slab %p damaged at object %p (link %p)", (void *)s,
		 (void *)o, next);
	unsigned n = slab_rebuild(km, c, s);
	MM_ASSERT(n == s->nfree, "slab %p: bitmap has %u free objects, header says %u", (void *)s,
		  n, s->nfree);
}

/* Take the first free object of s, which has one. */
static void *slab_pop(struct kmalloc *km, struct kmalloc_class *c, struct km_slab *s)
{
	unsigned char *o = s->free;
	MM_ASSERT(o != NULL && s->nfree > 0, "slab %p: %u free objects, list %p", (void *)s,
		  s->nfree, (void *)o);
	if (s->poisoned) {
		check_popped(km, c, s, o);
		o = s->free; /* a rebuild may have changed the head */
	}
	int i = obj_index(c, s, o);
	MM_ASSERT(i >= 0 && !bit_test(s, (unsigned)i), "slab %p: bad free object %p", (void *)s,
		  (void *)o);
	s->free = *(void **)o;
	bit_flip(s, (unsigned)i);
	s->nfree--;
	return o;
}

static void *small_alloc(struct kmalloc *km, unsigned ci)
{
	struct kmalloc_class *c = &km->cls[ci];
	struct km_slab *s = c->partial;
	if (!s) {
		s = c->spare ? c->spare : slab_new(km, ci);
		if (!s) return NULL;
		c->spare = NULL;
		slab_push(&c->partial, s);
	}
	void *o = slab_pop(km, c, s);
	if (s->nfree == 0) {
		slab_unlink(&c->partial, s);
		slab_push(&c->full, s);
	}
	c->nused++;
	c->nallocs++;
	return o;
}

static int small_free(struct kmalloc *km, struct km_slab *s, void *p)
{
	if (s->cls >= KMALLOC_NCLASSES)
		return km_error(km, "kfree(%p): slab header damaged (class %u)", p, s->cls);
	struct kmalloc_class *c = &km->cls[s->cls];
	int i = obj_index(c, s, p);
	if (i < 0)
		return km_error(km, "kfree(%p): not the start of a %u-byte object", p, c->size);
	if (!bit_test(s, (unsigned)i))
		return km_error(km, "kfree(%p): double free (a %u-byte object not allocated)", p,
				c->size);
	bit_flip(s, (unsigned)i);
	if (s->poisoned) mm_memset(p, KMALLOC_POISON, c->size);
	*(void **)p = s->free;
	s->free = p;
	if (s->nfree++ == 0) {
		slab_unlink(&c->full, s);
		slab_push(&c->partial, s);
	}
	c->nused--;
	c->nfrees++;
	if (s->nfree == c->objs_per_slab) {
		slab_unlink(&c->partial, s);
		if (c->spare)
			slab_release(km, c, s);
		else
			c->spare = s;
	}
	return 0;
}

/* ---- large blocks ---- */

static void *large_alloc(struct kmalloc *km, size_t n)
{
	unsigned order = 0;
	while (((size_t)PAGE_SIZE << order) < n + LARGE_HDR_BYTES) order++;
	struct km_large *b = pages_get(km, order);
	if (!b) return NULL;
	b->magic = LARGE_MAGIC ^ mix(km, b);
	b->order = order;
	b->nbytes = n;
	b->prev = NULL;
	b->next = km->large;
	if (km->large) km->large->prev = b;
	km->large = b;
	km->nlarge++;
	km->large_pages += 1u << order;
	return (unsigned char *)b + LARGE_HDR_BYTES;
}

static int large_free(struct kmalloc *km, struct km_large *b, void *p)
{
	if (p != (unsigned char *)b + LARGE_HDR_BYTES)
		return km_error(km, "kfree(%p): inside the large block at %p", p, (void *)b);
	if (b->prev)
		b->prev->next = b->next;
	else
		km->large = b->next;
	if (b->next) b->next->prev = b->prev;
	unsigned order = b->order;
	km->nlarge--;
	km->large_pages -= 1u << order;
	b->magic = 0;
	if (km->debug) mm_memset(b, KMALLOC_POISON, (size_t)PAGE_SIZE << order);
	pages_put(km, b, order);
	return 0;
}

/* ---- the interface ---- */

static unsigned class_of(size_t n)
{
	if (n <= KMALLOC_MIN_SIZE) return 0;
	return 32u - (unsigned)__builtin_clz((unsigned)(n - 1u)) - 4u;
}

void *kmalloc(struct kmalloc *km, size_t n)
{
	uint32_t irq = mm_irq_save();
	void *p;
	if (n <= KMALLOC_MAX_SMALL) {
		p = small_alloc(km, class_of(n));
	} else if (n <= KMALLOC_MAX_LARGE) {
		p = large_alloc(km, n);
	} else {
		km->nfailed++;
		p = NULL;
	}
	mm_irq_restore(irq);
	return p;
}

void *kzalloc(struct kmalloc *km, size_t n)
{
	void *p = kmalloc(km, n);
	if (p) mm_memset(p, 0, n);
	return p;
}

int kmalloc_free(struct kmalloc *km, void *p)
{
	if (!p) return 0;
	uint32_t irq = mm_irq_save();
	void *pg = page_of(p);
	int rc;
	if (is_slab(km, pg))
		rc = small_free(km, pg, p);
	else if (is_large(km, pg))
		rc = large_free(km, pg, p);
	else
		rc = km_error(km, "kfree(%p): not a kmalloc object (or freed already)", p);
	mm_irq_restore(irq);
	return rc;
}

void kfree(struct kmalloc *km, void *p)
{
	(void)kmalloc_free(km, p);
}

size_t kmalloc_size(struct kmalloc *km, const void *p)
{
	if (!p) return 0;
	void *pg = page_of(p);
	if (is_slab(km, pg)) {
		struct km_slab *s = pg;
		if (s->cls >= KMALLOC_NCLASSES) return 0;
		const struct kmalloc_class *c = &km->cls[s->cls];
		int i = obj_index(c, s, p);
		return (i >= 0 && bit_test(s, (unsigned)i)) ? c->size : 0;
	}
	if (is_large(km, pg) && p == (unsigned char *)pg + LARGE_HDR_BYTES)
		return ((size_t)PAGE_SIZE << ((struct km_large *)pg)->order) - LARGE_HDR_BYTES;
	return 0;
}

void kmalloc_trim(struct kmalloc *km)
{
	uint32_t irq = mm_irq_save();
	for (unsigned i = 0; i < KMALLOC_NCLASSES; i++) {
		struct kmalloc_class *c = &km->cls[i];
		if (c->spare) slab_release(km, c, c->spare);
		c->spare = NULL;
	}
	mm_irq_restore(irq);
}

/* ---- checking ---- */


static unsigned popcount_bitmap(const struct km_slab *s)
{
	unsigned n = 0;
	for (unsigned w = 0; w < BITMAP_WORDS; w++)
		for (uint32_t v = s->used[w]; v; v &= v - 1u) n++;
	return n;
}

/* Walk the free list of s against its bitmap; returns the objects on it. */
static unsigned check_free_list(const struct kmalloc_class *c, struct km_slab *s, struct mm_check *ck)
{
	uint32_t seen[BITMAP_WORDS] = { 0 };
	unsigned n = 0;
	for (unsigned char *o = s->free; o; o = *(unsigned char **)o) {
		int i = obj_index(c, s, o);
		if (i < 0) {
			mm_check_problem(ck, "slab %p: free list links to %p, not an object", (void *)s, (void *)o);
			break;
		}
		if (bit_test(s, (unsigned)i)) mm_check_problem(ck, "slab %p: object %d on the free list is in use", (void *)s, i);
		if ((seen[i / 32] >> (i % 32)) & 1u) {
			mm_check_problem(ck, "slab %p: free list loops at object %d", (void *)s, i);
			break;
		}
		seen[i / 32] |= 1u << (i % 32);
		int bad = s->poisoned ? poison_damage(c, o) : -1;
		if (bad >= 0)
			mm_check_problem(ck, "slab %p: free object %p written after free (byte %d is 0x%x)",
				(void *)s, (void *)o, bad, o[bad]);
		n++;
	}
	return n;
}

/* Check one slab expected to hold between lo and hi free objects. */
static void check_slab(struct kmalloc *km, unsigned ci, struct km_slab *s, unsigned lo, unsigned hi,
		       struct mm_check *ck)
{
	const struct kmalloc_class *c = &km->cls[ci];
	if (((uintptr_t)s & PAGE_MASK) || !is_slab(km, s) || s->cls != ci) {
		mm_check_problem(ck, "class %u: slab %p has a bad header", ci, (void *)s);
		return;
	}
	if (s->nfree < lo || s->nfree > hi)
		mm_check_problem(ck, "slab %p: %u free objects on a list for %u..%u", (void *)s, s->nfree, lo, hi);
	for (unsigned i = c->objs_per_slab; i < BITMAP_WORDS * 32u; i++)
		if (bit_test(s, i)) mm_check_problem(ck, "slab %p: bitmap bit %u set past the objects", (void *)s, i);
	unsigned used = popcount_bitmap(s);
	if (used + s->nfree != c->objs_per_slab)
		mm_check_problem(ck, "slab %p: %u used + %u free != %u objects", (void *)s, used, s->nfree,
			c->objs_per_slab);
	unsigned listed = check_free_list(c, s, ck);
	if (listed != s->nfree)
		mm_check_problem(ck, "slab %p: %u objects on the free list, %u counted", (void *)s, listed, s->nfree);
}

/* Walk one slab list; returns its length and adds its used objects to *used. */
static unsigned check_slab_list(struct kmalloc *km, unsigned ci, struct km_slab *head, unsigned lo,
				unsigned hi, uint32_t *used, struct mm_check *ck)
{
	unsigned n = 0;
	struct km_slab *prev = NULL;
	for (struct km_slab *s = head; s; s = s->next) {
		if (++n > km->npages) {
			mm_check_problem(ck, "class %u: slab list longer than the pages held (a cycle?)", ci);
			break;
		}
		check_slab(km, ci, s, lo, hi, ck);
		if (s->prev != prev) mm_check_problem(ck, "slab %p: back link %p, expected %p", (void *)s, (void *)s->prev, (void *)prev);
		*used += (uint32_t)(km->cls[ci].objs_per_slab - s->nfree);
		prev = s;
	}
	return n;
}

static uint32_t check_class(struct kmalloc *km, unsigned ci, struct mm_check *ck)
{
	struct kmalloc_class *c = &km->cls[ci];
	unsigned nobj = c->objs_per_slab;
	uint32_t used = 0;
	unsigned n = check_slab_list(km, ci, c->partial, 1, nobj - 1u, &used, ck);
	n += check_slab_list(km, ci, c->full, 0, 0, &used, ck);
	if (c->spare) {
		check_slab(km, ci, c->spare, nobj, nobj, ck);
		n++;
	}
	if (n != c->nslabs) mm_check_problem(ck, "class %u: %u slabs on the lists, %u counted", ci, n, c->nslabs);
	if (used != c->nused) mm_check_problem(ck, "class %u: %u objects in use, %u counted", ci, used, c->nused);
	if (c->nallocs - c->nfrees != c->nused)
		mm_check_problem(ck, "class %u: %u allocations - %u frees != %u in use", ci, c->nallocs, c->nfrees,
			c->nused);
	return n;
}

static uint32_t check_large(struct kmalloc *km, struct mm_check *ck)
{
	uint32_t n = 0, pages = 0;
	struct km_large *prev = NULL;
	for (struct km_large *b = km->large; b; b = b->next) {
		if (++n > km->npages) {
			mm_check_problem(ck, "large list longer than the pages held (a cycle?)");
			break;
		}
		if (((uintptr_t)b & PAGE_MASK) || !is_large(km, b) || b->order > 20u) {
			mm_check_problem(ck, "large block %p has a bad header", (void *)b);
			break;
		}
		if (b->nbytes + LARGE_HDR_BYTES > ((size_t)PAGE_SIZE << b->order))
			mm_check_problem(ck, "large block %p: %u bytes do not fit order %u", (void *)b,
				(unsigned)b->nbytes, b->order);
		if (b->prev != prev) mm_check_problem(ck, "large block %p: bad back link", (void *)b);
		pages += 1u << b->order;
		prev = b;
	}
	if (n != km->nlarge) mm_check_problem(ck, "%u large blocks listed, %u counted", n, km->nlarge);
	if (pages != km->large_pages)
		mm_check_problem(ck, "large blocks hold %u pages, %u counted", pages, km->large_pages);
	return pages;
}

int kmalloc_check(struct kmalloc *km, struct mm_sink *report)
{
	struct mm_check ck = { report, "kmalloc_check", 0 };
	uint32_t irq = mm_irq_save();
	uint32_t pages = 0;
	for (unsigned ci = 0; ci < KMALLOC_NCLASSES; ci++) pages += check_class(km, ci, &ck);
	pages += check_large(km, &ck);
	if (pages != km->npages)
		mm_check_problem(&ck, "%u pages found, %u held from the page source", pages, km->npages);
	mm_irq_restore(irq);
	return mm_check_result(&ck);
}

/* ---- printing and adaptors ---- */

void kmalloc_print(struct kmalloc *km, struct mm_sink *out)
{
	mm_format(out, "kmalloc: %u pages held, %u large blocks (%u pages), %u errors, %u refused%s\n",
		  km->npages, km->nlarge, km->large_pages, km->nerrors, km->nfailed,
		  km->debug ? ", debug" : "");
	mm_format(out, " size  objs/slab  slabs  in use   free     allocs\n");
	for (unsigned i = 0; i < KMALLOC_NCLASSES; i++) {
		const struct kmalloc_class *c = &km->cls[i];
		uint32_t total = c->nslabs * c->objs_per_slab;
		mm_format(out, "%5u  %9u  %5u  %6u  %5u  %9u\n", c->size, c->objs_per_slab, c->nslabs,
			  c->nused, total - c->nused, c->nallocs);
	}
}

static void *allocator_alloc(void *ctx, size_t n)
{
	return kmalloc(ctx, n);
}

static void allocator_free(void *ctx, void *p)
{
	kfree(ctx, p);
}

struct mm_allocator kmalloc_allocator(struct kmalloc *km)
{
	struct mm_allocator a = { allocator_alloc, allocator_free, km };
	return a;
}

static void *frame_pages_alloc(void *ctx, unsigned order)
{
	pfn_t pfn = frame_alloc(ctx, order);
	return pfn_is_none(pfn) ? NULL : mm_phys_to_virt(pfn_to_paddr(pfn));
}

static void frame_pages_free(void *ctx, void *p, unsigned order)
{
	int rc = frame_free(ctx, paddr_to_pfn(mm_virt_to_phys(p)), order);
	MM_ASSERT(rc == 0, "kmalloc gave back frames at %p (order %u) it did not hold", p, order);
}

struct kmalloc_pages kmalloc_frame_pages(struct frame_alloc *fa)
{
	struct kmalloc_pages src = { frame_pages_alloc, frame_pages_free, fa };
	return src;
}
