/*
 * pager - touches N MiB (argv[1], default 24) page by page, over and over,
 * until it is killed: with a user pool smaller than that, it pages all the
 * time. A process to watch with ps (its resident and swapped pages move),
 * to run beside others, and to kill while its pages are in transit.
 */
#include "ulib.h"

int main(int argc, char **argv)
{
	unsigned mib = argc > 1 ? (unsigned)atou(argv[1]) : 24;
	size_t n = (size_t)mib << 20;
	volatile char *p = map_anon(n);
	if (is_err((void *)p)) return 2;
	printf("pager %d: paging through %u MiB until killed\n", getpid(), mib);
	for (unsigned pass = 0;; pass++)
		for (size_t off = 0; off < n; off += PAGE_SIZE) p[off] = (char)(pass + off / PAGE_SIZE);
}
