/*
 * mprotect-write - a child maps a page, writes it, makes it PROT_READ,
 * reads it back and writes again: the write must kill it with SIGSEGV (11).
 */
#include "utest.h"

const char test_name[] = "mprotect-write";

static int child(void *unused)
{
	volatile char *p = map_anon(PAGE_SIZE);
	if (is_err((void *)p)) return 2;
	p[10] = 42;
	if (mprotect((void *)p, PAGE_SIZE, PROT_READ) != 0) return 3;
	if (p[10] != 42) return 4;
	p[10] = 43;
	return 0;
}

int main(void)
{
	int status = run_child(child, NULL);
	if (WIFEXITED(status) && WEXITSTATUS(status) > 1)
		fail("child setup step %d failed (2 mmap2, 3 mprotect, 4 data lost)",
		     WEXITSTATUS(status));
	expect_signal(status, SIGSEGV, "write after mprotect(PROT_READ)");
	pass();
}
