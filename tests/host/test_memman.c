/*
 * test_memman.c - the memman core: trace parsing and validation
 * (mm/sim/memman_trace.c), the event order and the reference simulator
 * (mm/sim/memman_sim.c), the byte images and their xxd dump, and the VMM
 * request parser (mm/sim/vmm_input.c).
 *
 * - parsing: a good trace field by field; every refusal with its line
 *   number, nothing allocated and nothing returned; the shipped cases;
 * - events: the order worked out by hand on a small trace (arrivals, a
 *   rejection, accesses in line order, ends, ticks, interval ticks);
 * - simulation: fault counts worked out by hand on the three shipped
 *   traces for FIFO, Second-Chance, LRU and OPT; frames reused lowest
 *   first after an end; rejection and coalescing through the simulator;
 *   images and maps as text; out-of-memory at every allocation;
 * - thousands of random traces against the independent naive model of
 *   tests/host/memman_ref.h: fault totals and per process, rejections,
 *   and at the end of every time the frames (FIFO, LRU, SC: the policy
 *   and the lowest-free-frame rule decide them) and both byte images;
 * - xxd: a dump checked against bytes printed by `xxd -g 1` and, when the
 *   tool is installed, against the tool itself on random buffers;
 * - vmm_input: the shipped samples, blanks, and every refusal.
 */
#include <stdlib.h>
#include <unistd.h>
#include "host_sink.h"
#include "htest.h"
#include "host_alloc.h"
#include "memman_ref.h"
#include "memman_sim.h"
#include "vmm_input.h"
#include "mmlib.h"
#include "host_file.h"

#define CASES "tests/data/cases/"

static int parse_text(const char *text, unsigned flags, struct memman_trace *t, struct memman_error *err)
{
	return memman_trace_parse(text, strlen(text), flags, &host_malloc, t, err);
}

static void free_trace(struct memman_trace *t)
{
	memman_trace_free(t, &host_malloc);
}

/* ---- parsing ----------------------------------------------------------------- */

HTEST(memman_trace_parse_good)
{
	struct memman_trace t;
	struct memman_error err;
	ASSERT_EQ(parse_text("64 128\n0 alpha 5 20 0 0\t19 5\n\n  2\tbeta 2 1 0 2 \r\n", 0, &t, &err), 0);
	EXPECT_EQ(t.total_mem, 64);
	EXPECT_EQ(t.virtual_mem, 128);
	EXPECT_EQ(t.nframes, 4);
	EXPECT_EQ(t.nvpages, 8);
	ASSERT_EQ(t.nprocs, 2);
	ASSERT_EQ(t.naccesses, 3);
	const struct memman_proc *a = &t.procs[0], *b = &t.procs[1];
	EXPECT_STREQ(a->name, "alpha");
	EXPECT_EQ(a->id, 0);
	EXPECT_EQ(a->line, 2);
	EXPECT_EQ(a->t0, 0);
	EXPECT_EQ(a->tf, 5);
	EXPECT_EQ(a->nbytes, 20);
	EXPECT_EQ(a->npages, 2);
	EXPECT_EQ(a->first, 0);
	EXPECT_EQ(a->naccesses, 2);
	EXPECT_EQ(t.accesses[0].pos, 0);
	EXPECT_EQ(t.accesses[0].time, 0);
	EXPECT_EQ(t.accesses[1].pos, 19);
	EXPECT_EQ(t.accesses[1].time, 5);
	EXPECT_STREQ(b->name, "beta");
	EXPECT_EQ(b->id, 1);
	EXPECT_EQ(b->line, 4);
	EXPECT_EQ(b->npages, 1);
	EXPECT_EQ(b->first, 2);
	EXPECT_EQ(b->naccesses, 1);
	EXPECT_EQ(t.accesses[2].time, 2);
	EXPECT_EQ(memman_page_of(19), 1);
	free_trace(&t);
	/* No process at all is a valid (idle) trace; no newline at the end. */
	ASSERT_EQ(parse_text("16 16", 0, &t, &err), 0);
	EXPECT_EQ(t.nprocs, 0);
	EXPECT_TRUE(t.procs == NULL && t.accesses == NULL);
	free_trace(&t);
}

struct bad_case {
	const char *text;
	uint32_t line;
	const char *says;
};

static const struct bad_case bad_traces[] = {
	{ "", 0, "empty trace" },
	{ "\n  \n", 0, "empty trace" },
	{ "32\n", 1, "expected 'total_mem virtual_mem', found 1 fields" },
	{ "32 64 1\n", 1, "found 3 fields" },
	{ "0 64\n", 1, "total_mem 0 is not a positive multiple of 16" },
	{ "32 100\n", 1, "virtual_mem 100 is not a positive multiple of 16" },
	{ "32 x\n", 1, "virtual_mem 'x' is not a number" },
	{ "32 -16\n", 1, "virtual_mem '-16' is not a number" },
	{ "32 0x20\n", 1, "virtual_mem '0x20' is not a number" },
	{ "536870912 64\n", 1, "total_mem 536870912 is too big" },
	{ "32 64\n1 p 3 16 1\n", 2, "found 5 fields" },
	{ "32 64\n1 p 3 16\n", 2, "found 4 fields" },
	{ "32 64\n1 p 3 16 1 1 2\n", 2, "odd number of p/t fields" },
	{ "32 64\n1 p 3 16 1 1 2 2\n\n1 q 0 16 1 1\n", 4, "tf 0 is before t0 1" },
	{ "32 64\n1 p 3 0 0 1\n", 2, "b is 0" },
	{ "32 64\n1 p 3 16 16 1\n", 2, "access position 16 outside [0, 16)" },
	{ "32 64\n1 p 3 16 0 4\n", 2, "access time 4 outside [1, 3]" },
	{ "32 64\n1 p 3 16 0 0\n", 2, "access time 0 outside [1, 3]" },
	{ "32 64\nx p 3 16 0 1\n", 2, "t0 'x' is not a number" },
	{ "32 64\n1 p y 16 0 1\n", 2, "tf 'y' is not a number" },
	{ "32 64\n1 p 3 1z 0 1\n", 2, "b '1z' is not a number" },
	{ "32 64\n1 p 3 16 a 1\n", 2, "access position 'a' is not a number" },
	{ "32 64\n1 p 3 16 0 4294967296\n", 2, "access time '4294967296' is not a number" },
	{ "32 64\n1 p 3 16 0 +1\n", 2, "access time '+1' is not a number" },
	{ "32 64\n1 abcdefghijklmnopqrstuvwxyz0123456 3 16 0 1\n", 2, "is longer than 32 characters" },
	{ "32 64\n1 p\x01 3 16 0 1\n", 2, "unexpected byte 0x01" },
	{ "32 64\n1 p 3 16 0 1\n\xc3\xa9\n", 3, "unexpected byte 0xc3" },
	{ "32 64\n1 p 3 16 0 1\n# comment\n", 3, "found 2 fields" },
};

