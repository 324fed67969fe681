/*
 * uproc.h - user processes: a ring-3 program in its own address space (the
 * user half below 0xC0000000; the kernel half shared, supervisor-only), run
 * by one kernel thread whose stack takes its traps. A process has a pid, a
 * parent (NULL: started from the shell), an exit status in Linux's wait
 * encoding, a program break and descriptors 0, 1 and 2 on the console.
 *
 * Life: uproc_exec (from a boot module) or fork makes it RUNNING; exit, a
 * fatal fault or a kill makes it a ZOMBIE whose memory is already gone
 * (frames, swap slots and page tables back to their pools); the parent's
 * wait (or the shell) reaps it. Children of a process that ends are
 * reaped by the shell.
 */
#ifndef KERNEL_UPROC_H
#define KERNEL_UPROC_H

#include "thread.h"
#include "trap.h"
#include "ufd.h"
#include "usignal.h"
#include "vmspace.h"

#define UPROC_MAX 64          /* processes alive or not yet reaped */
#define USER_STACK_TOP 0xC0000000u
#define USER_STACK_PAGES 32u  /* mapped at exec; it grows down from there */
#define USER_MMAP_TOP 0xB0000000u /* mmap hands out addresses below this */

/* Linux signal numbers used in wait statuses. */
#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGINT 2
#define SIGTERM 15

enum uproc_state { UP_RUNNING, UP_ZOMBIE };

struct uproc {
	int pid;
	struct uproc *parent;
	char name[24];
	enum uproc_state state;
	int status;                 /* wait status once a zombie */
	char why[96];               /* how it ended, for the shell's report */
	struct vm_space *space;
	struct thread *thread;
	struct user_frame start;    /* its first registers */
	uint32_t brk_start, brk;    /* the heap region starts at brk_start */
	uint32_t tid_address;       /* set_tid_address */
	volatile int kill_sig;      /* a kill waiting for it to leave the kernel */
	bool foreground;            /* reads the console */
	struct wait_queue children; /* its wait4 sleeps here */
	struct ufd_table fds;       /* its file descriptors */
	struct usig_state sig;      /* its signal actions, mask and pending signals */
	struct uproc *next;
	uint64_t started;           /* tick */
};

/* Whether a sleep of p in a system call must end (-EINTR): a kill, or a
 * signal for its handler. */
static inline bool uproc_interrupted(const struct uproc *p) { return p->kill_sig || usig_waiting(&p->sig); }

/* The running process (NULL on a kernel thread). */
struct uproc *uproc_current(void);
struct uproc *uproc_find(int pid);
/* Every process, for ps: fn(p, arg) in pid order of creation. */
void uproc_each(void (*fn)(struct uproc *p, void *arg), void *arg);

/* Start program `file` (a boot module) with argv (argc entries). Returns
 * the new process, or NULL after printing why. */
struct uproc *uproc_exec(const char *file, int argc, char **argv, bool foreground);
/* Replace the current process's program (execve). Returns only on error
 * (-errno), with the old program intact. */
int uproc_execve(struct uproc *p, const char *file, char **argv, char **envp);
/* fork: a copy of the current process returning 0 in the child, from the
 * trap frame tf. The child's pid, or -errno. */
int uproc_fork(struct trap_frame *tf);

/* End the current process with a wait status (never returns). */
void uproc_exit(int status) __attribute__((noreturn));
/* Mark p to end with signal sig, saying why, when it next leaves the
 * kernel (a kill already waiting stays). */
void uproc_doom(struct uproc *p, int sig, const char *why);
/* Ask p to end with signal sig (it ends when it next leaves the kernel or
 * wakes); why says by whom, for the report. 0 or -ESRCH. */
int uproc_kill(int pid, int sig, const char *why);
/* Wait for a child of parent (NULL: the shell's processes) to end: pid > 0
 * that one, -1 any. Returns its pid and *status, 0 when nohang and none is
 * done, or -ECHILD. The zombie is reaped. */
int uproc_wait(struct uproc *parent, int pid, int *status, bool nohang);
/* Reap the shell's ended processes, printing each one's end. */
void uproc_reap_shell(void);
/* "exited: status N" / "killed: REASON" for a zombie. */
void uproc_describe_end(const struct uproc *p, char *buf, size_t cap);

/* The console input of the foreground process (the shell feeds it). */
size_t uproc_stdin_read(char *buf, size_t cap);
/* The shell's side: feed p what is typed until it ends, describe its end
 * into end, reap it. Returns its wait status. */
int uproc_run_foreground(struct uproc *p, char *end, size_t cap);

#endif
