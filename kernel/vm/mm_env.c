/*
 * mm_env.c - the kernel's side of mm/mm_env.h: panics become crash reports,
 * logs go to COM2, phys<->virt is the direct map, TLB and CR3 are real.
 */
#include "io.h"
#include "kernel.h"
#include "layout.h"
#include "mm_env.h"

void mm_panic(const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	mm_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kpanic(file, line, "%s", msg);
}

void mm_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvlog(fmt, ap);
	va_end(ap);
}

void *mm_phys_to_virt(paddr_t pa)
{
	if (paddr_u32(pa) >= DIRECT_MAP_MAX)
		KPANIC("phys_to_virt(0x%08x): outside the direct map", paddr_u32(pa));
	return phys_to_kvirt(pa);
}

paddr_t mm_virt_to_phys(const void *va)
{
	uint32_t v = vaddr_u32(ptr_vaddr(va));
	if (v < KERNEL_BASE || v >= KERNEL_BASE + DIRECT_MAP_MAX)
		KPANIC("virt_to_phys(%p): not in the direct map", va);
	return kvirt_to_phys(va);
}

void mm_zero_page(void *kva)
{
	uint32_t n = PAGE_SIZE / 4;
	__asm__ volatile("cld; rep stosl" : "+D"(kva), "+c"(n) : "a"(0) : "memory");
}

void mm_copy_page(void *dst, const void *src)
{
	uint32_t n = PAGE_SIZE / 4;
	__asm__ volatile("cld; rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

void mm_tlb_flush_page(vaddr_t va) { invlpg(vaddr_u32(va)); }
void mm_load_pgdir(paddr_t pd) { write_cr3(paddr_u32(pd)); }
uint32_t mm_irq_save(void) { return irq_save(); }
void mm_irq_restore(uint32_t f) { irq_restore(f); }
uint64_t mm_cycles(void) { return rdtsc(); }
