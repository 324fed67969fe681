/*
 * arena.h - the "virtual memory allocator" arena (seed 003, mm/sim/FORMATS.md §4).
 *
 * An arena is a range of virtual addresses [0, nbytes) of up to 2^64 bytes.
 * ALLOC_BLOCK marks a range as allocated; each such range is a *miniblock*
 * with its own buffer, permissions and contents. A *block* is a maximal run
 * of address-contiguous miniblocks: a new miniblock that touches existing
 * blocks joins them into one block, and freeing a miniblock in the middle of
 * a block splits it in two. Memory is committed per miniblock (its buffer
 * comes from the caller's struct mm_allocator), never for the whole arena,
 * so a 64 GiB arena with a few small miniblocks costs a few small buffers.
 *
 * Algorithm: the miniblocks are the only stored objects, kept in an AVL tree
 * keyed by start address (each node carries its buffer in the same
 * allocation). Blocks are derived: since the merge and split rules make every
 * block exactly a maximal contiguous run, storing runs separately would only
 * duplicate the tree. This makes merging and splitting free (no data moves)
 * and means freeing never needs memory. Lookups are O(log n); an access
 * walks only the miniblocks it touches. Counters of miniblocks, blocks and
 * used bytes are kept up to date so PMAP's header costs nothing.
 *
 * Errors (negative MM_E* codes, see each function): nothing is changed when
 * an operation fails.
 */
#ifndef MM_ARENA_H
#define MM_ARENA_H

#include "mm_types.h"
#include "mm_alloc.h"
#include "fmt.h"

/* Permission bits of a miniblock (printed "RWX", '-' for a missing one). */
#define ARENA_PROT_NONE 0u
#define ARENA_PROT_EXEC 1u
#define ARENA_PROT_WRITE 2u
#define ARENA_PROT_READ 4u
#define ARENA_PROT_ALL 7u
#define ARENA_PROT_DEFAULT (ARENA_PROT_READ | ARENA_PROT_WRITE) /* "RW-" */

/* An AVL tree of n nodes has height < 1.45 log2(n + 2); 64 covers any n. */
#define ARENA_MAX_HEIGHT 64

/* One miniblock: an AVL node followed in the same allocation by its bytes. */
/* A miniblock larger than this keeps its bytes in chunks of this size,
 * allocated on the first write to each: an ALLOC_BLOCK of gigabytes costs
 * only its chunk table, and unwritten bytes read as zeros (the original's
 * calloc'ed buffer). */
#define ARENA_CHUNK 65536u

struct arena_mini {
	uint64_t start;              /* first address */
	uint64_t nbytes;             /* > 0 */
	struct arena_mini *left, *right;
	uint8_t *data;               /* small: nbytes bytes right after this header;
					large (> ARENA_CHUNK): NULL, see chunks */
	uint8_t **chunks;            /* large: one pointer per ARENA_CHUNK bytes,
					NULL until a write touches the chunk */
	int height;                  /* AVL height of the subtree, leaf = 1 */
	unsigned prot;               /* ARENA_PROT_* bits */
};

struct arena {
	struct mm_allocator alloc;   /* where miniblocks come from */
	uint64_t nbytes;             /* size of the address range */
	struct arena_mini *root;
	uint64_t nminis;             /* miniblocks in the tree */
	uint64_t nblocks;            /* maximal contiguous runs of miniblocks */
	uint64_t used_bytes;         /* sum of the miniblocks' sizes */
};

/* Figures printed by PMAP. */
struct arena_stats {
	uint64_t nbytes, free_bytes, nblocks, nminis;
};

/* A copy of one miniblock's description, for iteration and tests. */
struct arena_mini_info {
	uint64_t start, nbytes;
	unsigned prot;
	bool block_start;            /* first miniblock of its block */
};

/* In-order iterator over the miniblocks (no allocation: an explicit stack). */
struct arena_iter {
	const struct arena_mini *stack[ARENA_MAX_HEIGHT];
	int depth;
};

/* Set up an empty arena of nbytes addresses over alloc (copied). Never fails. */
void arena_init(struct arena *a, const struct mm_allocator *alloc, uint64_t nbytes);
/* Free every miniblock; the arena is empty (size kept) afterwards. */
void arena_destroy(struct arena *a);

/*
 * Allocate [addr, addr + nbytes) as a new miniblock with RW- permissions and
 * zeroed contents, merging with the blocks it touches. Errors, checked in
 * this order: -MM_EFAULT addr is not inside the arena; -MM_ENOSPC the end is
 * past the arena; -MM_EINVAL nbytes is 0; -MM_EEXIST the range overlaps an
 * allocated one; -MM_ENOMEM no memory for the miniblock.
 */
int arena_alloc_block(struct arena *a, uint64_t addr, uint64_t nbytes);

/* Free the miniblock that starts at addr (splitting its block if it was in
 * the middle). -MM_ENOENT if no miniblock starts at addr. */
int arena_free_block(struct arena *a, uint64_t addr);

/* Set the permissions of the miniblock that starts at addr.
 * -MM_ENOENT if no miniblock starts there, -MM_EINVAL for unknown bits. */
int arena_mprotect(struct arena *a, uint64_t addr, unsigned prot);

/*
 * Check an access of nbytes at addr that needs the permission bits prot.
 * The access is cut at the end of the block containing addr: *nclamped gets
 * the number of bytes that lie in it (< nbytes means the request ran past the
 * block). Returns 0, -MM_ENOENT if addr is in no block, or -MM_EFAULT if a
 * miniblock inside the cut range lacks a bit of prot.
 */
int arena_access(const struct arena *a, uint64_t addr, uint64_t nbytes, unsigned prot,
		 uint64_t *nclamped);

/* Copy out / in up to nbytes at addr, cut at the block's end as above, after
 * the same checks (READ / WRITE permission). *ndone gets the bytes copied.
 * A write into a large miniblock first gives memory to the chunks it
 * touches; if that fails it returns -MM_ENOMEM and writes nothing. */
int arena_read(const struct arena *a, uint64_t addr, void *dst, uint64_t nbytes,
	       uint64_t *ndone);
int arena_write(struct arena *a, uint64_t addr, const void *src, uint64_t nbytes,
		uint64_t *ndone);

void arena_get_stats(const struct arena *a, struct arena_stats *st);

/* Print the PMAP report (mm/sim/FORMATS.md §4.5) into out. */
void arena_pmap(const struct arena *a, struct mm_sink *out);

/* Iterate over the miniblocks with start >= addr in address order:
 * arena_iter_seek then arena_iter_next until it returns false. */
void arena_iter_seek(const struct arena *a, struct arena_iter *it, uint64_t addr);
bool arena_iter_next(struct arena_iter *it, const struct arena_mini **m);

/* Describe the miniblock containing addr. Returns false if there is none. */
bool arena_find(const struct arena *a, uint64_t addr, struct arena_mini_info *info);

/* Print "RWX"-style permissions into buf (at least 4 bytes). */
void arena_prot_str(unsigned prot, char buf[4]);

/*
 * Walk the whole structure: tree order and AVL balance, miniblocks inside the
 * arena and disjoint, sizes and data pointers, and the three counters.
 * Returns 0, or -MM_EIO after describing each problem found into report
 * (which may be NULL).
 */
int arena_check(const struct arena *a, struct mm_sink *report);

#endif
