/*
 * kpools.h - the kernel's live frame pools: every vmpool a command or a test
 * makes registers here, so swapinfo and gdb (mmk-pools) can list them and
 * the timer can sweep the pools of free-running code.
 */
#ifndef KERNEL_KPOOLS_H
#define KERNEL_KPOOLS_H

#include "vmpool.h"

#define KPOOLS_MAX 16
extern struct vmpool *kpools[KPOOLS_MAX];
void kpool_register(struct vmpool *vp);
/* A pool of free-running code (nothing reports its references): the timer
 * sweeps it every `ticks` PIT ticks (pool_tick: harvest A/D of every
 * resident page, then the policy's tick), which is what NRU's R clearing
 * and aging's shifts live on. */
void kpool_register_swept(struct vmpool *vp, uint32_t ticks);
void kpool_unregister(struct vmpool *vp);
void kpools_print(struct mm_sink *out);

#endif
