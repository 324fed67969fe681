/*
 * ktest.c - runs the in-kernel tests (ktest.h), printing TAP on COM1. Each
 * test runs under a guard (kernel/guard.h), so a test that makes a bad access
 * fails with the address and the reason and the run goes on. A name that
 * matches no suite, or a selection of no test at all, is a failed test too,
 * reported with the names of the suites there are.
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

/* Does the word w[0..n) of a spec name this suite? */
static bool word_is(const char *w, size_t n, const char *suite)
{
	return mm_strlen(suite) == n && mm_strncmp(w, suite, n) == 0;
}

/* Call fn on each word of a comma-separated spec; stop when it returns true. */
static bool each_word(const char *spec, bool (*fn)(const char *w, size_t n, const void *arg),
		      const void *arg)
{
	const char *p = spec;
	while (*p) {
		const char *w = p;
		while (*p && *p != ',') p++;
		if (p > w && fn(w, (size_t)(p - w), arg)) return true;
		if (*p) p++;
	}
	return false;
}

static bool names_suite(const char *w, size_t n, const void *suite)
{
	return word_is(w, n, suite);
}

static bool suite_selected(const char *spec, const char *suite)
{
	if (!*spec) return true;
	return each_word(spec, names_suite, suite);
}

static bool suite_exists(const char *w, size_t n)
{
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
		if (word_is(w, n, t->suite)) return true;
	return false;
}

/* The suite names, each once, in the order of the tests. */
static void list_suites(void)
{
	kprintf("# the suites are:");
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
		const struct ktest *u = __ktests_start;
		while (mm_strcmp(u->suite, t->suite) != 0) u++;
		if (u == t) kprintf(" %s", t->suite);
	}
	kprintf("\n");
}

static int tap_n, tap_passed, tap_failed;
static bool spec_unknown; /* a word of the spec names no suite */

static void tap_result(bool ok, const char *what, const char *name)
{
	tap_n++;
	if (ok) tap_passed++;
	else tap_failed++;
	kprintf("%s %d - %s%s%s\n", ok ? "ok" : "not ok", tap_n, what, *name ? "/" : "", name);
}

/* A word of the spec that names no suite is one failed test. */
static bool check_known(const char *w, size_t n, const void *unused)
{
	if (suite_exists(w, n)) return false;
	spec_unknown = true;
	char name[32];
	mm_strncpy0(name, w, n + 1 < sizeof name ? n + 1 : sizeof name);
	kprintf("# no test suite is named '%s'\n", name);
	tap_result(false, name, "");
	return false;
}

static void run_one(void *arg)
{
	const struct ktest *t = arg;
	t->fn();
}

static void run_test(const struct ktest *t)
{
	failures_in_test = 0;
	struct guard_report rep;
	if (guard_run(run_one, (void *)t, &rep)) {
		kprintf("# stopped by a bad access at 0x%08x (%s), eip 0x%08x\n",
			rep.addr, rep.reason, rep.eip);
		failures_in_test++;
	}
	tap_result(failures_in_test == 0, t->suite, t->name);
}

int ktest_run(const char *selection)
{
	/* a copy: cmdline_get's value, as kmain passes it, is overwritten by
	 * the next cmdline_get, which a test may call */
	char spec[128];
	mm_strncpy0(spec, selection ? selection : "", sizeof spec);
	tap_n = tap_passed = tap_failed = 0;
	spec_unknown = false;
	each_word(spec, check_known, 0);
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
		if (suite_selected(spec, t->suite)) run_test(t);
	if (tap_n == 0) {
		kprintf("# '%s' selects no test\n", spec);
		tap_result(false, "no test selected", "");
		spec_unknown = true;
	}
	if (spec_unknown) list_suites();
	kprintf("1..%d\n%d passed, %d failed\n", tap_n, tap_passed, tap_failed);
	return tap_failed;
}

static int cmd_test(int argc, char **argv)
{
	return ktest_run(argc > 1 ? argv[1] : "") ? 1 : 0;
}
SHELL_COMMAND_DOC(test, "", "run the in-kernel test suites: test [suite,...]",
		  "test [suite,...]   (no suite: all)",
		  "test boot,vm",
		  "TAP lines (ok / not ok) and a count of passed and failed tests",
		  cmd_test);
