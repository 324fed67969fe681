/*
 * uaccess.h - the only way system calls touch user memory. A user pointer
 * is a number until checked: the whole range must lie in the user half and
 * in regions of the current process that allow the access; the copy then
 * runs under a guard, so a page that cannot be brought in (out of memory,
 * swap failure) also ends in -EFAULT instead of a crash. Pages are brought
 * in (and copied on write) by the ordinary fault path.
 */
#ifndef KERNEL_UACCESS_H
#define KERNEL_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0, or -EFAULT when [uva, uva + n) is not all accessible (write: writable). */
int uaccess_ok(uint32_t uva, uint32_t n, bool write);
int copy_from_user(void *dst, uint32_t usrc, uint32_t n);
int copy_to_user(uint32_t udst, const void *src, uint32_t n);
/* Copy a NUL-terminated string of at most cap - 1 bytes: its length, or
 * -EFAULT, or -ENAMETOOLONG. */
int strncpy_from_user(char *dst, uint32_t usrc, uint32_t cap);

#endif
