/*
 * mm_types.h - the basic types of mmk's memory-management core.
 *
 * Physical addresses, virtual addresses and frame numbers are distinct types so
 * that a reader (and the compiler's warnings about width) can tell them apart.
 * Everything in mm/ is freestanding: only compiler headers are included.
 */
#ifndef MM_TYPES_H
#define MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t paddr_t; /* a physical byte address (32-bit x86, no PAE) */
typedef uint32_t vaddr_t; /* a virtual byte address */
typedef uint32_t pfn_t;   /* a physical frame number: paddr >> PAGE_SHIFT */

#define PAGE_SHIFT 12u
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define PAGE_MASK (PAGE_SIZE - 1u)

#define PFN_NONE ((pfn_t)0xffffffffu)

static inline paddr_t pfn_to_paddr(pfn_t pfn) { return (paddr_t)pfn << PAGE_SHIFT; }
static inline pfn_t paddr_to_pfn(paddr_t pa) { return (pfn_t)(pa >> PAGE_SHIFT); }
static inline uint32_t mm_align_up(uint32_t v, uint32_t a) { return (v + a - 1u) & ~(a - 1u); }
static inline uint32_t mm_align_down(uint32_t v, uint32_t a) { return v & ~(a - 1u); }

#define MM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Error codes returned (negated) by mm/ operations. */
enum mm_err {
	MM_OK = 0,
	MM_ENOMEM = 1,  /* out of memory: frames, slots or heap space */
	MM_EINVAL = 2,  /* an argument is malformed or out of range */
	MM_EEXIST = 3,  /* the thing is already there (mapping, region) */
	MM_ENOENT = 4,  /* the thing is not there */
	MM_EFAULT = 5,  /* a bad access */
	MM_ENOSPC = 6,  /* a fixed-size table or device is full */
	MM_EIO = 7,     /* a device failed */
};

const char *mm_strerror(int err);

#endif
