/*
 * vmm.c - the VMM request runner of seed 000, on real page tables and the
 * kernel's scheduler:
 *   vmm <file> <memory_size> [policy=<name>] [seed=<n>] [latency=<k>] [check]
 *
 * Each process named in the request stream is a kernel thread with its own
 * address space of 64 pages of 1 KiB (each backed by a real 4 KiB page),
 * which makes its own requests in file order; all of them page against one
 * frame pool of memory_size/1024 frames, whose victims the policy (default
 * fifo) picks.
 *
 * Who runs: the scheduler (thread.c). The threads join its ready queue in
 * order of first appearance and the timer does not preempt them
 * (cooperative), so each runs a turn and gives up the processor: after a
 * hit it goes back to the tail of the queue; after a miss it sleeps. With
 * seed=, at the end of every turn the runner draws the next process among
 * the ready ones and moves it to the head of the queue.
 *
 * A miss is a real page fault on the process's thread. Its space's pager is
 * the pool's behind a page-in device (lagdev.c) of `latency` steps (default
 * 2): the fault submits the page-in and sleeps on the device's wait queue
 * while others run. A step is one request (a "Scheduling" line); at the end
 * of every turn the page-ins now due are served: the pool takes a frame
 * (evicting its policy's victim) and reads the page in from the RAM swap
 * device, the process is woken onto the ready queue, and its access
 * completes when it next runs (then it goes on with its next request). When
 * no process is ready the clock jumps to the next page-in: the processor
 * idles. Wall time plays no part, so a run repeats for a given input,
 * policy, seed and latency.
 *
 * Output: the original program's lines (mm/sim/FORMATS.md §2); addresses
 * are the simulated physical ones, frame * 1024 + offset. A turn prints
 * "Scheduling", then "Direct Access" (a hit) or "Blocked queue" (a miss:
 * the device's wait queue); a page-in's service prints "Swapping" (when the
 * frame held a page), "Loading", "Ready queue" (the scheduler's ready queue
 * with the woken process at its tail), "Long Access"; each Access ends with
 * Main Memory. Both queues are the scheduler's own (thread.c lists them),
 * restricted to this run's processes. With latency=0 a page-in is served
 * in the turn of its miss and the lines come in the original's order. What
 * differs from the original, which simulated its queues:
 *   - with a latency, other processes' turns come between a miss's
 *     "Blocked queue" and its "Loading", and "Blocked queue" may list
 *     several processes;
 *   - a process whose page-in was served is on the ready queue until its
 *     next turn even when that request was its last (it has its access to
 *     finish), so later "Ready queue" lines still show it;
 *   - a page served but evicted again before its process ran faults again:
 *     a second "Blocked queue" and "Loading" for the same request.
 * With `check`, the runner also verifies that every turn is run by the
 * process the scheduler's ready queue had first when the previous turn
 * ended, and prints the count at the end.
 */
#include "files.h"
#include "kernel.h"
#include "lagdev.h"
#include "mem.h"
#include "mm_env.h"
#include "mmlib.h"
#include "proc.h"
#include "repl.h"
#include "shell.h"
#include "swapdev.h"
#include "vmm_input.h"
#include "kpools.h"
#include "kwin.h"

#define VMM_BASE vaddr_make(0x00400000u)
#define VMM_MAX_PROCS 64
#define VMM_LATENCY 2           /* default page-in latency, in requests */
#define VMM_MAX_LISTED 1024     /* threads read off a scheduler queue */
#define VMM_NONE UINT32_MAX

/* A page-in in flight (a process has at most one). */
struct vmm_pagein {
	struct lag_req lag; /* first: the device's part */
	struct vm_space *space;
	const struct vm_region *region;
	vaddr_t va;
	bool write;
};

