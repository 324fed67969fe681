/*
 * signals - handlers as Linux i386 runs them. A SIGSEGV handler (SA_SIGINFO)
 * sees si_addr and SEGV_ACCERR for a write to a PROT_NONE page, makes it
 * writable and returns: the write is retried and lands (user-level paging);
 * an unmapped address is SEGV_MAPERR. kill of oneself runs the handler
 * before kill returns, with si_pid; a blocked signal waits, shows in
 * sigpending and comes at the unblock; SIG_IGN drops it; the default ends
 * a child with it; SA_RESETHAND handles once; a handler's own signal is
 * blocked while it runs (and another may nest); eax, ecx, edx, the carry
 * flag and the SSE registers come back after a handler (int3, both kinds of
 * frame: rt_sigreturn and sigreturn, with ulib's restorer and with the
 * frame's own code); fork keeps the handlers, execve resets them; a
 * divide error goes to its handler; a fault whose signal is blocked ends
 * the process; sigsuspend and pause wait for a child's signal (the mask
 * back after); a stack overflow's SIGSEGV runs on the sigaltstack stack,
 * and without one ends the process.
 */
#include "utest.h"

const char test_name[] = "signals";

static volatile int hits, last_sig, last_code, last_pid, nested;
static volatile void *last_addr;
static char *page;
static volatile uintptr_t bad_addr = 0x10; /* an address no program maps */

static void install(int sig, void *handler, unsigned long flags, uint64_t mask)
{
	struct k_sigaction a = { handler, flags, 0, mask };
	int rc = sigaction(sig, &a, 0);
	if (rc) fail("sigaction %d returned %d", sig, rc);
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	hits++;
	last_sig = sig;
	last_code = si->si_code;
	last_addr = si->si_addr;
	if (mprotect(page, PAGE_SIZE, PROT_READ | PROT_WRITE)) exit_group(99);
}

static void check_user_paging(void)
{
	page = map_anon(PAGE_SIZE);
	if (is_err(page) || mprotect(page, PAGE_SIZE, PROT_NONE)) fail("a PROT_NONE page");
	install(SIGSEGV, on_segv, SA_SIGINFO, 0);
	*(volatile char *)(page + 123) = 45; /* faults, the handler opens the page, the write is retried */
	if (hits != 1 || last_sig != SIGSEGV || last_code != SEGV_ACCERR || last_addr != page + 123)
		fail("SIGSEGV handler: %d hits, signal %d, code %d, addr %p (page %p)", hits, last_sig, last_code,
		     (void *)last_addr, page);
	if (page[123] != 45) fail("the retried write did not land");
	/* a present page made PROT_NONE: a read faults too (x86 cannot forbid
	 * reads of a present page: the kernel maps it supervisor-only) */
	if (mprotect(page, PAGE_SIZE, PROT_NONE)) fail("mprotect PROT_NONE of a present page");
	char got = *(volatile char *)(page + 123);
	if (hits != 2 || last_code != SEGV_ACCERR || last_addr != page + 123 || got != 45)
		fail("a read of a present PROT_NONE page: %d hits (want 2), code %d, read %d", hits, last_code, got);
	munmap(page, PAGE_SIZE);
}

static void on_segv_exit(int sig, siginfo_t *si, void *uc)
{
	exit_group(si->si_code == SEGV_MAPERR && si->si_addr == (void *)0x10 ? 42 : 43);
}

static int child_maperr_exit(void *arg)
{
	install(SIGSEGV, on_segv_exit, SA_SIGINFO, 0);
	*(volatile int *)bad_addr = 1;
	return 1;
}

static void on_usr(int sig, siginfo_t *si, void *uc)
{
	hits++;
	last_sig = sig;
	last_pid = si->si_pid;
	last_code = si->si_code;
}

