/*
 * test_trace.c - mm/sim/trace.c: both trace formats and their detection, the
 * all-or-nothing rule for malformed input (with the line number), memory
 * failure, the next-use table against a naive O(n^2) model, and the shared
 * LIRS traces against the reference and block counts their README lists.
 */
#include <stdlib.h>
#include "htest.h"
#include "host_alloc.h"
#include "trace_load.h"
#include "trace.h"
#include "repl.h"
#include "mmlib.h"

static int parse(const char *text, enum trace_format f, struct trace *t, struct trace_error *err,
		 struct host_alloc_ctx *ctx)
{
	struct mm_allocator a = host_allocator(ctx);
	return trace_parse(text, strlen(text), f, &a, t, err);
}

HTEST(trace_lirs_format)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct trace t;
	struct trace_error err;
	/* marks, blank lines, blanks around numbers, CRLF, no final newline */
	ASSERT_EQ(parse("*\n7\n\n  12  \r\n*\n0\r\n\t3", TRACE_AUTO, &t, &err, &ctx), 0);
	EXPECT_EQ(t.format, TRACE_LIRS);
	ASSERT_EQ(t.nrefs, 4);
	EXPECT_EQ(t.refs[0].page, 7);
	EXPECT_EQ(t.refs[1].page, 12);
	EXPECT_EQ(t.refs[2].page, 0);
	EXPECT_EQ(t.refs[3].page, 3);
	for (int i = 0; i < 4; i++) EXPECT_EQ(t.refs[i].is_write, 0);
	struct mm_allocator a = host_allocator(&ctx);
	trace_free(&t, &a);
	EXPECT_EQ(ctx.live, 0);

	ASSERT_EQ(parse("", TRACE_AUTO, &t, &err, &ctx), 0);
	EXPECT_EQ(t.nrefs, 0);
	EXPECT_TRUE(t.refs == NULL);
	ASSERT_EQ(parse("*\n\n*\n", TRACE_AUTO, &t, &err, &ctx), 0);
	EXPECT_EQ(t.nrefs, 0);
	ASSERT_EQ(parse("18446744073709551615\n", TRACE_LIRS, &t, &err, &ctx), 0);
	EXPECT_TRUE(t.refs[0].page == UINT64_MAX);
	trace_free(&t, &a);
	EXPECT_EQ(ctx.live, 0);
}

HTEST(trace_address_format)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator a = host_allocator(&ctx);
	struct trace t;
	struct trace_error err;
	const char *text = "*\n\ns 0x1fffff50 1\nl 0x1fffff58 1\nl 0x00003fff 6\nL 0X1000 0\n"
			   "s 2000\nl   0xABCDEF12   300  \n";
	ASSERT_EQ(parse(text, TRACE_AUTO, &t, &err, &ctx), 0);
	EXPECT_EQ(t.format, TRACE_ADDR);
	ASSERT_EQ(t.nrefs, 6);
	/* page = address >> 12, s = write */
	EXPECT_EQ(t.refs[0].page, 0x1ffff);
	EXPECT_EQ(t.refs[0].is_write, 1);
	EXPECT_EQ(t.refs[1].page, 0x1ffff);
	EXPECT_EQ(t.refs[1].is_write, 0);
	EXPECT_EQ(t.refs[2].page, 3);
	EXPECT_EQ(t.refs[3].page, 1);
	EXPECT_EQ(t.refs[4].page, 2); /* bare hex, no count */
	EXPECT_EQ(t.refs[4].is_write, 1);
	EXPECT_EQ(t.refs[5].page, 0xABCDE);
	trace_free(&t, &a);
	EXPECT_EQ(ctx.live, 0);
}

/* A bad line: the right number, no references, nothing left allocated. */
static void expect_bad(const char *text, enum trace_format f, uint32_t line)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct trace t;
	struct trace_error err;
	int e = parse(text, f, &t, &err, &ctx);
	EXPECT_EQ(e, -MM_EINVAL);
	EXPECT_EQ(err.line, line);
	EXPECT_TRUE(t.refs == NULL);
	EXPECT_EQ(t.nrefs, 0);
	EXPECT_EQ(ctx.live, 0);
	char want[32];
	snprintf(want, sizeof want, "line %u: ", line);
	EXPECT_TRUE(strncmp(err.msg, want, strlen(want)) == 0);
}

HTEST(trace_malformed_lines)
{
	expect_bad("1\n2\nabc\n4\n", TRACE_AUTO, 3);
	expect_bad("1\n2\n3\n4x", TRACE_AUTO, 4);
	expect_bad("1\n-2\n", TRACE_AUTO, 2);
	expect_bad("1 2\n", TRACE_AUTO, 1);
	expect_bad("0x10\n", TRACE_LIRS, 1);
	expect_bad("18446744073709551616\n", TRACE_AUTO, 1);
	expect_bad("*\n\n5\ns 0x10 1\n", TRACE_AUTO, 4);          /* LIRS, then an address line */
	expect_bad("s 0x10 1\n12\n", TRACE_AUTO, 2);              /* address, then a block */
	expect_bad("l 0x10 1\nx 0x10 1\n", TRACE_AUTO, 2);
	expect_bad("l 0xZZ 1\n", TRACE_AUTO, 1);
	expect_bad("l\n", TRACE_AUTO, 1);
	expect_bad("l 0x10 one\n", TRACE_AUTO, 1);
	expect_bad("l 0x10 1 2\n", TRACE_AUTO, 1);
	expect_bad("ld 0x10 1\n", TRACE_ADDR, 1);
	expect_bad("1\n", TRACE_ADDR, 1);
	expect_bad("l 0x10 1\n", TRACE_LIRS, 1);
}