struct vmm_run {
	struct vmm_input in;
	uint32_t nframes;
	bool random, check, stopped;
	struct mm_rng rng;
	uint32_t nprocs;
	uint32_t pid[VMM_MAX_PROCS];
	struct proc procs[VMM_MAX_PROCS];
	uint32_t first[VMM_MAX_PROCS];  /* its next request, or VMM_NONE */
	uint32_t cur[VMM_MAX_PROCS];    /* the request in progress */
	bool missed[VMM_MAX_PROCS];     /* ... faulted */
	bool served_own[VMM_MAX_PROCS]; /* ... and its page-in was served in the same turn */
	struct vmm_pagein pagein[VMM_MAX_PROCS];
	uint32_t *next_same;            /* per request: the next of the same pid */
	uint64_t *shadow;               /* per frame: the key we last saw there */
	uint8_t *shadow_used;
	struct vmpool vp;
	struct vm_pager inner;          /* the pool's pager, behind the device */
	struct lagdev dev;
	struct thread *listed[VMM_MAX_LISTED];
	uint32_t expect;                /* the process due to run next, or VMM_NONE */
	uint64_t turns, out_of_order;
};

static uint32_t proc_index(struct vmm_run *r, uint32_t pid)
{
	for (uint32_t i = 0; i < r->nprocs; i++)
		if (r->pid[i] == pid) return i;
	return VMM_NONE;
}

static uint32_t space_proc(const struct vmm_run *r, const struct vm_space *s)
{
	const struct proc *pr = s->owner;
	MM_ASSERT(pr >= r->procs && pr < r->procs + r->nprocs, "space %p is not a VMM process's", (const void *)s);
	return (uint32_t)(pr - r->procs);
}

/* This run's processes among the n threads of r->listed, in order. */
static uint32_t listed_procs(const struct vmm_run *r, uint32_t n, uint32_t *out)
{
	MM_ASSERT(n <= VMM_MAX_LISTED, "%u threads on one queue", n);
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t p = 0; p < r->nprocs; p++)
			if (r->procs[p].thread == r->listed[i]) out[k++] = p;
	return k;
}

/* The ready queue of the scheduler, this run's processes only. */
static uint32_t ready_procs(struct vmm_run *r, uint32_t *out)
{
	return listed_procs(r, thread_ready_list(r->listed, VMM_MAX_LISTED), out);
}

static void print_queue(const char *title, const uint32_t *q, uint32_t n, const struct vmm_run *r)
{
	kprintf("%s[", title);
	for (uint32_t i = 0; i < n; i++) kprintf("%s%u", i ? ", " : "", r->pid[q[i]]);
	kprintf("]\n");
}

static void print_ready(struct vmm_run *r)
{
	uint32_t q[VMM_MAX_PROCS];
	print_queue("Ready queue:     ", q, ready_procs(r, q), r);
}

static void print_blocked(struct vmm_run *r)
{
	uint32_t q[VMM_MAX_PROCS];
	print_queue("Blocked queue:   ", q, listed_procs(r, lagdev_waiters(&r->dev, r->listed, VMM_MAX_LISTED), q), r);
}

/* The pid and the page number of a pool page key. */
static uint32_t key_pid(const struct vmm_run *r, uint64_t key, uint32_t *page)
{
	vaddr_t va;
	const struct vm_space *s = vmpool_key_owner(&r->vp, key, &va);
	MM_ASSERT(s, "frame holds page %llx of a space gone", (unsigned long long)key);
	if (page) *page = vaddr_diff(va, VMM_BASE) / PAGE_SIZE;
	return proc_id_of(s);
}

static void print_memory(const struct vmm_run *r)
{
	kprintf("Main Memory:\t | ");
	for (uint32_t f = 0; f < r->nframes; f++) {
		if (r->shadow_used[f]) kprintf("%u | ", key_pid(r, r->shadow[f], 0));
		else kprintf("- | ");
	}
	kprintf("\n\n");
}

