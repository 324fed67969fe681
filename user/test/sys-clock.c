/*
 * sys-clock - the clocks move forward: CLOCK_MONOTONIC never goes back over
 * many readings (with tv_nsec below 10^9); CLOCK_REALTIME, gettimeofday and
 * time agree within two seconds; a 50 ms nanosleep moves CLOCK_MONOTONIC
 * by at least 25 ms (a tick-based clock may be coarse) and sched_yield
 * returns 0. clock_gettime into NULL returns -EFAULT.
 */
#include "utest.h"

const char test_name[] = "sys-clock";

static int64_t mono_ns(void)
{
	struct timespec ts;
	int rc = clock_gettime(CLOCK_MONOTONIC, &ts);
	if (rc != 0) fail("clock_gettime(CLOCK_MONOTONIC) returned %d", rc);
	if (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L) fail("tv_nsec %ld out of range", ts.tv_nsec);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void monotonic(void)
{
	int64_t last = mono_ns();
	for (int i = 0; i < 10000; i++) {
		int64_t now = mono_ns();
		if (now < last) fail("CLOCK_MONOTONIC went back at reading %d", i);
		last = now;
	}
}

static void wall_clocks_agree(void)
{
	struct timespec rt;
	struct timeval tv;
	long t = 0;
	if (clock_gettime(CLOCK_REALTIME, &rt) != 0) fail("clock_gettime(CLOCK_REALTIME) failed");
	if (gettimeofday(&tv, NULL) != 0) fail("gettimeofday failed");
	long t2 = time(&t);
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000L) fail("tv_usec %ld out of range", tv.tv_usec);
	if (t2 != t) fail("time returned %ld but stored %ld", t2, t);
	if (tv.tv_sec < rt.tv_sec || tv.tv_sec - rt.tv_sec > 2 || t2 < tv.tv_sec || t2 - tv.tv_sec > 2)
		fail("the wall clocks disagree: %ld, %ld, %ld", rt.tv_sec, tv.tv_sec, t2);
}

int main(void)
{
	monotonic();
	wall_clocks_agree();
	int64_t before = mono_ns();
	struct timespec nap = { 0, 50 * 1000000L };
	int rc = nanosleep(&nap, NULL);
	if (rc != 0) fail("nanosleep returned %d", rc);
	int64_t slept = mono_ns() - before;
	if (slept < 25 * 1000000LL) fail("a 50 ms nanosleep took %ld us", (long)(slept / 1000));
	if (sched_yield() != 0) fail("sched_yield failed");
	rc = clock_gettime(CLOCK_MONOTONIC, NULL);
	if (rc != -EFAULT) fail("clock_gettime into NULL returned %d, not -EFAULT", rc);
	pass();
}
