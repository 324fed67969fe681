/*
 * execve - replacing a process's program: a child execve's "hello" with
 * its own arguments and must end as hello does (status 0, with hello's
 * output on the console); execve of a missing program returns -ENOENT, of
 * a path at a bad address -EFAULT, with a bad argv pointer -EFAULT; after
 * each failure the caller's own program and memory are intact.
 */
#include "utest.h"

const char test_name[] = "execve";

static int run_hello(void *arg)
{
	char *argv[] = { "hello", "from-execve", 0 };
	execve("hello", argv, environ);
	return 3; /* execve returned: it failed */
}

int main(void)
{
	static char mark[] = "still here";
	char *argv[] = { "nosuch", 0 };
	int r = execve("nosuch", argv, environ);
	if (r != -ENOENT) fail("execve of a missing program returned %d, not -ENOENT", r);
	r = execve((const char *)0xC0000000, argv, environ);
	if (r != -EFAULT) fail("execve of a kernel address returned %d, not -EFAULT", r);
	char **volatile bad_argv = (char **)0x10; /* page 0: never mapped */
	r = execve("hello", bad_argv, environ);
	if (r != -EFAULT) fail("execve with a bad argv returned %d, not -EFAULT", r);
	if (strcmp(mark, "still here") != 0) fail("the caller's memory changed after failed execve");
	int status = run_child(run_hello, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("the child running hello ended %s", status_text(status));
	pass();
}
