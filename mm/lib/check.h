/*
 * check.h - what the check functions of mm/ (frame_check, kmalloc_check, ...)
 * share: a tally of the problems found, the first few reported in full on a
 * sink, each line prefixed with the checker's name.
 */
#ifndef MM_CHECK_H
#define MM_CHECK_H

#include "fmt.h"

#define MM_CHECK_REPORT_MAX 16 /* problems reported in full; the rest are counted */

struct mm_check {
	struct mm_sink *report; /* may be NULL */
	const char *who;        /* "frame_check" */
	unsigned nproblems;
};

void mm_check_problem(struct mm_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After the walk: report the count past the limit; 0, or -MM_EINVAL. */
int mm_check_result(const struct mm_check *c);

/* For checks that stop at the first problem: describe it on err (may be
 * NULL) as one line and return -MM_EINVAL. */
int mm_bad(struct mm_sink *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
