/*
 * ucheck.c - the process checks of `vmcheck` (see ucheck.h). Every pointer
 * is vouched for by the kernel heap (a live object of at least the size
 * read, inside the direct map) before it is followed, so a wild one is
 * reported, not followed.
 */
#include "io.h"
#include "kernel.h"
#include "kmain.h"
#include "layout.h"
#include "mem.h"
#include "mmlib.h"
#include "thread.h"
#include "ucheck.h"
#include "uproc.h"

bool ucheck_on;

/* A live kernel heap object of at least nbytes at p. */
static bool live(const void *p, size_t nbytes)
{
	uint32_t a = (uint32_t)(uintptr_t)p;
	if (a < KERNEL_BASE || a - KERNEL_BASE >= mem_report.npfns * PAGE_SIZE) return false;
	return kmalloc_size(&kheap, p) >= nbytes;
}

/* The first report of vm_space_check, kept for the panic message. */
static char report[160];
static size_t report_len;

static void report_put(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	while (n-- && report_len + 1 < sizeof report) report[report_len++] = *s++;
	report[report_len] = 0;
}

/* What is wrong with the running thread's process (0: nothing). */
static const char *problem(struct thread *t)
{
	struct uproc *p = t->proc;
	if (!live(p, sizeof(*p))) return "its struct uproc is not a live object";
	if (p->thread != t) return "its process names another thread";
	if (!p->space) return 0; /* exiting: nothing left to check */
	if (!live(p->space, sizeof(*p->space))) return "its address space is not a live object";
	if (p->space != vm_current) return "its address space is not the one loaded";
	struct mm_sink err = { report_put, 0 };
	report_len = 0;
	return vm_space_check(p->space, live, &err) ? report : 0;
}

void ucheck_now(const char *where, const char *what)
{
	uint32_t f = irq_save(); /* nobody changes what is walked meanwhile */
	struct thread *t = thread_current();
	const char *why = t->proc ? problem(t) : 0;
	if (why) KPANIC("vmcheck at %s %s, thread %u (%s): %s", where, what, t->id, t->name, why);
	irq_restore(f);
}

static void ucheck_boot(void) { ucheck_on = cmdline_get("vmcheck") != 0; }
BOOT_HOOK(ucheck, ucheck_boot, 33);
