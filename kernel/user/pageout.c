/*
 * pageout.c - the page-out daemon (see pageout.h). Algorithm: watermarks,
 * as in Linux's kswapd. A fault that leaves fewer than `low` frames free
 * kicks the daemon (mm/anon.h's pressure hook); it wakes and calls
 * anon_reclaim until `high` frames are free: the pool's policy picks the
 * victims, clean pages are dropped, dirty ones are written in clusters of
 * adjacent swap slots, one device request per cluster (with the ATA disk,
 * one scatter-gather DMA command), while the pool's lock is released, so
 * faulting processes keep running. A fault that still finds no free frame
 * evicts for itself (counted as "evictions by faults").
 *
 * The shell's `pageout` command shows it and turns it off and on, so its
 * effect can be measured; `swapinfo` prints the same report.
 */
#include "io.h"
#include "kernel.h"
#include "kmain.h"
#include "mmlib.h"
#include "pageout.h"
#include "shell.h"
#include "swapdev.h"
#include "thread.h"

#define PAGEOUT_BATCH 32 /* pages one anon_reclaim call may take */

static struct {
	struct anon_pool *ap;
	struct thread *thread;
	struct wait_queue idle;  /* the daemon, asleep */
	bool kicked, enabled;
	uint32_t low, high;
	uint64_t wakeups, freed, failures, throttled;
} po;

/* The pressure hook: under the pool's lock, often in a fault; must not
 * sleep. */
static void kick(void *ctx)
{
	(void)ctx;
	if (!po.enabled || po.kicked) return;
	po.kicked = true;
	wait_wake_one(&po.idle);
}

void pageout_throttle(void)
{
	if (po.kicked && po.thread && thread_current() != po.thread) {
		po.throttled++;
		thread_yield();
	}
}

static uint32_t free_frames(void) { return pool_free_slots(&po.ap->pool); }

/* Reclaim until high frames are free, the pool has nothing left to
 * give, or a write fails. */
static void reclaim_to_high(void)
{
	while (po.enabled && free_frames() < po.high) {
		int n = anon_reclaim(po.ap, po.high, PAGEOUT_BATCH);
		if (n <= 0) {
			if (n < 0) po.failures++;
			break;
		}
		po.freed += (uint64_t)n;
	}
}

static void daemon_main(void *arg)
{
	(void)arg;
	for (;;) {
		uint32_t f = irq_save();
		while (!po.kicked) wait_block(&po.idle);
		po.kicked = false;
		irq_restore(f);
		po.wakeups++;
		reclaim_to_high(); /* (interrupts on: the pool's lock guards it) */
	}
}

static uint32_t watermark(const char *name, uint32_t dflt, uint32_t max)
{
	const char *v = cmdline_get(name);
	uint64_t n;
	if (!v) return dflt;
	if (!mm_parse_u64z(v, 10, &n) && n <= max) return (uint32_t)n;
	kprintf("pageout: %s=%s is not a frame count up to %u; using %u\n", name, v, max, dflt);
	return dflt;
}

static void set_marks(uint32_t nframes)
{
	uint32_t low = nframes / 32 < 2 ? 2 : nframes / 32;
	if (low > nframes / 2) low = nframes / 2;
	po.low = watermark("pageout_low", low, nframes / 2);
	po.high = watermark("pageout_high", 2 * po.low, nframes / 2);
	if (po.high < po.low) po.high = po.low;
	po.ap->pressure = (struct anon_pressure){ po.low, kick, 0 };
}

void pageout_start(struct anon_pool *ap)
{
	if (po.ap) return;
	const char *v = cmdline_get("pageout");
	po.ap = ap;
	po.enabled = !(v && mm_strcmp(v, "off") == 0);
	set_marks(ap->pool.cfg.nframes);
	po.thread = thread_create("pageout", daemon_main, 0, 0);
	if (!po.thread) {
		kprintf("pageout: no memory for the daemon's thread; faults evict for themselves\n");
		po.enabled = false;
		return;
	}
	swapinfo_add_section(pageout_print);
	klog("pageout: low %u, high %u frames%s\n", po.low, po.high, po.enabled ? "" : " (off)");
}

void pageout_print(struct mm_sink *out)
{
	if (!po.ap) {
		mm_format(out, "page-out daemon: not started (no user process yet)\n");
		return;
	}
	const struct pool_stats *ps = &po.ap->pool.stats;
	mm_format(out, "page-out daemon: %s, watermarks low %u high %u, %u of %u frames free\n",
		  po.enabled ? "on" : "off", po.low, po.high, free_frames(), po.ap->pool.cfg.nframes);
	mm_format(out, "  woken %llu times; faults yielded to it %llu times; %llu runs failed\n",
		  (unsigned long long)po.wakeups, (unsigned long long)po.throttled, (unsigned long long)po.failures);
	mm_format(out, "  freed %llu frames (%llu written in %llu clustered writes)\n", (unsigned long long)po.freed,
		  (unsigned long long)po.ap->stats.cluster_pages, (unsigned long long)po.ap->stats.cluster_writes);
	mm_format(out, "  faults %llu, of which evicted for themselves %llu\n", (unsigned long long)ps->faults,
		  (unsigned long long)(ps->evictions - ps->reclaims));
	mm_format(out, "  in transit: %u frames, %u pages in device I/O\n", po.ap->pool.nbusy, po.ap->in_flight);
}

static int cmd_pageout(int argc, char **argv)
{
	bool on = argc == 2 && mm_strcmp(argv[1], "on") == 0;
	bool off = argc == 2 && mm_strcmp(argv[1], "off") == 0;
	if (argc > 2 || (argc == 2 && !on && !off)) {
		kprintf("usage: pageout [on|off]\n");
		return 1;
	}
	if (!po.ap) {
		if (argc == 2) kprintf("pageout: no user pool yet (it starts with the first exec)\n");
		else pageout_print(&console_sink);
		return argc == 2 ? 1 : 0;
	}
	if (on || off) {
		po.enabled = on;
		if (on && !po.thread) {
			kprintf("pageout: the daemon could not be started\n");
			po.enabled = false;
			return 1;
		}
		kprintf("page-out daemon %s\n", on ? "on" : "off");
	}
	pageout_print(&console_sink);
	return 0;
}
SHELL_COMMAND_DOC(pageout, "", "the page-out daemon of user processes: pageout [on|off]",
		  "pageout [on|off]",
		  "pageout off",
		  "its watermarks and work; on/off starts or stops reclaiming ahead of faults",
		  cmd_pageout);