static void check_kill_self(void)
{
	hits = 0;
	install(SIGUSR1, on_usr, SA_SIGINFO, 0);
	if (kill(getpid(), SIGUSR1) || hits != 1 || last_sig != SIGUSR1 || last_pid != getpid() || last_code != 0)
		fail("kill of oneself: %d hits, signal %d, pid %d, code %d", hits, last_sig, last_pid, last_code);
	uint64_t set = SIGBIT(SIGUSR1), pend = 0;
	if (sigprocmask(SIG_BLOCK, &set, 0) || kill(getpid(), SIGUSR1) || hits != 1) fail("a blocked signal ran");
	if (sigpending(&pend) || pend != SIGBIT(SIGUSR1)) fail("sigpending shows 0x%lx", (unsigned long)pend);
	if (sigprocmask(SIG_UNBLOCK, &set, 0) || hits != 2) fail("the unblocked signal did not come at once");
	install(SIGUSR2, SIG_IGN, 0, 0);
	if (kill(getpid(), SIGUSR2) || hits != 2) fail("SIG_IGN");
	install(SIGUSR2, SIG_DFL, 0, 0);
	struct k_sigaction old;
	if (sigaction_raw(SIGUSR1, 0, &old) || old.handler != (void *)on_usr || !(old.flags & SA_SIGINFO))
		fail("sigaction's old action");
	struct k_sigaction k = { on_usr, 0, 0, 0 };
	if (sigaction_raw(SIGKILL, &k, 0) != -EINVAL || sigaction_raw(65, &k, 0) != -EINVAL)
		fail("a handler for SIGKILL or signal 65 was not -EINVAL");
}

static int child_default_usr2(void *arg)
{
	kill(getpid(), SIGUSR2);
	return 0;
}

static int child_resethand(void *arg)
{
	hits = 0;
	install(SIGUSR1, on_usr, SA_SIGINFO | SA_RESETHAND, 0);
	kill(getpid(), SIGUSR1); /* handled */
	if (hits != 1) return 2;
	kill(getpid(), SIGUSR1); /* the default now: ends it */
	return 3;
}

static volatile int outer_runs, inner_runs, nest_bad;

/* SIGUSR1's handler: its own signal is blocked while it runs, so the
 * SIGUSR1 it sends waits until it returns; SIGUSR2's handler nests. */
static void on_outer(int sig)
{
	if (++outer_runs > 1) return;
	uint64_t now = 0;
	sigprocmask(SIG_BLOCK, 0, &now);
	if (!(now & SIGBIT(SIGUSR1))) nest_bad = 1;
	kill(getpid(), SIGUSR1);
	if (outer_runs != 1) nest_bad = 2;
	kill(getpid(), SIGUSR2);
	if (inner_runs != 1) nest_bad = 3;
}

static void on_inner(int sig) { inner_runs++; }

static void check_nesting(void)
{
	install(SIGUSR2, on_inner, 0, 0);
	install(SIGUSR1, on_outer, 0, 0);
	kill(getpid(), SIGUSR1);
	if (nest_bad || outer_runs != 2 || inner_runs != 1)
		fail("nesting: step %d, outer ran %d times (want 2), inner %d (want 1)", nest_bad, outer_runs, inner_runs);
	install(SIGUSR1, SIG_DFL, 0, 0);
	install(SIGUSR2, SIG_DFL, 0, 0);
}

/* int3 with registers set: the handler clobbers what a function may
 * (eax, ecx, edx, the SSE registers, the flags); all must come back. */
__attribute__((target("sse2"))) static void on_trap_scramble(int sig)
{
	hits++;
	__asm__ volatile("xorl %%eax, %%eax\n\txorl %%ecx, %%ecx\n\txorl %%edx, %%edx\n\t"
			 "pxor %%xmm0, %%xmm0\n\tpxor %%xmm7, %%xmm7\n\tclc"
			 ::: "eax", "ecx", "edx", "xmm0", "xmm7", "cc");
}

