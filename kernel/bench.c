/*
 * bench.c - the benchmark runner (see bench.h): `bench` on the kernel command
 * line runs every suite (or bench=suite,...) and exits. The null trap (an
 * `int $0x81` whose handler is a bare iret) is the unit fault costs are
 * quoted in.
 */
#include "bench.h"
#include "io.h"
#include "kernel.h"
#include "kmain.h"
#include "mmlib.h"

extern const struct bench_suite __bench_suites_start[], __bench_suites_end[];

void bench_start(struct bench *b, const char *name)
{
	b->name = name;
	b->n = 0;
}

void bench_add(struct bench *b, uint64_t cycles)
{
	if (b->n < BENCH_MAX_SAMPLES) b->samples[b->n++] = cycles;
}

static void sort_u64(uint64_t *a, uint32_t n)
{
	for (uint32_t gap = n / 2; gap; gap /= 2) /* shell sort */
		for (uint32_t i = gap; i < n; i++)
			for (uint32_t j = i; j >= gap && a[j - gap] > a[j]; j -= gap) {
				uint64_t t = a[j];
				a[j] = a[j - gap];
				a[j - gap] = t;
			}
}

uint64_t bench_report(struct bench *b, const char *unit)
{
	if (!b->n) return 0;
	sort_u64(b->samples, b->n);
	uint64_t med = b->samples[b->n / 2];
	uint64_t p99 = b->samples[(b->n * 99) / 100 < b->n ? (b->n * 99) / 100 : b->n - 1];
	kprintf("BENCH %s median=%llu p99=%llu unit=%s\n", b->name, (unsigned long long)med,
		(unsigned long long)p99, unit);
	return med;
}

static struct bench scratch;

uint64_t bench_null_trap_median(void)
{
	static uint64_t cached;
	if (cached) return cached;
	bench_start(&scratch, "null_trap_bare_iret");
	for (int i = 0; i < 2000; i++) {
		uint64_t t0 = rdtsc();
		__asm__ volatile("int $0x81" ::: "memory");
		bench_add(&scratch, rdtsc() - t0);
	}
	bench_report(&scratch, "cycles");
	/* The unit: the same entry and exit path as a page fault (stub, saved
	 * registers, dispatch to a C handler) with a handler that does nothing. */
	bench_start(&scratch, "null_trap");
	for (int i = 0; i < 2000; i++) {
		uint64_t t0 = rdtsc();
		__asm__ volatile("int $0x82" ::: "memory");
		bench_add(&scratch, rdtsc() - t0);
	}
	cached = bench_report(&scratch, "cycles");
	return cached ? cached : 1;
}

static bool selected(const char *spec, const char *name)
{
	if (!*spec) return true;
	size_t n = mm_strlen(name);
	for (const char *p = spec; *p;) {
		const char *w = p;
		while (*p && *p != ',') p++;
		if ((size_t)(p - w) == n && mm_strncmp(w, name, n) == 0) return true;
		if (*p) p++;
	}
	return false;
}

static void bench_mode(void)
{
	char spec[128];
	mm_strncpy0(spec, cmdline_get("bench"), sizeof spec);
	kprintf("# mmk benchmarks; rdtsc %s\n", cmdline_get("icount") ? "counts guest instructions (-icount shift=0)" : "cycles");
	bench_null_trap_median();
	for (const struct bench_suite *s = __bench_suites_start; s < __bench_suites_end; s++)
		if (selected(spec, s->name)) s->run();
	kernel_exit(EXIT_PASS);
}
BOOT_MODE(bench, "bench", bench_mode);
