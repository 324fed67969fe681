/*
 * test_thread.c - kernel threads: preemption without yields, sleeping, a
 * mutex under preemption, and processes faulting concurrently, each in its
 * own address space, with every byte checked afterwards.
 */
#include "guard.h"
#include "io.h"
#include "kernel.h"
#include "ktest.h"
#include "layout.h"
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

#define PBASE vaddr_make(0x20000000u)
#define PPAGES 48

/* Byte off of page pg of the region at PBASE. */
static volatile uint32_t *pword(uint32_t pg, uint32_t off)
{
	return vaddr_ptr(vaddr_add(PBASE, pg * PAGE_SIZE + off));
}

struct proc { struct vm_space *s; uint32_t id, bad; bool stopped; };

static void proc_body(void *arg)
{
	struct proc *p = arg;
	for (uint32_t round = 0; round < 3; round++)
		for (uint32_t pg = 0; pg < PPAGES; pg++) {
			volatile uint32_t *w = pword(pg, (p->id % 1024) * 4);
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

#include "repl.h"
#include "swapdev.h"
#include "kpools.h"

extern uint64_t kpools_sweeps;

struct freerun { struct vm_space *s; uint32_t bad; volatile bool stop; uint32_t rounds; };

/* Free-running code: nothing reports its references; only the timer's sweeps
 * tell the policy which pages are in use. A hot set and cold pages. */
static void freerun_body(void *arg)
{
	struct freerun *f = arg;
	struct mm_rng r;
	mm_rng_seed(&r, 77);
	for (uint32_t p = 0; p < 32; p++) *pword(p, 0) = p ^ 0xabcd;
	while (!f->stop) {
		uint32_t p = mm_rng_below(&r, 8) ? mm_rng_below(&r, 4) : 4 + mm_rng_below(&r, 28);
		f->bad += *pword(p, 0) != (p ^ 0xabcd);
		f->rounds++;
	}
}

static void freerun_main(void *arg)
{
	struct guard_report rep;
	if (guard_run(freerun_body, arg, &rep)) ((struct freerun *)arg)->bad += 1000000;
}

KTEST(thread, free_running_pool_swept_by_timer)
{
	const char *pols[] = { "aging", "nru" };
	for (int k = 0; k < 2; k++) {
		static struct vmpool vp;
		struct pool_config cfg = { 6, repl_lookup(pols[k]), 3, 0 };
		KASSERT(vmpool_init(&vp, &kvm, &kswap, &cfg) == 0, "pool");
		struct freerun f = { vm_space_create(&kvm), 0, false, 0 };
		KASSERT(f.s, "space");
		vmpool_attach(&vp, f.s);
		vm_region_add(f.s, PBASE, 32, VM_READ | VM_WRITE);
		uint64_t sweeps = kpools_sweeps;
		kpool_register_swept(&vp, 1);
		struct thread *t = thread_create("freerun", freerun_main, &f, f.s);
		KASSERT(t, "thread");
		thread_sleep_ticks(15);
		f.stop = true;
		thread_join(t);
		kpool_unregister(&vp);
		KEXPECT(f.bad == 0, "%s: %u bad reads", pols[k], f.bad);
		KEXPECT(kpools_sweeps - sweeps >= 5, "%s: only %llu sweeps", pols[k], kpools_sweeps - sweeps);
		KEXPECT(vp.pool.stats.evictions > 0, "%s: nothing was evicted", pols[k]);
		KEXPECT(vp.pool.nresident <= 6, "%u resident", vp.pool.nresident);
		KEXPECT_EQ(vmpool_check(&vp, &console_sink), 0);
		vmpool_detach(&vp, f.s);
		vm_space_destroy(f.s);
		vmpool_fini(&vp);
	}
}
