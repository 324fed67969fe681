/*
 * sys-fuzz - system calls with random arguments must never hurt the
 * kernel. Children (one per seed) each make thousands of calls drawn from
 * the calls mmk offers, with arguments drawn from small numbers, -1, bad
 * pointers (NULL, kernel addresses, unmapped ones, the last user page) and
 * pointers into a buffer of their own; memory calls aim at a zone of their
 * own (and the old mmap, whose arguments are in memory, is left out) so
 * that the child lives long enough to try many. A child may end any
 * way (exit, a signal: random signal handlers and sigreturns kill it); the
 * test passes when every child ended within its time or at once when
 * killed then, at least a quarter made all their calls, and the kernel
 * still maps and checks a fresh page afterwards.
 *
 * Left out: calls that end or multiply the child (exit, fork, clone,
 * execve), that sleep for long or for a signal (nanosleep, pause,
 * rt_sigsuspend) and that signal others (kill, tkill, tgkill). A child
 * closes its console descriptors first: a read would wait for a person,
 * writes would print its memory. Memory calls take a few pages at a time,
 * so that a child does not take all of swap.
 */
#include "utest.h"

const char test_name[] = "sys-fuzz";

#define CALLS 20000
#define SEEDS 16
#define ZONE 0x40000000u

static const int calls[] = {
	3, 4, 5, 6, 8, 12, 13, 19, 20, 24, 33, 41, 45, 47, 49, 50, 54, 55, 63, 64, 76, 78, 85,
	91, 114, 116, 119, 122, 125, 140, 145, 146, 158, 163, 173, 174, 175, 176, 180, 183, 186,
	191, 192, 195, 196, 197, 199, 200, 201, 202, 219, 220, 221, 224, 243, 258, 265, 266, 295,
	300, 307, 330, 355, 383, 403, 7, 999, 0x7fffffff,
};

static uint32_t rng;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static char buf[16384];

static long arg(void)
{
	switch (next() % 12) {
	case 0: return 0;
	case 1: return -1;
	case 2: return (long)(next() % 70);
	case 3: return (long)0xC0000000u + (long)(next() % 0x1000000);
	case 4: return (long)0xBFFFF000u + (long)(next() % 0x1000);
	case 5: return (long)(buf + next() % sizeof buf);
	case 6: return (long)buf;
	case 7: return (long)(ZONE + (next() % 64) * PAGE_SIZE);
	case 8: return (long)(next() % 0x10000);
	case 9: return (long)(1u << (next() % 32));
	case 10: return (long)"demo.trace";
	default: return (long)next();
	}
}

/* munmap, mprotect, madvise, mremap, mmap2 (MAP_FIXED) and brk change
 * the memory at their first argument. */
static int aims_at_memory(long nr)
{
	return nr == 91 || nr == 125 || nr == 219 || nr == 163 || nr == 192 || nr == 45;
}

/* Five arguments (ebp, the sixth, is whatever the frame pointer is). */
static long raw5(long n, long a, long b, long c, long d, long e)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
	return r;
}

static int child(void *arg_seed)
{
	rng = (uint32_t)(uintptr_t)arg_seed * 2654435761u | 1;
	for (int fd = 0; fd < 3; fd++) close(fd); /* no console: a read would wait for a person, writes print */
	for (int i = 0; i < CALLS; i++) {
		long nr = calls[next() % (sizeof calls / sizeof calls[0])];
		if ((nr == 119 || nr == 173) && next() % 512) continue; /* a garbage frame ends it: rarely */
		long a[5] = { arg(), arg(), arg(), arg(), arg() };
		if (aims_at_memory(nr)) { /* not at its own code, and a few pages at a time */
			a[0] = (long)(ZONE + (next() % 64) * PAGE_SIZE);
			a[1] = (long)((next() % 65) * PAGE_SIZE);
			if (nr == 163) a[2] = (long)((next() % 65) * PAGE_SIZE); /* mremap's new length */
		}
		raw5(nr, a[0], a[1], a[2], a[3], a[4]);
	}
	return 7; /* all made */
}

/* pid's status if it ends within ms, else -1. */
static int reap_within(int pid, unsigned ms)
{
	int status = 0;
	for (unsigned t = 0; t <= ms; t += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid) return status;
		sleep_ms(10);
	}
	return -1;
}

/* A child still running after its time may be looping in its own code
 * (a random handler or sigreturn can send it anywhere): SIGKILL must end
 * it at once, wherever it is; one that does not end is stuck in the
 * kernel. */
static int reap(int pid)
{
	int status = reap_within(pid, 1500);
	if (status != -1) return status;
	kill(pid, SIGKILL);
	status = reap_within(pid, 2000);
	if (status == -1) fail("child %d did not end within 2 s of SIGKILL", pid);
	return status;
}

int main(int argc, char **argv)
{
	int finished = 0, only = argc > 1 ? (int)atou(argv[1]) : 0; /* one seed, to look at it */
	for (int s = only ? only : 1; s <= (only ? only : SEEDS); s++) {
		int pid = fork();
		if (pid < 0) fail("fork: %d", pid);
		if (pid == 0) exit_group(child((void *)(uintptr_t)s));
		int status = reap(pid);
		if (!WIFEXITED(status) && !WIFSIGNALED(status)) fail("seed %d: status 0x%x", s, status);
		finished += WIFEXITED(status) && WEXITSTATUS(status) == 7;
	}
	if (!only && finished < SEEDS / 4) fail("only %d of %d children made all their calls", finished, SEEDS);
	char *p = map_anon(PAGE_SIZE);
	if (is_err(p)) fail("no page after the fuzzing");
	pattern_fill(p, 0, 9);
	if (pattern_check(p, 0, 9) >= 0) fail("a fresh page after the fuzzing is wrong");
	pass();
}
