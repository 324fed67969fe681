/*
 * exit-status - wait statuses in Linux's encoding: children that exit with
 * 0, 1, 42 and 255 are seen as WIFEXITED with that WEXITSTATUS, through
 * waitpid and through wait4; a status above 255 keeps its low byte; a
 * child that calls exit_group is seen the same way; waitpid with no child
 * left returns -ECHILD.
 */
#include "utest.h"

const char test_name[] = "exit-status";

static int exit_with(void *code)
{
	exit((int)(long)code);
}

static int group_exit_with(void *code)
{
	exit_group((int)(long)code);
}

/* what: the call the child made, e.g. "exit(42)". */
static void expect_exit(int status, int code, const char *what)
{
	if (!WIFEXITED(status) || WEXITSTATUS(status) != code)
		fail("%s: child %s, expected exited %d", what, status_text(status), code);
	if (status != code << 8) fail("%s: status 0x%x, not 0x%x", what, status, code << 8);
}

int main(void)
{
	static const int codes[] = { 0, 1, 42, 255 };
	char what[40];
	for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		void *code = (void *)(long)codes[i];
		snprintf(what, sizeof what, "exit(%d)", codes[i]);
		expect_exit(run_child(exit_with, code), codes[i], what);
		snprintf(what, sizeof what, "exit_group(%d)", codes[i]);
		expect_exit(run_child(group_exit_with, code), codes[i], what);
	}
	expect_exit(run_child(exit_with, (void *)0x12a), 0x2a, "exit(0x12a)");

	int pid = fork();
	if (pid < 0) fail("fork returned %d", pid);
	if (pid == 0) exit(42);
	int status = 0, got = wait4(pid, &status, 0, NULL);
	if (got != pid) fail("wait4(%d) returned %d", pid, got);
	expect_exit(status, 42, "exit(42) seen by wait4");

	got = waitpid(-1, &status, 0);
	if (got != -ECHILD) fail("waitpid with no children returned %d, not -ECHILD", got);
	pass();
}
