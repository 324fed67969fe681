/*
 * htest.h - the host unit-test framework for mm/.
 *
 * A test is `HTEST(name) { ... }`; it registers itself before main runs.
 * EXPECT_* record a failure with file, line and both values and go on;
 * ASSERT_* also return from the test. tests/host/main.c runs them all (or
 * those whose name contains argv[1]) and closes with "N passed, N failed".
 */
#ifndef HTEST_H
#define HTEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct htest {
	const char *name;
	void (*fn)(void);
	struct htest *next;
};

void htest_register(struct htest *t);
void htest_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Run fn in a child process with its stderr captured into buf (for tests
 * of code that must panic); returns the signal that ended the child, or 0
 * if it exited. */
int htest_run_child(void (*fn)(void), char *buf, size_t cap);

#define HTEST(nm)                                                              \
	static void htest_fn_##nm(void);                                       \
	static struct htest htest_rec_##nm = { #nm, htest_fn_##nm, 0 };        \
	__attribute__((constructor)) static void htest_reg_##nm(void)          \
	{                                                                      \
		htest_register(&htest_rec_##nm);                               \
	}                                                                      \
	static void htest_fn_##nm(void)

#define HT_CMP_(a, op, b, ret)                                                 \
	do {                                                                   \
		long long ht_a_ = (long long)(a), ht_b_ = (long long)(b);      \
		if (!(ht_a_ op ht_b_)) {                                       \
			htest_fail(__FILE__, __LINE__,                         \
				   "%s %s %s: %lld vs %lld", #a, #op, #b,      \
				   ht_a_, ht_b_);                              \
			ret;                                                   \
		}                                                              \
	} while (0)

#define EXPECT_EQ(a, b) HT_CMP_(a, ==, b, (void)0)
#define EXPECT_NE(a, b) HT_CMP_(a, !=, b, (void)0)
#define EXPECT_LT(a, b) HT_CMP_(a, <, b, (void)0)
#define EXPECT_LE(a, b) HT_CMP_(a, <=, b, (void)0)
#define EXPECT_GE(a, b) HT_CMP_(a, >=, b, (void)0)
#define EXPECT_TRUE(c) HT_CMP_(!!(c), ==, 1, (void)0)
#define EXPECT_FALSE(c) HT_CMP_(!!(c), ==, 0, (void)0)
#define ASSERT_EQ(a, b) HT_CMP_(a, ==, b, return)
#define ASSERT_NE(a, b) HT_CMP_(a, !=, b, return)
#define ASSERT_TRUE(c) HT_CMP_(!!(c), ==, 1, return)
#define EXPECT_STREQ(a, b)                                                     \
	do {                                                                   \
		const char *ht_sa_ = (a), *ht_sb_ = (b);                       \
		if (strcmp(ht_sa_, ht_sb_) != 0)                               \
			htest_fail(__FILE__, __LINE__, "%s == %s: \"%s\" vs \"%s\"", \
				   #a, #b, ht_sa_, ht_sb_);                    \
	} while (0)

#endif
