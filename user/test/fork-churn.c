/*
 * fork-churn - many process starts: fork N children (argv[1], default
 * 300), up to four alive at once; each child checks what its process
 * says (getppid is the parent, getpid is not) and exits with a status made
 * from its index (or 253/254 for a failed check); the parent checks every
 * status. Each start is a thread's first
 * way into ring 3 from a frame in its process: booted with a fast timer
 * (hz=5000) the timer meets every instruction of that way in time.
 */
#include "utest.h"

const char test_name[] = "fork-churn";

#define ALIVE 4

/* A child's verdict: its index's low 7 bits, or 253/254 for a failed check. */
static int child(unsigned long i, int parent)
{
	if (getppid() != parent) return 254;
	if (getpid() == parent) return 253;
	return (int)(i & 0x7f);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? atou(argv[1]) : 300;
	int parent = getpid();
	int pids[ALIVE];
	unsigned long idx[ALIVE];
	for (unsigned long i = 0; i < n + ALIVE; i++) {
		unsigned k = (unsigned)(i % ALIVE);
		if (i >= ALIVE) { /* reap the one started ALIVE forks ago */
			int status = 0, got = waitpid(pids[k], &status, 0);
			if (got != pids[k]) fail("waitpid(%d) returned %d", pids[k], got);
			if (status != (int)((idx[k] & 0x7f) << 8))
				fail("child %lu (pid %d) %s, expected exited %lu", idx[k], pids[k],
				     status_text(status), idx[k] & 0x7f);
		}
		if (i >= n) continue;
		int pid = fork();
		if (pid < 0) fail("fork %lu returned %d", i, pid);
		if (pid == 0) exit(child(i, parent));
		pids[k] = pid;
		idx[k] = i;
	}
	pass();
}
