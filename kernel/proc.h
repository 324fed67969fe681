/*
 * proc.h - simulated processes for the memman and VMM workloads: each is a
 * kernel thread with its own address space, taking orders from a driver.
 * The driver posts one access at a time (an address, read or write, a
 * value); the process's thread makes it for real in its own space, so a
 * miss is a real page fault taken on that thread, and reports back. The
 * driver decides the global order of events; the threads do the work.
 *
 * A process may instead run a program of its own (proc_spawn): its thread
 * runs a body that makes its accesses itself (proc_touch), and the
 * scheduler, not a driver, decides who runs when (the VMM runner).
 */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include "guard.h"
#include "thread.h"

struct proc {
	uint32_t id;
	struct vm_space *space;
	struct thread *thread;
	struct semaphore go, done;
	/* the order in progress */
	vaddr_t va;
	bool write, quit;
	uint32_t value;
	/* the result */
	bool stopped;             /* a bad access or out of memory stopped it */
	struct guard_report rep;  /* (its faults are counted by its space: space->stats) */
	/* a spawned process's program */
	void (*body)(struct proc *p, void *arg);
	void *arg;
};

/* The id of the process a space belongs to (its owner, set by the driver). */
static inline uint32_t proc_id_of(const struct vm_space *s) { return ((const struct proc *)s->owner)->id; }

/* Start a process thread over space (which it owns from now on). 0 or
 * -MM_ENOMEM. */
int proc_start(struct proc *p, uint32_t id, const char *name, struct vm_space *space);
/* Make one access in p's space and wait for it; returns 0, or 1 if it was
 * stopped (then p->rep says why). */
int proc_access(struct proc *p, vaddr_t va, bool write, uint32_t value);
/* End the thread; the space stays for the caller to destroy. */
void proc_stop(struct proc *p);

/* Start a process whose thread runs body(p, arg) over space (which it owns
 * from now on) and ends when body returns. 0 or -MM_ENOMEM. */
int proc_spawn(struct proc *p, uint32_t id, const char *name, struct vm_space *space,
	       void (*body)(struct proc *p, void *arg), void *arg);
/* From p's own thread: make one access in p's space (a miss is a real page
 * fault on this thread). 0, or 1 if it was stopped (then p->rep says why). */
int proc_touch(struct proc *p, vaddr_t va, bool write, uint32_t value);
/* Wait for a spawned process's body to end, and free its thread. */
void proc_wait(struct proc *p);

#endif
