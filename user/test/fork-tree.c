/*
 * fork-tree - copy-on-write through three generations. Every process of a
 * binary tree of depth 3 (15 processes) writes a pattern of its own into
 * buffers it shares with its parent until the write: an initialised .data
 * array (pages from the program file), a .bss array and an anonymous
 * mapping. A child first checks it sees its parent's pattern; a parent,
 * once its children are done writing theirs, checks its own is unchanged.
 */
#include "utest.h"

const char test_name[] = "fork-tree";

#define DEPTH 3
#define NBUF 3
#define BUF_PAGES 4

static uint32_t data_buf[BUF_PAGES * PAGE_SIZE / 4] = { 1 }; /* in .data */
static uint32_t bss_buf[BUF_PAGES * PAGE_SIZE / 4];
static char *bufs[NBUF];

/* Exit codes, passed up the tree (the first failure wins). */
enum { OK = 0, E_FORK = 1, E_WAIT = 2, E_KILLED = 3, E_INHERITED = 10, E_OWN = 20 };

static void fill(uint32_t id)
{
	for (int b = 0; b < NBUF; b++) pattern_fill_range(bufs[b], BUF_PAGES, id);
}

static int intact(uint32_t id)
{
	for (int b = 0; b < NBUF; b++)
		if (pattern_check_range(bufs[b], BUF_PAGES, id) >= 0) return 0;
	return 1;
}

/* The process of tree node id (root 1, children 2id and 2id+1) at level. */
static int node(uint32_t id, int level)
{
	int pids[2], rc = OK;
	fill(id);
	if (level == DEPTH) return intact(id) ? OK : E_OWN + level;
	for (int c = 0; c < 2; c++) {
		pids[c] = fork();
		if (pids[c] < 0) return E_FORK;
		if (pids[c] == 0) {
			if (!intact(id)) exit(E_INHERITED + level + 1);
			exit(node(2 * id + (uint32_t)c, level + 1));
		}
	}
	for (int c = 0; c < 2; c++) {
		int status = 0;
		if (waitpid(pids[c], &status, 0) != pids[c]) rc = rc ? rc : E_WAIT;
		else if (!WIFEXITED(status)) rc = rc ? rc : E_KILLED;
		else if (WEXITSTATUS(status)) rc = rc ? rc : WEXITSTATUS(status);
	}
	if (!intact(id)) return E_OWN + level;
	return rc;
}

int main(void)
{
	bufs[0] = (char *)data_buf;
	bufs[1] = (char *)bss_buf;
	bufs[2] = map_anon(BUF_PAGES * PAGE_SIZE);
	if (is_err(bufs[2])) fail("mmap2 returned %d", (int)bufs[2]);
	int rc = node(1, 0);
	if (rc == E_FORK) fail("a fork failed");
	if (rc == E_WAIT) fail("a waitpid failed");
	if (rc == E_KILLED) fail("a process of the tree was killed");
	if (rc >= E_OWN) fail("level %d: a process's copy changed while its children wrote", rc - E_OWN);
	if (rc >= E_INHERITED) fail("level %d: a child did not see its parent's data", rc - E_INHERITED);
	if (rc) fail("unexpected code %d", rc);
	pass();
}
