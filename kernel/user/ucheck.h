/*
 * ucheck.h - a debugging aid: with `vmcheck` on the command line, the
 * running process is checked at every system call's and ring-3 fault's
 * entry and exit (its struct uproc, thread and address space live and
 * agreeing, its region list whole: vm_space_check). A failure is a crash
 * report naming the check and the place, so a corruption is caught close
 * to its cause instead of where a later walk runs off it. Off: one test of
 * a flag.
 */
#ifndef KERNEL_UCHECK_H
#define KERNEL_UCHECK_H

#include <stdbool.h>

extern bool ucheck_on;
void ucheck_now(const char *where, const char *what);

/* Check the running process (if any) now; "where what" names the place
 * ("the entry of", "system call mmap2"). */
static inline void ucheck(const char *where, const char *what)
{
	if (ucheck_on) ucheck_now(where, what);
}

#endif
