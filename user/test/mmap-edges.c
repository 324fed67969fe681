/*
 * mmap-edges - the cases that cut mappings apart:
 *   - munmap of the middle page of three splits the mapping: the outer
 *     pages keep their data, the middle one kills a child that reads it;
 *   - mremap growing 4 pages to 64 with MREMAP_MAYMOVE keeps the contents
 *     (wherever it puts them), and the new pages read as zero;
 *   - madvise(MADV_DONTNEED) on an anonymous page makes it read back as
 *     zero, and leaves its neighbour alone.
 */
#include "utest.h"

const char test_name[] = "mmap-edges";

static char *middle;

static int read_middle(void *unused)
{
	return *(volatile char *)middle == 0x7f ? 2 : 0;
}

static void split(void)
{
	char *p = map_anon(3 * PAGE_SIZE);
	if (is_err(p)) fail("split: mmap2 returned %d", (int)p);
	pattern_fill_range(p, 3, 11);
	if (munmap(p + PAGE_SIZE, PAGE_SIZE) != 0) fail("split: munmap of the middle failed");
	if (pattern_check(p, 0, 11) >= 0) fail("split: the first page changed");
	if (pattern_check(p + 2 * PAGE_SIZE, 2, 11) >= 0) fail("split: the last page changed");
	middle = p + PAGE_SIZE;
	expect_signal(run_child(read_middle, NULL), SIGSEGV, "split: read of the unmapped middle");
	if (munmap(p, 3 * PAGE_SIZE) != 0) fail("split: munmap over the hole failed");
}

static void grow(void)
{
	char *p = map_anon(4 * PAGE_SIZE);
	if (is_err(p)) fail("mremap: mmap2 returned %d", (int)p);
	pattern_fill_range(p, 4, 12);
	char *q = mremap(p, 4 * PAGE_SIZE, 64 * PAGE_SIZE, MREMAP_MAYMOVE, NULL);
	if (is_err(q)) fail("mremap to 64 pages returned %d", (int)q);
	long bad = pattern_check_range(q, 4, 12);
	if (bad >= 0) fail("mremap: byte %ld of the old contents changed", bad);
	bad = find_nonzero(q + 4 * PAGE_SIZE, 60 * PAGE_SIZE);
	if (bad >= 0) fail("mremap: new byte %ld is not zero", bad);
	pattern_fill_range(q, 64, 13);
	if (pattern_check_range(q, 64, 13) >= 0) fail("mremap: the grown mapping does not keep writes");
	if (munmap(q, 64 * PAGE_SIZE) != 0) fail("mremap: munmap of the grown mapping failed");
}

static void dontneed(void)
{
	char *p = map_anon(2 * PAGE_SIZE);
	if (is_err(p)) fail("madvise: mmap2 returned %d", (int)p);
	pattern_fill_range(p, 2, 14);
	int rc = madvise(p, PAGE_SIZE, MADV_DONTNEED);
	if (rc != 0) fail("madvise(MADV_DONTNEED) returned %d", rc);
	long bad = find_nonzero(p, PAGE_SIZE);
	if (bad >= 0) fail("madvise: byte %ld of the dropped page is not zero", bad);
	if (pattern_check(p + PAGE_SIZE, 1, 14) >= 0) fail("madvise: the next page changed");
	p[5] = 5;
	if (p[5] != 5) fail("madvise: the dropped page does not take a write");
	munmap(p, 2 * PAGE_SIZE);
}

int main(void)
{
	split();
	grow();
	dontneed();
	pass();
}
