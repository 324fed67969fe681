/*
 * utest.c - the shared part of the user-level tests (see utest.h).
 */
#include "utest.h"

void pass(void)
{
	printf("PASS %s\n", test_name);
	exit(0);
}

void fail(const char *fmt, ...)
{
	char why[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	printf("FAIL %s: %s\n", test_name, why); /* one write */
	exit(1);
}

void pattern_fill(void *p, uint32_t page, uint32_t seed)
{
	uint32_t *w = p;
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++) w[i] = pattern_word(page, i, seed);
}

long pattern_check(const void *p, uint32_t page, uint32_t seed)
{
	const uint32_t *w = p;
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++) {
		uint32_t want = pattern_word(page, i, seed);
		if (w[i] == want) continue;
		const uint8_t *got = (const uint8_t *)&w[i], *exp = (const uint8_t *)&want;
		for (int b = 0;; b++)
			if (got[b] != exp[b]) return (long)(i * 4 + b);
	}
	return -1;
}

void pattern_fill_range(void *base, size_t npages, uint32_t seed)
{
	for (size_t pg = 0; pg < npages; pg++)
		pattern_fill((char *)base + pg * PAGE_SIZE, (uint32_t)pg, seed);
}

long pattern_check_range(const void *base, size_t npages, uint32_t seed)
{
	for (size_t pg = 0; pg < npages; pg++) {
		long bad = pattern_check((const char *)base + pg * PAGE_SIZE, (uint32_t)pg, seed);
		if (bad >= 0) return (long)(pg * PAGE_SIZE) + bad;
	}
	return -1;
}

long find_nonzero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i]) return (long)i;
	return -1;
}

int run_child(int (*fn)(void *arg), void *arg)
{
	int pid = fork();
	if (pid < 0) fail("fork returned %d", pid);
	if (pid == 0) exit(fn(arg));
	int status = 0, got = waitpid(pid, &status, 0);
	if (got != pid) fail("waitpid(%d) returned %d", pid, got);
	return status;
}

const char *status_text(int status)
{
	static char text[40];
	if (WIFEXITED(status)) snprintf(text, sizeof text, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) snprintf(text, sizeof text, "killed by signal %d", WTERMSIG(status));
	else snprintf(text, sizeof text, "status 0x%x", status);
	return text;
}

void expect_signal(int status, int sig, const char *what)
{
	if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
		fail("%s: child %s, expected killed by signal %d", what, status_text(status), sig);
}
