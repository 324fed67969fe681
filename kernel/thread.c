/*
 * thread.c - kernel threads and the scheduler (see thread.h). Algorithm:
 * round robin over a FIFO run queue; the PIT tick counts down the running
 * thread's quantum and preempts it when others are ready (unless it is
 * cooperative: then it runs until it gives up the processor, and a runner
 * may reorder the queue by moving a ready thread to its head); sleepers are woken
 * by the tick; an idle thread halts when nothing else can run. A switch
 * saves and restores, besides the registers (boot/switch.S), the thread's
 * address space (CR3) and its guard stack.
 */
#include "guard.h"
#include "io.h"
#include "kernel.h"
#include "kmain.h"
#include "mem.h"
#include "mmlib.h"
#include "mm_env.h"
#include "shell.h"
#include "thread.h"
#include "swapdev.h"
#include "trap.h"
#include "usermode.h"
#include "kpools.h"

void thread_switch(uint32_t *save_esp, uint32_t new_esp);
extern struct guard *guard_top;

static struct thread boot_thread;
static struct thread *current = &boot_thread;
static struct thread *idle;
static struct wait_queue runq;
static struct thread *all_threads = &boot_thread;
static struct thread *sleepers;
static uint32_t next_id = 1;
static uint32_t quantum_left = THREAD_QUANTUM_TICKS;
static bool sched_on;
uint64_t sched_switches, sched_preemptions;

static void q_push(struct wait_queue *q, struct thread *t)
{
	t->next = 0;
	if (q->tail) q->tail->next = t;
	else q->head = t;
	q->tail = t;
}

static struct thread *q_pop(struct wait_queue *q)
{
	struct thread *t = q->head;
	if (t) {
		q->head = t->next;
		if (!q->head) q->tail = 0;
		t->next = 0;
	}
	return t;
}

/* Unlink t from q; false if it is not there. */
static bool q_remove(struct wait_queue *q, struct thread *t)
{
	struct thread *prev = 0;
	for (struct thread *x = q->head; x; prev = x, x = x->next) {
		if (x != t) continue;
		if (prev) prev->next = t->next;
		else q->head = t->next;
		if (q->tail == t) q->tail = prev;
		t->next = 0;
		return true;
	}
	return false;
}

static uint32_t q_list(const struct wait_queue *q, struct thread **out, uint32_t max)
{
	uint32_t n = 0;
	for (struct thread *t = q->head; t; t = t->next, n++)
		if (n < max) out[n] = t;
	return n;
}

struct thread *thread_current(void) { return current; }
bool threads_ready(void) { return sched_on; }

static void make_ready(struct thread *t)
{
	t->state = T_READY;
	if (t != idle) q_push(&runq, t);
}

/* Pick the next thread and switch to it. Interrupts are off. */
static void schedule(void)
{
	struct thread *prev = current, *next = q_pop(&runq);
	if (!next) {
		if (prev->state == T_RUNNING) return; /* nobody else: keep running */
		next = idle;
	}
	if (prev->state == T_RUNNING) make_ready(prev);
	next->state = T_RUNNING;
	quantum_left = THREAD_QUANTUM_TICKS;
	if (next == prev) return;
	prev->guard_top = guard_top;
	prev->space = vm_current;
	current = next;
	guard_top = next->guard_top;
	if (vm_current != next->space) vm_switch(next->space);
	if (next->esp0) user_switch_in(next->esp0, next->tls);
	if (prev->fpu) fpu_save(prev->fpu);
	if (next->fpu) fpu_restore(next->fpu);
	next->switches_in++;
	sched_switches++;
	thread_switch(&prev->esp, next->esp);
}

void thread_yield(void)
{
	uint32_t f = irq_save();
	schedule();
	irq_restore(f);
}

static void wake_sleepers(uint64_t now)
{
	struct thread **link = &sleepers;
	while (*link) {
		struct thread *t = *link;
		if (t->wake_tick <= now) {
			*link = t->next;
			make_ready(t);
		} else {
			link = &t->next;
		}
	}
}

static void sched_tick(uint64_t now)
{
	if (!sched_on) return;
	wake_sleepers(now);
	if (quantum_left) quantum_left--;
	if (!quantum_left && runq.head && !current->cooperative) {
		sched_preemptions++;
		schedule();
	}
}

