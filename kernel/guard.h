/*
 * guard.h - recovery points for code that may make a bad access (a test, a
 * simulated process): the page-fault path reports the access and jumps back
 * to the innermost guard instead of crashing the kernel.
 */
#ifndef KERNEL_GUARD_H
#define KERNEL_GUARD_H

#include <stdint.h>

struct kjmp { uint32_t ebx, esi, edi, ebp, esp, eip, eflags; };
int kjmp_set(struct kjmp *j) __attribute__((returns_twice));
void kjmp_go(struct kjmp *j, int v) __attribute__((noreturn));

/* What the fault path records about the bad access that ended a guarded run. */
struct guard_report {
	uint32_t addr;   /* faulting address (CR2) */
	uint32_t err;    /* #PF error code */
	uint32_t eip;
	const char *reason;
};

struct guard {
	struct kjmp jmp;
	struct guard *prev;
	struct guard_report report;
};

/* Run fn(arg) under a guard. Returns 0 when it returned normally, or 1 when a
 * bad access stopped it (then *report says where and why). */
int guard_run(void (*fn)(void *), void *arg, struct guard_report *report);

struct vm_space;
/* The same in address space s (NULL: the kernel's): switch to it, run
 * fn(arg) under a guard, switch back to the space that was loaded. */
int guard_run_in(struct vm_space *s, void (*fn)(void *), void *arg, struct guard_report *report);

/* Called by the fault path: if a guard is active, record and jump there. */
void guard_trip(uint32_t addr, uint32_t err, uint32_t eip, const char *reason);
int guard_active(void);

#endif
