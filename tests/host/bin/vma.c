/*
 * vma.c - the arena's command language on the host, a drop-in for the
 * checker's ./vma: commands on standard input, replies on standard output.
 *
 * Input is handed to the push parser (mm/sim/vma_cmd.c) in chunks of odd,
 * changing sizes (1, 2, 3, 5, 7, ... bytes, then back to 1) so that every run
 * also exercises the parser's chunk boundaries. Miniblocks come from malloc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "../host_alloc.h"
#include "vma_cmd.h"

/* Ask the address sanitizer to return NULL for a huge malloc, as plain
 * malloc would, so that an oversized block gets the out-of-memory reply. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static void put_stdout(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	fwrite(s, 1, n, stdout);
}

int main(void)
{
	static const size_t chunks[] = { 1, 2, 3, 5, 7, 11, 13, 64, 509, 4093 };
	struct mm_sink out = { put_stdout, NULL };
	struct vma_cmd vc;
	char buf[4093];
	size_t have = 0, used = 0, turn = 0;
	bool eof = false;

	vma_cmd_init(&vc, &host_malloc, &out);
	while (!vma_cmd_done(&vc)) {
		if (used == have) {
			if (eof) break;
			ssize_t got = read(0, buf, sizeof buf);
			if (got <= 0) {
				eof = true;
				continue;
			}
			have = (size_t)got;
			used = 0;
		}
		size_t n = chunks[turn++ % (sizeof chunks / sizeof chunks[0])];
		if (n > have - used) n = have - used;
		vma_cmd_feed(&vc, buf + used, n);
		used += n;
	}
	vma_cmd_finish(&vc);
	vma_cmd_destroy(&vc);
	return fflush(stdout) == 0 ? 0 : 1;
}
