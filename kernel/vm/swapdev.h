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
/* A pool of free-running code (nothing reports its references): the timer
 * sweeps it every `ticks` PIT ticks (pool_tick: harvest A/D of every
 * resident page, then the policy's tick), which is what NRU's R clearing
 * and aging's shifts live on. */
void kpool_register_swept(struct vmpool *vp, uint32_t ticks);
/* Called by the scheduler at every PIT tick (interrupts off). */
void kpools_tick(uint64_t now);
void kpool_unregister(struct vmpool *vp);
void kpools_print(struct mm_sink *out);

#endif