__attribute__((target("sse2"))) static void check_registers(unsigned long flags, int raw)
{
	struct k_sigaction act = { on_trap_scramble, flags, 0, 0 };
	if ((raw ? sigaction_raw : sigaction)(SIGTRAP, &act, 0)) fail("sigaction SIGTRAP");
	hits = 0;
	uint32_t a, c, d, x0, x7, fl;
	static const uint32_t v0[4] = { 0x11111111, 0x22222222, 0x33333333, 0x44444444 };
	static const uint32_t v7[4] = { 0x55555555, 0x66666666, 0x77777777, 0x88888888 };
	__asm__ volatile("movdqu (%[v0]), %%xmm0\n\tmovdqu (%[v7]), %%xmm7\n\t"
			 "movl $0x0badf00d, %%eax\n\tmovl $0x12345678, %%ecx\n\tmovl $0x87654321, %%edx\n\t"
			 "stc\n\tint3\n\tpushfl\n\tpopl %[fl]\n\t"
			 "movl %%eax, %[a]\n\tmovl %%ecx, %[c]\n\tmovl %%edx, %[d]\n\t"
			 "movd %%xmm0, %[x0]\n\tmovd %%xmm7, %[x7]"
			 : [a] "=m"(a), [c] "=m"(c), [d] "=m"(d), [x0] "=m"(x0), [x7] "=m"(x7), [fl] "=m"(fl)
			 : [v0] "S"(v0), [v7] "D"(v7)
			 : "eax", "ecx", "edx", "xmm0", "xmm7", "memory", "cc");
	if (hits != 1) fail("the SIGTRAP handler ran %d times (flags 0x%lx)", hits, flags);
	if (a != 0x0badf00d || c != 0x12345678 || d != 0x87654321)
		fail("registers after a handler: eax %x ecx %x edx %x (flags 0x%lx, raw %d)", a, c, d, flags, raw);
	if (x0 != 0x11111111 || x7 != 0x55555555) fail("SSE registers after a handler: %x %x", x0, x7);
	if (!(fl & 1)) fail("the carry flag did not come back");
	install(SIGTRAP, SIG_DFL, 0, 0);
}

static int child_has_handler(void *arg)
{
	hits = 0;
	kill(getpid(), SIGUSR1);
	return hits == 1 ? 0 : 1;
}

static int child_execs(void *arg)
{
	char *argv[] = { "signals", "after-exec", 0 };
	execve("signals", argv, environ);
	return 11;
}

static void on_fpe(int sig, siginfo_t *si, void *uc)
{
	exit_group(si->si_code == 1 /* FPE_INTDIV */ ? 7 : 8);
}

static int child_divides(void *arg)
{
	install(SIGFPE, on_fpe, SA_SIGINFO, 0);
	volatile int zero = 0;
	return 100 / zero;
}

static int child_blocked_fault(void *arg)
{
	install(SIGSEGV, on_segv_exit, SA_SIGINFO, 0);
	uint64_t set = SIGBIT(SIGSEGV);
	sigprocmask(SIG_BLOCK, &set, 0);
	*(volatile int *)bad_addr = 1; /* blocked: the default, not the handler */
	return 1;
}

static void expect_exit(int status, int code, const char *what)
{
	if (!WIFEXITED(status) || WEXITSTATUS(status) != code) fail("%s: %s, not exit %d", what, status_text(status), code);
}

static int child_signals_parent(void *arg)
{
	sleep_ms(30);
	return kill(getppid(), *(int *)arg) ? 1 : 0;
}

