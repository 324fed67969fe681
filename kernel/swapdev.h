/*
 * swapdev.h - the kernel's swap area (RAM or ATA device) and its frame
 * pools: every live vmpool registers here so swapinfo and gdb can list them.
 */
#ifndef KERNEL_SWAPDEV_H
#define KERNEL_SWAPDEV_H

#include "vmpool.h"

extern struct swap_area kswap;
extern bool kswap_ready;

#define KPOOLS_MAX 16
extern struct vmpool *kpools[KPOOLS_MAX];
void kpool_register(struct vmpool *vp);
void kpool_unregister(struct vmpool *vp);
void kpools_print(struct mm_sink *out);

#endif
