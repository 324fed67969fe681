/*
 * test_anon_transit.c - pages in transit in the user pool (mm/anon.c), with
 * real threads: the pool's lock is a pthread mutex, waiting for a page in
 * transit is a condition variable, and the swap device is a RAM one whose
 * calls can be held at a gate, so the test decides when an I/O ends. It
 * shows that the lock is released during I/O (another fault completes
 * meanwhile), that a second fault on a page in transit waits for the same
 * I/O (one read), that the release of a page being written out waits for
 * the write, that faults wait while every frame is in transit, and what the
 * page-out step (anon_reclaim) writes: clusters of adjacent slots, and
 * nothing lost when the write fails.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include "anon_rig.h"
#include "htest.h"

/* ---- a swap device with a gate ------------------------------------------ */

static struct {
	pthread_mutex_t m;
	pthread_cond_t c;
	bool closed;
	int held;                 /* calls waiting at the gate now */
	uint64_t reads, writes, runs;
	struct ramswap *rs;
} gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0, 0, 0, 0, 0 };

static void pass_gate(uint64_t *count)
{
	pthread_mutex_lock(&gate.m);
	while (gate.closed) {
		gate.held++;
		pthread_cond_wait(&gate.c, &gate.m);
		gate.held--;
	}
	(*count)++;
	pthread_mutex_unlock(&gate.m);
}

static int g_read(void *ctx, uint32_t slot, void *buf)
{
	pass_gate(&gate.reads);
	return rs_read(gate.rs, slot, buf);
}

static int g_write(void *ctx, uint32_t slot, const void *buf)
{
	pass_gate(&gate.writes);
	return rs_write(gate.rs, slot, buf);
}

static int g_write_run(void *ctx, uint32_t first, uint32_t n, const void *const *pages)
{
	pass_gate(&gate.runs);
	for (uint32_t i = 0; i < n; i++)
		if (rs_write(gate.rs, first + i, pages[i])) return -MM_EIO;
	return 0;
}

static void gate_set(bool closed)
{
	pthread_mutex_lock(&gate.m);
	gate.closed = closed;
	pthread_cond_broadcast(&gate.c);
	pthread_mutex_unlock(&gate.m);
}

static int gate_held(void)
{
	pthread_mutex_lock(&gate.m);
	int n = gate.held;
	pthread_mutex_unlock(&gate.m);
	return n;
}

/* ---- the pool's lock and waits ------------------------------------------- */

static pthread_mutex_t big = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t transit = PTHREAD_COND_INITIALIZER;

static void s_lock(void *ctx) { pthread_mutex_lock(&big); }
static void s_unlock(void *ctx) { pthread_mutex_unlock(&big); }
static void s_wait(void *ctx) { pthread_cond_wait(&transit, &big); }
static void s_wake(void *ctx) { pthread_cond_broadcast(&transit); }

static int rig_gated(struct rig *g, uint32_t nframes, uint32_t nslots)
{
	struct swap_dev dev = { "gated", nslots, g_read, g_write, 0, g_write_run };
	int err = rig_init_dev(g, nframes, nslots, "fifo", &dev);
	gate.rs = &g->rs;
	gate.reads = gate.writes = gate.runs = 0;
	g->ap.sync = (struct anon_sync){ s_lock, s_unlock, s_unlock, s_lock, s_wait, s_wake, 0, 0, 0 };
	return err;
}

/* A counter of the pool, read under its lock. */
static uint64_t locked_read(const uint64_t *v)
{
	pthread_mutex_lock(&big);
	uint64_t x = *v;
	pthread_mutex_unlock(&big);
	return x;
}

/* Wait (at most 10 s) until f() is true. */
static bool eventually(bool (*f)(void *), void *arg)
{
	for (int i = 0; i < 10000; i++) {
		if (f(arg)) return true;
		usleep(1000);
	}
	return false;
}

static bool one_held(void *arg) { return gate_held() == 1; }
static bool counter_set(void *arg) { return locked_read(arg) >= 1; }

/* ---- threads ------------------------------------------------------------- */

struct job {
	struct rig *g;
	struct vm_space *s;
	uint32_t page, value; /* get: the value read; put: the value written */
	bool write;
	int rc;
	pthread_t t;
};

