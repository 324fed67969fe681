/*
 * uproc.c - the process table and a process's life (see uproc.h): its
 * thread's way into ring 3, exit and the release of its memory, kills
 * (from a fault, another process, the shell or Ctrl-C), and wait.
 *
 * A process thread runs in the kernel only inside traps. It enters ring 3
 * by "returning" from a trap frame built for it (user_return), and its
 * kernel stack's top is where the CPU puts the next trap from ring 3
 * (esp0, switched with the thread). Kills are delivered on the way out of
 * the kernel (the trap layer's user_leave hook), so a process never dies
 * holding a kernel lock.
 */
#include "io.h"
#include "kernel.h"
#include "kmain.h"
#include "mem.h"
#include "mm_env.h"
#include "mmlib.h"
#include "uerrno.h"
#include "upool.h"
#include "uproc.h"
#include "usermode.h"

static struct uproc *procs;         /* every process, newest first */
static struct wait_queue shell_q;   /* the shell waits here for its processes */
static int next_pid = 1;
struct uproc *uproc_shell_fg;      /* the process the shell waits for */

struct uproc *uproc_current(void) { return thread_current()->proc; }

struct uproc *uproc_find(int pid)
{
	for (struct uproc *p = procs; p; p = p->next)
		if (p->pid == pid) return p;
	return 0;
}

void uproc_each(void (*fn)(struct uproc *p, void *arg), void *arg)
{
	for (int pid = 1; pid < next_pid; pid++) {
		struct uproc *p = uproc_find(pid);
		if (p) fn(p, arg);
	}
}

static uint32_t count_procs(void)
{
	uint32_t n = 0;
	for (struct uproc *p = procs; p; p = p->next) n++;
	return n;
}

/* ---- a process thread ---------------------------------------------------- */

static void proc_main(void *arg)
{
	struct uproc *p = arg;
	struct thread *t = thread_current();
	uint32_t f = irq_save();
	t->esp0 = (uint32_t)(uintptr_t)t->stack + THREAD_STACK;
	user_switch_in(t->esp0, t->tls);
	irq_restore(f);
	user_return(&p->start);
}

/* A new process around space (owned from now on) with its first registers.
 * It starts running at once. NULL when out of processes or memory. */
struct uproc *uproc_start(const char *name, struct uproc *parent, struct vm_space *space,
			  const struct user_frame *start, uint64_t tls);
struct uproc *uproc_start(const char *name, struct uproc *parent, struct vm_space *space,
			  const struct user_frame *start, uint64_t tls)
{
	if (count_procs() >= UPROC_MAX) return 0;
	struct uproc *p = kzalloc(&kheap, sizeof(*p));
	void *fpu = thread_fpu_new(parent != 0); /* a child inherits the registers */
	if (!p || !fpu) {
		kfree(&kheap, p);
		kfree(&kheap, fpu);
		return 0;
	}
	mm_strncpy0(p->name, name, sizeof p->name);
	p->parent = parent;
	p->space = space;
	p->start = *start;
	p->started = pit_ticks();
	uint32_t f = irq_save();
	p->thread = thread_create(name, proc_main, p, space);
	if (!p->thread) {
		irq_restore(f);
		kfree(&kheap, p);
		kfree(&kheap, fpu);
		return 0;
	}
	thread_set_fpu(p->thread, fpu);
	if (parent) { /* a child shares its parent's open files, and has its signal actions */
		ufd_fork(&p->fds, &parent->fds);
		usig_fork(&p->sig, &parent->sig);
	} else {
		ufd_init_console(&p->fds);
		usig_init(&p->sig);
	}
	p->thread->proc = p;
	p->thread->tls = tls;
	p->pid = next_pid++;
	space->owner = p;
	space->id = (uint32_t)p->pid;
	p->next = procs;
	procs = p;
	irq_restore(f);
	return p;
}

/* ---- the end of a process ---------------------------------------------- */

void uproc_release_space(struct vm_space *s);
void uproc_release_space(struct vm_space *s)
{
	uint32_t f = irq_save(); /* the pool's calls are critical sections */
	anon_detach(upool_peek(), s);
	vm_space_destroy(s);
	irq_restore(f);
}

static struct wait_queue *waiters_of(struct uproc *p) { return p->parent ? &p->parent->children : &shell_q; }

void uproc_exit(int status)
{
	struct uproc *p = uproc_current();
	struct thread *t = thread_current();
	MM_ASSERT(p, "exit outside a process");
	irq_disable();
	struct vm_space *s = p->space;
	p->space = 0;
	t->space = 0;
	vm_switch(0);
	uproc_release_space(s);
	irq_disable();
	ufd_close_all(&p->fds);
	for (struct uproc *q = procs; q; q = q->next)
		if (q->parent == p) q->parent = 0; /* the shell reaps orphans */
	p->status = status;
	p->state = UP_ZOMBIE;
	t->esp0 = 0;
	wait_wake_all(waiters_of(p));
	thread_exit();
}

