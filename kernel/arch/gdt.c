/*
 * gdt.c - the flat global descriptor table: null, kernel code 0x08, kernel
 * data 0x10, user code 0x1B, user data 0x23, all base 0 limit 4 GiB; and the
 * task-state segment 0x28 (set by usermode.c) for traps from ring 3; and
 * entry 6 (selector 0x33), the running process's thread-local storage
 * segment (set_thread_area: glibc loads it into %gs).
 *
 *  63      56 55  52 51   48 47          40 39      16 15       0
 * +----------+------+-------+--------------+----------+----------+
 * | base 31:24| flags| lim 19:16| access    | base 23:0| lim 15:0 |
 * +----------+------+-------+--------------+----------+----------+
 */
#include <stdint.h>
#include "kernel.h"
#include "usermode.h"

static uint64_t gdt[7];

static uint64_t gdt_entry(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	uint64_t e = limit & 0xffff;
	e |= (uint64_t)(base & 0xffffff) << 16;
	e |= (uint64_t)access << 40;
	e |= (uint64_t)((limit >> 16) & 0xf) << 48;
	e |= (uint64_t)(flags & 0xf) << 52;
	e |= (uint64_t)(base >> 24) << 56;
	return e;
}

void gdt_init(void)
{
	gdt[0] = 0;
	gdt[1] = gdt_entry(0, 0xfffff, 0x9a, 0xc);
	gdt[2] = gdt_entry(0, 0xfffff, 0x92, 0xc);
	gdt[3] = gdt_entry(0, 0xfffff, 0xfa, 0xc);
	gdt[4] = gdt_entry(0, 0xfffff, 0xf2, 0xc);
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } gdtr = {
		sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt
	};
	__asm__ volatile("lgdt %0\n"
			 "mov $0x10, %%ax\n"
			 "mov %%ax, %%ds\n"
			 "mov %%ax, %%es\n"
			 "mov %%ax, %%fs\n"
			 "mov %%ax, %%gs\n"
			 "mov %%ax, %%ss\n"
			 "ljmp $0x08, $1f\n"
			 "1:\n" ::"m"(gdtr)
			 : "eax", "memory");
}

void gdt_set_tss(uint32_t base, uint32_t limit);
void gdt_set_tss(uint32_t base, uint32_t limit)
{
	gdt[5] = gdt_entry(base, limit, 0x89, 0x0); /* present, 32-bit TSS available */
}

void gdt_set_tls(uint64_t desc);
void gdt_set_tls(uint64_t desc) { gdt[GDT_TLS_ENTRY] = desc; }

uint64_t gdt_user_segment(uint32_t base, uint32_t limit, bool pages, bool present);
uint64_t gdt_user_segment(uint32_t base, uint32_t limit, bool pages, bool present)
{
	/* ring 3 data, read/write, accessed; 32-bit; granularity per `pages` */
	return gdt_entry(base, limit, present ? 0xf3 : 0x73, pages ? 0xc : 0x4);
}
