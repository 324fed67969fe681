/*
 * shared-anon - MAP_SHARED|MAP_ANONYMOUS memory shared across fork: a page
 * the parent wrote before the fork and pages nobody had touched are the
 * same pages in the children; each of four children in turn adds to a
 * counter and writes its pattern over its quarter; the parent sees every
 * write; a private mapping beside it stays each process's own; a child's
 * munmap leaves the parent's mapping; MADV_DONTNEED keeps shared data; and
 * a page made read-only and writable again is still shared.
 */
#include "utest.h"

const char test_name[] = "shared-anon";

#define NPAGES 64
#define NCHILD 4

static volatile uint32_t *shared;
static volatile uint32_t *private_page;

static volatile uint32_t *word(uint32_t page) { return shared + page * (PAGE_SIZE / 4); }

static int child(void *arg)
{
	uint32_t k = (uint32_t)(uintptr_t)arg, q = NPAGES / NCHILD;
	if (*word(0) != 0x5eed + k) return 2; /* the counter so far */
	*word(0) += 1;
	for (uint32_t p = k * q; p < (k + 1) * q; p++)
		if (p) word(p)[1] = pattern_word(p, 1, k);
	*private_page = 0xbad;
	if (k == NCHILD - 1 && munmap((void *)shared, NPAGES * PAGE_SIZE)) return 3;
	return 0;
}

int main(void)
{
	shared = mmap2(NULL, NPAGES * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	private_page = map_anon(PAGE_SIZE);
	if (is_err((void *)shared) || is_err((void *)private_page)) fail("mmap2 MAP_SHARED|MAP_ANONYMOUS");
	*word(0) = 0x5eed;
	*private_page = 7;
	for (uint32_t k = 0; k < NCHILD; k++) {
		int status = run_child(child, (void *)(uintptr_t)k);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fail("child %u: %s (2: it did not see the counter, 3: munmap)", k, status_text(status));
	}
	if (*word(0) != 0x5eed + NCHILD) fail("the counter is 0x%x, not 0x%x", *word(0), 0x5eed + NCHILD);
	for (uint32_t p = 1; p < NPAGES; p++)
		if (word(p)[1] != pattern_word(p, 1, p / (NPAGES / NCHILD)))
			fail("page %u does not hold its child's write", p);
	if (*private_page != 7) fail("a private page took a child's write");
	if (madvise((void *)word(5), PAGE_SIZE, MADV_DONTNEED) || word(5)[1] != pattern_word(5, 1, 0))
		fail("MADV_DONTNEED dropped shared data");
	if (mprotect((void *)word(9), PAGE_SIZE, PROT_READ) || mprotect((void *)word(9), PAGE_SIZE, PROT_READ | PROT_WRITE))
		fail("mprotect of a shared page");
	int pid = fork();
	if (pid == 0) {
		word(9)[2] = 99; /* written after read-only and back: still shared */
		exit(0);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || word(9)[2] != 99)
		fail("a page made read-only and writable again is no longer shared");
	if ((long)mmap2(NULL, PAGE_SIZE, PROT_READ, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != -EINVAL)
		fail("MAP_SHARED|MAP_PRIVATE was not -EINVAL");
	pass();
}
