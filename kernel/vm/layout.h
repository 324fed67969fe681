/*
 * layout.h - mmk's virtual address layout (32-bit, two-level paging).
 *
 *   0x00000000 +-----------------------------+
 *              | user / test address spaces  |  one page directory each
 *   0xC0000000 +-----------------------------+  KERNEL_BASE
 *              | direct map of RAM (4 MiB    |  phys p at KERNEL_BASE + p,
 *              | pages), up to 896 MiB       |  kernel image at 1 MiB
 *   0xF8000000 +-----------------------------+  KWIN_BASE
 *              | kernel windows: heaps,      |  4 KiB pages, page tables
 *              | temporary mappings          |  made at boot and shared
 *   0xFFFFFFFF +-----------------------------+
 *
 * Every address space shares page-directory entries 768..1023 (the kernel half).
 */
#ifndef KERNEL_LAYOUT_H
#define KERNEL_LAYOUT_H

#define KERNEL_BASE 0xC0000000u
#define KERNEL_PDE_FIRST 768u
#define DIRECT_MAP_MAX 0x38000000u /* 896 MiB of RAM at most in the direct map */
#define KWIN_BASE 0xF8000000u
#define KWIN_END 0xFFC00000u       /* the last 4 MiB are left unmapped as a guard */
#define BOOT_STACK_SIZE 16384

#ifndef __ASSEMBLY__
#include "mm_types.h"
/* The direct map: physical p at KERNEL_BASE + p. */
static inline void *phys_to_kvirt(paddr_t pa)
{
	return (void *)(uintptr_t)(paddr_u32(pa) + KERNEL_BASE);
}
static inline paddr_t kvirt_to_phys(const void *va)
{
	return paddr_make((uint32_t)(uintptr_t)va - KERNEL_BASE);
}
/* A pointer is a virtual address here (32-bit kernel): the two ways across. */
static inline void *vaddr_ptr(vaddr_t va) { return (void *)(uintptr_t)vaddr_u32(va); }
static inline vaddr_t ptr_vaddr(const void *p) { return vaddr_make((uint32_t)(uintptr_t)p); }
#endif

#endif