static void check_waiting(void)
{
	hits = 0;
	install(SIGUSR1, on_usr, SA_SIGINFO, 0);
	uint64_t usr1 = SIGBIT(SIGUSR1), none = 0, now = 0;
	sigprocmask(SIG_BLOCK, &usr1, 0);
	int sig = SIGUSR1, pid = fork();
	if (pid == 0) exit_group(child_signals_parent(&sig));
	int rc = sigsuspend(&none);
	sigprocmask(SIG_BLOCK, 0, &now);
	if (rc != -EINTR || hits != 1 || now != usr1) fail("sigsuspend: %d, %d hits, mask 0x%lx after", rc, hits, (unsigned long)now);
	int status;
	waitpid(pid, &status, 0);
	sigprocmask(SIG_UNBLOCK, &usr1, 0);
	install(SIGUSR2, on_usr, SA_SIGINFO, 0);
	sig = SIGUSR2;
	pid = fork();
	if (pid == 0) exit_group(child_signals_parent(&sig));
	rc = pause();
	if (rc != -EINTR || hits != 2 || last_sig != SIGUSR2) fail("pause: %d, %d hits", rc, hits);
	waitpid(pid, &status, 0);
	install(SIGUSR1, SIG_DFL, 0, 0);
	install(SIGUSR2, SIG_DFL, 0, 0);
}

static char *alt;
#define ALT_SIZE (64 * 1024)

static void on_overflow(int sig, siginfo_t *si, void *uc)
{
	char here;
	stack_t now;
	int on_alt = &here >= alt && &here < alt + ALT_SIZE;
	exit_group(on_alt && sigaltstack(0, &now) == 0 && now.ss_flags == SS_ONSTACK ? 42 : 43);
}

static volatile int depth_limit = 1 << 30; /* past any stack */

static int deep(int n)
{
	volatile char pad[1024];
	pad[0] = (char)n;
	if (n > depth_limit) return 0;
	return deep(n + 1) + pad[0]; /* not a tail call */
}

static int child_overflows(void *arg)
{
	if (arg) {
		alt = map_anon(ALT_SIZE);
		stack_t ss = { alt, 0, ALT_SIZE };
		if (is_err(alt) || sigaltstack(&ss, 0)) return 2;
		install(SIGSEGV, on_overflow, SA_SIGINFO | SA_ONSTACK, 0);
	} else {
		install(SIGSEGV, on_overflow, SA_SIGINFO, 0); /* on the full stack: no room */
	}
	return deep(0);
}

static void check_alt_stack(void)
{
	stack_t tiny = { (void *)0x1000, 0, 100 }, old;
	if (sigaltstack(&tiny, 0) != -ENOMEM) fail("a 100-byte alternate stack was not -ENOMEM");
	if (sigaltstack(0, &old) || old.ss_flags != SS_DISABLE) fail("no alternate stack is SS_DISABLE");
	expect_exit(run_child(child_overflows, (void *)1), 42, "a stack overflow's handler on the alternate stack");
	expect_signal(run_child(child_overflows, 0), SIGSEGV, "a stack overflow's handler with no stack to run on");
}


int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "after-exec")) { /* a handler would keep it alive */
		struct k_sigaction old;
		sigaction_raw(SIGUSR1, 0, &old);
		return old.handler == SIG_DFL ? 0 : 12;
	}
	check_user_paging();
	expect_exit(run_child(child_maperr_exit, 0), 42, "SEGV_MAPERR at 0x10");
	check_kill_self();
	expect_signal(run_child(child_default_usr2, 0), SIGUSR2, "SIGUSR2's default");
	expect_signal(run_child(child_resethand, 0), SIGUSR1, "SA_RESETHAND's second signal");
	check_nesting();
	check_registers(0, 0);          /* sigreturn through ulib_restore */
	check_registers(SA_SIGINFO, 0); /* rt_sigreturn through ulib_restore_rt */
	check_registers(0, 1);          /* the frame's own code */
	check_registers(SA_SIGINFO, 1);
	install(SIGUSR1, on_usr, SA_SIGINFO, 0);
	expect_exit(run_child(child_has_handler, 0), 0, "a forked child's inherited handler");
	expect_exit(run_child(child_execs, 0), 0, "handlers after execve");
	expect_exit(run_child(child_divides, 0), 7, "a divide error's handler");
	expect_signal(run_child(child_blocked_fault, 0), SIGSEGV, "a fault with its signal blocked");
	check_waiting();
	check_alt_stack();
	pass();
}
