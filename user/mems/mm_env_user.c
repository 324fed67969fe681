/*
 * mm_env_user.c - mm/mm_env.h for mm/ code linked into a user program:
 * a panic prints on fd 2 and exits with status 2, logs go to fd 2, there is
 * no physical memory to translate (identity), no TLB or page directory to
 * touch, no interrupts to mask, and the cycle counter is CLOCK_MONOTONIC
 * in nanoseconds.
 */
#include "ulib.h"
#include "mm_env.h"
#include "fmt.h"

void mm_panic(const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	mm_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dprintf(2, "PANIC at %s:%d: %s\n", file, line, msg);
	exit_group(2);
}

void mm_log(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	mm_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	write(2, msg, strlen(msg));
}

void *mm_phys_to_virt(paddr_t pa) { return (void *)(uintptr_t)paddr_u32(pa); }
paddr_t mm_virt_to_phys(const void *va) { return paddr_make((uint32_t)(uintptr_t)va); }
void mm_zero_page(void *kva) { memset(kva, 0, PAGE_SIZE); }
void mm_copy_page(void *dst, const void *src) { memcpy(dst, src, PAGE_SIZE); }
void mm_tlb_flush_page(vaddr_t va) { (void)va; }

void mm_load_pgdir(paddr_t pd)
{
	mm_panic(__FILE__, __LINE__, "a user program cannot load a page directory (0x%x)",
		 paddr_u32(pd));
}

uint32_t mm_irq_save(void) { return 0; }
void mm_irq_restore(uint32_t flags) { (void)flags; }

uint64_t mm_cycles(void)
{
	struct timespec ts = { 0, 0 };
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
