/*
 * ubench - what ring 3 pays for the kernel, timed with rdtsc from user space.
 * Under `tools/mmk --icount` (QEMU -icount shift=0) rdtsc counts guest
 * instructions, so every figure is deterministic; tools/bench-user runs it.
 *
 *   user_null_trap          int $0x81, whose handler is a bare iret (the unit)
 *   user_syscall_null       int $0x80 with eax = 20 (getpid), inline
 *   user_demand_zero_fault  first write to a fresh anonymous page (256 pages)
 *   user_fork_1mib          fork() in the parent, up to its return, with 1 MiB
 *                           (256 pages) written; the child exits at once and is
 *                           reaped outside the timed part (50 rounds)
 *   user_cow_write_fault    the first write by a child to a page it shares
 *                           with its parent (256 pages of the 1 MiB, one fault
 *                           each; the parent waits meanwhile, keeping its share)
 *
 * Each prints `BENCH <name> median=<n> p99=<n> unit=instructions`; all but
 * the null trap also `BENCH <name>_vs_null_trap value=<median / null trap's>`.
 * On Linux the numbers are cycles, not instructions.
 */
#include "ulib.h"

#define TRAPS 2000
#define ROUNDS 50
#define PAGES (MIB / PAGE_SIZE)

static uint32_t samples[TRAPS];
static uint32_t null_trap; /* the unit: the null trap's median */

static inline uint32_t tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return lo; /* deltas are far below 2^32 */
}

static void sort(uint32_t *a, uint32_t n)
{
	for (uint32_t gap = n / 2; gap; gap /= 2) /* shell sort */
		for (uint32_t i = gap; i < n; i++)
			for (uint32_t j = i; j >= gap && a[j - gap] > a[j]; j -= gap) {
				uint32_t t = a[j];
				a[j] = a[j - gap];
				a[j - gap] = t;
			}
}

/* Print the median and p99 of samples[0..n), and the median over the null
 * trap's unless this is the null trap itself; returns the median. */
static uint32_t report(const char *name, uint32_t n)
{
	sort(samples, n);
	uint32_t med = samples[n / 2], p99 = samples[n * 99 / 100];
	printf("BENCH %s median=%u p99=%u unit=instructions\n", name, med, p99);
	if (null_trap) {
		uint32_t r = (uint32_t)(((uint64_t)med * 200 + null_trap) / (2 * null_trap));
		printf("BENCH %s_vs_null_trap value=%u.%02u\n", name, r / 100, r % 100);
	}
	return med;
}

int main(void)
{
	memset(samples, 0, sizeof samples); /* its pages in before any timing */

	for (int i = 0; i < TRAPS; i++) {
		uint32_t t0 = tsc();
		__asm__ volatile("int $0x81" ::: "memory");
		samples[i] = tsc() - t0;
	}
	null_trap = report("user_null_trap", TRAPS);
	if (!null_trap) null_trap = 1;

	for (int i = 0; i < TRAPS; i++) {
		long r;
		uint32_t t0 = tsc();
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
		samples[i] = tsc() - t0;
	}
	report("user_syscall_null", TRAPS);

	volatile char *mem = map_anon(MIB);
	if (is_err((void *)mem)) {
		printf("ubench: map_anon(1 MiB) failed: %d\n", (int)(long)mem);
		return 1;
	}
	for (uint32_t i = 0; i < PAGES; i++) {
		uint32_t t0 = tsc();
		mem[i * PAGE_SIZE] = 1;
		samples[i] = tsc() - t0;
	}
	report("user_demand_zero_fault", PAGES);

	for (int i = 0; i < ROUNDS; i++) {
		uint32_t t0 = tsc();
		int pid = fork();
		if (pid == 0) exit(0);
		samples[i] = tsc() - t0;
		if (pid < 0) {
			printf("ubench: fork failed: %d\n", pid);
			return 1;
		}
		int status;
		waitpid(pid, &status, 0);
	}
	report("user_fork_1mib", ROUNDS);

	/* The child writes; the parent, waiting, still maps every page, so each
	 * first write copies. The child reports (it has the null trap's median). */
	int pid = fork();
	if (pid < 0) {
		printf("ubench: fork failed: %d\n", pid);
		return 1;
	}
	if (pid == 0) {
		for (uint32_t i = 0; i < PAGES; i++) {
			uint32_t t0 = tsc();
			mem[i * PAGE_SIZE + 1] = 2;
			samples[i] = tsc() - t0;
		}
		report("user_cow_write_fault", PAGES);
		exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
