/*
 * sys_proc.c - system calls about processes: exit, fork (and the clone and
 * vfork forms glibc uses for it), execve, waitpid and wait4, kill, pids,
 * thread-local storage (set_thread_area), set_tid_address, identities and
 * resource limits. Wait statuses are Linux's: exit code << 8, or the
 * signal number.
 */
#include "guard.h"
#include "io.h"
#include "kernel.h"
#include "mem.h"
#include "mmlib.h"
#include "syscall.h"
#include "uaccess.h"
#include "upool.h"
#include "uproc.h"
#include "usermode.h"

#define WNOHANG 1
#define CLONE_VM 0x00000100u
#define CLONE_THREAD 0x00010000u
#define CLONE_SETTLS 0x00080000u
#define CLONE_PARENT_SETTID 0x00100000u
#define CLONE_CHILD_CLEARTID 0x00200000u
#define CLONE_CHILD_SETTID 0x01000000u
#define ARGS_MAX 64
#define ARG_LEN 256

struct uproc *uproc_start(const char *name, struct uproc *parent, struct vm_space *space,
			  const struct user_frame *start, uint64_t tls);
void uproc_release_space(struct vm_space *s);

static int32_t sys_exit(struct sys_args *a) { uproc_exit((int)((a->a[0] & 0xff) << 8)); }
SYSCALL(1, exit, sys_exit);
SYSCALL(252, exit_group, sys_exit);

/* A copy of the current process whose first registers are tf's with eax 0.
 * The child's memory shares every page copy-on-write. */
static struct uproc *fork_child(struct trap_frame *tf, int *err)
{
	struct uproc *p = uproc_current();
	struct vm_space *s = vm_space_create(&kvm_irqsafe);
	if (!s) return *err = -ENOMEM, (struct uproc *)0;
	anon_attach(upool_peek(), s);
	if (vm_space_fork(s, p->space)) {
		uproc_release_space(s);
		return *err = -ENOMEM, (struct uproc *)0;
	}
	struct user_frame start = *trap_user_frame(tf);
	start.tf.eax = 0;
	struct uproc *c = uproc_start(p->name, p, s, &start, thread_current()->tls);
	if (!c) {
		uproc_release_space(s);
		return *err = -EAGAIN, (struct uproc *)0;
	}
	c->brk_start = p->brk_start;
	c->brk = p->brk;
	c->foreground = p->foreground;
	return c;
}

int uproc_fork(struct trap_frame *tf)
{
	int err = 0;
	struct uproc *c = fork_child(tf, &err);
	return c ? c->pid : err;
}

static int32_t sys_fork(struct sys_args *a) { return uproc_fork(a->tf); }
SYSCALL(2, fork, sys_fork);
SYSCALL(190, vfork, sys_fork); /* a copy-on-write fork is as cheap */

struct put_tid { uint32_t at; int pid; };
static void put_tid(void *arg)
{
	struct put_tid *t = arg;
	copy_to_user(t->at, &t->pid, 4);
}

/* clone(flags, stack, parent_tid, tls, child_tid): processes only. */
static int32_t sys_clone(struct sys_args *a)
{
	uint32_t flags = a->a[0];
	if (flags & (CLONE_VM | CLONE_THREAD | CLONE_SETTLS) || a->a[1]) return -EINVAL; /* no threads */
	int err = 0;
	struct uproc *c = fork_child(a->tf, &err);
	if (!c) return err;
	if (flags & CLONE_PARENT_SETTID) copy_to_user(a->a[2], &c->pid, 4);
	if (flags & CLONE_CHILD_SETTID) {
		/* write into the child's memory: run the copy with its space loaded */
		struct put_tid t = { a->a[4], c->pid };
		struct uproc *me = uproc_current();
		thread_current()->proc = c;
		guard_run_in(c->space, put_tid, &t, 0);
		thread_current()->proc = me;
	}
	if (flags & CLONE_CHILD_CLEARTID) c->tid_address = a->a[4];
	return c->pid;
}
SYSCALL(120, clone, sys_clone);