HTEST(memman_trace_refusals)
{
	for (size_t i = 0; i < MM_ARRAY_SIZE(bad_traces); i++) {
		const struct bad_case *c = &bad_traces[i];
		struct host_alloc_ctx ctx = { -1, 0 };
		struct mm_allocator a = host_allocator(&ctx);
		struct memman_trace t;
		struct memman_error err;
		int rc = memman_trace_parse(c->text, strlen(c->text), 0, &a, &t, &err);
		EXPECT_EQ(rc, -MM_EINVAL);
		EXPECT_EQ(err.line, c->line);
		if (!strstr(err.msg, c->says))
			htest_fail(__FILE__, __LINE__, "case %zu: message \"%s\" lacks \"%s\"", i, err.msg, c->says);
		char prefix[32] = "";
		if (c->line) snprintf(prefix, sizeof prefix, "line %u: ", c->line);
		EXPECT_EQ(strncmp(err.msg, prefix, strlen(prefix)), 0);
		EXPECT_TRUE(t.procs == NULL && t.accesses == NULL && t.nprocs == 0);
		EXPECT_EQ(ctx.live, 0);
	}
}

HTEST(memman_trace_process_limit)
{
	struct tbuf b = { 0 };
	struct mm_sink s = tbuf_sink(&b);
	mm_format(&s, "16 4096\n");
	for (int i = 0; i < 255; i++) mm_format(&s, "0 p%d 1 1 0 1\n", i);
	struct memman_trace t;
	struct memman_error err;
	ASSERT_EQ(parse_text(b.s, 0, &t, &err), 0);
	EXPECT_EQ(t.nprocs, 255);
	EXPECT_EQ(t.procs[254].id, 254);
	EXPECT_STREQ(t.procs[254].name, "p254");
	free_trace(&t);
	mm_format(&s, "\n0 one-too-many 1 1 0 1\n");
	EXPECT_EQ(parse_text(b.s, 0, &t, &err), -MM_EINVAL);
	EXPECT_EQ(err.line, 258);
	EXPECT_TRUE(strstr(err.msg, "more than 255 processes") != NULL);
	free(b.s);
}

HTEST(memman_trace_round_flag)
{
	struct memman_trace t;
	struct memman_error err;
	EXPECT_EQ(parse_text("100 100\n0 p 2 10 1 1\n", 0, &t, &err), -MM_EINVAL);
	EXPECT_EQ(err.line, 1);
	ASSERT_EQ(parse_text("100 100\n0 p 2 10 1 1\n", MEMMAN_TRACE_ROUND, &t, &err), 0);
	EXPECT_EQ(t.total_mem, 100);
	EXPECT_EQ(t.nframes, 6);
	EXPECT_EQ(t.nvpages, 6);
	free_trace(&t);
	EXPECT_EQ(parse_text("8 64\n", MEMMAN_TRACE_ROUND, &t, &err), -MM_EINVAL);
	EXPECT_TRUE(strstr(err.msg, "total_mem 8 is less than one page") != NULL);
}

HTEST(memman_trace_out_of_memory)
{
	const char *text = "32 64\n1 p 3 16 1 1 2 2\n";
	for (long fail = 0; fail < 2; fail++) {
		struct host_alloc_ctx ctx = { fail, 0 };
		struct mm_allocator a = host_allocator(&ctx);
		struct memman_trace t;
		struct memman_error err;
		EXPECT_EQ(memman_trace_parse(text, strlen(text), 0, &a, &t, &err), -MM_ENOMEM);
		EXPECT_TRUE(t.procs == NULL && t.nprocs == 0);
		EXPECT_EQ(ctx.live, 0);
	}
}

static int load_case(const char *name, unsigned flags, struct memman_trace *t, struct memman_error *err)
{
	char path[256];
	size_t n;
	snprintf(path, sizeof path, CASES "memman/%s", name);
	char *text = host_read_file(path, &n);
	if (!text) {
		htest_fail(__FILE__, __LINE__, "cannot read %s", path);
		return -1;
	}
	int rc = memman_trace_parse(text, n, flags, &host_malloc, t, err);
	free(text);
	return rc;
}

HTEST(memman_trace_case_files)
{
	struct memman_trace t;
	struct memman_error err;
	ASSERT_EQ(load_case("trace-few-accesses.txt", 0, &t, &err), 0);
	EXPECT_EQ(t.nprocs, 30);
	EXPECT_EQ(t.naccesses, 60);
	EXPECT_EQ(t.nframes, 2);
	EXPECT_EQ(t.nvpages, 100);
	EXPECT_STREQ(t.procs[29].name, "proc-30");
	free_trace(&t);
	ASSERT_EQ(load_case("trace-single-proc-single-access.txt", 0, &t, &err), 0);
	EXPECT_EQ(t.nprocs, 1);
	EXPECT_EQ(t.nvpages, 4);
	free_trace(&t);
	/* "100 100": sizes that are not whole pages are refused... */
	EXPECT_EQ(load_case("trace.txt", 0, &t, &err), -MM_EINVAL);
	EXPECT_EQ(err.line, 1);
	/* ...unless rounding down is asked for. */
	ASSERT_EQ(load_case("trace.txt", MEMMAN_TRACE_ROUND, &t, &err), 0);
	EXPECT_EQ(t.nprocs, 4);
	EXPECT_EQ(t.nframes, 6);
	free_trace(&t);
}

/* ---- the event order --------------------------------------------------------- */

/*
 * 3 frames, 4 virtual pages. B arrives at 1 (1 page); at 2 A arrives (2
 * pages, after B: pages 1-2), then C (3 pages) finds only page 3 and is
 * rejected. Accesses at 2 in line order: A's, then B's two; B ends at 2.
 * At 3 A's access to page 1 (C's access and end are skipped); A's last
 * access and its end at 4.
 */
static const char events_trace[] =
	"48 64\n"
	"2 A 4 32 17 3 0 2 5 4\n"
	"1 B 2 16 3 2 4 2\n"
	"2 C 3 40 0 3\n";