static void *run_access(void *arg)
{
	struct job *j = arg;
	j->rc = j->write ? put(j->s, j->page, j->value) : VM_RESOLVED;
	if (!j->write) j->value = get(j->s, j->page);
	return 0;
}

static void *run_reclaim(void *arg)
{
	struct job *j = arg;
	j->rc = anon_reclaim(&j->g->ap, j->page, j->value);
	return 0;
}

static void *run_drop(void *arg)
{
	struct job *j = arg;
	drop(j->g, j->s);
	return 0;
}

static void start(struct job *j, void *(*fn)(void *)) { pthread_create(&j->t, 0, fn, j); }

/* Joins j within 10 s; false if it is still running. */
static bool finished(struct job *j)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	return pthread_timedjoin_np(j->t, 0, &ts) == 0;
}

static uint32_t resident_count(struct rig *g)
{
	pthread_mutex_lock(&big);
	uint32_t n = g->ap.pool.nresident;
	pthread_mutex_unlock(&big);
	return n;
}

/* ---- the tests ----------------------------------------------------------- */

HTEST(anon_transit_second_fault_waits_for_the_same_read)
{
	struct rig g;
	ASSERT_EQ(rig_gated(&g, 6, 64), 0);
	struct vm_space *p = space(&g, 8), *c = space(&g, 0), *q = space(&g, 2);
	ASSERT_TRUE(p && c && q);
	for (uint32_t i = 0; i < 8; i++) ASSERT_EQ(put(p, i, pattern(0, i)), VM_RESOLVED);
	ASSERT_EQ(vm_space_fork(c, p), 0); /* c shares every page, page 0 among them */
	EXPECT_EQ(anon_page_at(&g.ap, p, at(0, 0))->slot, REPL_NO_SLOT); /* FIFO sent 0 and 1 out */
	EXPECT_EQ(anon_reclaim(&g.ap, 2, 8), 2); /* two frames free: the faults below evict nothing */
	EXPECT_EQ(pool_free_slots(&g.ap.pool), 2);
	uint64_t reads = gate.reads;

	gate_set(true);
	struct job a = { &g, p, 0, 0, false, 0, 0 };
	start(&a, run_access);
	ASSERT_TRUE(eventually(one_held, 0)); /* a sleeps in its read, page 0 in transit */
	EXPECT_EQ(pthread_mutex_trylock(&big), 0); /* ... with the lock released */
	pthread_mutex_unlock(&big);
	struct job other = { &g, q, 0, 4242, true, 0, 0 };
	start(&other, run_access); /* a first touch in another space: no I/O */
	ASSERT_TRUE(finished(&other)); /* done while a still waits for the disk */
	EXPECT_EQ(other.value, 4242);
	EXPECT_EQ(gate_held(), 1);
	struct job b = { &g, c, 0, 0, false, 0, 0 };
	start(&b, run_access); /* the same page, through the child's mapping */
	ASSERT_TRUE(eventually(counter_set, &g.ap.stats.transit_waits));
	EXPECT_EQ(gate_held(), 1); /* b waits for a's read, it did not start one */
	gate_set(false);
	ASSERT_TRUE(finished(&a));
	ASSERT_TRUE(finished(&b));
	EXPECT_EQ(a.value, pattern(0, 0));
	EXPECT_EQ(b.value, pattern(0, 0));
	EXPECT_EQ(gate.reads, reads + 1);
	EXPECT_EQ(g.ap.stats.transit_waits, 1);
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	for (uint32_t i = 0; i < 8; i++) EXPECT_EQ(get(c, i), pattern(0, i));
	drop(&g, p);
	drop(&g, c);
	drop(&g, q);
	EXPECT_EQ(g.ap.live, 0);
	EXPECT_EQ(g.sw.stats.in_use, 0);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

HTEST(anon_transit_release_waits_for_the_write)
{
	struct rig g;
	ASSERT_EQ(rig_gated(&g, 4, 64), 0);
	struct vm_space *p = space(&g, 4);
	ASSERT_TRUE(p);
	for (uint32_t i = 0; i < 4; i++) ASSERT_EQ(put(p, i, pattern(1, i)), VM_RESOLVED);
	gate_set(true);
	struct job d = { &g, 0, 2, 2, false, 0, 0 }; /* want 2 free, take 2 at most */
	start(&d, run_reclaim);
	ASSERT_TRUE(eventually(one_held, 0)); /* both victims go in one write, held */
	pthread_mutex_lock(&big);
	EXPECT_EQ(g.ap.pool.nbusy, 2);
	EXPECT_EQ(g.ap.in_flight, 2);
	pthread_mutex_unlock(&big);
	struct job e = { &g, p, 0, 0, false, 0, 0 };
	start(&e, run_drop); /* the process ends while two of its pages are being written */
	ASSERT_TRUE(eventually(counter_set, &g.ap.stats.transit_waits));
	EXPECT_TRUE(pthread_tryjoin_np(e.t, 0) != 0); /* the release waits for the write */
	EXPECT_EQ(resident_count(&g) + g.ap.pool.nbusy, 4); /* nothing freed under the I/O */
	gate_set(false);
	ASSERT_TRUE(finished(&d));
	ASSERT_TRUE(finished(&e));
	EXPECT_EQ(d.rc, 2);
	EXPECT_EQ(gate.runs, 1);
	EXPECT_EQ(g.ap.live, 0);
	EXPECT_EQ(g.ap.pool.nbusy, 0);
	EXPECT_EQ(g.sw.stats.in_use, 0); /* the slots written went with the pages */
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

HTEST(anon_transit_fault_waits_while_every_frame_is_busy)
{
	struct rig g;
	ASSERT_EQ(rig_gated(&g, 2, 64), 0);
	struct vm_space *p = space(&g, 4);
	ASSERT_TRUE(p);
	for (uint32_t i = 0; i < 4; i++) ASSERT_EQ(put(p, i, pattern(2, i)), VM_RESOLVED);
	gate_set(true);
	struct job d = { &g, 0, 2, 2, false, 0, 0 };
	start(&d, run_reclaim); /* both frames busy, written in one request */
	ASSERT_TRUE(eventually(one_held, 0));
	struct job a = { &g, p, 0, 0, false, 0, 0 };
	start(&a, run_access); /* page 0 is in swap: no frame to load it into */
	ASSERT_TRUE(eventually(counter_set, &g.ap.stats.busy_waits));
	gate_set(false);
	ASSERT_TRUE(finished(&d));
	ASSERT_TRUE(finished(&a));
	EXPECT_EQ(a.value, pattern(2, 0));
	for (uint32_t i = 0; i < 4; i++) EXPECT_EQ(get(p, i), pattern(2, i));
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	drop(&g, p);
	EXPECT_EQ(g.sw.stats.in_use, 0);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

HTEST(anon_reclaim_clusters_and_keeps_pages_on_error)
{
	struct rig g;
	ASSERT_EQ(rig_gated(&g, 8, 64), 0);
	struct vm_space *p = space(&g, 8);
	ASSERT_TRUE(p);
	for (uint32_t i = 0; i < 8; i++) ASSERT_EQ(put(p, i, pattern(3, i)), VM_RESOLVED);
	/* a failing write: every page stays resident, mapped, unchanged */
	g.rs.fail_writes = 1;
	EXPECT_EQ(anon_reclaim(&g.ap, 4, 4), -MM_EIO);
	g.rs.fail_writes = 0;
	EXPECT_EQ(g.ap.pool.nresident, 8);
	EXPECT_EQ(g.sw.stats.in_use, 0);
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	for (uint32_t i = 0; i < 8; i++) EXPECT_EQ(get(p, i), pattern(3, i));
	/* four dirty pages in one write, to four adjacent slots */
	uint64_t runs = gate.runs, writes = gate.writes;
	EXPECT_EQ(anon_reclaim(&g.ap, 4, 8), 4);
	EXPECT_EQ(gate.runs, runs + 1);
	EXPECT_EQ(gate.writes, writes);
	EXPECT_EQ(g.ap.stats.cluster_pages, 4 + 4); /* (the failed attempt counted its four) */
	uint32_t first = SWAP_NO_SLOT, out = 0;
	for (uint32_t i = 0; i < 8; i++) {
		const struct anon_page *pg = anon_page_at(&g.ap, p, at(i, 0));
		if (pg->slot != REPL_NO_SLOT) continue;
		if (first == SWAP_NO_SLOT) first = pg->swap;
		EXPECT_EQ(pg->swap, first + out);
		out++;
	}
	EXPECT_EQ(out, 4);
	EXPECT_EQ(pool_free_slots(&g.ap.pool), 4);
	EXPECT_EQ(g.ap.pool.stats.reclaims, 4);
	/* clean pages with a valid copy are dropped without a write */
	for (uint32_t i = 0; i < 8; i++) EXPECT_EQ(get(p, i), pattern(3, i));
	runs = gate.runs;
	EXPECT_EQ(anon_reclaim(&g.ap, 8, 8), 8);
	EXPECT_EQ(gate.runs, runs + 1); /* the four never written yet, one run */
	EXPECT_EQ(anon_check(&g.ap, NULL), 0);
	for (uint32_t i = 0; i < 8; i++) EXPECT_EQ(get(p, i), pattern(3, i));
	drop(&g, p);
	EXPECT_EQ(g.sw.stats.in_use, 0);
	rig_fini(&g);
	EXPECT_EQ(fa.nallocated, 0);
}

HTEST(swap_runs_of_adjacent_slots)
{
	struct ramswap rs = { calloc(100, 4096), 100, 0 };
	struct swap_dev dev = { "ram", 100, rs_read, rs_write, &rs, 0 };
	struct swap_area sw;
	ASSERT_EQ(swap_init(&sw, &dev, &host_malloc), 0);
	for (uint32_t i = 0; i <= 40; i++) ASSERT_EQ(swap_alloc(&sw), i);
	for (uint32_t i = 5; i <= 9; i++) ASSERT_EQ(swap_free(&sw, i), 0);
	uint32_t first = 0;
	EXPECT_EQ(swap_alloc_run(&sw, 3, &first), 3); /* the first hole that holds 3: 5..7 */
	EXPECT_EQ(first, 5);
	EXPECT_EQ(swap_alloc_run(&sw, 10, &first), 10); /* 8..9 is too short: 41..50 */
	EXPECT_EQ(first, 41);
	EXPECT_EQ(sw.stats.in_use, 41 - 5 + 3 + 10);
	EXPECT_EQ(swap_check(&sw, NULL), 0);
	/* pages to 5..7 in one call, read back one by one */
	static uint32_t pages[3][1024];
	const void *bufs[3];
	for (uint32_t k = 0; k < 3; k++) {
		pages[k][0] = 1000 + k;
		pages[k][1023] = 2000 + k;
		bufs[k] = pages[k];
	}
	EXPECT_EQ(swap_write_run(&sw, 5, 3, bufs), 0);
	EXPECT_EQ(sw.stats.writes, 3);
	static uint32_t back[1024];
	for (uint32_t k = 0; k < 3; k++) {
		EXPECT_EQ(swap_read(&sw, 5 + k, back), 0);
		EXPECT_TRUE(back[0] == 1000 + k && back[1023] == 2000 + k);
	}
	EXPECT_EQ(swap_write_run(&sw, 7, 2, bufs), -MM_EINVAL); /* slot 8 is free */
	EXPECT_EQ(swap_write_run(&sw, 99, 2, bufs), -MM_EINVAL); /* past the end */
	/* a run longer than any hole gets the longest one found */
	EXPECT_EQ(swap_alloc_run(&sw, 60, &first), 49); /* 51..99 */
	EXPECT_EQ(first, 51);
	EXPECT_EQ(swap_alloc_run(&sw, 4, &first), 2); /* 8..9, the last hole */
	EXPECT_EQ(first, 8);
	uint64_t full = sw.stats.full;
	EXPECT_EQ(swap_alloc_run(&sw, 1, &first), 0);
	EXPECT_EQ(sw.stats.full, full + 1);
	EXPECT_EQ(sw.stats.in_use, 100);
	EXPECT_EQ(swap_check(&sw, NULL), 0);
	swap_fini(&sw, &host_malloc);
	free(rs.pages);
}