void thread_sleep_ticks(uint64_t ticks)
{
	uint32_t f = irq_save();
	current->wake_tick = pit_ticks() + (ticks ? ticks : 1);
	current->state = T_SLEEPING;
	current->next = sleepers;
	sleepers = current;
	schedule();
	irq_restore(f);
}

void wait_block(struct wait_queue *q)
{
	MM_ASSERT(current->state == T_RUNNING, "thread %u waits while %s a wait or on the ready queue",
		  current->id, current->state == T_READY ? "on" : "in");
	current->state = T_BLOCKED;
	q_push(q, current);
	schedule();
}

void wait_prepare(struct wait_queue *q)
{
	uint32_t f = irq_save();
	MM_ASSERT(current->state == T_RUNNING && current != idle, "thread %u prepares a second wait", current->id);
	current->state = T_BLOCKED;
	q_push(q, current);
	irq_restore(f);
}

uint32_t wait_queue_list(const struct wait_queue *q, struct thread **out, uint32_t max)
{
	uint32_t f = irq_save();
	uint32_t n = q_list(q, out, max);
	irq_restore(f);
	return n;
}

uint32_t thread_ready_list(struct thread **out, uint32_t max) { return wait_queue_list(&runq, out, max); }

void thread_ready_to_front(struct thread *t)
{
	uint32_t f = irq_save();
	bool queued = t->state == T_READY && q_remove(&runq, t);
	MM_ASSERT(queued, "thread %u moved to the head of the ready queue is not on it", t->id);
	t->next = runq.head;
	runq.head = t;
	if (!runq.tail) runq.tail = t;
	irq_restore(f);
}

void thread_set_cooperative(struct thread *t, bool on) { t->cooperative = on; }

void wait_wake_one(struct wait_queue *q)
{
	uint32_t f = irq_save();
	struct thread *t = q_pop(q);
	if (t) make_ready(t);
	irq_restore(f);
}

void wait_wake_all(struct wait_queue *q)
{
	uint32_t f = irq_save();
	struct thread *t;
	while ((t = q_pop(q))) make_ready(t);
	irq_restore(f);
}

/* Waiters are served in order: unlock hands the mutex to the first one
 * (it is held for it before it runs), so a thread that unlocks and locks
 * again at once cannot starve them. */
void mutex_lock(struct mutex *m)
{
	uint32_t f = irq_save();
	if (m->held) {
		m->contended++;
		while (m->owner != current) wait_block(&m->waiters);
	} else {
		m->held = true;
		m->owner = current;
	}
	irq_restore(f);
}

void mutex_unlock(struct mutex *m)
{
	uint32_t f = irq_save();
	MM_ASSERT(m->held && m->owner == current, "mutex %p unlocked by thread %u, not its owner", (void *)m, current->id);
	struct thread *t = q_pop(&m->waiters);
	m->owner = t;
	m->held = t != 0;
	if (t) make_ready(t);
	irq_restore(f);
}

void sem_down(struct semaphore *s)
{
	uint32_t f = irq_save();
	while (s->count == 0) wait_block(&s->waiters);
	s->count--;
	irq_restore(f);
}

void sem_up(struct semaphore *s)
{
	uint32_t f = irq_save();
	s->count++;
	struct thread *t = q_pop(&s->waiters);
	if (t) make_ready(t);
	irq_restore(f);
}

static void thread_start(void)
{
	irq_enable();
	current->entry(current->arg);
	thread_exit();
}

struct thread *thread_create(const char *name, void (*entry)(void *), void *arg, struct vm_space *space)
{
	struct thread *t = kzalloc(&kheap, sizeof(*t));
	void *stack = kmalloc(&kheap, THREAD_STACK);
	struct wait_queue *jq = kzalloc(&kheap, sizeof(*jq));
	if (!t || !stack || !jq) {
		kfree(&kheap, t);
		kfree(&kheap, stack);
		kfree(&kheap, jq);
		return 0;
	}
	mm_strncpy0(t->name, name, sizeof t->name);
	t->stack = stack;
	t->entry = entry;
	t->arg = arg;
	t->space = space;
	t->joiners_q = jq;
	/* The first switch to t pops four registers and returns into thread_start. */
	uint32_t *sp = (uint32_t *)((uint8_t *)stack + THREAD_STACK);
	*--sp = 0;                                 /* thread_start's return slot */
	*--sp = (uint32_t)(uintptr_t)thread_start; /* ret */
	*--sp = 0;                                 /* ebp */
	*--sp = 0;                                 /* ebx */
	*--sp = 0;                                 /* esi */
	*--sp = 0;                                 /* edi */
	t->esp = (uint32_t)(uintptr_t)sp;
	uint32_t f = irq_save();
	t->id = next_id++;
	t->all_next = all_threads;
	all_threads = t;
	make_ready(t);
	irq_restore(f);
	return t;
}

