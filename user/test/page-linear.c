/*
 * page-linear - touch N MiB (argv[1], default 16) page by page in address
 * order, writing a pattern over every byte, then read it all back twice in
 * order: with N beyond RAM the pages go to swap and must come back intact.
 */
#include "utest.h"

const char test_name[] = "page-linear";

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? atou(argv[1]) : 16;
	size_t npages = mib * MIB / PAGE_SIZE;
	if (npages == 0) fail("bad size '%s'", argv[1]);
	char *base = map_anon(npages * PAGE_SIZE);
	if (is_err(base)) fail("mmap2 of %u MiB returned %d", mib, (int)base);
	pattern_fill_range(base, npages, 1);
	for (int pass = 1; pass <= 2; pass++) {
		long bad = pattern_check_range(base, npages, 1);
		if (bad >= 0) fail("pass %d: byte at offset %ld of %u MiB is wrong", pass, bad, mib);
	}
	pass();
}
