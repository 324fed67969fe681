/*
 * env_host.c - mm_env for host tests: "physical memory" is an ordinary buffer,
 * panics abort (so a broken invariant fails the test run loudly), TLB and CR3
 * operations are counted so tests can check that the mechanism asked for them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "env_host.h"

unsigned char *host_phys_base;
size_t host_phys_bytes;
unsigned long host_tlb_flushes, host_pgdir_loads;
paddr_t host_current_pgdir;

void *host_phys_init(size_t nbytes)
{
	free(host_phys_base);
	host_phys_base = aligned_alloc(4096, nbytes);
	if (!host_phys_base) abort();
	host_phys_bytes = nbytes;
	memset(host_phys_base, 0xA5, nbytes);
	return host_phys_base;
}

void host_phys_free(void)
{
	free(host_phys_base);
	host_phys_base = NULL;
	host_phys_bytes = 0;
}

void mm_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "PANIC at %s:%d: ", file, line);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

int host_log_quiet = 1;

void mm_log(const char *fmt, ...)
{
	if (host_log_quiet) return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void *mm_phys_to_virt(paddr_t pa)
{
	if (!host_phys_base || paddr_u32(pa) >= host_phys_bytes)
		mm_panic(__FILE__, __LINE__, "phys_to_virt(%#x) outside host memory", paddr_u32(pa));
	return host_phys_base + paddr_u32(pa);
}

paddr_t mm_virt_to_phys(const void *va)
{
	const unsigned char *p = va;
	if (p < host_phys_base || p >= host_phys_base + host_phys_bytes)
		mm_panic(__FILE__, __LINE__, "virt_to_phys(%p) outside host memory", va);
	return paddr_make((uint32_t)(p - host_phys_base));
}

void mm_zero_page(void *kva) { memset(kva, 0, PAGE_SIZE); }
void mm_copy_page(void *dst, const void *src) { memcpy(dst, src, PAGE_SIZE); }

void mm_tlb_flush_page(vaddr_t va)
{
	(void)va;
	host_tlb_flushes++;
}

void mm_load_pgdir(paddr_t pd)
{
	host_current_pgdir = pd;
	host_pgdir_loads++;
}

uint32_t mm_irq_save(void) { return 0; }
void mm_irq_restore(uint32_t flags) { (void)flags; }

uint64_t mm_cycles(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
