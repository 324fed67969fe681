/*
 * upool.h - the frame pool every user process pages through: its frames,
 * its replacement policy (upolicy=NAME on the command line, or `policy
 * NAME` at the prompt) and the swap area it evicts to. Made at the first
 * exec, with upool=SIZE frames (default: a quarter of free memory).
 */
#ifndef KERNEL_UPOOL_H
#define KERNEL_UPOOL_H

#include "anon.h"

/* The pool, made on first use; NULL (with the reason printed) when it
 * cannot be made. */
struct anon_pool *upool_get(void);
/* The pool if it exists (no side effect). */
struct anon_pool *upool_peek(void);

#endif
