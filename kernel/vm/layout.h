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
#include <stdint.h>
static inline void *phys_to_kvirt(uint32_t pa) { return (void *)(uintptr_t)(pa + KERNEL_BASE); }
static inline uint32_t kvirt_to_phys(const void *va) { return (uint32_t)(uintptr_t)va - KERNEL_BASE; }
#endif

#endif
