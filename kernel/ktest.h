/*
 * ktest.h - the in-kernel test framework. A test is
 *     KTEST(suite, name) { KEXPECT(x == 1, "x=%d", x); ... }
 * and registers itself in the .ktests section. Suites run when the kernel
 * boots with `test` (all) or `test=suite1,suite2` on its command line; the
 * report is TAP on COM1 closed by "N passed, N failed", and QEMU exits
 * through isa-debug-exit with a pass or fail status. Naming a suite that
 * does not exist, or selecting no test, fails the run.
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include "kernel.h"

struct ktest {
	const char *suite;
	const char *name;
	void (*fn)(void);
};

#define KTEST(su, nm)                                                          \
	static void ktest_fn_##su##_##nm(void);                                \
	static const struct ktest ktest_rec_##su##_##nm                        \
		__attribute__((used, section(".ktests"), aligned(4))) = {      \
			#su, #nm, ktest_fn_##su##_##nm };                      \
	static void ktest_fn_##su##_##nm(void)

void ktest_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same, naming the failed condition (its text may hold '%'). */
void ktest_fail_cond(const char *file, int line, const char *what, const char *cond,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* EXPECT records a failure and goes on; ASSERT also leaves the test. */
#define KEXPECT(cond, ...)                                                     \
	do {                                                                   \
		if (!(cond)) ktest_fail_cond(__FILE__, __LINE__, "expected", #cond, __VA_ARGS__); \
	} while (0)
#define KASSERT(cond, ...)                                                     \
	do {                                                                   \
		if (!(cond)) {                                                 \
			ktest_fail_cond(__FILE__, __LINE__, "required", #cond, __VA_ARGS__); \
			return;                                                \
		}                                                              \
	} while (0)
#define KEXPECT_EQ(a, b)                                                       \
	do {                                                                   \
		unsigned long long ka_ = (unsigned long long)(a), kb_ = (unsigned long long)(b); \
		if (ka_ != kb_) ktest_fail(__FILE__, __LINE__, "%s == %s: 0x%llx vs 0x%llx", #a, #b, ka_, kb_); \
	} while (0)

/* Run the suites named in spec ("" = all); returns the number failed, where
 * each name of no suite counts as one (and a spec that selects nothing too). */
int ktest_run(const char *spec);

#endif
