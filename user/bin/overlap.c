/*
 * overlap - does a process paging to disk stop the others? A CPU-bound
 * child counts loop rounds for a fixed time alone, then again while a
 * second child pages through MiB of memory (argv[1], default 24) much
 * larger than the user pool, so that nearly every touch swaps out and in
 * on the swap device. Prints the counter's speed with the pager divided by
 * its speed alone:
 *   BENCH swap_ata_overlap value=<ratio> (goal: at least 0.5)
 * and how much the pager got done meanwhile. Time is CLOCK_MONOTONIC.
 */
#include "ulib.h"

#define RUN_MS 3000

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(1, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Rounds of a small loop done in ms milliseconds. */
static unsigned long count_for(long ms)
{
	unsigned long rounds = 0;
	long end = now_ms() + ms;
	while (now_ms() < end)
		for (volatile int k = 0; k < 1000; k++) rounds++;
	return rounds;
}

static void pager(unsigned mib)
{
	size_t n = (size_t)mib << 20;
	volatile char *p = map_anon(n);
	if (is_err((void *)p)) exit(2);
	for (unsigned pass = 0;; pass++)
		for (size_t off = 0; off < n; off += PAGE_SIZE) p[off] = (char)(pass + off / PAGE_SIZE);
}

int main(int argc, char **argv)
{
	unsigned mib = argc > 1 ? (unsigned)atou(argv[1]) : 24;
	unsigned long alone = count_for(RUN_MS);
	int pid = fork();
	if (pid == 0) pager(mib);
	if (pid < 0) return 1;
	sleep_ms(200); /* let it start paging */
	unsigned long with = count_for(RUN_MS);
	kill(pid, 9);
	int status;
	waitpid(pid, &status, 0);
	unsigned long r100 = alone ? (unsigned long)((unsigned long long)with * 100 / alone) : 0;
	printf("overlap: %lu rounds alone, %lu beside a process paging through %u MiB\n", alone, with, mib);
	printf("(the pager's swap traffic meanwhile: see swapinfo)\n");
	printf("BENCH swap_ata_overlap value=%lu.%02lu (goal: at least 0.5)\n", r100 / 100, r100 % 100);
	return 0;
}
