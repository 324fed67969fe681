/*
 * mems.h - MeMS, the "memory management system" heap: a 2-D free list of
 * page mappings (main chain) each cut into PROCESS and HOLE segments
 * (sub-chains), handing out MeMS virtual addresses that start at 1000 and run
 * on contiguously across the main chain. First fit in list order; a request
 * that no hole can hold maps a new node of ceil(size / 4096) pages.
 *
 * An instance takes its pages from a pager and its bookkeeping from a byte
 * allocator, both handed in by the caller. Beside the list it keeps an index
 * (see mems.c and mems_index.h) so that malloc, free and get never walk the
 * list: the node holding an address is one look-up in a table of pages;
 * malloc's first fit is one descent of a tournament tree over the nodes'
 * largest holes, then a short walk over the holes of one node (or, in a
 * node of many segments, one descent of its tree); the segment at an
 * address is a binary search among the offsets of one node (or a descent
 * of its tree); every split or merge moves the offsets after it in one
 * node, a block of them at once in a small node (or changes O(log)
 * records), and refreshes O(log) figures. The output of
 * mems_print_stats() is byte-exact with the original (see
 * mm/sim/FORMATS.md §3.2), "unsued" included.
 *
 * Typical use:
 *     struct mems m;
 *     mems_init(&m, &pager, &meta);
 *     uint64_t v = mems_malloc(&m, 1000);       // 0: see mems_last_error()
 *     int *p = mems_get(&m, v);                 // real memory behind v
 *     mems_free(&m, v);
 *     mems_finish(&m);                          // unmaps every node
 */
#ifndef MM_MEMS_H
#define MM_MEMS_H

#include "mm_types.h"
#include "mm_alloc.h"
#include "fmt.h"
#include "mems_index.h"

#define MEMS_PAGE_SIZE 4096u
#define MEMS_VADDR_BASE 1000u

/*
 * Where MeMS nodes come from. map() obtains npages pages of memory that are
 * contiguous in the caller's address space and returns 0 with *kaddr set, or
 * a negative MM_E* code. unmap() gives back exactly what one map() returned.
 * phys() tells the physical address behind a byte of mapped memory.
 */
struct mems_pager {
	int (*map)(void *ctx, size_t npages, void **kaddr);
	void (*unmap)(void *ctx, void *kaddr, size_t npages);
	paddr_t (*phys)(void *ctx, const void *kaddr);
	void *ctx;
};

/* A MeMS instance. Treat the fields as private: use the functions below. */
struct mems {
	uint32_t magic;              /* MEMS_MAGIC while initialised */
	int last_err;                /* 0 or -MM_E* of the last call */
	const char *last_msg;        /* what went wrong, for a shell to print */
	/* the node index (mems.c) */
	uint32_t *tour;              /* 16-way tournament tree of largest holes */
	unsigned tour_levels;        /* its levels; it has 16^levels leaves */
	size_t tour_leaf;            /* the slot of its first leaf */
	struct mems_node **nodes;    /* nodes[i]: the i-th node, nodes_cap slots */
	size_t nodes_cap;
	struct mems_node **pagemap;  /* pagemap[p]: the node of MeMS page p */
	size_t pagemap_cap;
	uint64_t end;                /* first MeMS address past the last node */
	size_t nnodes, nsegs, nprocess;
	uint64_t npages, hole_bytes, process_bytes;
	struct mems_node *head, *tail; /* the main chain */
	struct mems_pager pager;
	struct mm_allocator meta;
};

/* Figures the stats print, and a few more. */
struct mems_stats {
	uint64_t npages;        /* pages mapped ("Pages used") */
	uint64_t hole_bytes;    /* bytes in holes ("Space unsued") */
	uint64_t process_bytes; /* bytes in PROCESS segments */
	size_t nnodes;          /* main chain length */
	size_t nsegs;           /* segments in all sub-chains */
	size_t nprocess;        /* PROCESS segments among them */
	uint64_t end;           /* first MeMS address past the last node */
};

