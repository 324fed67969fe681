/*
 * usignal.c - signal actions, masks, delivery and return (see usignal.h),
 * and the system calls rt_sigaction, rt_sigprocmask, rt_sigpending,
 * rt_sigreturn, sigreturn, rt_sigsuspend, pause and sigaltstack.
 *
 * Delivery builds, below the interrupted user stack pointer: the x87/SSE
 * state (fxsave's 512 bytes, 64-byte aligned), then the frame, placed so
 * that the handler starts as if called (esp + 4 a multiple of 16) with the
 * frame's first word, the return address, pointing at the restorer or at
 * the frame's own two instructions that make the return call. The frame
 * holds a struct sigcontext of the interrupted registers, which the return
 * call puts back (all but the segment registers, and only the flags a
 * program may change).
 */
#include "io.h"
#include "kernel.h"
#include "mmlib.h"
#include "syscall.h"
#include "uaccess.h"
#include "uproc.h"
#include "usermode.h"

#define SIG_DFL 0u
#define SIG_IGN 1u
#define SA_SIGINFO 0x4u
#define SA_RESTORER 0x04000000u
#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u
#define SA_ONSTACK 0x08000000u
#define SS_ONSTACK 1u
#define MINSIGSTKSZ 2048u
#define SIGSTOP 19
#define SIGCHLD 17
#define SIGCONT 18
#define SIGURG 23
#define SIGWINCH 28
#define SS_DISABLE 2u
#define NR_SIGRETURN 119u
#define NR_RT_SIGRETURN 173u
/* the flags sigreturn takes from the frame: CF PF AF ZF SF TF DF OF RF AC */
#define EFLAGS_USER 0x00050dd5u
#define MXCSR_OK 0x0000ffbfu /* what fxrstor takes in MXCSR on every x86 with SSE */

static uint64_t bit(int sig) { return 1ull << (sig - 1); }
static const uint64_t unblockable = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));

static bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

void usig_init(struct usig_state *s) { mm_memset(s, 0, sizeof *s); }

void usig_fork(struct usig_state *child, const struct usig_state *parent)
{
	*child = *parent;
	child->pending = 0;
}

void usig_exec(struct usig_state *s)
{
	s->alt_sp = s->alt_size = 0;
	for (int i = 0; i < USIG_MAX; i++)
		if (s->act[i].handler != SIG_IGN) s->act[i] = (struct usig_action){ SIG_DFL, 0, 0, 0 };
}

bool usig_send(struct uproc *p, int sig, int from_pid)
{
	if (sig == SIGKILL || sig == SIGSTOP) return true; /* no stops here: SIGSTOP ends it too */
	const struct usig_action *a = &p->sig.act[sig - 1];
	if (a->handler == SIG_IGN || (a->handler == SIG_DFL && default_ignored(sig))) return false;
	if (a->handler == SIG_DFL && !(p->sig.blocked & bit(sig))) return true;
	p->sig.pending |= bit(sig); /* for the handler, or the default once unblocked */
	p->sig.info[sig - 1] = (struct usig_info){ 0 /* SI_USER */, from_pid, 0 };
	return false;
}


/* ---- the frames (Linux's i386 layout) ---- */

struct sigcontext32 {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t trapno, err, eip, cs, eflags, esp_at_signal, ss;
	uint32_t fpstate, oldmask, cr2;
};

struct siginfo32 {
	int32_t signo, errno_, code;
	uint32_t word[29]; /* si_pid, si_uid for a sender; si_addr for a fault */
};

struct ucontext32 {
	uint32_t flags, link;
	uint32_t ss_sp, ss_flags, ss_size;
	struct sigcontext32 mc;
	uint64_t sigmask;
};

struct rt_sigframe32 {
	uint32_t pretcode;
	int32_t sig;
	uint32_t pinfo, puc;
	struct siginfo32 info;
	struct ucontext32 uc;
	uint8_t retcode[8];
};

struct sigframe32 {
	uint32_t pretcode;
	int32_t sig;
	struct sigcontext32 sc;
	uint32_t extramask;
	uint8_t retcode[8];
};

