/*
 * pageout.h - the page-out daemon of the user pool: a kernel thread that
 * keeps the pool's free frames between a low and a high watermark, so that
 * most faults find a free frame and never evict (and wait for a write)
 * themselves. See pageout.c.
 */
#ifndef KERNEL_PAGEOUT_H
#define KERNEL_PAGEOUT_H

#include "anon.h"
#include "fmt.h"

/* Start the daemon for ap (once); the watermarks come from the command
 * line (pageout=off, pageout_low=N, pageout_high=N) or from the pool's
 * size. */
void pageout_start(struct anon_pool *ap);
/* Called by a thread leaving the pool: if it woke the daemon, the daemon
 * runs first (a yield). */
void pageout_throttle(void);
/* Its watermarks, its work so far, the pool's I/O in flight. */
void pageout_print(struct mm_sink *out);

#endif
