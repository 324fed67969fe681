/*
 * munmap-access - a child maps two pages, writes both, unmaps the first and
 * reads it: it must be killed by SIGSEGV (11), and the parent's waitpid
 * must say so. The second page must still hold its data before that.
 */
#include "utest.h"

const char test_name[] = "munmap-access";

/* Exits 2..4 on a setup failure, 0 if the read of the unmapped page
 * returned instead of killing it. */
static int child(void *unused)
{
	volatile char *p = map_anon(2 * PAGE_SIZE);
	if (is_err((void *)p)) return 2;
	p[0] = 1;
	p[PAGE_SIZE] = 2;
	if (munmap((void *)p, PAGE_SIZE) != 0) return 3;
	if (p[PAGE_SIZE] != 2) return 4;
	(void)p[0];
	return 0;
}

int main(void)
{
	int status = run_child(child, NULL);
	if (WIFEXITED(status) && WEXITSTATUS(status) > 1)
		fail("child setup step %d failed (2 mmap2, 3 munmap, 4 other page lost)",
		     WEXITSTATUS(status));
	expect_signal(status, SIGSEGV, "read after munmap");
	pass();
}
