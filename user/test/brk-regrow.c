/*
 * brk-regrow - grow the break by 1 MiB, fill it, shrink back to the start,
 * grow again: the regrown memory must read as zero (the old pages were
 * freed, not kept). The test starts from a page boundary, since a shrink
 * keeps the page that holds the new break, with its contents.
 */
#include "utest.h"

const char test_name[] = "brk-regrow";

static void set_break(unsigned long to, const char *what)
{
	unsigned long got = brk(to);
	if (got != to) fail("%s to 0x%lx returned 0x%lx", what, to, got);
}

int main(void)
{
	unsigned long first = brk(0);
	if (first == 0 || (long)first < 0) fail("brk(0) returned 0x%lx", first);
	if (brk(0) != first) fail("brk(0) moved the break");
	unsigned long start = (first + PAGE_SIZE - 1) & ~(unsigned long)(PAGE_SIZE - 1);
	set_break(start, "align");
	set_break(start + MIB, "grow");
	memset((void *)start, 0xA5, MIB);
	if (((unsigned char *)start)[MIB - 1] != 0xA5) fail("the grown heap does not keep a write");
	set_break(start, "shrink");
	set_break(start + MIB, "regrow");
	long bad = find_nonzero((void *)start, MIB);
	if (bad >= 0) fail("regrown byte %ld reads 0x%x, not 0", bad, ((unsigned char *)start)[bad]);
	pass();
}