/* i386 aligns 64-bit members to 4 bytes: Linux's sizes, with no padding */
_Static_assert(sizeof(struct sigcontext32) == 88, "struct sigcontext");
_Static_assert(sizeof(struct siginfo32) == 128, "siginfo_t");
_Static_assert(sizeof(struct ucontext32) == 116, "struct ucontext");
_Static_assert(sizeof(struct rt_sigframe32) == 268, "struct rt_sigframe");
_Static_assert(sizeof(struct sigframe32) == 108, "struct sigframe");

static void context_of(const struct trap_frame *tf, uint32_t fx, uint64_t blocked, uint32_t cr2,
		       struct sigcontext32 *sc)
{
	const struct user_frame *uf = (const struct user_frame *)tf;
	*sc = (struct sigcontext32){ tf->gs, tf->fs, tf->es, tf->ds, tf->edi, tf->esi, tf->ebp,
				     uf->user_esp, tf->ebx, tf->edx, tf->ecx, tf->eax, tf->vector, tf->err,
				     tf->eip, tf->cs, tf->eflags, uf->user_esp, uf->user_ss, fx,
				     (uint32_t)blocked, cr2 };
}

/* movl $nr, %eax; int $0x80 (after popl %eax for sigreturn, which the
 * handler's return leaves with the signal number still on the stack) */
static void return_code(uint8_t *c, uint32_t nr, bool pop)
{
	uint8_t *p = c;
	if (pop) *p++ = 0x58;
	*p++ = 0xb8;
	mm_memcpy(p, &nr, 4);
	p += 4;
	*p++ = 0xcd;
	*p = 0x80;
}

/* Make sure [lo, hi) of the user stack can be written, growing the stack
 * down to it if it must: 0 or -EFAULT. */
static int stack_room(uint32_t lo, uint32_t hi)
{
	struct vm_space *s = uproc_current()->space;
	for (uint32_t page = lo & ~(PAGE_SIZE - 1); page < hi; page += PAGE_SIZE) {
		if (vm_region_find(s, vaddr_make(page))) continue;
		struct vm_fault_info info;
		if (vm_fault(s, vaddr_make(page), PTE_W | PTE_U, &info) != VM_RESOLVED) return -EFAULT;
	}
	return uaccess_ok(lo, hi - lo, true);
}

/* Whether sp is on the alternate signal stack (its top counts: the
 * stack pointer before a push). */
static bool on_alt_stack(const struct usig_state *s, uint32_t sp)
{
	return s->alt_size && sp - s->alt_sp <= s->alt_size;
}

static uint32_t alt_flags(const struct usig_state *s, uint32_t sp)
{
	return !s->alt_size ? SS_DISABLE : on_alt_stack(s, sp) ? SS_ONSTACK : 0;
}

/* The stack a handler of a enters on: the alternate one for SA_ONSTACK,
 * unless it runs there already; else where the process was. */
static uint32_t handler_stack(const struct usig_state *s, const struct usig_action *a, uint32_t sp)
{
	if ((a->flags & SA_ONSTACK) && s->alt_size && !on_alt_stack(s, sp)) return s->alt_sp + s->alt_size;
	return sp;
}

/* The mask a frame must restore: the one rt_sigsuspend replaced, if any. */
static uint64_t mask_to_restore(struct usig_state *s)
{
	uint64_t m = s->has_saved ? s->saved : s->blocked;
	s->has_saved = false;
	return m;
}

/* Enter the handler of sig with info: push the state and the frame, set
 * the registers. false if the user stack cannot take them. */
