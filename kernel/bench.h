/*
 * bench.h - in-kernel benchmarks: sample a cost with rdtsc many times and
 * print "BENCH <name> median=<n> p99=<n> unit=<unit>". Under QEMU's
 * -icount shift=0, rdtsc advances with guest instructions, so figures are
 * the same on every host.
 */
#ifndef KERNEL_BENCH_H
#define KERNEL_BENCH_H

#include <stdint.h>

#define BENCH_MAX_SAMPLES 4096

struct bench {
	const char *name;
	uint32_t n;
	uint64_t samples[BENCH_MAX_SAMPLES];
};

void bench_start(struct bench *b, const char *name);
void bench_add(struct bench *b, uint64_t cycles);
/* Sort, print the BENCH line; returns the median. */
uint64_t bench_report(struct bench *b, const char *unit);
uint64_t bench_null_trap_median(void); /* measured once per boot */

/* A benchmark suite registers with BENCH_SUITE(name, fn); `bench` on the
 * command line (or bench=name,...) runs them and exits. */
struct bench_suite { const char *name; void (*run)(void); };
#define BENCH_SUITE(nm, fn)                                                    \
	static const struct bench_suite bench_suite_##nm                       \
		__attribute__((used, section(".bench_suites"), aligned(4))) = { #nm, fn }

#endif
