/*
 * page-parallel - four children at once, each writing a pattern of its own
 * over its own 4 MiB and checking every byte; the parent waits for all of
 * them and passes only if each exited 0. Run beside other load (or with a
 * small pool) their pages compete for frames and swap.
 */
#include "utest.h"

const char test_name[] = "page-parallel";

#define NCHILD 4
#define CHILD_MIB 4

/* A child's work: 0 if all went well, 2 no memory, 3 a wrong byte. */
static int child(uint32_t seed)
{
	size_t npages = CHILD_MIB * MIB / PAGE_SIZE;
	char *base = map_anon(npages * PAGE_SIZE);
	if (is_err(base)) return 2;
	pattern_fill_range(base, npages, seed);
	for (int i = 0; i < 3; i++) {
		if (pattern_check_range(base, npages, seed) >= 0) return 3;
		sched_yield(); /* let the others run between passes */
	}
	return 0;
}

int main(void)
{
	int pids[NCHILD];
	for (int i = 0; i < NCHILD; i++) {
		pids[i] = fork();
		if (pids[i] < 0) fail("fork %d returned %d", i, pids[i]);
		if (pids[i] == 0) exit(child(100 + (uint32_t)i));
	}
	int bad = -1, bad_status = 0;
	for (int i = 0; i < NCHILD; i++) { /* reap all before judging */
		int status = 0, got = waitpid(pids[i], &status, 0);
		if (got != pids[i]) fail("waitpid(%d) returned %d", pids[i], got);
		if ((!WIFEXITED(status) || WEXITSTATUS(status) != 0) && bad < 0)
			bad = i, bad_status = status;
	}
	if (bad >= 0)
		fail("child %d %s (2: no memory, 3: a wrong byte)", bad, status_text(bad_status));
	pass();
}
