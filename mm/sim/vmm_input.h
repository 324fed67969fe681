/*
 * vmm_input.h - the VMM request runner's input (seed 000): one request per
 * line,
 *
 *   pid, R|W, HHHH
 *
 * a process id (unsigned decimal, below 2^32), R for a read or W for a
 * write (upper case), and a virtual address as 1 to 8 hex digits (either
 * case, no "0x"). Addresses are 16-bit; a wider one parses, and the runner
 * reports it as the original's AddressTranslationError when it comes up. The address splits into a 1 KiB page and an
 * offset, 64 pages per process:
 *
 *    15        10 9                    0
 *   +------------+----------------------+
 *   |   page     |       offset         |
 *   +------------+----------------------+
 *
 * Liberal about blanks: spaces and tabs may surround every field, blank
 * lines are skipped, a CR before the newline is ignored and the last line
 * needs no newline. Strict about everything else: exactly three
 * comma-separated fields, nothing after the address. Parsing is all or
 * nothing: the first bad line is reported with its 1-based number and no
 * request is returned.
 */
#ifndef MM_VMM_INPUT_H
#define MM_VMM_INPUT_H

#include "mm_types.h"
#include "mm_alloc.h"

#define VMM_PAGE_SHIFT 10u
#define VMM_PAGE_SIZE (1u << VMM_PAGE_SHIFT) /* 1024 bytes */
#define VMM_PAGES_PER_PROC 64u               /* 16-bit addresses */
#define VMM_VADDR_MAX 0xFFFFu

struct vmm_request {
	uint32_t pid;
	uint32_t line;  /* 1-based line number in the input */
	uint32_t vaddr; /* valid when <= VMM_VADDR_MAX */
	bool write;     /* W */
};

struct vmm_input {
	struct vmm_request *reqs; /* from the allocator given to vmm_input_parse */
	size_t nreqs;
};

struct vmm_error {
	uint32_t line; /* 1-based; 0 when the problem is not a line's */
	char msg[128]; /* "line 2: access 'X' is not R or W" */
};

/* Parse buf[0..nbytes). Returns 0 and fills *out (reqs NULL when there is
 * none), or -MM_EINVAL (*err says where and why) or -MM_ENOMEM; *out is
 * then empty. */
int vmm_input_parse(const char *buf, size_t nbytes, const struct mm_allocator *a,
		    struct vmm_input *out, struct vmm_error *err);
void vmm_input_free(struct vmm_input *in, const struct mm_allocator *a);

static inline uint32_t vmm_page(uint32_t vaddr)
{
	return (uint32_t)vaddr >> VMM_PAGE_SHIFT;
}

static inline uint32_t vmm_offset(uint32_t vaddr)
{
	return (uint32_t)vaddr & (VMM_PAGE_SIZE - 1u);
}

#endif
