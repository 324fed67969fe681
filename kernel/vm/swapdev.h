/*
 * swapdev.h - the kernel's swap area (RAM or ATA device); its frame pools
 * are listed in kpools.h.
 */
#ifndef KERNEL_SWAPDEV_H
#define KERNEL_SWAPDEV_H

#include "vmpool.h"

extern struct swap_area kswap;
extern bool kswap_ready;

/* `swapinfo` also prints what print writes (e.g. the page-out daemon's
 * report); a few sections at most, each added once. */
void swapinfo_add_section(void (*print)(struct mm_sink *out));

#endif
