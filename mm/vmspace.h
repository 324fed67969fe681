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

/* Region flags. */
#define VM_GROWSDOWN 0x1u /* a stack: a fault just below it extends it down */
#define VM_NOWRITE 0x2u   /* never writable (a shared mapping of a read-only file) */
#define VM_SHARED 0x4u    /* shared anonymous memory: fork shares its pages writable (no
                             copy-on-write); every page exists before a fork shares it */
#define VM_STACK_MAX_PAGES 2048u /* how far a stack may grow: 8 MiB */

enum vm_kind {
	VM_ANON = 0, /* anonymous, zero-filled on first touch */
	VM_FILE,     /* private copy of file bytes: page i starts as file[i * PAGE_SIZE...],
	                what lies past file_len reads as zero (an ELF segment's .bss) */
};

struct vm_region {
	vaddr_t start;
	uint32_t npages;
	uint32_t prot; /* VM_READ | VM_WRITE | VM_USER */
	enum vm_kind kind;
	uint32_t flags;       /* VM_GROWSDOWN */
	const uint8_t *file;  /* VM_FILE: the bytes behind the region's first page */
	uint32_t file_len;    /* ... and how many there are */
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
	/* va (its PTE not empty) is being unmapped for good (region removed):
	 * clear its PTE (flushing the TLB when it was present) and release
	 * what backs it. The pager reads the PTE itself, under whatever lock
	 * guards its pages: another thread's fault may rewrite it meanwhile. */
	void (*release)(void *ctx, struct vm_space *s, vaddr_t va);
	/* Optional (copy-on-write pagers). A write to a present read-only page
	 * of a writable region: copy it, or make it writable when nobody else
	 * maps it. 0 or -MM_ENOMEM / -MM_ENOSPC / -MM_EIO. With this op,
	 * vm_region_protect never makes a present page writable itself. */
	int (*write_fault)(void *ctx, struct vm_space *s, const struct vm_region *r, vaddr_t va);
	/* Optional: give dst, at va, a share of src's page there (fork; in a
	 * VM_SHARED region r writable in both, else copy-on-write). The
	 * page table of dst must be made here. 0 or -MM_ENOMEM. */
	int (*share)(void *ctx, struct vm_space *dst, struct vm_space *src, const struct vm_region *r, vaddr_t va);
	/* Optional: the page at from in s moves to to (whose PTE is empty, its
	 * page table made). */
	void (*move)(void *ctx, struct vm_space *s, vaddr_t from, vaddr_t to);
	void *ctx;
};

struct vm_sys {
	struct frame_source frames; /* page tables and demand-zero pages */
	struct mm_allocator alloc;  /* regions and spaces */
	paddr_t kernel_pd;          /* its entries >= 768 are shared; PADDR_NULL: none */
	/* Optional: a critical section around a change of a region list made
	 * while other threads may look at it (a stack growing in a fault that
	 * runs with interrupts on). NULL: nothing needed. */
	uint32_t (*crit_enter)(void);
	void (*crit_leave)(uint32_t state);
};

struct vm_stats {
	uint64_t faults;     /* every vm_fault call */
	uint64_t zero_fills; /* first touches given a zeroed frame */
	uint64_t paged;      /* faults the space's pager resolved (a page brought in) */
	uint64_t bad;        /* bad accesses */
	uint64_t oom;        /* faults that found no memory */
	uint64_t cow;        /* writes to shared pages the pager resolved */
};