static uint8_t *fpu_aligned(void *mem) { return (uint8_t *)(((uintptr_t)mem + 15) & ~(uintptr_t)15); }

void *thread_fpu_new(bool copy)
{
	void *mem = kmalloc(&kheap, FPU_STATE_BYTES + 16);
	if (!mem) return 0;
	if (copy) fpu_save(fpu_aligned(mem));
	else fpu_fresh(fpu_aligned(mem));
	return mem;
}

void thread_set_fpu(struct thread *t, void *mem)
{
	t->fpu_mem = mem;
	t->fpu = fpu_aligned(mem);
}

void thread_exit(void)
{
	irq_disable();
	current->state = T_DEAD;
	wait_wake_all(current->joiners_q);
	irq_disable();
	schedule();
	KPANIC("a dead thread was scheduled");
}

static void unlink_thread(struct thread *t)
{
	for (struct thread **l = &all_threads; *l; l = &(*l)->all_next)
		if (*l == t) {
			*l = t->all_next;
			return;
		}
}

void thread_join(struct thread *t)
{
	uint32_t f = irq_save();
	while (t->state != T_DEAD) wait_block(t->joiners_q);
	unlink_thread(t);
	irq_restore(f);
	kfree(&kheap, t->stack);
	kfree(&kheap, t->fpu_mem);
	kfree(&kheap, t->joiners_q);
	kfree(&kheap, t);
}

/* Nothing else to run: zero a few frames for future demand-zero faults
 * (a little at a time, so a wake-up is not kept waiting), else sleep. */
static void idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		irq_enable();
		if (!frame_zero_fill(&kzero, 4)) cpu_halt();
		thread_yield();
	}
}

void thread_init(void)
{
	mm_strncpy0(boot_thread.name, "boot", sizeof boot_thread.name);
	boot_thread.state = T_RUNNING;
	idle = thread_create("idle", idle_loop, 0, 0);
	if (!idle) KPANIC("no memory for the idle thread");
	q_pop(&runq); /* idle is never on the run queue */
	idle->state = T_READY;
	pit_on_tick(sched_tick);
	sched_on = true;
}

static void threads_boot(void) { thread_init(); }
BOOT_HOOK(threads, threads_boot, 30);

static const char *state_name(enum thread_state s)
{
	switch (s) {
	case T_READY: return "ready";
	case T_RUNNING: return "running";
	case T_SLEEPING: return "sleeping";
	case T_BLOCKED: return "blocked";
	default: return "dead";
	}
}

static int cmd_threads(int argc, char **argv)
{
	kprintf("  id  name                     state     switches-in  space\n");
	for (struct thread *t = all_threads; t; t = t->all_next)
		kprintf("%4u  %-24s %-9s %11llu  %s\n", t->id, t->name, state_name(t->state),
			(unsigned long long)t->switches_in, t->space ? "own" : "kernel");
	kprintf("switches %llu, preemptions %llu, quantum %u ticks at %u Hz\n",
		(unsigned long long)sched_switches, (unsigned long long)sched_preemptions,
		THREAD_QUANTUM_TICKS, pit_hz);
	return 0;
}
SHELL_COMMAND_DOC(threads, "", "list the kernel threads and scheduler counters",
		  "threads",
		  "threads",
		  "a table of the threads (id, name, state, switches-in, address space), then the scheduler's switch and preemption counts",
		  cmd_threads);

static int cmd_sleep(int argc, char **argv)
{
	uint64_t ms;
	if (argc != 2 || mm_parse_u64z(argv[1], 0, &ms) || ms > 600000) {
		kprintf("usage: sleep <milliseconds>   (at most 600000)\n");
		return 1;
	}
	thread_sleep_ticks((ms * pit_hz + 999) / 1000);
	return 0;
}
SHELL_COMMAND_DOC(sleep, "", "sleep for some milliseconds (other threads and idle work run)",
		  "sleep <milliseconds>   (at most 600000)",
		  "sleep 250",
		  "nothing; the prompt comes back after the time",
		  cmd_sleep);