static bool enter_handler(struct trap_frame *tf, int sig, const struct usig_action *a,
			  const struct usig_info *in)
{
	struct uproc *p = uproc_current();
	struct user_frame *uf = (struct user_frame *)tf;
	uint8_t fxbuf[FPU_STATE_BYTES + 16]; /* on this stack: a copy may sleep on a swap-in */
	uint8_t *fx = (uint8_t *)(((uintptr_t)fxbuf + 15) & ~(uintptr_t)15);
	bool rt = a->flags & SA_SIGINFO;
	uint32_t size = rt ? sizeof(struct rt_sigframe32) : sizeof(struct sigframe32);
	uint32_t sp = handler_stack(&p->sig, a, uf->user_esp);
	uint32_t fxa = (sp - FPU_STATE_BYTES) & ~63u, fr = ((fxa - size) & ~15u) - 4;
	if (sp < 4096 || stack_room(fr, sp)) return false;
	uint64_t old_mask = mask_to_restore(&p->sig);
	fpu_save(fx);
	if (copy_to_user(fxa, fx, FPU_STATE_BYTES)) return false;
	uint32_t ret = (a->flags & SA_RESTORER) ? a->restorer : 0;
	int err;
	if (rt) {
		struct rt_sigframe32 f;
		mm_memset(&f, 0, sizeof f);
		f.sig = sig;
		f.pinfo = fr + __builtin_offsetof(struct rt_sigframe32, info);
		f.puc = fr + __builtin_offsetof(struct rt_sigframe32, uc);
		f.info.signo = sig;
		f.info.code = in->code;
		if (in->code > 0) f.info.word[0] = in->addr; /* a fault: si_addr */
		else f.info.word[0] = (uint32_t)in->pid; /* a sender: si_pid, si_uid 0 */
		f.uc.ss_sp = p->sig.alt_sp;
		f.uc.ss_size = p->sig.alt_size;
		f.uc.ss_flags = alt_flags(&p->sig, uf->user_esp);
		context_of(tf, fxa, old_mask, in->addr, &f.uc.mc);
		f.uc.sigmask = old_mask;
		return_code(f.retcode, NR_RT_SIGRETURN, false);
		f.pretcode = ret ? ret : fr + __builtin_offsetof(struct rt_sigframe32, retcode);
		err = copy_to_user(fr, &f, sizeof f);
		tf->edx = f.pinfo;
		tf->ecx = f.puc;
	} else {
		struct sigframe32 f;
		mm_memset(&f, 0, sizeof f);
		f.sig = sig;
		context_of(tf, fxa, old_mask, in->addr, &f.sc);
		f.extramask = (uint32_t)(old_mask >> 32);
		return_code(f.retcode, NR_SIGRETURN, true);
		f.pretcode = ret ? ret : fr + __builtin_offsetof(struct sigframe32, retcode);
		err = copy_to_user(fr, &f, sizeof f);
	}
	if (err) {
		p->sig.blocked = old_mask; /* no handler's return will put it back */
		return false;
	}
	tf->eax = (uint32_t)sig;
	tf->eip = a->handler;
	tf->eflags &= ~(0x100u | 0x400u); /* TF, DF: a handler starts as a function does */
	uf->user_esp = fr;
	p->sig.blocked |= (a->mask | ((a->flags & SA_NODEFER) ? 0 : bit(sig))) & ~unblockable;
	if (a->flags & SA_RESETHAND) p->sig.act[sig - 1] = (struct usig_action){ SIG_DFL, 0, 0, 0 };
	return true;
}

void usig_deliver(struct trap_frame *tf)
{
	struct uproc *p = uproc_current();
	uint64_t d = p->sig.pending & ~p->sig.blocked;
	if (!d || p->kill_sig) return;
	uint32_t lo = (uint32_t)d; /* (the 64-bit builtin is a library call the kernel lacks) */
	int sig = 1 + (lo ? __builtin_ctz(lo) : 32 + __builtin_ctz((uint32_t)(d >> 32)));
	p->sig.pending &= ~bit(sig);
	struct usig_action a = p->sig.act[sig - 1];
	if (a.handler == SIG_IGN || (a.handler == SIG_DFL && default_ignored(sig))) return;
	if (a.handler == SIG_DFL) uproc_doom(p, sig, "a signal whose action is the default");
	else if (!enter_handler(tf, sig, &a, &p->sig.info[sig - 1])) uproc_doom(p, SIGSEGV, "no room on the stack for a signal frame");
}

/* si_code of a fault: for a page fault SEGV_ACCERR when addr is in a
 * region (which forbids the access), SEGV_MAPERR when it is in none. */
static int32_t fault_code(int sig, unsigned vector, uint32_t addr)
{
	switch (sig) {
	case SIGSEGV:
		if (vector != TRAP_PF) return 0x80; /* SI_KERNEL: a protection fault */
		return vm_region_find(uproc_current()->space, vaddr_make(addr)) ? 2 : 1;
	case SIGFPE: return vector == 0 ? 1 /* FPE_INTDIV */ : 0x80;
	case SIGILL: return 2;  /* ILL_ILLOPN */
	case SIGTRAP: return 1; /* TRAP_BRKPT */
	case SIGBUS: return 2;  /* BUS_ADRERR */
	default: return 0x80;   /* SI_KERNEL */
	}
}

