/*
 * heap - a heap that grows with brk: eight steps of 256 KiB (argv[1] sets
 * the step in KiB), each written through so its pages fault in, the break
 * printed after each; then the heap shrinks back to where it began.
 */
#include "ulib.h"

int main(int argc, char **argv)
{
	unsigned long step = (argc > 1 ? atou(argv[1]) : 256) * 1024;
	unsigned long start = brk(0), cur = start;
	printf("heap: the break starts at 0x%08lx\n", start);
	for (int i = 1; i <= 8; i++) {
		unsigned long next = brk(cur + step);
		if (next != cur + step) {
			printf("heap: brk(0x%08lx) refused, the break stays 0x%08lx\n", cur + step, next);
			return 1;
		}
		memset((void *)cur, i, step);
		cur = next;
		printf("heap: step %d: break 0x%08lx, heap %lu KiB\n", i, cur, (cur - start) / 1024);
	}
	cur = brk(start);
	printf("heap: shrunk: break 0x%08lx, heap %lu KiB\n", cur, (cur - start) / 1024);
	return cur == start ? 0 : 1;
}
