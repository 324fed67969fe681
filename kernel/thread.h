/*
 * thread.h - kernel threads with preemptive round-robin scheduling on the
 * PIT (or cooperative, for threads that give up the processor themselves),
 * sleeping and waking, wait queues, and locks safe against interrupts.
 *
 * Each thread has its own kernel stack, its own address space (loaded in CR3
 * when it runs; NULL means the kernel's directory) and its own stack of
 * guards, so a simulated process can fault in its own space and be stopped
 * alone. Uniprocessor: a critical section is interrupts off.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdbool.h>
#include <stdint.h>
#include "vmspace.h"

enum thread_state { T_READY, T_RUNNING, T_SLEEPING, T_BLOCKED, T_DEAD };

struct guard;

struct thread {
	uint32_t id;
	char name[24];
	enum thread_state state;
	uint32_t esp;              /* saved stack pointer while not running */
	void *stack;               /* kernel stack (THREAD_STACK bytes) */
	struct vm_space *space;    /* loaded while it runs */
	struct guard *guard_top;   /* its recovery points */
	uint64_t wake_tick;        /* when sleeping */
	struct thread *next;       /* run queue or wait queue link */
	struct thread *all_next;   /* every thread */
	void (*entry)(void *);
	void *arg;
	struct wait_queue *joiners_q;
	uint64_t switches_in;      /* times scheduled */
	bool detached;
	uint32_t esp0;             /* runs in ring 3: top of the stack traps land on (else 0) */
	uint64_t tls;              /* ... and its TLS segment descriptor */
	void *proc;                /* the user process it runs, or NULL */
	uint8_t *fpu;              /* its x87/SSE state (16-aligned in fpu_mem), or NULL */
	void *fpu_mem;
	bool io_may_sleep;         /* may sleep in disk I/O (holds nothing others need) */
	bool cooperative;          /* the timer never preempts it (thread_set_cooperative) */
};

struct wait_queue { struct thread *head, *tail; };

#define THREAD_STACK 16384
#define THREAD_QUANTUM_TICKS 2

void thread_init(void);
/* True once the scheduler runs (before that, waiting means halting). */
bool threads_ready(void);
/* A new ready thread running entry(arg) in space (may be NULL). NULL when
 * out of memory. */
struct thread *thread_create(const char *name, void (*entry)(void *), void *arg, struct vm_space *space);
struct thread *thread_current(void);
void thread_yield(void);
void thread_sleep_ticks(uint64_t ticks);
void thread_exit(void) __attribute__((noreturn));
/* Memory for an x87/SSE register state (a fresh one, or a copy of the
 * running thread's registers when copy); NULL when out of memory. Given to
 * a thread with thread_set_fpu, freed with it. */
void *thread_fpu_new(bool copy);
void thread_set_fpu(struct thread *t, void *mem);
/* Wait for t to end and free it. */
void thread_join(struct thread *t);
/* While on, the timer never preempts t: it runs until it yields, blocks or
 * ends (for a runner whose threads decide the order of their own steps).
 * Other threads are preempted as before. */
void thread_set_cooperative(struct thread *t, bool on);

/* The ready queue, head first (neither the running thread nor idle is in
 * it): up to max threads into out; returns how many there are. */
uint32_t thread_ready_list(struct thread **out, uint32_t max);
/* Move t, which must be on the ready queue, to its head: it runs next. */
void thread_ready_to_front(struct thread *t);

/* Wait queues: block (interrupts must be off; they are restored by the
 * caller) and wake. */
void wait_block(struct wait_queue *q);
void wait_wake_one(struct wait_queue *q);
void wait_wake_all(struct wait_queue *q);
/* The threads waiting on q, first first: up to max into out; returns how
 * many there are. */
uint32_t wait_queue_list(const struct wait_queue *q, struct thread **out, uint32_t max);
/* Join q as blocked but go on running until the next thread_yield(), which
 * then sleeps until a wake (the two-step wait: what the thread does in
 * between, e.g. saying that it waits, is part of going to sleep). A wake in
 * between makes it ready at once: it is then on the ready queue while it
 * still runs, and must not wait for anything else before thread_yield(),
 * which then only gives up the processor. Only a thread the timer does not
 * preempt (or with interrupts off throughout) may do this. */
void wait_prepare(struct wait_queue *q);

/* A sleeping lock: a thread that finds it taken blocks. */
struct mutex { bool held; struct thread *owner; struct wait_queue waiters; uint32_t contended; };
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

/* A counting semaphore: down blocks while the count is 0. */
struct semaphore { uint32_t count; struct wait_queue waiters; };
void sem_down(struct semaphore *s);
void sem_up(struct semaphore *s);

/* Counters for tests and `threads`. */
extern uint64_t sched_switches, sched_preemptions;

#endif