struct want_event {
	enum memman_event_kind kind;
	uint32_t time, proc, base, npages, page, vpage;
};

static const struct want_event want_events[] = {
	{ MEMMAN_EV_ARRIVE, 1, 1, 0, 1, 0, 0 },
	{ MEMMAN_EV_TICK, 1, 0, 0, 0, 0, 0 },
	{ MEMMAN_EV_ARRIVE, 2, 0, 1, 2, 0, 0 },
	{ MEMMAN_EV_REJECT, 2, 2, FIT_NONE, 3, 0, 0 },
	{ MEMMAN_EV_ACCESS, 2, 0, 1, 0, 0, 1 },
	{ MEMMAN_EV_ACCESS, 2, 1, 0, 0, 0, 0 },
	{ MEMMAN_EV_ACCESS, 2, 1, 0, 0, 0, 0 },
	{ MEMMAN_EV_END, 2, 1, 0, 1, 0, 0 },
	{ MEMMAN_EV_TICK, 2, 0, 0, 0, 0, 0 },
	{ MEMMAN_EV_ACCESS, 3, 0, 1, 0, 1, 2 },
	{ MEMMAN_EV_TICK, 3, 0, 0, 0, 0, 0 },
	{ MEMMAN_EV_ACCESS, 4, 0, 1, 0, 0, 1 },
	{ MEMMAN_EV_END, 4, 0, 1, 2, 0, 0 },
	{ MEMMAN_EV_TICK, 4, 0, 0, 0, 0, 0 },
};

HTEST(memman_events_hand_order)
{
	struct memman_trace t;
	struct memman_error err;
	struct memman_events it;
	struct memman_event ev;
	ASSERT_EQ(parse_text(events_trace, 0, &t, &err), 0);
	ASSERT_EQ(memman_events_init(&it, &t, &fit_first_ops, 0, &host_malloc), 0);
	for (size_t i = 0; i < MM_ARRAY_SIZE(want_events); i++) {
		const struct want_event *w = &want_events[i];
		ASSERT_EQ(memman_events_next(&it, &ev), 1);
		EXPECT_EQ(ev.kind, w->kind);
		EXPECT_EQ(ev.time, w->time);
		if (w->kind == MEMMAN_EV_TICK) continue;
		EXPECT_EQ(ev.proc, w->proc);
		if (w->kind != MEMMAN_EV_ACCESS) EXPECT_EQ(ev.npages, w->npages);
		EXPECT_EQ(ev.base, w->base);
		if (w->kind == MEMMAN_EV_ACCESS) {
			EXPECT_EQ(ev.page, w->page);
			EXPECT_EQ(ev.vpage, w->vpage);
		}
		EXPECT_EQ(memman_events_check(&it, NULL), 0);
	}
	EXPECT_EQ(memman_events_next(&it, &ev), 0);
	EXPECT_EQ(memman_events_next(&it, &ev), 0);
	/* One line per event, as the shell may show them. */
	struct tbuf out = { 0 };
	struct mm_sink sink = tbuf_sink(&out);
	struct memman_event shown_ev = { MEMMAN_EV_ACCESS, 3, 0, 1, 0, 17, 1, 2, 1 };
	memman_print_event(&t, &shown_ev, &sink);
	shown_ev.kind = MEMMAN_EV_REJECT;
	shown_ev.proc = 2;
	shown_ev.npages = 3;
	memman_print_event(&t, &shown_ev, &sink);
	EXPECT_STREQ(out.s, "t=3 access process 0 (A) pos 17 page 1 vpage 2\n"
			    "t=3 reject process 2 (C) needing 3 pages\n");
	free(out.s);
	EXPECT_EQ(memman_events_state(&it, 0), MEMMAN_ENDED);
	EXPECT_EQ(memman_events_state(&it, 2), MEMMAN_REJECTED);
	EXPECT_EQ(fit_space(&it.fit)->nholes, 1);
	memman_events_fini(&it);

	struct trace_ref *refs;
	size_t n;
	ASSERT_EQ(memman_refstring(&t, &fit_first_ops, &host_malloc, &refs, &n), 0);
	static const uint64_t want_keys[] = { 0, 1ull << 32, 1ull << 32, 1, 0 };
	ASSERT_EQ(n, MM_ARRAY_SIZE(want_keys));
	for (size_t i = 0; i < n; i++) {
		EXPECT_TRUE(refs[i].page == want_keys[i]);
		EXPECT_EQ(refs[i].is_write, 1);
	}
	mm_free(&host_malloc, refs);
	free_trace(&t);
}

/* The times of the TICKs of a one-process trace with a gap, per interval. */
static void tick_times(uint32_t interval, uint32_t *times, size_t *n)
{
	struct memman_trace t;
	struct memman_error err;
	struct memman_events it;
	struct memman_event ev;
	*n = 0;
	if (parse_text("16 16\n5 P 9 1 0 9\n", 0, &t, &err) != 0) return;
	if (memman_events_init(&it, &t, &fit_next_ops, interval, &host_malloc) == 0) {
		while (memman_events_next(&it, &ev) > 0)
			if (ev.kind == MEMMAN_EV_TICK) times[(*n)++] = ev.time;
		memman_events_fini(&it);
	}
	free_trace(&t);
}

HTEST(memman_events_interval_ticks)
{
	uint32_t times[16];
	size_t n;
	tick_times(0, times, &n);
	ASSERT_EQ(n, 2);
	EXPECT_EQ(times[0], 5);
	EXPECT_EQ(times[1], 9);
	tick_times(4, times, &n); /* multiples 0, 4, 8 up to the last end, 9 */
	ASSERT_EQ(n, 5);
	EXPECT_EQ(times[0], 0);
	EXPECT_EQ(times[1], 4);
	EXPECT_EQ(times[2], 5);
	EXPECT_EQ(times[3], 8);
	EXPECT_EQ(times[4], 9);
	tick_times(10, times, &n);
	ASSERT_EQ(n, 3);
	EXPECT_EQ(times[0], 0);
	EXPECT_EQ(times[1], 5);
	EXPECT_EQ(times[2], 9);
}

