/*
 * ktest.c - runs the in-kernel tests (ktest.h), printing TAP on COM1. Each
 * test runs under a guard (kernel/guard.h), so a test that makes a bad access
 * fails with the address and the reason and the run goes on.
 */
#include "guard.h"
#include "ktest.h"
#include "mmlib.h"
#include "shell.h"

extern const struct ktest __ktests_start[], __ktests_end[];
static int failures_in_test;

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	kprintf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	failures_in_test++;
}

void ktest_fail_cond(const char *file, int line, const char *what, const char *cond,
		     const char *fmt, ...)
{
	va_list ap;
	kprintf("# %s:%d: %s %s: ", file, line, what, cond);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	failures_in_test++;
}

static bool suite_selected(const char *spec, const char *suite)
{
	if (!spec || !*spec) return true;
	size_t n = mm_strlen(suite);
	const char *p = spec;
	while (*p) {
		const char *w = p;
		while (*p && *p != ',') p++;
		if ((size_t)(p - w) == n && mm_strncmp(w, suite, n) == 0) return true;
		if (*p) p++;
	}
	return false;
}

static void run_one(void *arg)
{
	const struct ktest *t = arg;
	t->fn();
}

int ktest_run(const char *spec)
{
	int passed = 0, failed = 0, n = 0;
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
		if (!suite_selected(spec, t->suite)) continue;
		failures_in_test = 0;
		struct guard_report rep;
		if (guard_run(run_one, (void *)t, &rep)) {
			kprintf("# stopped by a bad access at 0x%08x (%s), eip 0x%08x\n",
				rep.addr, rep.reason, rep.eip);
			failures_in_test++;
		}
		n++;
		if (failures_in_test) {
			failed++;
			kprintf("not ok %d - %s/%s\n", n, t->suite, t->name);
		} else {
			passed++;
			kprintf("ok %d - %s/%s\n", n, t->suite, t->name);
		}
	}
	kprintf("1..%d\n%d passed, %d failed\n", n, passed, failed);
	return failed;
}

static int cmd_test(int argc, char **argv)
{
	return ktest_run(argc > 1 ? argv[1] : "") ? 1 : 0;
}
SHELL_COMMAND(test, "", "run the in-kernel test suites: test [suite,...]", cmd_test);
