/*
 * mm_types.h - the basic types of mmk's memory-management core.
 *
 * Physical addresses, virtual addresses and frame numbers are distinct types:
 * each is a struct of one 32-bit member, so the compiler refuses to mix them
 * with each other or with plain integers. The helpers below are the only ways
 * across: make one from an integer, take its integer (for page-table bits,
 * hardware registers, printing), add an offset, compare, align to a page, and
 * convert between a frame number and its physical address. Each is an inline
 * function over the one member, costing what the integer operation costs.
 * Everything in mm/ is freestanding: only compiler headers are included.
 */
#ifndef MM_TYPES_H
#define MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct { uint32_t v; } paddr_t; /* a physical byte address (32-bit x86, no PAE) */
typedef struct { uint32_t v; } vaddr_t; /* a virtual byte address */
typedef struct { uint32_t v; } pfn_t;   /* a physical frame number: paddr >> PAGE_SHIFT */

#define PAGE_SHIFT 12u
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define PAGE_MASK (PAGE_SIZE - 1u)

/* "No frame" answers. Frame 0 (the first MiB) is never handed out, so a
 * physical address of 0 can mean none. */
#define PFN_NONE ((pfn_t){ 0xffffffffu })
#define PADDR_NULL ((paddr_t){ 0 })
#define VADDR_NULL ((vaddr_t){ 0 })

/* ---- to and from integers ---- */
static inline paddr_t paddr_make(uint32_t v) { return (paddr_t){ v }; }
static inline vaddr_t vaddr_make(uint32_t v) { return (vaddr_t){ v }; }
static inline pfn_t pfn_make(uint32_t v) { return (pfn_t){ v }; }
static inline uint32_t paddr_u32(paddr_t pa) { return pa.v; }
static inline uint32_t vaddr_u32(vaddr_t va) { return va.v; }
static inline uint32_t pfn_u32(pfn_t pfn) { return pfn.v; }

/* ---- offsets and distances ---- */
static inline paddr_t paddr_add(paddr_t pa, uint32_t off) { return (paddr_t){ pa.v + off }; }
static inline vaddr_t vaddr_add(vaddr_t va, uint32_t off) { return (vaddr_t){ va.v + off }; }
static inline pfn_t pfn_add(pfn_t pfn, uint32_t n) { return (pfn_t){ pfn.v + n }; }
static inline vaddr_t vaddr_sub(vaddr_t va, uint32_t off) { return (vaddr_t){ va.v - off }; }
static inline uint32_t vaddr_diff(vaddr_t hi, vaddr_t lo) { return hi.v - lo.v; }
static inline uint32_t pfn_diff(pfn_t hi, pfn_t lo) { return hi.v - lo.v; }

/* ---- comparisons ---- */
static inline bool paddr_eq(paddr_t a, paddr_t b) { return a.v == b.v; }
static inline bool vaddr_eq(vaddr_t a, vaddr_t b) { return a.v == b.v; }
static inline bool pfn_eq(pfn_t a, pfn_t b) { return a.v == b.v; }
static inline bool paddr_lt(paddr_t a, paddr_t b) { return a.v < b.v; }
static inline bool vaddr_lt(vaddr_t a, vaddr_t b) { return a.v < b.v; }
static inline bool pfn_lt(pfn_t a, pfn_t b) { return a.v < b.v; }
static inline bool paddr_is_null(paddr_t pa) { return pa.v == 0; }
static inline bool vaddr_is_null(vaddr_t va) { return va.v == 0; }
static inline bool pfn_is_none(pfn_t pfn) { return pfn.v == PFN_NONE.v; }

/* ---- pages ---- */
static inline uint32_t paddr_page_offset(paddr_t pa) { return pa.v & PAGE_MASK; }
static inline uint32_t vaddr_page_offset(vaddr_t va) { return va.v & PAGE_MASK; }
static inline paddr_t paddr_page_down(paddr_t pa) { return (paddr_t){ pa.v & ~PAGE_MASK }; }
static inline paddr_t paddr_page_up(paddr_t pa) { return (paddr_t){ (pa.v + PAGE_MASK) & ~PAGE_MASK }; }
static inline vaddr_t vaddr_page_down(vaddr_t va) { return (vaddr_t){ va.v & ~PAGE_MASK }; }
/* Virtual page numbers are plain integers (keys, indices). */
static inline uint32_t vaddr_vpn(vaddr_t va) { return va.v >> PAGE_SHIFT; }
static inline vaddr_t vaddr_of_vpn(uint32_t vpn) { return (vaddr_t){ vpn << PAGE_SHIFT }; }

/* ---- frames ---- */
static inline paddr_t pfn_to_paddr(pfn_t pfn) { return (paddr_t){ pfn.v << PAGE_SHIFT }; }
static inline pfn_t paddr_to_pfn(paddr_t pa) { return (pfn_t){ pa.v >> PAGE_SHIFT }; }

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
	MM_E2BIG = 8,   /* an argument list or request is larger than its limit */
	MM_ENOEXEC = 9, /* not an executable this kernel can run (bad ELF file) */
	MM_EAGAIN = 10, /* busy for now (e.g. every frame in transit): try again */
	MM_EACCES = 11, /* not permitted (write access to a read-only mapping) */
};

const char *mm_strerror(int err);

#endif
