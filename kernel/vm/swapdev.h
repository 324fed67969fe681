/*
 * swapdev.h - the kernel's swap area (RAM or ATA device); its frame pools
 * are listed in kpools.h.
 */
#ifndef KERNEL_SWAPDEV_H
#define KERNEL_SWAPDEV_H

#include "vmpool.h"

extern struct swap_area kswap;
extern bool kswap_ready;


#endif