bool usig_fault(struct trap_frame *tf, int sig, uint32_t addr)
{
	struct uproc *p = uproc_current();
	if (!p || sig == SIGKILL || p->kill_sig) return false;
	const struct usig_action *a = &p->sig.act[sig - 1];
	/* a fault's signal that is blocked or ignored ends the process, as in Linux */
	if (a->handler == SIG_DFL || a->handler == SIG_IGN || (p->sig.blocked & bit(sig))) return false;
	struct usig_info in = { fault_code(sig, tf->vector, addr), 0, addr };
	struct usig_action act = *a;
	return enter_handler(tf, sig, &act, &in);
}

/* ---- system calls ---- */

struct kernel_sigaction32 { uint32_t handler, flags, restorer; uint64_t mask; };
_Static_assert(sizeof(struct kernel_sigaction32) == 20, "struct sigaction (kernel's, i386)");

static int32_t sys_rt_sigaction(struct sys_args *a)
{
	int sig = (int32_t)a->a[0];
	uint32_t act = a->a[1], oact = a->a[2];
	struct uproc *p = uproc_current();
	if (a->a[3] != 8 || sig < 1 || sig > USIG_MAX) return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP)) return -EINVAL;
	struct kernel_sigaction32 k;
	if (act && copy_from_user(&k, act, sizeof k)) return -EFAULT;
	struct usig_action *cur = &p->sig.act[sig - 1];
	struct kernel_sigaction32 old = { cur->handler, cur->flags, cur->restorer, cur->mask };
	if (oact && copy_to_user(oact, &old, sizeof old)) return -EFAULT;
	if (act) {
		*cur = (struct usig_action){ k.handler, k.flags, k.restorer, k.mask & ~unblockable };
		if (k.handler == SIG_IGN || (k.handler == SIG_DFL && default_ignored(sig)))
			p->sig.pending &= ~bit(sig); /* POSIX: a pending signal now ignored goes */
	}
	return 0;
}
SYSCALL(174, rt_sigaction, sys_rt_sigaction);

static int32_t sys_rt_sigprocmask(struct sys_args *a)
{
	uint32_t how = a->a[0], set = a->a[1], oset = a->a[2];
	struct uproc *p = uproc_current();
	if (a->a[3] != 8) return -EINVAL;
	uint64_t m = 0, old = p->sig.blocked;
	if (set && copy_from_user(&m, set, sizeof m)) return -EFAULT;
	if (set && how > 2) return -EINVAL;
	if (oset && copy_to_user(oset, &old, sizeof old)) return -EFAULT;
	if (set) {
		uint64_t now = how == 0 ? old | m : how == 1 ? old & ~m : m; /* BLOCK, UNBLOCK, SETMASK */
		p->sig.blocked = now & ~unblockable;
	}
	return 0;
}
SYSCALL(175, rt_sigprocmask, sys_rt_sigprocmask);

static int32_t sys_rt_sigpending(struct sys_args *a)
{
	struct uproc *p = uproc_current();
	if (a->a[1] != 8) return -EINVAL;
	uint64_t m = p->sig.pending & p->sig.blocked;
	return copy_to_user(a->a[0], &m, sizeof m);
}
SYSCALL(176, rt_sigpending, sys_rt_sigpending);

/* Put back the registers, flags, stack and x87/SSE state of sc (false,
 * nothing changed, if the state cannot be read). */
static bool restore(struct trap_frame *tf, const struct sigcontext32 *sc)
{
	struct user_frame *uf = (struct user_frame *)tf;
	uint8_t fxbuf[FPU_STATE_BYTES + 16];
	uint8_t *fx = (uint8_t *)(((uintptr_t)fxbuf + 15) & ~(uintptr_t)15);
	if (sc->fpstate) {
		if (copy_from_user(fx, sc->fpstate, FPU_STATE_BYTES)) return false;
		uint32_t mxcsr;
		mm_memcpy(&mxcsr, fx + 24, 4);
		mxcsr &= MXCSR_OK; /* a reserved bit would fault fxrstor in the kernel */
		mm_memcpy(fx + 24, &mxcsr, 4);
		fpu_restore(fx);
	}
	tf->edi = sc->edi;
	tf->esi = sc->esi;
	tf->ebp = sc->ebp;
	tf->ebx = sc->ebx;
	tf->edx = sc->edx;
	tf->ecx = sc->ecx;
	tf->eip = sc->eip;
	tf->eflags = (tf->eflags & ~EFLAGS_USER) | (sc->eflags & EFLAGS_USER);
	uf->user_esp = sc->esp;
	return true;
}

