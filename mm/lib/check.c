/*
 * check.c - the problem tally of mm/'s check functions (see check.h).
 */
#include "check.h"

void mm_check_problem(struct mm_check *c, const char *fmt, ...)
{
	if (c->report && c->nproblems < MM_CHECK_REPORT_MAX) {
		va_list ap;
		va_start(ap, fmt);
		mm_format(c->report, "%s: ", c->who);
		mm_vformat(c->report, fmt, ap);
		mm_format(c->report, "\n");
		va_end(ap);
	}
	c->nproblems++;
}

int mm_check_result(const struct mm_check *c)
{
	if (c->nproblems > MM_CHECK_REPORT_MAX && c->report)
		mm_format(c->report, "%s: %u problems in all\n", c->who, c->nproblems);
	return c->nproblems ? -MM_EINVAL : 0;
}

int mm_bad(struct mm_sink *err, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		mm_vformat(err, fmt, ap);
		va_end(ap);
		mm_format(err, "\n");
	}
	return -MM_EINVAL;
}