static int32_t wait_common(int pid, uint32_t ustatus, uint32_t options)
{
	if (options & ~(uint32_t)(WNOHANG | 0x40000000u /* __WALL */ | 0x80000000u /* __WCLONE */)) return -EINVAL;
	if (ustatus && uaccess_ok(ustatus, 4, true)) return -EFAULT;
	int status = 0;
	int got = uproc_wait(uproc_current(), pid > 0 ? pid : -1, &status, options & WNOHANG);
	if (got > 0 && ustatus && copy_to_user(ustatus, &status, 4)) return -EFAULT;
	return got;
}

static int32_t sys_waitpid(struct sys_args *a) { return wait_common((int)a->a[0], a->a[1], a->a[2]); }
SYSCALL(7, waitpid, sys_waitpid);

static int32_t sys_wait4(struct sys_args *a)
{
	if (a->a[3]) {
		static const uint8_t zero[72]; /* struct rusage: nothing is measured */
		if (copy_to_user(a->a[3], zero, sizeof zero)) return -EFAULT;
	}
	return wait_common((int)a->a[0], a->a[1], a->a[2]);
}
SYSCALL(114, wait4, sys_wait4);

static int32_t sys_getpid(struct sys_args *a) { return uproc_current()->pid; }
SYSCALL(20, getpid, sys_getpid);
SYSCALL(224, gettid, sys_getpid);

static int32_t sys_getppid(struct sys_args *a)
{
	struct uproc *p = uproc_current()->parent;
	return p ? p->pid : 0;
}
SYSCALL(64, getppid, sys_getppid);

static int32_t sys_set_tid_address(struct sys_args *a)
{
	uproc_current()->tid_address = a->a[0];
	return uproc_current()->pid;
}
SYSCALL(258, set_tid_address, sys_set_tid_address);

static int32_t kill_common(int pid, int sig)
{
	if (sig < 0 || sig > 64) return -EINVAL;
	if (pid <= 0) pid = uproc_current()->pid; /* process groups: just the caller */
	struct uproc *p = uproc_find(pid);
	if (!p || p->state != UP_RUNNING) return -ESRCH;
	char why[48];
	mm_snprintf(why, sizeof why, "killed by process %d", uproc_current()->pid);
	return sig ? uproc_kill(pid, sig, why) : 0;
}

static int32_t sys_kill(struct sys_args *a) { return kill_common((int)a->a[0], (int)a->a[1]); }
SYSCALL(37, kill, sys_kill);
static int32_t sys_tkill(struct sys_args *a) { return kill_common((int)a->a[0], (int)a->a[1]); }
SYSCALL(238, tkill, sys_tkill);
static int32_t sys_tgkill(struct sys_args *a) { return kill_common((int)a->a[1], (int)a->a[2]); }
SYSCALL(270, tgkill, sys_tgkill);

/* Copy a NULL-ended vector of user strings into kernel memory (one block:
 * the pointers, then the strings). NULL uvec is an empty vector. */
static char **copy_vector(uint32_t uvec, int *err)
{
	char **v = kzalloc(&kheap, (ARGS_MAX + 1) * sizeof(char *) + ARGS_MAX * ARG_LEN);
	if (!v) return *err = -ENOMEM, (char **)0;
	char *strs = (char *)(v + ARGS_MAX + 1);
	for (int i = 0; uvec; i++) {
		uint32_t up;
		if (i == ARGS_MAX) return kfree(&kheap, v), *err = -E2BIG, (char **)0;
		if (copy_from_user(&up, uvec + 4u * (uint32_t)i, 4)) return kfree(&kheap, v), *err = -EFAULT, (char **)0;
		if (!up) break;
		int n = strncpy_from_user(strs + i * ARG_LEN, up, ARG_LEN);
		if (n < 0) return kfree(&kheap, v), *err = n == -ENAMETOOLONG ? -E2BIG : n, (char **)0;
		v[i] = strs + i * ARG_LEN;
	}
	return v;
}

