/*
 * frame.h - the physical frame allocator: a binary buddy system over an array
 * of per-frame descriptors that the caller hands in.
 *
 * Physical memory is frames 0..npfns-1. A block of order k is 2^k contiguous
 * frames whose first frame number is a multiple of 2^k; its buddy is the block
 * at pfn ^ 2^k. Free blocks of each order sit on a doubly linked list threaded
 * through the descriptors by frame number, so every operation costs
 * O(FRAME_MAX_ORDER) and never scans memory.
 *
 * Descriptor states (flags of struct frame):
 *
 *   RESERVED          the frame is not RAM, or the kernel keeps it (image,
 *                     boot structures, the descriptor array itself)
 *   HEAD|FREE         first frame of a free block of `order`, on free list `order`
 *   HEAD|ALLOCATED    first frame of an allocated block of `order`
 *   0 (tail)          any other frame of a free or allocated block
 *
 * Every frame starts RESERVED; the boot code releases the usable regions of
 * the memory map, then reserves what must stay put (the reservation splits
 * free blocks when it lands inside them).
 */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include "fmt.h"
#include "mm_types.h"

#define FRAME_MAX_ORDER 10u                 /* largest block: 2^10 frames = 4 MiB */
#define FRAME_NORDERS (FRAME_MAX_ORDER + 1u)

/* struct frame.flags */
#define FRAME_F_RESERVED 0x01u
#define FRAME_F_FREE 0x02u
#define FRAME_F_ALLOCATED 0x04u
#define FRAME_F_HEAD 0x08u

/* One descriptor per physical frame: 12 bytes. */
struct frame {
	pfn_t next;    /* free list links (frame numbers, PFN_NONE ends) */
	pfn_t prev;
	uint8_t order; /* order of the block this frame heads */
	uint8_t flags; /* FRAME_F_* */
	uint16_t aux;  /* for the owner of an allocated block (e.g. a use count);
			  zeroed when the block is handed out */
};

/* Frame numbers are pfn_t; how many frames (npfns and the tallies) are
 * plain counts. */
struct frame_alloc {
	struct frame *desc;               /* npfns descriptors */
	uint32_t npfns;                   /* frames 0..npfns-1 */
	pfn_t free_head[FRAME_NORDERS];   /* first free block of each order */
	uint32_t nblocks[FRAME_NORDERS];  /* free blocks of each order */
	uint32_t nonempty;                /* bit k set: free list k is not empty */
	uint32_t nfree;                   /* frames in free blocks */
	uint32_t nallocated;              /* frames in allocated blocks */
	uint32_t nreserved;               /* reserved frames */
	bool strict;                      /* a bad frame_free panics instead of returning */
};

/* Whether pfn is one of fa's frames; its descriptor (pfn must be one). */
static inline bool frame_valid(const struct frame_alloc *fa, pfn_t pfn)
{
	return pfn_u32(pfn) < fa->npfns;
}
static inline struct frame *frame_desc(const struct frame_alloc *fa, pfn_t pfn)
{
	return &fa->desc[pfn_u32(pfn)];
}

/* What frame_state() says about one frame. */
enum frame_state {
	FRAME_STATE_INVALID = -1, /* pfn >= npfns */
	FRAME_STATE_RESERVED = 0,
	FRAME_STATE_FREE = 1,
	FRAME_STATE_ALLOCATED = 2,
};

/* Bytes of descriptor memory frame_init needs for npfns frames. */
size_t frame_desc_bytes(uint32_t npfns);

/* Set up fa over desc_mem (frame_desc_bytes(npfns) bytes, 4-byte aligned).
 * Every frame starts RESERVED. */
void frame_init(struct frame_alloc *fa, uint32_t npfns, void *desc_mem);

/*
 * Make the RESERVED frames of [start, start+count) free, coalescing them with
 * each other and with free neighbours into the largest aligned blocks. Frames
 * at or beyond npfns are ignored (a memory map may list RAM the caller chose
 * not to cover) and frames already free or allocated are left as they are, so
 * overlapping regions are harmless. Returns the number of frames released.
 */
int frame_release_range(struct frame_alloc *fa, pfn_t start, uint32_t count);

/*
 * Make the frames of [start, start+count) RESERVED. Free blocks that overlap
 * the range are split; their parts outside it stay free. Frames beyond npfns
 * are ignored. Returns the number of frames newly reserved, or -MM_EINVAL
 * (and changes nothing) when a frame of the range is allocated.
 */
int frame_reserve_range(struct frame_alloc *fa, pfn_t start, uint32_t count);

/* The first frame of 2^order free contiguous frames aligned to 2^order, now
 * allocated; PFN_NONE when no such block is left or order > FRAME_MAX_ORDER. */
pfn_t frame_alloc(struct frame_alloc *fa, unsigned order);

/*
 * Return a block that frame_alloc(fa, order) handed out. Freeing a free frame
 * (double free), a frame that heads no allocated block (never allocated, a
 * tail, a reserved frame) or giving the wrong order is caught: the call logs
 * the frame number and returns -MM_EINVAL, or panics when fa->strict is set.
 * Returns 0 on success.
 */
int frame_free(struct frame_alloc *fa, pfn_t pfn, unsigned order);

/* State of frame pfn, and through *head / *order (either may be NULL) the
 * block holding it (for a reserved or invalid frame: pfn itself and 0). */
enum frame_state frame_state(const struct frame_alloc *fa, pfn_t pfn, pfn_t *head,
			     unsigned *order);

/*
 * Walk every free list and every descriptor: counts agree with the counters,
 * free blocks are aligned and inside memory, no two free buddies of one order
 * (they would have been merged), list membership matches the flags. Reports
 * each problem found to report (may be NULL). Returns 0, or -MM_EINVAL when
 * anything is wrong.
 */
int frame_check(const struct frame_alloc *fa, struct mm_sink *report);

/* Totals and, per order, the free blocks and frames (for meminfo/frames). */
void frame_print(const struct frame_alloc *fa, struct mm_sink *out);

#endif
