/*
 * mem.h - the kernel's memory: its frame allocator, its heap (kmalloc), the
 * services address spaces use (vm_sys), the kernel window of virtual space,
 * and the address space currently loaded in CR3.
 */
#ifndef KERNEL_MEM_H
#define KERNEL_MEM_H

#include "frame_zero.h"
#include "kmalloc.h"
#include "vmspace.h"

extern struct frame_alloc kframes;
extern struct frame_cache kfcache; /* single frames go through this cache */
extern struct frame_zero kzero;    /* frames zeroed in idle time */
/* Free frames, in the buddy lists or the cache. */
uint32_t kframes_free(void);
extern struct kmalloc kheap;
extern struct vm_sys kvm;
/* kvm for code that runs with interrupts on (user processes' faults): each
 * frame and heap call is a critical section of its own. */
extern struct vm_sys kvm_irqsafe;
extern uint32_t kvm_frames_in_use; /* frames kvm handed out: page tables, pools, pages */
extern paddr_t kernel_pd_phys;
extern struct mm_allocator kheap_allocator;

struct mem_report {
	uint32_t npfns;       /* frames the allocator covers */
	uint64_t left_out;    /* bytes of RAM above the direct map, not used */
	paddr_t desc_phys;    /* where the descriptor array lives */
	uint32_t desc_bytes;
};
extern struct mem_report mem_report;

/* One zeroed frame for kernel use, its physical address; PADDR_NULL when out. */
paddr_t kframe_alloc(void);
void kframe_free(paddr_t pa);

/* The space in CR3 (NULL: the kernel's own directory). */
extern struct vm_space *vm_current;
void vm_switch(struct vm_space *s);


#endif