/* Group the requests by process, in order of first appearance. */
static int build_queues(struct vmm_run *r)
{
	uint32_t last[VMM_MAX_PROCS];
	r->next_same = kvmalloc((r->in.nreqs + 1) * sizeof(uint32_t));
	if (!r->next_same) return -MM_ENOMEM;
	for (size_t i = 0; i < r->in.nreqs; i++) {
		uint32_t p = proc_index(r, r->in.reqs[i].pid);
		r->next_same[i] = VMM_NONE;
		if (p == VMM_NONE) {
			if (r->nprocs == VMM_MAX_PROCS) {
				kprintf("vmm: more than %u processes; pid %u (line %u) and later ones are left out\n",
					VMM_MAX_PROCS, r->in.reqs[i].pid, r->in.reqs[i].line);
				continue;
			}
			p = r->nprocs++;
			r->pid[p] = r->in.reqs[i].pid;
			r->first[p] = (uint32_t)i;
		} else {
			r->next_same[last[p]] = (uint32_t)i;
		}
		last[p] = (uint32_t)i;
	}
	return 0;
}

/* ---- turns ---- */

/* p has the processor: count the turn, and check that it is the process
 * the ready queue had first when the last turn ended. */
static void turn_begins(struct vmm_run *r, uint32_t p)
{
	r->turns++;
	if (r->expect != p) {
		r->out_of_order++;
		klog("vmm: pid %u runs, the ready queue had pid %d first\n", r->pid[p],
		     r->expect == VMM_NONE ? -1 : (int)r->pid[r->expect]);
	}
	r->expect = VMM_NONE;
}

/* The end of p's turn, before it gives up the processor (continues: it
 * goes back to the tail of the ready queue): serve the page-ins now due;
 * while no process could run, idle on to the next page-in; then (seed=)
 * draw the next process and move it to the head of the ready queue.
 * Returns true when p itself was drawn: it runs on. */
static bool turn_ends(struct vmm_run *r, uint32_t p, bool continues)
{
	uint32_t q[VMM_MAX_PROCS + 1];
	lagdev_complete_due(&r->dev);
	uint32_t n = ready_procs(r, q);
	while (n == 0 && !continues && lagdev_complete_first(&r->dev)) n = ready_procs(r, q);
	if (continues) q[n++] = p;
	if (n == 0) {
		r->expect = VMM_NONE;
		return false;
	}
	uint32_t at = r->random ? mm_rng_below(&r->rng, n) : 0;
	r->expect = q[at];
	if (continues && at == n - 1) return true;
	if (r->random) thread_ready_to_front(r->procs[q[at]].thread);
	return false;
}

/* p's turn is over and it has requests left: back to the ready queue. */
static void give_up(struct vmm_run *r, uint32_t p)
{
	if (r->first[p] == VMM_NONE || r->stopped) return; /* it ends: vmm_proc_main */
	if (!turn_ends(r, p, true)) thread_yield();
	turn_begins(r, p);
}

/* ---- the page-in device in front of the pool ---- */

/* The pager of every process's space: a miss waits for the device. */
static int vmm_fault(void *ctx, struct vm_space *s, const struct vm_region *rg, vaddr_t va, bool write)
{
	struct vmm_run *r = ctx;
	uint32_t p = space_proc(r, s);
	struct vmm_pagein *pi = &r->pagein[p];
	*pi = (struct vmm_pagein){ .space = s, .region = rg, .va = va, .write = write };
	r->missed[p] = true;
	lagdev_submit(&r->dev, &pi->lag);
	if (!r->stopped) print_blocked(r);
	turn_ends(r, p, false);
	r->served_own[p] = pi->lag.done;
	int rc = lagdev_wait(&r->dev, &pi->lag);
	if (!r->served_own[p]) turn_begins(r, p); /* it slept: this is its next turn */
	return rc;
}

static void vmm_release(void *ctx, struct vm_space *s, vaddr_t va)
{
	struct vmm_run *r = ctx;
	r->inner.release(r->inner.ctx, s, va);
}

