/*
 * bigmem - a program larger than RAM: maps N MiB (argv[1], default 48),
 * writes a pattern to every byte of every page, then checks every byte.
 * With N above the memory the kernel gives user pages, pages go out to
 * swap while it writes and come back while it checks.
 */
#include "ulib.h"

/* The byte at offset off: differs from page to page and within a page. */
static inline uint8_t pattern(size_t off)
{
	return (uint8_t)((off >> PAGE_SHIFT) * 7 + off + (off >> 8));
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? atou(argv[1]) : 48;
	size_t nbytes = mib * MIB, bad = 0;
	uint8_t *p = map_anon(nbytes);
	if (mib == 0 || is_err(p)) {
		printf("bigmem: cannot map %u MiB\n", mib);
		return 1;
	}
	printf("bigmem: writing %u MiB (%u pages) at %p\n", mib, nbytes / PAGE_SIZE, (void *)p);
	for (size_t off = 0; off < nbytes; off++) p[off] = pattern(off);
	printf("bigmem: checking every byte\n");
	for (size_t off = 0; off < nbytes; off++)
		if (p[off] != pattern(off) && bad++ == 0)
			printf("bigmem: first bad byte at %p: 0x%02x, not 0x%02x\n", (void *)(p + off),
			       p[off], pattern(off));
	printf("bigmem: %u MiB written and checked, %u bad bytes: %s\n", mib, bad,
	       bad ? "FAILED" : "ok");
	return bad ? 1 : 0;
}