static int signal_of(unsigned vector)
{
	switch (vector) {
	case 0: case 16: case 19: return SIGFPE;
	case 3: return SIGTRAP;
	case 6: return SIGILL;
	case 17: return SIGBUS;
	default: return SIGSEGV;
	}
}

static bool user_fault(struct trap_frame *tf, uint32_t addr, const char *reason, int sig)
{
	struct uproc *p = uproc_current();
	if (!p) return false;
	if (!sig) sig = signal_of(tf->vector);
	if (usig_fault(tf, sig, addr)) return true; /* its handler runs */
	if (tf->vector == TRAP_PF)
		mm_snprintf(p->why, sizeof p->why, "%s at 0x%08x (eip 0x%08x)", reason, addr, tf->eip);
	else
		mm_snprintf(p->why, sizeof p->why, "%s at eip 0x%08x", reason, tf->eip);
	klog("process %d killed: %s\n", p->pid, p->why);
	if (p->parent) kprintf("process %d killed: %s\n", p->pid, p->why);
	uproc_exit(sig);
}

static void user_leave(struct trap_frame *tf)
{
	struct uproc *p = uproc_current();
	if (!p) return;
	if (!p->kill_sig && usig_waiting(&p->sig)) usig_deliver(tf); /* may doom it */
	if (!p->kill_sig) return;
	if (!p->why[0]) mm_snprintf(p->why, sizeof p->why, "signal %d", p->kill_sig);
	uproc_exit(p->kill_sig);
}

void uproc_doom(struct uproc *p, int sig, const char *why)
{
	if (p->kill_sig) return;
	p->kill_sig = sig;
	mm_snprintf(p->why, sizeof p->why, "%s (signal %d)", why, sig);
}

/* Wake p wherever it sleeps in the kernel, so it sees its kill. */
void uproc_stdin_wake(void);
int uproc_kill(int pid, int sig, const char *why)
{
	struct uproc *p = uproc_find(pid);
	if (!p || p->state != UP_RUNNING) return -ESRCH;
	uint32_t f = irq_save();
	struct uproc *me = uproc_current();
	if (!p->kill_sig && usig_send(p, sig, me ? me->pid : 0)) /* else ignored, or for a handler */
		uproc_doom(p, sig, why);
	wait_wake_all(&p->children);
	uproc_stdin_wake();
	irq_restore(f);
	return 0;
}

static void reap(struct uproc *z)
{
	for (struct uproc **l = &procs; *l; l = &(*l)->next)
		if (*l == z) {
			*l = z->next;
			break;
		}
	thread_join(z->thread);
	kfree(&kheap, z);
}

static bool matches(const struct uproc *q, struct uproc *parent, int pid)
{
	return q->parent == parent && (pid == -1 || q->pid == pid);
}

int uproc_wait(struct uproc *parent, int pid, int *status, bool nohang)
{
	uint32_t f = irq_save();
	for (;;) {
		bool any = false;
		for (struct uproc *q = procs; q; q = q->next) {
			if (!matches(q, parent, pid)) continue;
			any = true;
			if (q->state != UP_ZOMBIE) continue;
			int got = q->pid;
			if (status) *status = q->status;
			irq_restore(f);
			reap(q);
			return got;
		}
		int rc = !any ? -ECHILD : nohang ? 0 : parent && uproc_interrupted(parent) ? -EINTR : 1;
		if (rc <= 0) {
			irq_restore(f);
			return rc;
		}
		wait_block(parent ? &parent->children : &shell_q);
	}
}

void uproc_describe_end(const struct uproc *p, char *buf, size_t cap)
{
	int st = p->status;
	if ((st & 0x7f) == 0) mm_snprintf(buf, cap, "exited: status %d", (st >> 8) & 0xff);
	else mm_snprintf(buf, cap, "killed: %s", p->why[0] ? p->why : "by a signal");
}

void uproc_reap_shell(void)
{
	for (;;) {
		struct uproc *z = 0;
		for (struct uproc *q = procs; q && !z; q = q->next)
			if (!q->parent && q->state == UP_ZOMBIE && q != uproc_shell_fg) z = q;
		if (!z) return;
		char end[128];
		uproc_describe_end(z, end, sizeof end);
		kprintf("process %d %s\n", z->pid, end);
		reap(z);
	}
}

static void uproc_boot(void)
{
	trap_user_hooks.user_fault = user_fault;
	trap_user_hooks.user_leave = user_leave;
}
BOOT_HOOK(uproc, uproc_boot, 31);
