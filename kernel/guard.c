/*
 * guard.c - a stack of recovery points (see guard.h). The innermost guard of
 * the running thread catches a bad access; guards nest. The stack is per
 * thread: the scheduler saves and restores guard_top on a switch.
 */
#include "guard.h"
#include "kernel.h"
#include "mem.h"

struct guard *guard_top;

int guard_active(void) { return guard_top != 0; }

int guard_run(void (*fn)(void *), void *arg, struct guard_report *report)
{
	struct guard g = { .prev = guard_top };
	volatile int stopped = 0;
	if (kjmp_set(&g.jmp) == 0) {
		guard_top = &g;
		fn(arg);
	} else {
		stopped = 1;
	}
	guard_top = g.prev;
	if (report) *report = g.report;
	return stopped;
}

void guard_trip(uint32_t addr, uint32_t err, uint32_t eip, const char *reason)
{
	struct guard *g = guard_top;
	if (!g) return;
	g->report.addr = addr;
	g->report.err = err;
	g->report.eip = eip;
	g->report.reason = reason;
	kjmp_go(&g->jmp, 1);
}

int guard_run_in(struct vm_space *s, void (*fn)(void *), void *arg, struct guard_report *report)
{
	struct vm_space *was = vm_current;
	if (s != was) vm_switch(s);
	int stopped = guard_run(fn, arg, report);
	if (vm_current != was) vm_switch(was);
	return stopped;
}