HTEST(memman_events_large_times)
{
	/* Times near 2^32 and a huge gap: no integer-by-integer walk. */
	struct memman_trace t;
	struct memman_error err;
	struct memman_events it;
	struct memman_event ev;
	ASSERT_EQ(parse_text("16 16\n0 P 4294967295 1 0 0 0 4294967295\n", 0, &t, &err), 0);
	ASSERT_EQ(memman_events_init(&it, &t, &fit_first_ops, 0, &host_malloc), 0);
	int n = 0;
	uint32_t last = 0;
	while (memman_events_next(&it, &ev) > 0) {
		n++;
		last = ev.time;
	}
	EXPECT_EQ(n, 6); /* arrive, access, tick; access, end, tick */
	EXPECT_EQ(last, 4294967295u);
	memman_events_fini(&it);
	free_trace(&t);
}

/* ---- the simulator on hand-worked traces ------------------------------------- */

static int run_sim(const struct memman_trace *t, const char *fit, const char *policy, uint64_t *faults)
{
	struct memman_sim s;
	struct memman_sim_config cfg = { fit_lookup(fit), repl_lookup(policy), 1, 0, false };
	int rc = memman_sim_init(&s, t, &cfg, &host_malloc);
	if (rc) return rc;
	rc = memman_sim_run(&s, NULL);
	*faults = s.faults;
	if (!rc) rc = memman_sim_check(&s, NULL);
	memman_sim_fini(&s);
	return rc;
}

HTEST(memman_sim_case_counts)
{
	/*
	 * few-accesses: 30 one-page processes, 2 frames; each touches its page
	 * at 1 then at 2. FIFO, SC, LRU: the two pages left from time 1 (28
	 * and 29) are evicted by 0 and 1 before their turn: 30 + 30 faults.
	 * OPT keeps page 0 all through time 1 (next use soonest), so at time
	 * 2 both 0 and 29 hit: 30 + 28.
	 * single: one page touched twice: 1 fault. trace.txt: 4 processes of
	 * one page, 6 frames: 4 first touches, then hits.
	 */
	static const struct { const char *file; unsigned flags; uint64_t want[4]; } cases[] = {
		{ "trace-few-accesses.txt", 0, { 60, 60, 60, 58 } },
		{ "trace-single-proc-single-access.txt", 0, { 1, 1, 1, 1 } },
		{ "trace.txt", MEMMAN_TRACE_ROUND, { 4, 4, 4, 4 } },
	};
	static const char *const policies[] = { "fifo", "sc", "lru", "opt" };
	for (size_t c = 0; c < MM_ARRAY_SIZE(cases); c++) {
		struct memman_trace t;
		struct memman_error err;
		ASSERT_EQ(load_case(cases[c].file, cases[c].flags, &t, &err), 0);
		for (size_t p = 0; p < 4; p++) {
			for (size_t f = 0; f < fit_count(); f++) {
				uint64_t faults = 0;
				EXPECT_EQ(run_sim(&t, fit_at(f)->name, policies[p], &faults), 0);
				if (faults != cases[c].want[p])
					htest_fail(__FILE__, __LINE__, "%s %s %s: %llu faults, want %llu",
						   cases[c].file, policies[p], fit_at(f)->name,
						   (unsigned long long)faults,
						   (unsigned long long)cases[c].want[p]);
			}
		}
		free_trace(&t);
	}
}

/* Step to the TICK of time `when`; false if it never comes. */
static bool step_to_tick(struct memman_sim *s, uint32_t when)
{
	struct memman_event ev;
	while (memman_sim_step(s, &ev) > 0)
		if (ev.kind == MEMMAN_EV_TICK && ev.time == when) return true;
	return false;
}

HTEST(memman_sim_frames_reused_lowest_first)
{
	/* events_trace: A0 -> frame 0, B0 -> frame 1; B ends at 2, so A's page
	 * 1 at time 3 takes frame 1, the lowest free one, not frame 2. */
	struct memman_trace t;
	struct memman_error err;
	struct memman_sim s;
	struct memman_sim_config cfg = { &fit_first_ops, &repl_fifo_ops, 1, 0, false };
	ASSERT_EQ(parse_text(events_trace, 0, &t, &err), 0);
	ASSERT_EQ(memman_sim_init(&s, &t, &cfg, &host_malloc), 0);
	uint64_t keys[3];
	ASSERT_TRUE(step_to_tick(&s, 2));
	memman_sim_frames(&s, keys);
	EXPECT_TRUE(keys[0] == memman_page_key(0, 0));
	EXPECT_TRUE(keys[1] == MEMMAN_NO_PAGE);
	EXPECT_TRUE(keys[2] == MEMMAN_NO_PAGE);
	ASSERT_TRUE(step_to_tick(&s, 3));
	memman_sim_frames(&s, keys);
	EXPECT_TRUE(keys[1] == memman_page_key(0, 1));
	EXPECT_TRUE(keys[2] == MEMMAN_NO_PAGE);
	uint8_t mem[48], want[48];
	memman_sim_mem_image(&s, mem);
	memset(want, 0xff, sizeof want);
	memset(want, 0, 32); /* frames 0 and 1: process 0 */
	EXPECT_EQ(memcmp(mem, want, sizeof want), 0);
	memman_mem_image(keys, 3, mem, sizeof mem); /* the same from the keys */
	EXPECT_EQ(memcmp(mem, want, sizeof want), 0);
	struct tbuf map = { 0 };
	struct mm_sink map_sink = tbuf_sink(&map);
	memman_print_frames(&t, keys, 3, &map_sink);
	EXPECT_STREQ(map.s, "physical memory: 3 frames of 16 bytes, 1 free\n"
			    "  frame 0: process 0 (A) page 0\n"
			    "  frame 1: process 0 (A) page 1\n"
			    "  frame 2: free\n");
	free(map.s);
	EXPECT_EQ(memman_sim_check(&s, NULL), 0);
	EXPECT_EQ(memman_sim_run(&s, NULL), 0);
	EXPECT_EQ(s.faults, 3);
	EXPECT_EQ(s.proc_faults[0], 2);
	EXPECT_EQ(s.proc_faults[1], 1);
	EXPECT_EQ(s.rejected, 1);
	EXPECT_EQ(s.accesses, 5);
	struct tbuf out = { 0 };
	struct mm_sink sink = tbuf_sink(&out);
	memman_sim_print_faults(&s, &sink);
	EXPECT_STREQ(out.s, "  0 A: 2 page faults\n  1 B: 1 page faults\n  2 C: rejected\npage faults: 3\n");
	free(out.s);
	memman_sim_fini(&s);
	free_trace(&t);
}

