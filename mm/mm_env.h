/*
 * mm_env.h - the one seam between mm/ and the machine it runs on.
 *
 * mm/ never touches hardware or prints to a device: it asks its environment.
 * The kernel implements these in kernel/vm/mm_env.c; host tests implement them in
 * tests/host/env_host.c over ordinary process memory.
 */
#ifndef MM_ENV_H
#define MM_ENV_H

#include <stdarg.h>
#include "mm_types.h"

/* Report a broken invariant and stop. Never returns. */
void mm_panic(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));

/* Diagnostics for the kernel log (never the console a checker reads). */
void mm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Physical <-> kernel-virtual for memory in the direct map. */
void *mm_phys_to_virt(paddr_t pa);
paddr_t mm_virt_to_phys(const void *va);

/* Fill one page (PAGE_SIZE bytes, page-aligned) with zeros, the fastest way
 * the machine has (rep stosl in the kernel). */
void mm_zero_page(void *kva);
/* Copy one page (PAGE_SIZE bytes, both page-aligned), the fastest way the
 * machine has (rep movsl in the kernel). */
void mm_copy_page(void *dst, const void *src);

/* TLB and page-directory control (no-ops or bookkeeping on the host). */
void mm_tlb_flush_page(vaddr_t va);
void mm_load_pgdir(paddr_t pd);

/* Interrupt-safe critical sections: save state, disable; restore. */
uint32_t mm_irq_save(void);
void mm_irq_restore(uint32_t flags);

/* Cycle counter (rdtsc in the kernel, a monotonic counter on the host). */
uint64_t mm_cycles(void);

/* Assertions carry their message and the values involved. */
#define MM_ASSERT(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			mm_panic(__FILE__, __LINE__, "assertion '" #cond       \
				 "' failed: " __VA_ARGS__);                    \
	} while (0)

#endif