/* The device serves a page-in: the pool's fault brings the page in. */
static int vmm_serve(void *ctx, struct lag_req *req)
{
	struct vmm_run *r = ctx;
	struct vmm_pagein *pi = (struct vmm_pagein *)req;
	if (r->stopped) return -MM_EIO; /* the run is over: nothing is brought in */
	uint32_t p = space_proc(r, pi->space);
	uint32_t irq = mm_irq_save(); /* a pool call is a critical section (pool.h) */
	int rc = r->inner.fault(r->inner.ctx, pi->space, pi->region, pi->va, pi->write);
	mm_irq_restore(irq);
	if (rc) return rc;
	uint64_t key = vmpool_key(&r->vp, pi->space, pi->va);
	uint32_t frame = (uint32_t)pool_lookup(&r->vp.pool, key);
	if (r->shadow_used[frame] && r->shadow[frame] != key) {
		uint32_t old_page, old_pid = key_pid(r, r->shadow[frame], &old_page);
		kprintf("Swapping.\t pid:  %u , page:  %u , frame:  %u\n", old_pid, old_page, frame);
	}
	r->shadow[frame] = key;
	r->shadow_used[frame] = 1;
	kprintf("Loading.\t pid:  %u , page:  %u , frame:  %u\n", r->pid[p],
		vaddr_diff(pi->va, VMM_BASE) / PAGE_SIZE, frame);
	return 0;
}

/* ... and its process is back on the ready queue. */
static void vmm_woken(void *ctx, struct lag_req *req)
{
	struct vmm_run *r = ctx;
	struct vmm_pagein *pi = (struct vmm_pagein *)req;
	if (req->rc) return;
	uint32_t p = space_proc(r, pi->space);
	int frame = pool_lookup(&r->vp.pool, vmpool_key(&r->vp, pi->space, pi->va));
	MM_ASSERT(frame >= 0, "page-in of pid %u served but not resident", r->pid[p]);
	print_ready(r);
	kprintf("Long   Access. \t %04X\n\n", (uint32_t)frame * VMM_PAGE_SIZE + vmm_offset(r->in.reqs[r->cur[p]].vaddr));
	print_memory(r);
}

/* ---- a process ---- */

/* One request of p, in its turn. */
static void request(struct vmm_run *r, uint32_t p)
{
	uint32_t i = r->first[p];
	const struct vmm_request *q = &r->in.reqs[i];
	struct proc *pr = &r->procs[p];
	r->first[p] = r->next_same[i];
	r->cur[p] = i;
	lagdev_step(&r->dev);
	kprintf("Scheduling.\t pid:  %u \tvaddr:  %04X\n", q->pid, q->vaddr);
	if (q->vaddr > VMM_VADDR_MAX) { /* the original's AddressTranslationError */
		kprintf("Address translation failed. pid: %u, addr: %X\n\n", q->pid, q->vaddr);
		give_up(r, p);
		return;
	}
	vaddr_t va = vaddr_add(VMM_BASE, vmm_page(q->vaddr) * PAGE_SIZE + (vmm_offset(q->vaddr) & ~3u));
	r->missed[p] = r->served_own[p] = false;
	if (proc_touch(pr, va, q->write, q->pid)) { /* a miss whose page-in failed */
		if (!r->stopped) kprintf("vmm: pid %u stopped at 0x%04X: %s\n", q->pid, q->vaddr, pr->rep.reason);
		r->stopped = true;
	} else {
		vmpool_access_done(&r->vp, pr->space, va);
	}
	if (r->missed[p] && r->served_own[p]) { /* it is on the ready queue since its page-in */
		thread_yield();
		turn_begins(r, p);
		return;
	}
	if (r->missed[p] || r->stopped) return; /* it slept: in its next turn already */
	kprintf("Direct Access. \t %04X\n\n", (uint32_t)pool_lookup(&r->vp.pool, vmpool_key(&r->vp, pr->space, va)) *
						       VMM_PAGE_SIZE + vmm_offset(q->vaddr));
	print_memory(r);
	give_up(r, p);
}

