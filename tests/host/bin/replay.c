/*
 * replay.c - replay a page reference trace through a frame pool on the host
 * (mm/pool.c over the software backend mm/sim/pool_soft.c) and print exactly one
 * line: "refs=<n> faults=<n> evictions=<n> writebacks=<n>".
 *
 *   build/host/replay [options] TRACE FRAMES POLICY
 *
 * TRACE is a trace file (LIRS or address format, see mm/sim/trace.h; ".gz" is
 * decompressed with gzip -dc; "-" reads standard input), FRAMES the pool
 * size, POLICY a name, alias or memman number (an unknown one lists the
 * valid ones and exits 1). Options:
 *   --tick N    references between ticks (default: FRAMES; 0: never)
 *   --seed S    seed of randomised policies (default 1)
 *   --check     run pool_check after every reference (slow)
 *   --kernel    refused (exit 2): tools/replay --kernel runs the kernel's replay
 * tools/replay wraps this program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../trace_load.h"
#include "pool.h"
#include "pool_soft.h"
#include "mmlib.h"

static void put_file(void *ctx, const char *s, size_t n)
{
	fwrite(s, 1, n, ctx);
}

static void usage(void)
{
	fprintf(stderr, "usage: replay [--tick N] [--seed S] [--check] TRACE FRAMES POLICY\n");
	exit(1);
}

static uint64_t number(const char *what, const char *s)
{
	uint64_t v;
	if (mm_parse_u64z(s, 0, &v) != 0) {
		fprintf(stderr, "replay: %s must be a number, not '%s'\n", what, s);
		exit(1);
	}
	return v;
}

int main(int argc, char **argv)
{
	uint64_t tick = UINT64_MAX, seed = 1;
	bool check = false;
	const char *pos[3];
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--kernel") == 0) {
			fprintf(stderr, "replay: this is the host replayer; for the kernel run tools/replay --kernel\n");
			return 2;
		} else if (strcmp(argv[i], "--tick") == 0 && i + 1 < argc) {
			tick = number("--tick", argv[++i]);
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			seed = number("--seed", argv[++i]);
		} else if (strcmp(argv[i], "--check") == 0) {
			check = true;
		} else if (argv[i][0] == '-' && argv[i][1] && npos == 0) {
			usage();
		} else if (npos < 3) {
			pos[npos++] = argv[i];
		} else {
			usage();
		}
	}
	if (npos != 3) usage();

	struct mm_sink err = { put_file, stderr };
	const struct repl_ops *policy = repl_lookup(pos[2]);
	if (!policy) {
		fprintf(stderr, "replay: unknown policy '%s'; valid policies (name or memman number):\n", pos[2]);
		repl_list(&err);
		return 1;
	}
	uint64_t frames = number("FRAMES", pos[1]);
	if (frames == 0 || frames > REPL_MAX_FRAMES / 4) {
		fprintf(stderr, "replay: FRAMES must be between 1 and %u\n", REPL_MAX_FRAMES / 4);
		return 1;
	}
	if (tick == UINT64_MAX) tick = frames;
	if (tick > UINT32_MAX) tick = 0;

	struct trace t;
	if (trace_load(pos[0], &t) != 0) return 1;

	struct pool_soft soft;
	struct pool pool;
	struct pool_config cfg = { (uint32_t)frames, policy, seed, (uint32_t)tick };
	if (pool_soft_init(&soft, (uint32_t)frames, &host_malloc) != 0) return 1;
	struct pool_backend be = pool_soft_backend(&soft);
	int e = pool_init(&pool, &cfg, &be, &host_malloc);
	if (e) {
		fprintf(stderr, "replay: pool: %s\n", mm_strerror(e));
		return 1;
	}
	if (check) { /* the same as pool_replay, with every structure checked */
		e = pool_plan_future(&pool, t.refs, t.nrefs, &host_malloc);
		for (size_t i = 0; i < t.nrefs && !e; i++) {
			e = pool_reference(&pool, t.refs[i].page, t.refs[i].is_write);
			if (e >= 0) e = pool_check(&pool, &err);
			if (!e) e = pool_soft_check(&soft, &err);
		}
	} else {
		e = pool_replay(&pool, t.refs, t.nrefs);
	}
	if (e) {
		fprintf(stderr, "replay: stopped after %llu references: %s\n",
			(unsigned long long)pool.stats.refs, mm_strerror(e));
		return 1;
	}
	struct mm_sink out = { put_file, stdout };
	pool_format_stats(&pool, &out);
	printf("\n");
	pool_fini(&pool);
	pool_soft_fini(&soft);
	trace_free(&t, &host_malloc);
	return 0;
}
