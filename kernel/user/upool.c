/*
 * upool.c - the user processes' frame pool (see upool.h): an anon pool
 * (mm/anon.c) over the kernel's frames and swap area, swept by the timer
 * so that reference-bit policies (NRU, aging, clock) see what the
 * processes touch; and the `policy` command that chooses its policy.
 *
 * Locking: every entry into the pool takes its mutex (mm/anon.h's sync);
 * a process's fault runs with interrupts on (the timer may preempt it) and
 * sleeps in disk I/O with the mutex RELEASED (io_begin/io_end), its page
 * in transit and its frame busy: other processes fault, evict and run
 * meanwhile. A fault or release that meets a page in transit sleeps
 * on one wait queue (wait/wake) until an I/O ends, then looks again. The
 * pool and the page tables it writes change only under the mutex.
 */
#include "io.h"
#include "kernel.h"
#include "kmain.h"
#include "mem.h"
#include "pageout.h"
#include "mmlib.h"
#include "repl.h"
#include "shell.h"
#include "swapdev.h"
#include "thread.h"
#include "upool.h"

#define UPOOL_SWEEP_TICKS 10 /* a sweep every 100 ms */

static struct anon_pool pool;
static bool ready;
static const struct repl_ops *chosen;
static struct mutex lock; /* held across the pool's swap I/O, which may sleep */

/* The pool's sync (mm/anon.h): a sleeping lock, and while it is held the
 * holder may sleep in disk I/O (the ATA driver then waits for IRQ 14 and
 * other threads run; whoever else needs the pool waits for the lock). */
static void pool_lock(void *ctx)
{
	mutex_lock(&lock);
	thread_current()->io_may_sleep = true;
}

static void pool_unlock(void *ctx)
{
	thread_current()->io_may_sleep = false;
	mutex_unlock(&lock);
}

/* Leaving the pool: a fault that woke the page-out daemon lets it run now,
 * before it takes more frames (as Linux throttles allocators behind
 * kswapd). */
static void pool_leave(void *ctx)
{
	pool_unlock(ctx);
	pageout_throttle();
}

/* One device call with the mutex released: the caller may sleep in it. */
static void pool_io_begin(void *ctx)
{
	mutex_unlock(&lock);
	thread_current()->io_may_sleep = true;
}

static void pool_io_end(void *ctx)
{
	thread_current()->io_may_sleep = false;
	mutex_lock(&lock);
	thread_current()->io_may_sleep = true;
}

static struct wait_queue transit; /* threads waiting for a page in transit */

/* Give up the mutex and sleep until an I/O ends; no wake-up is lost: the
 * waker needs the mutex, and interrupts stay off from the unlock to the
 * sleep. */
static void pool_wait(void *ctx)
{
	uint32_t f = irq_save();
	pool_unlock(ctx);
	wait_block(&transit);
	irq_restore(f);
	pool_lock(ctx);
}

static void pool_wake(void *ctx) { wait_wake_all(&transit); }

/* The swap area is shared with the kernel's pools, whose calls run with
 * interrupts off: ours too. */
static uint32_t shared_enter(void *ctx) { return irq_save(); }
static void shared_leave(void *ctx, uint32_t f) { irq_restore(f); }

struct anon_pool *upool_peek(void) { return ready ? &pool : 0; }

static uint32_t frames_wanted(void)
{
	uint64_t bytes = 0;
	const char *size = cmdline_get("upool");
	if (size && !mm_parse_size(size, &bytes) && bytes >= 4 * PAGE_SIZE) return (uint32_t)(bytes / PAGE_SIZE);
	if (size) kprintf("upool: '%s' is not a size of 16K or more; using a quarter of free memory\n", size);
	return kframes_free() / 4;
}

static const struct repl_ops *policy_wanted(void)
{
	if (chosen) return chosen;
	const char *name = cmdline_get("upolicy");
	const struct repl_ops *ops = name ? repl_lookup(name) : 0;
	if (name && (!ops || ops->needs_future))
		kprintf("upool: '%s' is not a policy for free-running processes; using clock\n", name);
	return ops && !ops->needs_future ? ops : repl_lookup("clock");
}

/* The timer's sweep; skipped while a fault holds the pool (it may be
 * asleep in the middle of an eviction). */
static void sweep(uint64_t now)
{
	if (ready && !lock.held && now % UPOOL_SWEEP_TICKS == 0) pool_tick(&pool.pool);
}

struct anon_pool *upool_get(void)
{
	if (ready) return &pool;
	if (!kswap_ready) {
		kprintf("exec: no swap area, so no pool for user memory\n");
		return 0;
	}
	struct pool_config cfg = { frames_wanted(), policy_wanted(), 1, 0 };
	uint32_t f = irq_save();
	int err = anon_init(&pool, &kvm_irqsafe, &kswap, &cfg);
	pool.sync = (struct anon_sync){ pool_lock, pool_leave, pool_io_begin, pool_io_end, pool_wait, pool_wake,
				     shared_enter, shared_leave, 0 };
	ready = err == 0;
	irq_restore(f);
	if (err) {
		kprintf("exec: no memory for a user pool of %u frames\n", cfg.nframes);
		return 0;
	}
	klog("upool: %u frames, policy %s\n", cfg.nframes, cfg.policy->name);
	pageout_start(&pool);
	return &pool;
}

static void upool_boot(void) { pit_on_tick(sweep); }
BOOT_HOOK(upool, upool_boot, 21);

static int cmd_policy(int argc, char **argv)
{
	const struct repl_ops *ops = argc == 2 ? repl_lookup(argv[1]) : 0;
	if (argc == 1) {
		kprintf("user processes page with %s%s\n", policy_wanted()->name, ready ? "" : " (no process yet)");
		return 0;
	}
	if (!ops || ops->needs_future) {
		kprintf("policy: '%s' is not a policy for running processes; the policies:\n", argc == 2 ? argv[1] : "");
		repl_list(&console_sink);
		if (ops) kprintf("(%s needs the future: it only replays traces)\n", ops->name);
		return 1;
	}
	int err = ready ? anon_set_policy(&pool, ops) : 0;
	if (err) {
		kprintf("policy: no memory for %s; %s stays\n", ops->name, pool.pool.cfg.policy->name);
		return 1;
	}
	chosen = ops;
	kprintf("user processes page with %s from now on\n", ops->name);
	return 0;
}
SHELL_COMMAND_DOC(policy, "", "the page replacement policy of user processes",
		  "policy [name]   (no name: the one in use)",
		  "policy lru",
		  "the policy in use, or that it changed (resident pages are kept)",
		  cmd_policy);
