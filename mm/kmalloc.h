/*
 * kmalloc.h - the kernel's allocator for its own small objects: an instance
 * over a page source, with power-of-two size classes served from slabs and
 * larger requests served as whole blocks of 2^k pages.
 *
 *   class    0   1   2    3    4    5     6     7
 *   bytes   16  32  64  128  256  512  1024  2048      (> 2048: whole pages)
 *
 * A slab is one page: a header (free list, allocation bitmap, list links)
 * followed by the objects of one class. A large block starts with a small
 * header recording its order. Either header sits at the start of the page
 * holding the pointer kmalloc returned, which is how kfree finds it.
 *
 * Typical use:
 *
 *   struct kmalloc km;
 *   struct kmalloc_pages src = kmalloc_frame_pages(&frames);
 *   kmalloc_init(&km, &src);
 *   km.debug = true;            (optional, before the first kmalloc)
 *   void *p = kmalloc(&km, 100);
 *   kfree(&km, p);
 */
#ifndef MM_KMALLOC_H
#define MM_KMALLOC_H

#include "fmt.h"
#include "frame.h"
#include "mm_alloc.h"
#include "mm_types.h"

#define KMALLOC_NCLASSES 8u
#define KMALLOC_MIN_SIZE 16u
#define KMALLOC_MAX_SMALL 2048u       /* larger requests take whole pages */
#define KMALLOC_MAX_LARGE (1u << 26)  /* requests above 64 MiB are refused */
#define KMALLOC_POISON 0x6b           /* freed memory is filled with this in debug mode */

/*
 * Where kmalloc gets pages: alloc_pages returns 2^order contiguous pages
 * aligned to PAGE_SIZE (at least), or NULL when out; free_pages takes back
 * exactly what alloc_pages returned, with the same order.
 */
struct kmalloc_pages {
	void *(*alloc_pages)(void *ctx, unsigned order);
	void (*free_pages)(void *ctx, void *p, unsigned order);
	void *ctx;
};

struct km_slab;  /* the header at the start of each slab (kmalloc.c) */
struct km_large; /* the header at the start of each large block */

struct kmalloc_class {
	uint32_t size;          /* object bytes, a power of two */
	uint8_t shift;          /* log2(size) */
	uint16_t objs_per_slab;
	uint16_t first_off;     /* offset of object 0 in its slab */
	struct km_slab *partial; /* slabs with both free and used objects */
	struct km_slab *full;    /* slabs with no free object */
	struct km_slab *spare;   /* at most one empty slab kept back, or NULL */
	uint32_t nslabs;         /* slabs held, the spare included */
	uint32_t nused;          /* live objects */
	uint32_t nallocs, nfrees; /* totals since kmalloc_init */
};

struct kmalloc {
	struct kmalloc_pages pages;
	struct kmalloc_class cls[KMALLOC_NCLASSES];
	struct km_large *large;  /* live large blocks */
	uint32_t nlarge;         /* how many */
	uint32_t large_pages;    /* pages they hold */
	uint32_t npages;         /* pages held from the page source in all */
	uint32_t nerrors;        /* bad frees and poison damage detected */
	uint32_t nfailed;        /* requests refused (too big, or the source was out) */
	bool debug;              /* poison freed objects, check the poison on reuse */
	bool strict;             /* a detected error panics instead of being logged */
};

/* Set up km over a page source (copied). debug and strict start false; set
 * them before the first kmalloc. */
void kmalloc_init(struct kmalloc *km, const struct kmalloc_pages *pages);

/* n bytes aligned to 16, or NULL when out of memory or n > KMALLOC_MAX_LARGE.
 * kmalloc(km, 0) returns a distinct 16-byte object. */
void *kmalloc(struct kmalloc *km, size_t n);

/* kmalloc, then zero the n bytes. */
void *kzalloc(struct kmalloc *km, size_t n);

/*
 * Give back p (NULL is ignored). A pointer kmalloc did not return (not at an
 * object boundary of one of km's slabs or large blocks) or freed already is
 * detected: it is logged, counted in km->nerrors and nothing changes; with
 * km->strict it panics. kmalloc_free returns 0, or -MM_EINVAL for such a p.
 */
void kfree(struct kmalloc *km, void *p);
int kmalloc_free(struct kmalloc *km, void *p);

/* Bytes usable at p (the class size, or the large block's room), or 0 when
 * p is not a live kmalloc object. */
size_t kmalloc_size(struct kmalloc *km, const void *p);

/* Return the spare empty slab of every class to the page source. With no
 * live objects, km then holds no pages. */
void kmalloc_trim(struct kmalloc *km);

/*
 * Walk every slab, free list and large block: headers intact, list links and
 * slab states agree, free lists match the bitmaps, counters agree, poison of
 * free objects intact (in debug slabs). Reports each problem to report (may
 * be NULL). Returns 0, or -MM_EINVAL when anything is wrong.
 */
int kmalloc_check(struct kmalloc *km, struct mm_sink *report);

/* Per-class usage and the large blocks, for the shell. */
void kmalloc_print(struct kmalloc *km, struct mm_sink *out);

/* km as an mm_allocator for mm/ structures that take one. */
struct mm_allocator kmalloc_allocator(struct kmalloc *km);

/* A page source over a frame allocator whose frames are reachable through
 * mm_phys_to_virt (in the kernel: the direct map). */
struct kmalloc_pages kmalloc_frame_pages(struct frame_alloc *fa);

#endif
