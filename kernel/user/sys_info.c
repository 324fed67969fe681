/*
 * sys_info.c - system calls about time and the system: time, gettimeofday,
 * clock_gettime (32- and 64-bit), clock_getres, nanosleep and
 * clock_nanosleep, sched_yield, uname, getrandom and sysinfo. Time of day
 * is the CMOS clock at boot plus PIT ticks (10 ms); CLOCK_MONOTONIC counts
 * from boot. Random bytes mix the cycle counter into a xorshift generator:
 * unpredictable enough for AT_RANDOM and hash seeds, not for cryptography.
 */
#include "io.h"
#include "kernel.h"
#include "mem.h"
#include "mmlib.h"
#include "syscall.h"
#include "uaccess.h"
#include "upool.h"
#include "uproc.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define NSEC_PER_TICK ((uint32_t)(1000000000u / pit_hz)) /* the PIT rate the timer runs at */

extern uint32_t rtc_boot_seconds;

static uint64_t now_ns(void) { return pit_ticks() * NSEC_PER_TICK; }

static uint64_t clock_ns(uint32_t clock)
{
	uint64_t ns = now_ns();
	return clock == CLOCK_REALTIME ? ns + (uint64_t)rtc_boot_seconds * 1000000000ull : ns;
}

static bool clock_ok(uint32_t c) { return c <= 7; } /* realtime, monotonic, cputime ones, raw, coarse, boottime */

static int32_t sys_time(struct sys_args *a)
{
	uint32_t t = (uint32_t)(clock_ns(CLOCK_REALTIME) / 1000000000ull);
	if (a->a[0] && copy_to_user(a->a[0], &t, 4)) return -EFAULT;
	return (int32_t)t;
}
SYSCALL(13, time, sys_time);

static int32_t sys_gettimeofday(struct sys_args *a)
{
	uint64_t ns = clock_ns(CLOCK_REALTIME);
	uint32_t tv[2] = { (uint32_t)(ns / 1000000000ull), (uint32_t)(ns % 1000000000ull / 1000) };
	if (a->a[0] && copy_to_user(a->a[0], tv, sizeof tv)) return -EFAULT;
	if (a->a[1]) {
		static const uint32_t tz[2];
		if (copy_to_user(a->a[1], tz, sizeof tz)) return -EFAULT;
	}
	return 0;
}
SYSCALL(78, gettimeofday, sys_gettimeofday);

static int32_t sys_clock_gettime(struct sys_args *a)
{
	if (!clock_ok(a->a[0])) return -EINVAL;
	uint64_t ns = clock_ns(a->a[0]);
	uint32_t ts[2] = { (uint32_t)(ns / 1000000000ull), (uint32_t)(ns % 1000000000ull) };
	return copy_to_user(a->a[1], ts, sizeof ts);
}
SYSCALL(265, clock_gettime, sys_clock_gettime);

static int32_t sys_clock_gettime64(struct sys_args *a)
{
	if (!clock_ok(a->a[0])) return -EINVAL;
	uint64_t ns = clock_ns(a->a[0]);
	uint64_t ts[2] = { ns / 1000000000ull, ns % 1000000000ull };
	return copy_to_user(a->a[1], ts, sizeof ts);
}
SYSCALL(403, clock_gettime64, sys_clock_gettime64);

static int32_t sys_clock_getres(struct sys_args *a)
{
	if (!clock_ok(a->a[0])) return -EINVAL;
	uint32_t ts[2] = { 0, NSEC_PER_TICK };
	return a->a[1] ? copy_to_user(a->a[1], ts, sizeof ts) : 0;
}
SYSCALL(266, clock_getres, sys_clock_getres);

/* Sleep until tick `until`, a tick at a time so that a kill ends it. */
static int32_t sleep_until(uint64_t until)
{
	struct uproc *p = uproc_current();
	while (pit_ticks() < until) {
		if (uproc_interrupted(p)) return -EINTR;
		thread_sleep_ticks(1);
	}
	return 0;
}

