/*
 * vmspace.h - address spaces, their regions, and the page-fault decision.
 *
 * An address space is one page directory (sharing the kernel half) plus a
 * sorted list of regions: [start, start + npages pages) with permissions and
 * a kind. The fault handler uses the regions to tell a legal first touch
 * (demand-zero) from a bad access. The machine's services (frames, the
 * kernel's page directory, memory for the bookkeeping) come in a struct
 * vm_sys, so the host tests run the very same code over simulated memory.
 *
 * Page-fault error code (pushed by the CPU for #PF):
 *   bit 0 P: 0 = page not present, 1 = protection violation
 *   bit 1 W: the access was a write      bit 2 U: it came from user mode
 *   bit 3 R: a reserved bit was set      bit 4 I: an instruction fetch
 */
#ifndef MM_VMSPACE_H
#define MM_VMSPACE_H

#include "fmt.h"
#include "mm_alloc.h"
#include "pgtable.h"

#define PF_P 0x01u
#define PF_W 0x02u
#define PF_U 0x04u
#define PF_RSVD 0x08u
#define PF_I 0x10u

#define VM_READ 0x1u
#define VM_WRITE 0x2u
#define VM_USER 0x4u

#define VM_USER_TOP vaddr_make(0xC0000000u) /* the kernel half starts here */

enum vm_kind { VM_ANON = 0 }; /* anonymous, zero-filled on first touch */

struct vm_region {
	vaddr_t start;
	uint32_t npages;
	uint32_t prot; /* VM_READ | VM_WRITE | VM_USER */
	enum vm_kind kind;
	struct vm_region *next;
};

struct vm_space;

/* Who supplies the pages of a space's regions. Default (no pager): a fresh
 * zeroed frame from vm_sys.frames per first touch, freed with the region.
 * A pager (the frame pools of mm/pool.c, in the kernel) takes over first
 * touches and swapped pages, and is told when pages go away. */
struct vm_pager {
	/* Make va present (zero-fill, or swap in a PTE_SWAPPED page).
	 * 0, or -MM_ENOMEM / -MM_ENOSPC / -MM_EIO. */
	int (*fault)(void *ctx, struct vm_space *s, const struct vm_region *r, vaddr_t va, bool write);
	/* va is being unmapped for good (region removed): release what backs
	 * it. pte is its entry (present or swapped) before removal. */
	void (*release)(void *ctx, struct vm_space *s, vaddr_t va, pte_t pte);
	void *ctx;
};

struct vm_sys {
	struct frame_source frames; /* page tables and demand-zero pages */
	struct mm_allocator alloc;  /* regions and spaces */
	paddr_t kernel_pd;          /* its entries >= 768 are shared; PADDR_NULL: none */
};

struct vm_stats {
	uint64_t faults;     /* every vm_fault call */
	uint64_t zero_fills; /* first touches given a zeroed frame */
	uint64_t paged;      /* faults the space's pager resolved (a page brought in) */
	uint64_t bad;        /* bad accesses */
	uint64_t oom;        /* faults that found no memory */
};

struct vm_space {
	const struct vm_sys *sys;
	paddr_t pd;
	struct vm_region *regions; /* sorted by start, disjoint */
	uint32_t nregions;
	struct vm_pager pager;     /* .fault NULL: default zero-fill */
	struct vm_stats stats;
	uint32_t id;
	uint32_t pager_index; /* the pager's own number for this space */
	void *owner;          /* who runs in it (a process), for whoever reports on it */
};

enum vm_verdict {
	VM_RESOLVED = 0, /* the access can be retried */
	VM_OOM,          /* legal access, but no memory to back it */
	VM_BAD_ACCESS,   /* the access is not allowed: stop whoever made it */
};

struct vm_fault_info {
	vaddr_t addr;
	uint32_t err;
	const char *reason; /* for VM_BAD_ACCESS / VM_OOM */
};

/* A new empty space (NULL when out of memory). */
struct vm_space *vm_space_create(const struct vm_sys *sys);
/* Remove every region (freeing its frames), then the page tables. */
void vm_space_destroy(struct vm_space *s);

/* Add a region of npages at start (page-aligned, below VM_USER_TOP, not
 * overlapping another). 0, -MM_EINVAL, -MM_EEXIST or -MM_ENOMEM. Nothing is
 * mapped until first touch. */
int vm_region_add(struct vm_space *s, vaddr_t start, uint32_t npages, uint32_t prot);
/* Remove the region that starts at start, unmapping and freeing its pages. */
int vm_region_remove(struct vm_space *s, vaddr_t start);
/* The region holding va, or NULL. */
const struct vm_region *vm_region_find(const struct vm_space *s, vaddr_t va);
/* Change a region's permissions; present pages are re-protected. */
int vm_region_protect(struct vm_space *s, vaddr_t start, uint32_t prot);

/* Decide a page fault at addr with the CPU's error code. */
enum vm_verdict vm_fault(struct vm_space *s, vaddr_t addr, uint32_t err, struct vm_fault_info *info);

/* PTE flags for a region's permissions. */
uint32_t vm_prot_to_pte(uint32_t prot);
/* "rw-u" style permission text (buf of at least 5 bytes). */
const char *vm_prot_str(uint32_t prot, char *buf);
/* Describe a fault's error code: "write to a present page from kernel mode". */
void vm_describe_err(uint32_t err, struct mm_sink *out);
/* List the regions and present-page counts. */
void vm_space_print(const struct vm_space *s, struct mm_sink *out);

#endif
