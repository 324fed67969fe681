/*
 * test_thread.c - kernel threads: preemption without yields, sleeping, a
 * mutex under preemption, and processes faulting concurrently, each in its
 * own address space, with every byte checked afterwards.
 */
#include "guard.h"
#include "io.h"
#include "kernel.h"
#include "ktest.h"
#include "mem.h"
#include "mmlib.h"
#include "thread.h"

struct spinner { volatile uint32_t count; volatile bool stop; uint32_t seen_other; volatile uint32_t *other; };

static void spin(void *arg)
{
	struct spinner *s = arg;
	uint32_t last_other = *s->other;
	while (!s->stop) {
		s->count++;
		if (*s->other != last_other) { /* the other thread ran meanwhile */
			s->seen_other++;
			last_other = *s->other;
		}
	}
}

KTEST(thread, preemption_without_yield)
{
	struct spinner a = { 0 }, b = { 0 };
	a.other = &b.count;
	b.other = &a.count;
	uint64_t pre = sched_preemptions;
	struct thread *ta = thread_create("spin-a", spin, &a, 0), *tb = thread_create("spin-b", spin, &b, 0);
	KASSERT(ta && tb, "no threads");
	thread_sleep_ticks(20); /* the boot thread sleeps; a and b never yield */
	a.stop = b.stop = true;
	thread_join(ta);
	thread_join(tb);
	KEXPECT(a.count > 0 && b.count > 0, "counts %u %u", a.count, b.count);
	KEXPECT(sched_preemptions - pre >= 3, "only %llu preemptions", sched_preemptions - pre);
	/* each saw the other make progress between its own runs: interleaving */
	KEXPECT(a.seen_other >= 2 && b.seen_other >= 2, "seen %u %u", a.seen_other, b.seen_other);
}

static void sleeper(void *arg)
{
	volatile uint64_t *woke = arg;
	thread_sleep_ticks(5);
	*woke = pit_ticks();
}

KTEST(thread, sleep_and_wake)
{
	volatile uint64_t woke = 0;
	uint64_t t0 = pit_ticks();
	struct thread *t = thread_create("sleeper", sleeper, (void *)&woke, 0);
	KASSERT(t, "no thread");
	thread_join(t);
	KEXPECT(woke >= t0 + 5, "woke at %llu, started %llu", woke, t0);
}

struct counter { struct mutex m; volatile uint32_t value; uint32_t rounds; };

static void add_slowly(void *arg)
{
	struct counter *c = arg;
	for (uint32_t i = 0; i < c->rounds; i++) {
		mutex_lock(&c->m);
		uint32_t v = c->value;
		for (volatile int d = 0; d < 20000; d++) { /* widen the window for preemption */
		}
		c->value = v + 1;
		mutex_unlock(&c->m);
	}
}

KTEST(thread, mutex_under_preemption)
{
	struct counter c = { .rounds = 300 };
	struct thread *t[3];
	uint64_t pre = sched_preemptions;
	for (int i = 0; i < 3; i++) t[i] = thread_create("adder", add_slowly, &c, 0);
	for (int i = 0; i < 3; i++) {
		KASSERT(t[i], "no thread");
		thread_join(t[i]);
	}
	KEXPECT_EQ(c.value, 900);
	KEXPECT(sched_preemptions > pre, "no preemption happened");
	KEXPECT(c.m.contended > 0, "no thread ever found the mutex taken");
}

#define PBASE 0x20000000u
#define PPAGES 48

struct proc { struct vm_space *s; uint32_t id, bad; bool stopped; };

static void proc_body(void *arg)
{
	struct proc *p = arg;
	for (uint32_t round = 0; round < 3; round++)
		for (uint32_t pg = 0; pg < PPAGES; pg++) {
			volatile uint32_t *w = (uint32_t *)(uintptr_t)(PBASE + pg * PAGE_SIZE + (p->id % 1024) * 4);
			if (round == 0) *w = p->id * 1000 + pg;
			else p->bad += *w != p->id * 1000 + pg;
		}
}

static void proc_main(void *arg)
{
	struct proc *p = arg;
	struct guard_report rep;
	p->stopped = guard_run(proc_body, p, &rep);
}

KTEST(thread, processes_fault_concurrently)
{
	enum { N = 4 };
	struct proc procs[N];
	struct thread *t[N];
	uint64_t pre = sched_switches;
	for (uint32_t i = 0; i < N; i++) {
		procs[i] = (struct proc){ vm_space_create(&kvm), i + 1, 0, false };
		KASSERT(procs[i].s, "no space");
		KASSERT(vm_region_add(procs[i].s, PBASE, PPAGES, VM_READ | VM_WRITE) == 0, "region");
		t[i] = thread_create("proc", proc_main, &procs[i], procs[i].s);
		KASSERT(t[i], "no thread");
	}
	for (uint32_t i = 0; i < N; i++) thread_join(t[i]);
	for (uint32_t i = 0; i < N; i++) {
		KEXPECT(!procs[i].stopped, "process %u was stopped", i);
		KEXPECT_EQ(procs[i].bad, 0);
		KEXPECT_EQ(procs[i].s->stats.zero_fills, PPAGES);
		vm_space_destroy(procs[i].s);
	}
	KEXPECT(sched_switches > pre + N, "switches %llu", sched_switches - pre);
	KEXPECT(vm_current == 0, "the boot thread is back in the kernel's space");
}
