/*
 * sys-pid - getpid and getppid across fork: fork returns the child's pid,
 * the child's getppid is the parent's getpid, the pids differ and are
 * positive, and waitpid on that pid reaps that child. A child cannot hand
 * its pid back except in its exit status, so the second child exits with
 * the low byte of its getpid() for the parent to compare.
 */
#include "utest.h"

const char test_name[] = "sys-pid";

static int parent_pid;

/* 0 if the child's view is right, else which check failed. */
static int check_relations(void *unused)
{
	if (getppid() != parent_pid) return 2;
	if (getpid() == parent_pid) return 3;
	if (getpid() <= 0) return 4;
	return 0;
}

static int report_pid(void *unused)
{
	return getpid() & 0xff;
}

int main(void)
{
	parent_pid = getpid();
	if (parent_pid <= 0) fail("getpid returned %d", parent_pid);
	if (getpid() != parent_pid) fail("getpid changed between calls");
	if (getppid() < 0) fail("getppid returned %d", getppid());

	int status = run_child(check_relations, NULL);
	if (status != 0)
		fail("child: %s (2: getppid is not the parent, 3: same pid as the parent, 4: pid <= 0)",
		     status_text(status));

	int pid = fork();
	if (pid < 0) fail("fork returned %d", pid);
	if (pid == 0) exit(report_pid(NULL));
	if (pid == parent_pid) fail("fork returned the parent's own pid %d", pid);
	int got = waitpid(pid, &status, 0);
	if (got != pid) fail("waitpid(%d) returned %d", pid, got);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != (pid & 0xff))
		fail("fork returned %d but the child %s (its getpid's low byte)", pid, status_text(status));
	pass();
}
