/*
 * main.c - runs every registered host test of mm/ (see htest.h) and prints a
 * TAP line per test and a closing "N passed, N failed". An argument selects
 * the tests whose name contains it.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "htest.h"

static struct htest *head, **tail = &head;
static int failures_in_test;

void htest_register(struct htest *t)
{
	*tail = t;
	tail = &t->next;
}

void htest_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# %s:%d: ", file, line);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	failures_in_test++;
}

int htest_run_child(void (*fn)(void), char *buf, size_t cap)
{
	int fds[2];
	if (pipe(fds) != 0) return -1;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		fn();
		_exit(0);
	}
	close(fds[1]);
	size_t len = 0;
	ssize_t got;
	while (len + 1 < cap && (got = read(fds[0], buf + len, cap - 1 - len)) > 0) len += (size_t)got;
	buf[len] = 0;
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, n = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct htest *t = head; t; t = t->next) {
		if (argc > 1 && !strstr(t->name, argv[1])) continue;
		failures_in_test = 0;
		t->fn();
		n++;
		if (failures_in_test) {
			failed++;
			printf("not ok %d - %s\n", n, t->name);
		} else {
			passed++;
			printf("ok %d - %s\n", n, t->name);
		}
	}
	printf("1..%d\n%d passed, %d failed\n", n, passed, failed);
	return failed ? 1 : 0;
}