static void sim_output(const char *text, const char *fit, uint32_t at, struct tbuf *out,
		       uint8_t *mem, uint8_t *vir)
{
	struct memman_trace t;
	struct memman_error err;
	struct memman_sim s;
	struct memman_sim_config cfg = { fit_lookup(fit), &repl_lru_ops, 1, 0, false };
	struct mm_sink sink = tbuf_sink(out);
	if (parse_text(text, 0, &t, &err) != 0 || memman_sim_init(&s, &t, &cfg, &host_malloc) != 0) {
		htest_fail(__FILE__, __LINE__, "setup: %s", err.msg);
		return;
	}
	if (at == UINT32_MAX) memman_sim_run(&s, &sink);
	else if (!step_to_tick(&s, at)) htest_fail(__FILE__, __LINE__, "no tick at %u", at);
	if (at != UINT32_MAX) memman_sim_print_state(&s, &sink);
	if (mem) memman_sim_mem_image(&s, mem);
	if (vir) memman_sim_vir_image(&s, vir);
	memman_sim_fini(&s);
	free_trace(&t);
}

HTEST(memman_sim_state_text_and_images)
{
	struct tbuf out = { 0 };
	uint8_t mem[32], vir[64];
	char path[128];
	size_t n;
	snprintf(path, sizeof path, CASES "memman/trace-single-proc-single-access.txt");
	char *text = host_read_file(path, &n);
	ASSERT_TRUE(text != NULL);
	sim_output(text, "first", 1, &out, mem, vir);
	EXPECT_STREQ(out.s, "time 1: 1 page faults\n"
			    "physical memory: 2 frames of 16 bytes, 1 free\n"
			    "  frame 0: process 0 (proc-1) page 0\n"
			    "  frame 1: free\n"
			    "virtual memory: 4 pages of 16 bytes, first fit, 3 free in 1 holes\n"
			    "  page 0: process 0 (proc-1)\n"
			    "  pages 1-3: hole\n");
	for (int i = 0; i < 32; i++) EXPECT_EQ(mem[i], i < 16 ? 0x00 : 0xff);
	for (int i = 0; i < 64; i++) EXPECT_EQ(vir[i], i < 16 ? 0x00 : 0xff);
	tbuf_reset(&out);
	struct mm_sink sink = tbuf_sink(&out);
	memman_xxd(vir, sizeof vir, &sink);
	EXPECT_STREQ(out.s,
		     "00000000: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................\n"
		     "00000010: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff  ................\n"
		     "00000020: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff  ................\n"
		     "00000030: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff  ................\n");
	/* After the end at 3 everything is free again. */
	tbuf_reset(&out);
	sim_output(text, "first", UINT32_MAX, &out, mem, vir);
	for (int i = 0; i < 32; i++) EXPECT_EQ(mem[i], 0xff);
	for (int i = 0; i < 64; i++) EXPECT_EQ(vir[i], 0xff);
	free(text);
	free(out.s);
}

HTEST(memman_sim_rounded_sizes_image)
{
	/* trace.txt rounded: 6 frames in 100 bytes; at time 1 the four
	 * processes own frames 0-3; bytes 64..99 (frames 4, 5 and the 4 bytes
	 * past the last whole frame) stay 0xff. */
	struct memman_trace t;
	struct memman_error err;
	struct memman_sim s;
	struct memman_sim_config cfg = { &fit_next_ops, &repl_fifo_ops, 1, 0, false };
	ASSERT_EQ(load_case("trace.txt", MEMMAN_TRACE_ROUND, &t, &err), 0);
	ASSERT_EQ(memman_sim_init(&s, &t, &cfg, &host_malloc), 0);
	ASSERT_TRUE(step_to_tick(&s, 1));
	uint8_t mem[100], vir[100];
	memman_sim_mem_image(&s, mem);
	memman_sim_vir_image(&s, vir);
	for (int i = 0; i < 100; i++) {
		EXPECT_EQ(mem[i], i < 64 ? i / 16 : 0xff);
		EXPECT_EQ(vir[i], i < 64 ? i / 16 : 0xff);
	}
	memman_sim_fini(&s);
	free_trace(&t);
}

HTEST(memman_sim_rejection_and_coalescing)
{
	struct tbuf out = { 0 };
	/* 2 virtual pages: "big" needs 3 and is rejected with a message. */
	sim_output("32 32\n0 big 5 48 0 1\n0 small 5 16 0 1\n", "first", UINT32_MAX, &out, NULL, NULL);
	EXPECT_STREQ(out.s, "t=0: process 0 (big) rejected: needs 3 pages, no hole big enough\n");
	/* 3 pages: a@0 b@1 c@2. a and b end at 1, their pages coalesce: d (2
	 * pages) fits at 2 in pages 0-1. */
	tbuf_reset(&out);
	uint8_t vir[48];
	sim_output("16 48\n0 a 1 16 0 0\n0 b 1 16 0 0\n0 c 5 16 0 0\n2 d 5 32 0 2\n", "first", 2, &out,
		   NULL, vir);
	EXPECT_TRUE(strstr(out.s, "  pages 0-1: process 3 (d)\n  page 2: process 2 (c)\n") != NULL);
	for (int i = 0; i < 48; i++) EXPECT_EQ(vir[i], i < 32 ? 3 : 2);
	/* a and c end instead: two one-page holes, d is rejected. */
	tbuf_reset(&out);
	sim_output("16 48\n0 a 1 16 0 0\n0 b 5 16 0 0\n0 c 1 16 0 0\n2 d 5 32 0 2\n", "first", UINT32_MAX,
		   &out, NULL, NULL);
	EXPECT_STREQ(out.s, "t=2: process 3 (d) rejected: needs 2 pages, no hole big enough\n");
	free(out.s);
}

HTEST(memman_sim_out_of_memory)
{
	struct memman_trace t;
	struct memman_error err;
	ASSERT_EQ(parse_text(events_trace, 0, &t, &err), 0);
	struct memman_sim_config cfg = { &fit_quick_ops, &repl_opt_ops, 1, 0, false };
	bool succeeded = false;
	for (long fail = 0; fail < 64 && !succeeded; fail++) {
		struct host_alloc_ctx ctx = { fail, 0 };
		struct mm_allocator a = host_allocator(&ctx);
		struct memman_sim s;
		int rc = memman_sim_init(&s, &t, &cfg, &a);
		if (rc == 0) {
			succeeded = true;
			EXPECT_EQ(memman_sim_run(&s, NULL), 0);
			EXPECT_EQ(s.faults, 3);
			memman_sim_fini(&s);
		} else {
			EXPECT_EQ(rc, -MM_ENOMEM);
		}
		EXPECT_EQ(ctx.live, 0);
	}
	EXPECT_TRUE(succeeded);
	struct memman_sim s;
	struct memman_sim_config no_policy = { &fit_first_ops, NULL, 1, 0, false };
	EXPECT_EQ(memman_sim_init(&s, &t, &no_policy, &host_malloc), -MM_EINVAL);
	free_trace(&t);
}