static void vmm_proc_main(struct proc *pr, void *arg)
{
	struct vmm_run *r = arg;
	uint32_t p = (uint32_t)(pr - r->procs);
	turn_begins(r, p);
	while (r->first[p] != VMM_NONE && !r->stopped) request(r, p);
	turn_ends(r, p, false);
}

/* ---- the run ---- */

static int start_procs(struct vmm_run *r)
{
	for (uint32_t p = 0; p < r->nprocs; p++) {
		struct vm_space *s = vm_space_create(&kvm);
		if (!s) return -MM_ENOMEM;
		char name[24];
		mm_snprintf(name, sizeof name, "vmm-pid-%u", r->pid[p]);
		s->owner = &r->procs[p];
		if (vmpool_attach(&r->vp, s) || vm_region_add(s, VMM_BASE, VMM_PAGES_PER_PROC, VM_READ | VM_WRITE) ||
		    proc_spawn(&r->procs[p], r->pid[p], name, s, vmm_proc_main, r)) {
			vmpool_detach(&r->vp, s);
			vm_space_destroy(s);
			r->procs[p].space = 0;
			return -MM_ENOMEM;
		}
		r->inner = s->pager;
		s->pager.fault = vmm_fault;
		s->pager.release = vmm_release;
		s->pager.ctx = r;
		thread_set_cooperative(r->procs[p].thread, true);
	}
	return 0;
}

/* Start the processes (they join the ready queue in order: this thread is
 * not preempted meanwhile, and they do not run before it waits), then wait
 * for them to end. */
static int vmm_execute(struct vmm_run *r)
{
	struct thread *me = thread_current();
	thread_set_cooperative(me, true);
	int rc = start_procs(r);
	if (rc) r->stopped = true; /* those started end at their first turn */
	uint32_t q[VMM_MAX_PROCS];
	uint32_t n = ready_procs(r, q);
	if (n) {
		uint32_t at = r->random ? mm_rng_below(&r->rng, n) : 0;
		r->expect = q[at];
		if (r->random) thread_ready_to_front(r->procs[q[at]].thread);
	}
	thread_set_cooperative(me, false);
	for (uint32_t p = 0; p < r->nprocs; p++) proc_wait(&r->procs[p]);
	return rc;
}

static void vmm_cleanup(struct vmm_run *r)
{
	for (uint32_t p = 0; p < r->nprocs; p++) {
		struct vm_space *s = r->procs[p].space;
		if (!s) continue;
		proc_wait(&r->procs[p]);
		s->pager = r->inner;
		vmpool_detach(&r->vp, s);
		vm_space_destroy(s);
	}
	kpool_unregister(&r->vp);
	vmpool_fini(&r->vp);
	kvfree(r->shadow);
	kvfree(r->shadow_used);
	kvfree(r->next_same);
	vmm_input_free(&r->in, &kvm_allocator);
}

struct vmm_opts {
	const char *file;
	uint64_t memory, seed, latency;
	bool random, check;
	const struct repl_ops *policy;
};

static int parse_args(int argc, char **argv, struct vmm_opts *o)
{
	*o = (struct vmm_opts){ .latency = VMM_LATENCY, .policy = repl_lookup("fifo") };
	if (argc < 3 || mm_parse_u64z(argv[2], 0, &o->memory)) goto usage;
	o->file = argv[1];
	for (int i = 3; i < argc; i++) {
		if (mm_strncmp(argv[i], "policy=", 7) == 0) {
			o->policy = repl_lookup(argv[i] + 7);
			if (!o->policy || o->policy->needs_future) {
				kprintf("vmm: '%s' is not a policy for a live run; the policies are:\n", argv[i] + 7);
				repl_list(&console_sink);
				return -1;
			}
		} else if (mm_strncmp(argv[i], "seed=", 5) == 0 && !mm_parse_u64z(argv[i] + 5, 0, &o->seed)) {
			o->random = true;
		} else if (mm_strncmp(argv[i], "latency=", 8) == 0 && !mm_parse_u64z(argv[i] + 8, 10, &o->latency) &&
			   o->latency <= 1000000) {
			continue;
		} else if (mm_strcmp(argv[i], "check") == 0) {
			o->check = true;
		} else {
			goto usage;
		}
	}
	return 0;
usage:
	kprintf("usage: vmm <file> <memory_size> [policy=<name>] [seed=<n>] [latency=<k>] [check]\n");
	return -1;
}