HTEST(trace_out_of_memory)
{
	struct host_alloc_ctx ctx = { 0, 0 };
	struct trace t;
	struct trace_error err;
	EXPECT_EQ(parse("1\n2\n", TRACE_AUTO, &t, &err, &ctx), -MM_ENOMEM);
	EXPECT_TRUE(t.refs == NULL);
	EXPECT_EQ(ctx.live, 0);
	struct trace_ref refs[3] = { { 1, 0 }, { 2, 0 }, { 1, 0 } };
	struct mm_allocator a = host_allocator(&ctx);
	uint32_t *next = (uint32_t *)1;
	for (long k = 0; k < 2; k++) {
		ctx.fail_after = k;
		EXPECT_EQ(trace_next_use(refs, 3, &a, &next), -MM_ENOMEM);
		EXPECT_TRUE(next == NULL);
		EXPECT_EQ(ctx.live, 0);
	}
}

HTEST(trace_next_use_by_hand)
{
	/* pages 1 2 1 3 2 1: the next use of each reference */
	struct trace_ref refs[6] = { { 1, 0 }, { 2, 0 }, { 1, 0 }, { 3, 0 }, { 2, 0 }, { 1, 0 } };
	static const uint32_t want[6] = { 2, 4, 5, REPL_NEVER, REPL_NEVER, REPL_NEVER };
	uint32_t *next;
	ASSERT_EQ(trace_next_use(refs, 6, &host_malloc, &next), 0);
	for (int i = 0; i < 6; i++) EXPECT_TRUE(next[i] == want[i]);
	free(next);
}

HTEST(trace_next_use_random)
{
	/* 20,000 references over 3,000 pages (the page hash has to grow): each
	 * entry checked by scanning forward from it. Pages are spread over the
	 * whole 64-bit range to exercise the hash. */
	enum { N = 20000 };
	struct trace_ref *refs = malloc(N * sizeof *refs);
	struct mm_rng rng;
	mm_rng_seed(&rng, 42);
	for (int i = 0; i < N; i++) refs[i].page = (uint64_t)mm_rng_below(&rng, 3000) * 0x9E3779B97F4A7C15ull;
	uint32_t *next;
	ASSERT_EQ(trace_next_use(refs, N, &host_malloc, &next), 0);
	int bad = 0;
	for (int i = 0; i < N && bad < 5; i++) {
		int j = i + 1;
		while (j < N && refs[j].page != refs[i].page) j++;
		uint32_t expect = j < N ? (uint32_t)j : REPL_NEVER;
		if (next[i] != expect) {
			bad++;
			htest_fail(__FILE__, __LINE__, "next_use[%d] = %u, expected %u", i, next[i], expect);
		}
	}
	free(next);
	free(refs);
}

/* Distinct pages, counted by sorting a copy. */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static size_t distinct(const struct trace *t)
{
	uint64_t *p = malloc(t->nrefs * sizeof *p);
	for (size_t i = 0; i < t->nrefs; i++) p[i] = t->refs[i].page;
	qsort(p, t->nrefs, sizeof *p, cmp_u64);
	size_t n = t->nrefs ? 1 : 0;
	for (size_t i = 1; i < t->nrefs; i++) n += p[i] != p[i - 1];
	free(p);
	return n;
}

HTEST(trace_shared_lirs_files)
{
	/* counts from tests/data/traces/README.md; backf and zigzag end without
	 * a newline, 2_pools and cs contain "*" marks, gli an empty line */
	static const struct { const char *name; size_t refs, blocks; } want[] = {
		{ "2_pools", 100000, 9939 }, { "backf", 9000, 751 }, { "cs", 6781, 1409 },
		{ "gli", 6015, 2529 }, { "zigzag", 52001, 2001 }, { "ps", 10448, 3083 },
	};
	for (size_t i = 0; i < MM_ARRAY_SIZE(want); i++) {
		char path[256];
		snprintf(path, sizeof path, "tests/data/traces/lirs/%s.trace.gz", want[i].name);
		struct trace t;
		if (trace_load(path, &t) != 0) {
			htest_fail(__FILE__, __LINE__, "cannot load %s", path);
			continue;
		}
		EXPECT_EQ(t.format, TRACE_LIRS);
		EXPECT_EQ(t.nrefs, want[i].refs);
		EXPECT_EQ(distinct(&t), want[i].blocks);
		trace_free(&t, &host_malloc);
	}
}

HTEST(trace_shared_address_file)
{
	struct trace t;
	ASSERT_EQ(trace_load("tests/data/traces/address/swim.trace.gz", &t), 0);
	EXPECT_EQ(t.format, TRACE_ADDR);
	EXPECT_EQ(t.nrefs, 303193); /* its line count (gzip -dc | wc -l) */
	size_t writes = 0;
	for (size_t i = 0; i < t.nrefs; i++) writes += t.refs[i].is_write;
	EXPECT_TRUE(writes > 0 && writes < t.nrefs);
	trace_free(&t, &host_malloc);
}
