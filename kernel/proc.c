/*
 * proc.c - simulated processes (see proc.h): a thread per process that
 * waits for an order, makes the access under a guard in its own address
 * space, and signals the driver; or, spawned, a thread that runs its own
 * body and makes its accesses itself.
 */
#include "kernel.h"
#include "layout.h"
#include "mem.h"
#include "mm_env.h"
#include "mmlib.h"
#include "proc.h"

static void do_access(void *arg)
{
	struct proc *p = arg;
	volatile uint32_t *w = vaddr_ptr(p->va);
	if (p->write) *w = p->value;
	else p->value = *w;
}

static void proc_main(void *arg)
{
	struct proc *p = arg;
	for (;;) {
		sem_down(&p->go);
		if (p->quit) break;
		p->stopped = guard_run_in(p->space, do_access, p, &p->rep);
		sem_up(&p->done);
	}
	sem_up(&p->done);
}

int proc_start(struct proc *p, uint32_t id, const char *name, struct vm_space *space)
{
	mm_memset(p, 0, sizeof(*p));
	p->id = id;
	p->space = space;
	p->thread = thread_create(name, proc_main, p, space);
	return p->thread ? 0 : -MM_ENOMEM;
}

int proc_access(struct proc *p, vaddr_t va, bool write, uint32_t value)
{
	p->va = va;
	p->write = write;
	p->value = value;
	sem_up(&p->go);
	sem_down(&p->done);
	return p->stopped ? 1 : 0;
}

void proc_stop(struct proc *p)
{
	if (!p->thread) return;
	p->quit = true;
	sem_up(&p->go);
	sem_down(&p->done);
	thread_join(p->thread);
	p->thread = 0;
}

static void spawned_main(void *arg)
{
	struct proc *p = arg;
	p->body(p, p->arg);
}

int proc_spawn(struct proc *p, uint32_t id, const char *name, struct vm_space *space,
	       void (*body)(struct proc *p, void *arg), void *arg)
{
	mm_memset(p, 0, sizeof(*p));
	p->id = id;
	p->space = space;
	p->body = body;
	p->arg = arg;
	p->thread = thread_create(name, spawned_main, p, space);
	return p->thread ? 0 : -MM_ENOMEM;
}

int proc_touch(struct proc *p, vaddr_t va, bool write, uint32_t value)
{
	MM_ASSERT(thread_current() == p->thread, "process %u touched from thread %u", p->id, thread_current()->id);
	p->va = va;
	p->write = write;
	p->value = value;
	p->stopped = guard_run_in(p->space, do_access, p, &p->rep);
	return p->stopped ? 1 : 0;
}

void proc_wait(struct proc *p)
{
	if (!p->thread) return;
	thread_join(p->thread);
	p->thread = 0;
}
