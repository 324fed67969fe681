/*
 * usignal.h - signals of user processes, as Linux i386 gives them: each of
 * 64 signals has an action (default, ignore, or a handler with its flags,
 * mask and restorer), a process has a blocked mask and pending signals.
 *
 * A signal sent (kill, Ctrl-C) with the default action ends the process as
 * before (uproc.c); one ignored is dropped; one with a handler becomes
 * pending and is delivered on the way back to ring 3 once unblocked. A
 * fault (page fault, divide error, invalid opcode, breakpoint) goes to the
 * process's handler for its signal at once, with siginfo (si_addr, si_code)
 * if it has one and has not blocked it; otherwise it ends the process as
 * before. Delivery pushes Linux's frame (struct rt_sigframe with siginfo
 * and ucontext for SA_SIGINFO, struct sigframe otherwise, the x87/SSE
 * state beside it) on the user stack and enters the handler; its return
 * goes through the restorer (SA_RESTORER) or the frame's own code to
 * rt_sigreturn or sigreturn, which put everything back. A handler with
 * SA_ONSTACK runs on the stack sigaltstack gave, unless it is on it
 * already. rt_sigsuspend and pause sleep until a handler has run. fork
 * copies the actions, the mask and the alternate stack; execve resets
 * handlers to the default and forgets the alternate stack.
 */
#ifndef KERNEL_USIGNAL_H
#define KERNEL_USIGNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "trap.h"

#define USIG_MAX 64

struct usig_action {
	uint32_t handler; /* 0 SIG_DFL, 1 SIG_IGN, else an address */
	uint32_t flags;   /* SA_* */
	uint32_t restorer;
	uint64_t mask;    /* blocked while the handler runs (bit n-1: signal n) */
};

/* Where a pending signal came from, for its siginfo. */
struct usig_info {
	int32_t code;  /* si_code: SI_USER (0), or the fault's kind */
	int32_t pid;   /* the sender (SI_USER) */
	uint32_t addr; /* si_addr (faults) */
};

struct usig_state {
	struct usig_action act[USIG_MAX];
	struct usig_info info[USIG_MAX];
	uint64_t blocked, pending;
	uint64_t saved;      /* rt_sigsuspend: the mask to restore after the handler */
	bool has_saved;
	uint32_t alt_sp, alt_size; /* sigaltstack (alt_size 0: none) */
};

struct uproc;

/* A new process's: every action the default, nothing blocked. */
void usig_init(struct usig_state *s);
/* fork: the child gets the parent's actions and mask, nothing pending. */
void usig_fork(struct usig_state *child, const struct usig_state *parent);
/* execve: handlers go back to the default (ignored signals stay ignored). */
void usig_exec(struct usig_state *s);

/* What sending sig (1..64) to p does: true if it must end p the default
 * way (the caller kills it), false if it was dropped (ignored) or made
 * pending for p's handler. */
bool usig_send(struct uproc *p, int sig, int from_pid);
/* Whether a signal waits that can be delivered (sleeps end for it): inline,
 * as the way to ring 3 asks it at every return. */
static inline bool usig_waiting(const struct usig_state *s) { return (s->pending & ~s->blocked) != 0; }
/* On the way back to ring 3 of the running process: enter the handler of
 * its lowest deliverable signal, if any. */
void usig_deliver(struct trap_frame *tf);
/* A fault of the running process with signal sig at addr (for a page
 * fault the address touched, else the instruction's): true if its handler
 * was entered (the trap returns to it), false if the process must end. */
bool usig_fault(struct trap_frame *tf, int sig, uint32_t addr);

#endif