struct vm_space {
	const struct vm_sys *sys;
	paddr_t pd;
	const pte_t *pd_kva;       /* ... where the kernel reaches it (pgt_find_in) */
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

/* Add a region described by d (start, npages, prot, kind, flags, file,
 * file_len; next is ignored). Same checks and errors as vm_region_add. */
int vm_region_add_desc(struct vm_space *s, const struct vm_region *d);
/* Is [start, start + npages pages) free of regions? */
bool vm_range_free(const struct vm_space *s, vaddr_t start, uint32_t npages);
/* Are all pages of the range inside regions? */
bool vm_range_mapped(const struct vm_space *s, vaddr_t start, uint32_t npages);
/* Unmap every page of the range, splitting regions it cuts (munmap). A
 * range with no region in it is fine. 0, -MM_EINVAL or -MM_ENOMEM (nothing
 * changed). */
int vm_range_unmap(struct vm_space *s, vaddr_t start, uint32_t npages);
/* Give the range new permissions, splitting regions (mprotect). Every page
 * must be in a region: -MM_ENOENT otherwise; -MM_EACCES: write asked of a
 * VM_NOWRITE region; -MM_ENOMEM: nothing changed. */
int vm_range_protect(struct vm_space *s, vaddr_t start, uint32_t npages, uint32_t prot);
/* Forget the pages of the range (they read back as they first did: zero,
 * or the file's bytes) while the regions stay (madvise DONTNEED); the
 * pages of VM_SHARED regions stay, as shared memory keeps its data. */
void vm_range_discard(struct vm_space *s, vaddr_t start, uint32_t npages);
/* Grow or shrink the region that starts at start to npages (brk, mremap in
 * place). 0, -MM_ENOENT, -MM_EEXIST (growing would overlap), -MM_EINVAL. */
int vm_region_resize(struct vm_space *s, vaddr_t start, uint32_t npages);
/* Move the region at from to the free range at to (mremap), pages and
 * all; needs the pager's move op. 0, -MM_EINVAL, -MM_EEXIST, -MM_ENOMEM. */
int vm_region_move(struct vm_space *s, vaddr_t from, vaddr_t to);
/* Copy src's regions into the empty space dst, sharing every page through
 * the pager (which both must use); the missing pages of VM_SHARED regions
 * are brought into src first, so that all are shared. On error dst keeps
 * what was copied so far: the caller destroys it. 0, -MM_ENOMEM or
 * -MM_EINVAL. */
int vm_space_fork(struct vm_space *dst, struct vm_space *src);
/* Present pages and pages held elsewhere (swapped) in s. */
void vm_space_count(const struct vm_space *s, uint32_t *present, uint32_t *swapped);

/* Walk s's region list: every region in the user half and not empty, each
 * after the end of the one before (sorted, disjoint), nregions of them (a
 * cycle shows as one too many). valid, if not NULL, vouches for each
 * region's memory before it is read (the kernel asks its heap). 0, or
 * -MM_EINVAL with the first problem written to err (if not NULL). */
int vm_space_check(const struct vm_space *s, bool (*valid)(const void *p, size_t nbytes), struct mm_sink *err);

/* Decide a page fault at addr with the CPU's error code. */
enum vm_verdict vm_fault(struct vm_space *s, vaddr_t addr, uint32_t err, struct vm_fault_info *info);

/* Fill one page-sized buffer dst with what page `page` of r starts as:
 * zeros, or the file's bytes then zeros. */
void vm_region_fill(const struct vm_region *r, vaddr_t page, void *dst);

/* PTE flags for a region's permissions. */
static inline uint32_t vm_prot_to_pte(uint32_t prot)
{
	/* x86 pages cannot forbid reads: a user region that allows no access
	 * (PROT_NONE) maps its resident pages supervisor-only, so that every
	 * user access faults and vm_fault refuses it */
	bool user = (prot & VM_USER) && (prot & (VM_READ | VM_WRITE));
	return ((prot & VM_WRITE) ? PTE_W : 0) | (user ? PTE_U : 0);
}
/* "rw-u" style permission text (buf of at least 5 bytes). */
const char *vm_prot_str(uint32_t prot, char *buf);
/* Describe a fault's error code: "write to a present page from kernel mode". */
void vm_describe_err(uint32_t err, struct mm_sink *out);
/* List the regions and present-page counts. */
void vm_space_print(const struct vm_space *s, struct mm_sink *out);

#endif