/* A return from a handler whose frame cannot be read ends the process.
 * (A system call returns what becomes eax: the interrupted eax.) */
static int32_t bad_frame(struct trap_frame *tf)
{
	uproc_doom(uproc_current(), SIGSEGV, "bad signal frame");
	return (int32_t)tf->eax;
}

static int32_t sys_rt_sigreturn(struct sys_args *a)
{
	struct rt_sigframe32 f;
	uint32_t fr = ((struct user_frame *)a->tf)->user_esp - 4; /* the handler's ret took pretcode */
	if (copy_from_user(&f, fr, sizeof f) || !restore(a->tf, &f.uc.mc)) return bad_frame(a->tf);
	uproc_current()->sig.blocked = f.uc.sigmask & ~unblockable;
	return (int32_t)f.uc.mc.eax;
}
SYSCALL(173, rt_sigreturn, sys_rt_sigreturn);

static int32_t sys_sigreturn(struct sys_args *a)
{
	struct sigframe32 f;
	uint32_t fr = ((struct user_frame *)a->tf)->user_esp - 8; /* ret and popl took two words */
	if (copy_from_user(&f, fr, sizeof f) || !restore(a->tf, &f.sc)) return bad_frame(a->tf);
	uproc_current()->sig.blocked = ((uint64_t)f.extramask << 32 | f.sc.oldmask) & ~unblockable;
	return (int32_t)f.sc.eax;
}
SYSCALL(119, sigreturn, sys_sigreturn);

/* Sleep until a signal's handler is to run (or a kill ends it): -EINTR. */
static int32_t sleep_for_signal(struct uproc *p)
{
	uint32_t f = irq_save();
	while (!uproc_interrupted(p)) wait_block(&p->children); /* uproc_kill wakes it */
	irq_restore(f);
	return -EINTR;
}

/* rt_sigsuspend(mask, size): wait with mask in place of the blocked
 * signals; the handler's return puts the old mask back. */
static int32_t sys_rt_sigsuspend(struct sys_args *a)
{
	struct uproc *p = uproc_current();
	uint64_t m;
	if (a->a[1] != 8) return -EINVAL;
	if (copy_from_user(&m, a->a[0], sizeof m)) return -EFAULT;
	p->sig.saved = p->sig.blocked;
	p->sig.has_saved = true;
	p->sig.blocked = m & ~unblockable;
	int32_t rc = sleep_for_signal(p);
	if (!usig_waiting(&p->sig)) { /* a kill woke it: nothing to hand the mask to */
		p->sig.blocked = p->sig.saved;
		p->sig.has_saved = false;
	}
	return rc;
}
SYSCALL(179, rt_sigsuspend, sys_rt_sigsuspend);

static int32_t sys_pause(struct sys_args *a)
{
	(void)a;
	return sleep_for_signal(uproc_current());
}
SYSCALL(29, pause, sys_pause);

/* sigaltstack(ss, old): a stack_t is { ss_sp, ss_flags, ss_size }. */
static int32_t sys_sigaltstack(struct sys_args *a)
{
	struct usig_state *s = &uproc_current()->sig;
	uint32_t sp = ((struct user_frame *)a->tf)->user_esp, ss[3];
	if (a->a[1]) {
		uint32_t old[3] = { s->alt_sp, alt_flags(s, sp), s->alt_size };
		if (copy_to_user(a->a[1], old, sizeof old)) return -EFAULT;
	}
	if (!a->a[0]) return 0;
	if (copy_from_user(ss, a->a[0], sizeof ss)) return -EFAULT;
	if (on_alt_stack(s, sp)) return -EPERM; /* not while running on it */
	if (ss[1] & ~SS_DISABLE) return -EINVAL;
	if (ss[1] & SS_DISABLE) {
		s->alt_sp = s->alt_size = 0;
		return 0;
	}
	if (ss[2] < MINSIGSTKSZ) return -ENOMEM;
	if (ss[0] + ss[2] < ss[0]) return -EINVAL;
	s->alt_sp = ss[0];
	s->alt_size = ss[2];
	return 0;
}
SYSCALL(186, sigaltstack, sys_sigaltstack);