HTEST(memman_sim_check_finds_corruption)
{
	struct memman_trace t;
	struct memman_error err;
	struct memman_sim s;
	struct memman_sim_config cfg = { &fit_first_ops, &repl_lru_ops, 1, 0, false };
	char msg[256] = "";
	struct mm_sink sink = { tbuf_put, NULL };
	struct tbuf b = { 0 };
	sink.ctx = &b;
	ASSERT_EQ(parse_text(events_trace, 0, &t, &err), 0);
	ASSERT_EQ(memman_sim_init(&s, &t, &cfg, &host_malloc), 0);
	ASSERT_TRUE(step_to_tick(&s, 3));
	EXPECT_EQ(memman_sim_check(&s, &sink), 0);
	s.ev.state[0] = MEMMAN_ENDED; /* A's pages are still resident */
	EXPECT_EQ(memman_sim_check(&s, &sink), -MM_EINVAL);
	EXPECT_TRUE(b.len > 0);
	s.ev.state[0] = MEMMAN_RUNNING;
	s.ev.base[0] = 0; /* not where its segment is */
	EXPECT_EQ(memman_sim_check(&s, NULL), -MM_EINVAL);
	s.ev.base[0] = 1;
	EXPECT_EQ(memman_sim_check(&s, NULL), 0);
	(void)msg;
	memman_sim_fini(&s);
	free_trace(&t);
	free(b.s);
}

/* ---- xxd ---------------------------------------------------------------------- */

HTEST(memman_xxd_known_dump)
{
	/* Printed by `xxd -g 1` on these 28 bytes. */
	static const uint8_t bytes[] = "ab\x01\xff\x7e\x7f hello world, this is ";
	struct tbuf out = { 0 };
	struct mm_sink sink = tbuf_sink(&out);
	memman_xxd(bytes, sizeof bytes - 1, &sink);
	EXPECT_STREQ(out.s, "00000000: 61 62 01 ff 7e 7f 20 68 65 6c 6c 6f 20 77 6f 72  ab..~. hello wor\n"
			    "00000010: 6c 64 2c 20 74 68 69 73 20 69 73 20              ld, this is \n");
	tbuf_reset(&out);
	memman_xxd(bytes, 0, &sink);
	EXPECT_TRUE(out.s == NULL || out.s[0] == 0);
	free(out.s);
}

HTEST(memman_xxd_folded_runs)
{
	/* three equal lines, then another: the 2nd and 3rd fold into one "*";
	 * a run at the end keeps its last line; a short last line is printed */
	uint8_t bytes[16 * 7 + 3];
	memset(bytes, 'A', 48);
	memset(bytes + 48, 'B', 64);
	memset(bytes + 112, 'B', 3);
	struct tbuf out = { 0 };
	struct mm_sink sink = tbuf_sink(&out);
	memman_xxd_folded(bytes, sizeof bytes, &sink);
	EXPECT_STREQ(tbuf_text(&out),
		     "00000000: 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41  AAAAAAAAAAAAAAAA\n"
		     "*\n"
		     "00000030: 42 42 42 42 42 42 42 42 42 42 42 42 42 42 42 42  BBBBBBBBBBBBBBBB\n"
		     "*\n"
		     "00000070: 42 42 42                                         BBB\n");
	tbuf_reset(&out);
	memman_xxd_folded(bytes, 48, &sink); /* all equal: first, "*", last */
	EXPECT_STREQ(tbuf_text(&out),
		     "00000000: 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41  AAAAAAAAAAAAAAAA\n"
		     "*\n"
		     "00000020: 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41  AAAAAAAAAAAAAAAA\n");
	free(out.s);
}

/* The output of `xxd -g 1` on bytes, or NULL when the tool is missing. */
static char *real_xxd(const uint8_t *bytes, size_t n)
{
	char path[] = "build/host/xxd_test_XXXXXX"; /* under the repo root, the working directory */
	int fd = mkstemp(path);
	if (fd < 0) return NULL;
	if (write(fd, bytes, n) != (ssize_t)n) n = 0;
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "xxd -g 1 %s 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	struct tbuf out = { 0 };
	char buf[4096];
	size_t got;
	while (p && (got = fread(buf, 1, sizeof buf, p)) > 0) tbuf_put(&out, buf, got);
	int status = p ? pclose(p) : -1;
	unlink(path);
	if (status != 0) {
		free(out.s);
		return NULL;
	}
	return tbuf_text(&out);
}

HTEST(memman_xxd_matches_the_tool)
{
	if (system("command -v xxd >/dev/null 2>&1") != 0) {
		printf("# xxd not installed: comparison skipped\n");
		return;
	}
	struct mm_rng rng;
	mm_rng_seed(&rng, 42);
	static const size_t lengths[] = { 1, 15, 16, 17, 33, 100, 256, 1600 };
	for (size_t i = 0; i < MM_ARRAY_SIZE(lengths); i++) {
		size_t n = lengths[i];
		uint8_t *bytes = malloc(n);
		for (size_t k = 0; k < n; k++) bytes[k] = (uint8_t)mm_rng_below(&rng, 256);
		char *want = real_xxd(bytes, n);
		struct tbuf out = { 0 };
		struct mm_sink sink = tbuf_sink(&out);
		memman_xxd(bytes, n, &sink);
		if (!want) htest_fail(__FILE__, __LINE__, "xxd failed on %zu bytes", n);
		else EXPECT_STREQ(out.s, want);
		free(want);
		free(out.s);
		free(bytes);
	}
}

/* ---- random traces against the naive model -------------------------------------- */

