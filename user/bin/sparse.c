/*
 * sparse - maps 64 MiB of anonymous memory and touches one byte every
 * 4 MiB: sixteen pages come in, the other 16368 are never backed. Each
 * touch writes a byte and reads it back; the lines show where.
 */
#include "ulib.h"

#define MAP_MIB 64u
#define STRIDE_MIB 4u

int main(void)
{
	char *p = map_anon(MAP_MIB * MIB);
	if (is_err(p)) {
		printf("sparse: mmap2 of %u MiB failed: %d\n", MAP_MIB, (int)p);
		return 1;
	}
	printf("sparse: %u MiB mapped at %p..%p, one byte touched every %u MiB\n", MAP_MIB,
	       (void *)p, (void *)(p + MAP_MIB * MIB - 1), STRIDE_MIB);
	unsigned touched = 0;
	for (unsigned off = 0; off < MAP_MIB * MIB; off += STRIDE_MIB * MIB) {
		volatile char *b = p + off;
		*b = (char)(touched + 1);
		printf("sparse: touch %2u at %p (+%2u MiB): read back %d\n", touched, (void *)b,
		       off / MIB, *b);
		touched++;
	}
	printf("sparse: %u pages touched of %u mapped\n", touched, MAP_MIB * MIB / PAGE_SIZE);
	return munmap(p, MAP_MIB * MIB) == 0 ? 0 : 1;
}