/* What mems_for_each_segment() shows of one segment. */
struct mems_seg_info {
	uint64_t start;         /* MeMS address of its first byte */
	size_t nbytes;
	bool process;           /* PROCESS (true) or HOLE */
	size_t node_index;      /* 0-based position of its node in the main chain */
	uint64_t node_start;
	size_t node_npages;
	void *kaddr;            /* the real address of its first byte */
};

/*
 * Set m up, empty, over a pager and a metadata allocator (both copied).
 * Returns 0, -MM_EINVAL if a pointer or callback is missing, or -MM_EEXIST if
 * m is already initialised (mems_finish it first). m may be uninitialised
 * memory or an instance that was finished.
 */
int mems_init(struct mems *m, const struct mems_pager *pg, const struct mm_allocator *meta);

/* Unmap every node and release all bookkeeping; m can be initialised again.
 * Does nothing to an instance that is not initialised. */
void mems_finish(struct mems *m);

/* true once mems_init succeeded and until mems_finish. */
bool mems_ready(const struct mems *m);

/*
 * Allocate nbytes: the first hole big enough (main-chain order, then sub-chain
 * order) is split, the process part first; else a new node of
 * ceil(nbytes / 4096) pages is appended, its remainder a hole. Returns the
 * MeMS virtual address, or 0 when nbytes is 0 (-MM_EINVAL), m is not
 * initialised (-MM_EINVAL), or memory or bookkeeping ran out (-MM_ENOMEM);
 * the reason is then in mems_last_error()/mems_last_message(). On failure
 * nothing changed.
 */
uint64_t mems_malloc(struct mems *m, size_t nbytes);

/*
 * Free the PROCESS segment that starts at vaddr: it becomes a hole and merges
 * with neighbouring holes of its node (nodes stay mapped). Returns 0, or
 *   -MM_EFAULT  vaddr is outside every node,
 *   -MM_ENOENT  vaddr lies in a hole (e.g. a second free),
 *   -MM_EINVAL  vaddr is inside a PROCESS segment but not its start, or m is
 *               not initialised,
 * and then nothing changed.
 */
int mems_free(struct mems *m, uint64_t vaddr);

/* The real address backing vaddr, for any byte of a PROCESS segment; NULL if
 * vaddr is not inside one (a hole, outside, or m not initialised). */
void *mems_get(struct mems *m, uint64_t vaddr);

/* The physical address behind vaddr (through the pager's phys()): 0 and *pa
 * set, or the error mems_get would have met (-MM_EFAULT). */
int mems_phys(struct mems *m, uint64_t vaddr, paddr_t *pa);

/* Print the MeMS SYSTEM STATS block exactly as the original did. Prints
 * nothing if m is not initialised (mems_last_error() says so). */
void mems_print_stats(struct mems *m, struct mm_sink *out);

/* Fill *st with the current figures (zeros if m is not initialised). */
void mems_get_stats(const struct mems *m, struct mems_stats *st);

/* Call fn for every segment in list order until it returns nonzero (which is
 * then returned); 0 after the last one. */
int mems_for_each_segment(const struct mems *m,
			  int (*fn)(void *ctx, const struct mems_seg_info *si), void *ctx);

/*
 * Walk the 2-D list and the index and verify every invariant: addresses
 * contiguous from 1000, node sizes whole pages, sub-chains tiling their node
 * with no two adjacent holes, links consistent both ways, counters right; and
 * the index: each node's offsets in order and its hole bits, or its tree
 * holding exactly its segments in list order, balanced, with correct hole
 * maxima; each node's largest hole; the node array, the page table and the
 * tournament tree agreeing with the chain. Reports each problem on report
 * (may be NULL); returns 0 if all is well, else -MM_EINVAL.
 */
int mems_check(struct mems *m, struct mm_sink *report);

/* The result of the last call on m (0 or -MM_E*) and a message for it. */
int mems_last_error(const struct mems *m);
const char *mems_last_message(const struct mems *m);

/*
 * Run the scenario of the official driver (example.c) on m, which must be
 * initialised and empty, printing what the original printed to out; the
 * physical address line shows pager phys(). Like the driver it ends with
 * mems_finish(m). Returns 0, or a negative MM_E* code (a line saying why is
 * printed and m is finished).
 */
int mems_run_example(struct mems *m, struct mm_sink *out);

#endif