static uint64_t ticks_of(uint64_t sec, uint64_t nsec)
{
	return (sec * 1000000000ull + nsec + NSEC_PER_TICK - 1) / NSEC_PER_TICK;
}

static int32_t sys_nanosleep(struct sys_args *a)
{
	uint32_t ts[2];
	if (copy_from_user(ts, a->a[0], sizeof ts)) return -EFAULT;
	if (ts[1] >= 1000000000u || (int32_t)ts[0] < 0) return -EINVAL;
	return sleep_until(pit_ticks() + ticks_of(ts[0], ts[1]));
}
SYSCALL(162, nanosleep, sys_nanosleep);

static int32_t sys_clock_nanosleep(struct sys_args *a)
{
	uint32_t ts[2];
	if (!clock_ok(a->a[0])) return -EINVAL;
	if (copy_from_user(ts, a->a[2], sizeof ts)) return -EFAULT;
	if (ts[1] >= 1000000000u) return -EINVAL;
	uint64_t t = ticks_of(ts[0], ts[1]);
	if (a->a[1] & 1) { /* TIMER_ABSTIME */
		uint64_t base = clock_ns(a->a[0]) / NSEC_PER_TICK;
		return sleep_until(pit_ticks() + (t > base ? t - base : 0));
	}
	return sleep_until(pit_ticks() + t);
}
SYSCALL(267, clock_nanosleep, sys_clock_nanosleep);

static int32_t sys_sched_yield(struct sys_args *a)
{
	thread_yield();
	return 0;
}
SYSCALL(158, sched_yield, sys_sched_yield);

static int32_t sys_uname(struct sys_args *a)
{
	static const char fields[6][65] = { "Linux", "mmk", "6.1.0-mmk", "mmk: a kernel about memory management",
					    "i686", "(none)" };
	return copy_to_user(a->a[0], fields, sizeof fields);
}
SYSCALL(122, uname, sys_uname);

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

void urandom_fill(void *buf, uint32_t n);
void urandom_fill(void *buf, uint32_t n)
{
	uint8_t *b = buf;
	for (uint32_t i = 0; i < n; i++) {
		if (i % 8 == 0) {
			rnd_state ^= rdtsc() * 0xff51afd7ed558ccdull;
			rnd_state ^= rnd_state << 13;
			rnd_state ^= rnd_state >> 7;
			rnd_state ^= rnd_state << 17;
		}
		b[i] = (uint8_t)(rnd_state >> (8 * (i % 8)));
	}
}

static int32_t sys_getrandom(struct sys_args *a)
{
	uint32_t buf = a->a[0], n = a->a[1];
	if (a->a[2] & ~7u) return -EINVAL;
	if (n > 65536) n = 65536;
	if (uaccess_ok(buf, n, true)) return -EFAULT;
	uint8_t tmp[256];
	for (uint32_t done = 0; done < n;) {
		uint32_t k = n - done < sizeof tmp ? n - done : sizeof tmp;
		urandom_fill(tmp, k);
		if (copy_to_user(buf + done, tmp, k)) return -EFAULT;
		done += k;
	}
	return (int32_t)n;
}
SYSCALL(355, getrandom, sys_getrandom);

static void count_one(struct uproc *p, void *arg) { ++*(uint32_t *)arg; }

/* struct sysinfo (64 bytes on i386): uptime, loads, RAM and swap, procs. */
static int32_t sys_sysinfo(struct sys_args *a)
{
	uint32_t si[16] = { 0 };
	si[0] = (uint32_t)(pit_ticks() / pit_hz);
	si[4] = kframes.npfns;
	si[5] = kframes_free();
	si[13] = PAGE_SIZE; /* mem_unit: the counts above are pages */
	struct anon_pool *u = upool_peek();
	if (u) {
		si[8] = u->swap->dev.nslots;
		si[9] = u->swap->dev.nslots - u->swap->stats.in_use;
	}
	uint32_t nprocs = 0;
	uproc_each(count_one, &nprocs);
	si[10] = nprocs;
	return copy_to_user(a->a[0], si, sizeof si);
}
SYSCALL(116, sysinfo, sys_sysinfo);
