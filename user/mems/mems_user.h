/*
 * mems_user.h - MeMS as a user program: the original MeMS interface (one
 * heap per process, MeMS addresses passed as pointers) over one instance
 * of mm/heap/mems.c whose pages come from mmap2 and go back with munmap,
 * as the original's did. The original names are in mems.h.
 *
 * The "physical address" mems_user_get returns is the real address inside
 * the mapping, which is what the original's mems_get returned too.
 */
#ifndef MEMS_USER_H
#define MEMS_USER_H

#include <stddef.h>

void mems_user_init(void);          /* set up the heap (exits on failure) */
void mems_user_finish(void);        /* munmap every node */
void *mems_user_malloc(size_t size); /* a MeMS address, or NULL */
void mems_user_free(void *v_ptr);   /* free the segment starting at v_ptr */
void *mems_user_get(void *v_ptr);   /* the real address behind v_ptr, or NULL */
void mems_user_print_stats(void);   /* the MeMS SYSTEM STATS block, on fd 1 */

#endif
