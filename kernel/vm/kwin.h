/*
 * kwin.h - the kernel window: KWIN_BASE..KWIN_END (layout.h), virtual space
 * shared by every address space, handed out a page at a time, and the big
 * buffers (kvmalloc) made of it. Implemented in kwin.c.
 */
#ifndef KERNEL_KWIN_H
#define KERNEL_KWIN_H

#include <stddef.h>
#include "mm_alloc.h"
#include "mm_types.h"

/* Kernel window (KWIN_BASE..KWIN_END): npages of virtual space, 4 KiB
 * pages, mapped by the caller. VADDR_NULL when there is no room. */
vaddr_t kwin_alloc(uint32_t npages);
void kwin_free(vaddr_t va, uint32_t npages);
/* npages of the window, each mapped to a fresh zeroed frame; VADDR_NULL
 * when out of space or frames (nothing kept). And the reverse: unmap, free
 * the frames and the space. */
vaddr_t kwin_map_fresh(uint32_t npages);
void kwin_unmap_free(vaddr_t va, uint32_t npages);
/* Map / unmap one page of the kernel window (shared by every space); unmap
 * returns the frame that was mapped, PADDR_NULL if none was. */
int kwin_map(vaddr_t va, paddr_t pa);
paddr_t kwin_unmap(vaddr_t va);

/* Big buffers mapped page by page in the kernel window (any size up to the
 * window); kvm_allocator is the same as an mm_allocator. */
void *kvmalloc(size_t nbytes);
void kvfree(void *p);
extern const struct mm_allocator kvm_allocator;

#endif