/* A random valid trace, as text with varied blanks. */
static void random_trace(struct mm_rng *r, struct tbuf *b)
{
	struct mm_sink s = tbuf_sink(b);
	uint32_t nframes = 1 + mm_rng_below(r, 8), nvpages = 1 + mm_rng_below(r, 24);
	uint32_t nprocs = 1 + mm_rng_below(r, 12);
	static const char *const blanks[] = { " ", " ", "\t", "  " };
	tbuf_reset(b);
	mm_format(&s, "%u %u\n", 16 * nframes, 16 * nvpages);
	for (uint32_t p = 0; p < nprocs; p++) {
		uint32_t t0 = mm_rng_below(r, 16), tf = t0 + mm_rng_below(r, 11);
		uint32_t nbytes = 1 + mm_rng_below(r, mm_rng_below(r, 10) ? 96 : 16 * nvpages + 32);
		uint32_t nacc = 1 + mm_rng_below(r, 10);
		const char *sp = blanks[mm_rng_below(r, 4)];
		mm_format(&s, "%u%sp%u%s%u%s%u", t0, sp, p, sp, tf, sp, nbytes);
		for (uint32_t i = 0; i < nacc; i++)
			mm_format(&s, "%s%u%s%u", sp, mm_rng_below(r, nbytes), sp, t0 + mm_rng_below(r, tf - t0 + 1));
		mm_format(&s, mm_rng_below(r, 8) ? "\n" : "\r\n");
		if (!mm_rng_below(r, 10)) mm_format(&s, "\n");
	}
}

struct compare_ctx {
	struct memman_sim *sim;
	const struct memman_trace *trace;
	bool frames; /* compare frame by frame (not for OPT: ties among dead pages) */
	int bad;
	uint64_t *keys;
	uint8_t *img, *want;
};

/* At the end of time t in the model: the simulator's TICK of t must come
 * next, with the same frames and the same images. */
static void compare_at(void *ctx, long t, const struct mref_phys *m, const struct mref_virt *v)
{
	struct compare_ctx *c = ctx;
	const struct memman_trace *tr = c->trace;
	if (c->bad) return;
	if (!step_to_tick(c->sim, (uint32_t)t) || c->sim->time != (uint32_t)t) {
		c->bad = 1;
		printf("# no tick at %ld\n", t);
		return;
	}
	memman_sim_frames(c->sim, c->keys);
	for (long f = 0; f < m->n && c->frames; f++) {
		uint64_t want = m->proc[f] < 0 ? MEMMAN_NO_PAGE
					       : memman_page_key((uint32_t)m->proc[f], (uint32_t)m->page[f]);
		if (c->keys[f] != want) c->bad = 1;
	}
	if (c->frames) {
		memset(c->want, 0xff, tr->total_mem);
		for (long f = 0; f < m->n; f++)
			if (m->proc[f] >= 0) memset(c->want + 16 * f, (int)m->proc[f], 16);
		memman_sim_mem_image(c->sim, c->img);
		if (memcmp(c->img, c->want, tr->total_mem)) c->bad = 1;
	}
	memset(c->want, 0xff, tr->virtual_mem);
	for (long u = 0; u < v->n; u++)
		if (v->owner[u] >= 0) memset(c->want + 16 * u, (int)v->owner[u], 16);
	memman_sim_vir_image(c->sim, c->img);
	if (memcmp(c->img, c->want, tr->virtual_mem)) c->bad = 1;
	if (memman_sim_check(c->sim, NULL) != 0) c->bad = 1;
	if (c->bad) printf("# state differs at time %ld\n", t);
}

/* Run one trace text through both; returns the number of disagreements. */
static int compare_one(const char *text, const char *fit, const char *policy, bool sweep)
{
	struct memman_trace t;
	struct memman_error err;
	struct mref_trace rt;
	struct mref_result res;
	struct memman_sim s;
	struct memman_sim_config cfg = { fit_lookup(fit), repl_lookup(policy), 7, 0, sweep };
	if (parse_text(text, 0, &t, &err) != 0 || mref_parse(text, &rt) != 0) {
		printf("# bad random trace: %s\n", err.msg);
		return 1;
	}
	if (memman_sim_init(&s, &t, &cfg, &host_malloc) != 0) return 1;
	struct compare_ctx c = { &s, &t, strcmp(policy, "opt") != 0, 0,
				 malloc(sizeof(uint64_t) * t.nframes), malloc(t.total_mem + t.virtual_mem),
				 malloc(t.total_mem + t.virtual_mem) };
	mref_run(&rt, fit, policy, &res, compare_at, &c);
	struct memman_event ev;
	if (!c.bad && memman_sim_step(&s, &ev) != 0) c.bad = 1; /* the model has finished */
	if ((long)s.faults != res.faults) c.bad = 1;
	for (uint32_t p = 0; p < t.nprocs; p++) {
		if ((long)s.proc_faults[p] != res.proc_faults[p]) c.bad = 1;
		if ((memman_events_state(&s.ev, p) == MEMMAN_REJECTED) != (res.rejected[p] != 0)) c.bad = 1;
	}
	if (c.bad)
		printf("# %s/%s: %llu faults, model %ld, on:\n%s", fit, policy,
		       (unsigned long long)s.faults, res.faults, text);
	free(c.keys);
	free(c.img);
	free(c.want);
	mref_result_free(&res);
	mref_free(&rt);
	memman_sim_fini(&s);
	free_trace(&t);
	return c.bad;
}

HTEST(memman_sim_random_against_model)
{
	static const char *const policies[] = { "fifo", "sc", "lru", "opt" };
	struct mm_rng r;
	struct tbuf b = { 0 };
	int bad = 0;
	mm_rng_seed(&r, 2024);
	for (int i = 0; i < 2000 && bad < 3; i++) {
		random_trace(&r, &b);
		const char *fit = fit_at((size_t)i % fit_count())->name;
		for (size_t p = 0; p < MM_ARRAY_SIZE(policies); p++)
			bad += compare_one(b.s, fit, policies[p], i % 7 == 0);
	}
	EXPECT_EQ(bad, 0);
	free(b.s);
}

HTEST(memman_sim_opt_is_a_lower_bound)
{
	static const char *const policies[] = { "fifo", "sc", "lru" };
	struct mm_rng r;
	struct tbuf b = { 0 };
	mm_rng_seed(&r, 77);
	for (int i = 0; i < 300; i++) {
		random_trace(&r, &b);
		struct memman_trace t;
		struct memman_error err;
		ASSERT_EQ(parse_text(b.s, 0, &t, &err), 0);
		uint64_t opt = 0, other = 0;
		EXPECT_EQ(run_sim(&t, "next", "opt", &opt), 0);
		for (size_t p = 0; p < MM_ARRAY_SIZE(policies); p++) {
			EXPECT_EQ(run_sim(&t, "next", policies[p], &other), 0);
			EXPECT_LE(opt, other);
		}
		free_trace(&t);
	}
	free(b.s);
}

