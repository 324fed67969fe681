/*
 * fork-bomb - fork until fork fails. Each child sleeps a little and exits 0;
 * the parent reaps nothing until fork fails, so children pile up (alive or
 * zombie) until the kernel runs out of processes or memory. Fork must then
 * fail cleanly with -EAGAIN or -ENOMEM; the parent reaps every child and
 * passes when each one was reaped and exited 0. argv[1] caps the number of
 * forks (default 100000): reaching it without a failure is a FAIL.
 */
#include "utest.h"

const char test_name[] = "fork-bomb";

int main(int argc, char **argv)
{
	unsigned long cap = argc > 1 ? atou(argv[1]) : 100000;
	unsigned long forked = 0;
	int err = 0;
	while (forked < cap) {
		int pid = fork();
		if (pid == 0) {
			sleep_ms(100);
			exit(0);
		}
		if (pid < 0) {
			err = pid;
			break;
		}
		forked++;
	}
	unsigned long reaped = 0, bad = 0;
	int status, pid;
	while ((pid = wait4(-1, &status, 0, NULL)) > 0) {
		reaped++;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) bad++;
	}
	if (pid != -ECHILD) fail("wait4 returned %d, not -ECHILD, after %lu children", pid, reaped);
	if (reaped != forked) fail("forked %lu children but reaped %lu", forked, reaped);
	if (bad) fail("%lu of %lu children did not exit 0", bad, forked);
	if (err == 0) fail("fork never failed in %lu forks", forked);
	if (err != -EAGAIN && err != -ENOMEM)
		fail("fork failed with %d, not -EAGAIN or -ENOMEM, after %lu children", err, forked);
	if (forked == 0) fail("not even one fork succeeded (%d)", err);
	pass();
}