static int32_t sys_execve(struct sys_args *a)
{
	char path[ARG_LEN];
	int err = strncpy_from_user(path, a->a[0], sizeof path);
	if (err < 0) return err;
	char **argv = copy_vector(a->a[1], &err), **envp = argv ? copy_vector(a->a[2], &err) : 0;
	if (envp) err = uproc_execve(uproc_current(), path, argv, envp);
	kfree(&kheap, argv);
	kfree(&kheap, envp);
	if (err) return err;
	*trap_user_frame(a->tf) = uproc_current()->start; /* the new program's first registers */
	return 0;
}
SYSCALL(11, execve, sys_execve);

/* struct user_desc of set_thread_area. */
struct user_desc {
	uint32_t entry_number, base_addr, limit;
	uint32_t flags; /* seg_32bit:1 contents:2 read_exec_only:1 limit_in_pages:1 seg_not_present:1 useable:1 */
};

static int32_t sys_set_thread_area(struct sys_args *a)
{
	struct user_desc d;
	if (copy_from_user(&d, a->a[0], sizeof d)) return -EFAULT;
	if (d.entry_number != 0xffffffffu && d.entry_number != GDT_TLS_ENTRY) return -EINVAL;
	d.entry_number = GDT_TLS_ENTRY;
	if (copy_to_user(a->a[0], &d, sizeof d)) return -EFAULT;
	struct thread *t = thread_current();
	t->tls = gdt_user_segment(d.base_addr, d.limit, d.flags & 0x10, !(d.flags & 0x20));
	user_switch_in(t->esp0, t->tls);
	return 0;
}
SYSCALL(243, set_thread_area, sys_set_thread_area);

static int32_t sys_zero_id(struct sys_args *a) { return 0; } /* everyone is root */
SYSCALL(24, getuid, sys_zero_id);
SYSCALL(47, getgid, sys_zero_id);
SYSCALL(49, geteuid, sys_zero_id);
SYSCALL(50, getegid, sys_zero_id);
SYSCALL(199, getuid32, sys_zero_id);
SYSCALL(200, getgid32, sys_zero_id);
SYSCALL(201, geteuid32, sys_zero_id);
SYSCALL(202, getegid32, sys_zero_id);

/* getrlimit: the stack may grow to VM_STACK_MAX_PAGES; the rest is unlimited. */
static int get_limit(uint32_t which, uint32_t lim[2])
{
	if (which > 15) return -EINVAL;
	lim[0] = lim[1] = which == 3 /* RLIMIT_STACK */ ? VM_STACK_MAX_PAGES * PAGE_SIZE : 0xffffffffu;
	if (which == 7 /* RLIMIT_NOFILE */) lim[0] = lim[1] = 3;
	if (which == 6 /* RLIMIT_NPROC */) lim[0] = lim[1] = UPROC_MAX;
	return 0;
}

static int32_t sys_ugetrlimit(struct sys_args *a)
{
	uint32_t lim[2];
	int err = get_limit(a->a[0], lim);
	return err ? err : copy_to_user(a->a[1], lim, sizeof lim);
}
SYSCALL(191, ugetrlimit, sys_ugetrlimit);
SYSCALL(76, getrlimit, sys_ugetrlimit);

static int32_t sys_prlimit64(struct sys_args *a)
{
	if (a->a[0] && (int)a->a[0] != uproc_current()->pid) return -ESRCH;
	if (a->a[2]) return -EPERM; /* limits are fixed */
	uint32_t lim[2];
	int err = get_limit(a->a[1], lim);
	if (err || !a->a[3]) return err;
	uint64_t lim64[2] = { lim[0] == 0xffffffffu ? ~0ull : lim[0], lim[1] == 0xffffffffu ? ~0ull : lim[1] };
	return copy_to_user(a->a[3], lim64, sizeof lim64);
}
SYSCALL(340, prlimit64, sys_prlimit64);