static int cmd_vmm(int argc, char **argv)
{
	static struct vmm_run r;
	struct vmm_opts o;
	struct kfile_data f;
	struct vmm_error err;
	if (parse_args(argc, argv, &o)) return 1;
	if (file_data_get("vmm", o.file, &f)) return 1;
	mm_memset(&r, 0, sizeof r);
	int bad = vmm_input_parse(f.data, f.size, &kvm_allocator, &r.in, &err);
	file_data_release(&f);
	if (bad) {
		kprintf("vmm: %s: %s; nothing run\n", o.file, err.msg);
		return 1;
	}
	r.nframes = (uint32_t)(o.memory / VMM_PAGE_SIZE);
	r.random = o.random;
	r.check = o.check;
	r.expect = VMM_NONE;
	mm_rng_seed(&r.rng, o.seed);
	lagdev_init(&r.dev, (uint32_t)o.latency, vmm_serve, vmm_woken, &r);
	if (r.nframes == 0) { /* the original's FrameNotFoundError, for every request */
		for (size_t i = 0; i < r.in.nreqs; i++)
			kprintf("Frame not found. pid: %u, page: %u\n", r.in.reqs[i].pid, vmm_page(r.in.reqs[i].vaddr));
		vmm_input_free(&r.in, &kvm_allocator);
		return 1;
	}
	struct pool_config cfg = { r.nframes, o.policy, o.seed, r.nframes };
	if (r.nframes > 4096 || vmpool_init(&r.vp, &kvm, &kswap, &cfg)) {
		kprintf("vmm: cannot make a pool of %u frames\n", r.nframes);
		vmm_input_free(&r.in, &kvm_allocator);
		return 1;
	}
	kpool_register(&r.vp);
	r.shadow = kvmalloc(r.nframes * sizeof(uint64_t));
	r.shadow_used = kvmalloc(r.nframes);
	int rc = (!r.shadow || !r.shadow_used || build_queues(&r)) ? -MM_ENOMEM : 0;
	if (!rc) {
		mm_memset(r.shadow_used, 0, r.nframes);
		rc = vmm_execute(&r);
	}
	if (rc) kprintf("vmm: out of memory\n");
	klog("vmm: %u requests, %u processes, %llu faults, %llu page-ins, %llu steps idle\n", (unsigned)r.in.nreqs,
	     r.nprocs, (unsigned long long)r.vp.pool.stats.faults, (unsigned long long)r.dev.served,
	     (unsigned long long)r.dev.idle_steps);
	if (r.check)
		kprintf("vmm check: %llu turns, %llu not by the head of the ready queue; %llu page-ins, %llu steps idle\n",
			(unsigned long long)r.turns, (unsigned long long)r.out_of_order,
			(unsigned long long)r.dev.served, (unsigned long long)r.dev.idle_steps);
	vmm_cleanup(&r);
	return rc || r.out_of_order ? 1 : 0;
}
SHELL_COMMAND_DOC(vmm, "", "the VMM request runner: vmm <file> <memory_size> [policy=] [seed=] [latency=] [check]",
		  "vmm <file> <memory_size> [policy=<name>] [seed=<n>] [latency=<k>] [check]",
		  "vmm requests.txt 4096 policy=lru latency=3",
		  "one line per request and per page-in served, with the scheduler's ready and blocked queues; with check, the count of turns run out of the ready queue's order",
		  cmd_vmm);
