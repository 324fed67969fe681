/*
 * page-random - touch the pages of N MiB (argv[1], default 16) in a random
 * order (a fixed-seed LCG, so every run is the same): each touch rewrites
 * the whole page with a pattern of its own generation and first checks the
 * last one. At the end every byte of every page is checked; pages never
 * touched must read as zero.
 */
#include "utest.h"

const char test_name[] = "page-random";

static uint32_t lcg_state = 12345;

/* Numerical Recipes' LCG; the high bits are the random ones. */
static uint32_t lcg_below(uint32_t n)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return (uint32_t)(((uint64_t)(lcg_state >> 8) * n) >> 24);
}

static void check_page(char *base, uint8_t *gen, uint32_t pg, const char *when)
{
	char *p = base + (size_t)pg * PAGE_SIZE;
	long bad = gen[pg] ? pattern_check(p, pg, gen[pg]) : find_nonzero(p, PAGE_SIZE);
	if (bad >= 0)
		fail("%s: page %u (generation %u) wrong at byte %ld", when, pg, gen[pg], bad);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? atou(argv[1]) : 16;
	uint32_t npages = (uint32_t)(mib * MIB / PAGE_SIZE);
	if (npages == 0) fail("bad size '%s'", argv[1]);
	char *base = map_anon((size_t)npages * PAGE_SIZE);
	uint8_t *gen = map_anon(npages); /* generation written, 0: never */
	if (is_err(base) || is_err(gen)) fail("mmap2 of %u MiB failed", mib);
	for (uint32_t t = 0; t < 2 * npages; t++) {
		uint32_t pg = lcg_below(npages);
		check_page(base, gen, pg, "touch");
		if (gen[pg] < 255) gen[pg]++;
		pattern_fill(base + (size_t)pg * PAGE_SIZE, pg, gen[pg]);
	}
	for (uint32_t pg = 0; pg < npages; pg++) check_page(base, gen, pg, "final check");
	pass();
}