/* ---- vmm_input -------------------------------------------------------------------- */

static int parse_vmm(const char *text, struct vmm_input *in, struct vmm_error *err, long *live)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator a = host_allocator(&ctx);
	int rc = vmm_input_parse(text, strlen(text), &a, in, err);
	*live = ctx.live;
	return rc;
}

static void free_vmm(struct vmm_input *in)
{
	vmm_input_free(in, &host_malloc);
}

HTEST(vmm_input_samples)
{
	size_t n;
	char *text = host_read_file(CASES "vmm/sample2.in.txt", &n);
	ASSERT_TRUE(text != NULL);
	struct vmm_input in;
	struct vmm_error err;
	ASSERT_EQ(vmm_input_parse(text, n, &host_malloc, &in, &err), 0);
	static const struct { uint32_t pid; bool write; uint16_t vaddr; uint32_t page, offset; } want[] = {
		{ 1, false, 0x0400, 1, 0 },   { 1, true, 0x0401, 1, 1 },   { 2, false, 0x0C10, 3, 0x10 },
		{ 2, false, 0x1C10, 7, 0x10 }, { 2, false, 0x2C10, 11, 0x10 },
	};
	ASSERT_EQ(in.nreqs, MM_ARRAY_SIZE(want));
	for (size_t i = 0; i < in.nreqs; i++) {
		EXPECT_EQ(in.reqs[i].pid, want[i].pid);
		EXPECT_EQ(in.reqs[i].write, want[i].write);
		EXPECT_EQ(in.reqs[i].vaddr, want[i].vaddr);
		EXPECT_EQ(in.reqs[i].line, i + 1);
		EXPECT_EQ(vmm_page(in.reqs[i].vaddr), want[i].page);
		EXPECT_EQ(vmm_offset(in.reqs[i].vaddr), want[i].offset);
	}
	vmm_input_free(&in, &host_malloc);
	free(text);
	text = host_read_file(CASES "vmm/sample1.in.txt", &n);
	ASSERT_TRUE(text != NULL);
	ASSERT_EQ(vmm_input_parse(text, n, &host_malloc, &in, &err), 0);
	EXPECT_EQ(in.nreqs, 3);
	EXPECT_EQ(in.reqs[1].pid, 2);
	EXPECT_TRUE(in.reqs[1].write);
	vmm_input_free(&in, &host_malloc);
	free(text);
	EXPECT_EQ(vmm_page(0xFFFF), 63);
	/* a wider address parses; the runner reports it when it comes up */
	ASSERT_EQ(vmm_input_parse("3, W, 1ABCD\n", 12, &host_malloc, &in, &err), 0);
	EXPECT_EQ(in.reqs[0].vaddr, 0x1ABCD);
	vmm_input_free(&in, &host_malloc);
	EXPECT_EQ(vmm_offset(0xFFFF), 1023);
	EXPECT_EQ(VMM_PAGES_PER_PROC * VMM_PAGE_SIZE, 65536);
}

HTEST(vmm_input_blanks)
{
	struct vmm_input in;
	struct vmm_error err;
	long live;
	ASSERT_EQ(parse_vmm("  7 ,W,   fFfF  \r\n\n\t \n3,R,0\n12\t,\tR\t,\t00a", &in, &err, &live), 0);
	ASSERT_EQ(in.nreqs, 3);
	EXPECT_EQ(in.reqs[0].pid, 7);
	EXPECT_TRUE(in.reqs[0].write);
	EXPECT_EQ(in.reqs[0].vaddr, 0xffff);
	EXPECT_EQ(in.reqs[1].line, 4);
	EXPECT_EQ(in.reqs[1].vaddr, 0);
	EXPECT_FALSE(in.reqs[1].write);
	EXPECT_EQ(in.reqs[2].pid, 12);
	EXPECT_EQ(in.reqs[2].vaddr, 0xa);
	EXPECT_EQ(in.reqs[2].line, 5);
	free_vmm(&in);
	ASSERT_EQ(parse_vmm("\n \n", &in, &err, &live), 0);
	EXPECT_EQ(in.nreqs, 0);
	EXPECT_TRUE(in.reqs == NULL);
	EXPECT_EQ(live, 0);
}

HTEST(vmm_input_refusals)
{
	static const struct bad_case cases[] = {
		{ "1, R\n", 1, "found 2 comma-separated fields" },
		{ "1, R, 0400, 5\n", 1, "found 4 comma-separated fields" },
		{ "1 R 0400\n", 1, "found 1 comma-separated fields" },
		{ "1, R, 0400\n2, W, 0C10\nx, R, 0400\n", 3, "pid 'x' is not a decimal number" },
		{ "-1, R, 0400\n", 1, "pid '-1'" },
		{ "1 2, R, 0400\n", 1, "pid '1 2'" },
		{ "4294967296, R, 0\n", 1, "pid '4294967296'" },
		{ ", R, 0400\n", 1, "pid ''" },
		{ "1, r, 0400\n", 1, "access 'r' is not R or W" },
		{ "1, X, 0400\n", 1, "access 'X'" },
		{ "1, RW, 0400\n", 1, "access 'RW'" },
		{ "1, R, 100000000\n", 1, "address '100000000' is not 1 to 8 hex digits" },
		{ "1, R, 0x40\n", 1, "address '0x40'" },
		{ "1, R, \n", 1, "address ''" },
		{ "1, R, 04 00\n", 1, "address '04 00'" },
		{ "1, R, 040g\n", 1, "address '040g'" },
		{ "\n\n1, R, 0400,\n", 3, "found 4 comma-separated fields" },
	};
	for (size_t i = 0; i < MM_ARRAY_SIZE(cases); i++) {
		struct vmm_input in;
		struct vmm_error err;
		long live;
		EXPECT_EQ(parse_vmm(cases[i].text, &in, &err, &live), -MM_EINVAL);
		EXPECT_EQ(err.line, cases[i].line);
		if (!strstr(err.msg, cases[i].says))
			htest_fail(__FILE__, __LINE__, "case %zu: \"%s\" lacks \"%s\"", i, err.msg, cases[i].says);
		EXPECT_TRUE(in.reqs == NULL && in.nreqs == 0);
		EXPECT_EQ(live, 0);
	}
}
