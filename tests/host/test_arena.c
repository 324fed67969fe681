/*
 * test_arena.c - mm/heap/arena.c and mm/sim/vma_cmd.c: the merge and split rules,
 * every reply of the command language (expected texts written by hand from
 * mm/sim/FORMATS.md §4), permissions, a 64 GiB arena, running out of memory, chunk
 * boundaries, leaks, and a random-operations test against a byte-map model.
 */
#include <stdio.h>
#include <stdlib.h>
#include "htest.h"
#include "host_alloc.h"
#include "host_sink.h"
#include "arena.h"
#include "vma_cmd.h"
#include "mmlib.h"
#include "host_file.h"

/* ---- helpers ----------------------------------------------------------- */

/* arena_check must pass; print its report when it does not. */
#define EXPECT_ARENA_OK(a)                                                     \
	do {                                                                   \
		struct tbuf rep_ = { 0 };                                      \
		struct mm_sink rs_ = tbuf_sink(&rep_);                         \
		int rc_ = arena_check((a), &rs_);                              \
		if (rc_ != 0)                                                  \
			htest_fail(__FILE__, __LINE__, "arena_check: %s", tbuf_text(&rep_)); \
		free(rep_.s);                                                  \
	} while (0)

/*
 * Run the interpreter over in[0..len), chunk bytes at a time (0: all at
 * once, -1: random sizes from seed), then finish and destroy it. Returns the
 * output (malloc'ed); *live gets the allocations left after destroy.
 */
static char *run_chunked(const char *in, size_t len, long chunk, uint64_t seed, long fail_after,
			 long *live, size_t *outlen)
{
	struct host_alloc_ctx ctx = { fail_after, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct tbuf out = { 0 };
	struct mm_sink sink = tbuf_sink(&out);
	struct vma_cmd vc;
	struct mm_rng rng;
	mm_rng_seed(&rng, seed);
	vma_cmd_init(&vc, &al, &sink);
	for (size_t i = 0; i < len;) {
		size_t n = chunk == 0 ? len : chunk > 0 ? (size_t)chunk : 1 + mm_rng_below(&rng, 97);
		if (n > len - i) n = len - i;
		vma_cmd_feed(&vc, in + i, n);
		i += n;
		if (vma_cmd_check(&vc, NULL) != 0) htest_fail(__FILE__, __LINE__, "vma_cmd_check");
	}
	vma_cmd_finish(&vc);
	vma_cmd_destroy(&vc);
	if (live) *live = ctx.live;
	if (outlen) *outlen = out.len;
	return tbuf_text(&out);
}

static char *run(const char *in)
{
	long live = 0;
	char *out = run_chunked(in, strlen(in), 0, 1, -1, &live, NULL);
	if (live != 0) htest_fail(__FILE__, __LINE__, "%ld allocations leaked", live);
	return out;
}

/* The interpreter's output for in must be exactly want. */
#define EXPECT_VMA(in, want)                                                   \
	do {                                                                   \
		char *got_ = run(in);                                          \
		EXPECT_STREQ(got_, want);                                      \
		free(got_);                                                    \
	} while (0)

#define INVALID "Invalid command. Please try again.\n"

/* The miniblocks in address order, as (start, size, block_start) triples. */
static int list_minis(const struct arena *a, uint64_t *out, int max)
{
	struct arena_iter it;
	const struct arena_mini *m;
	int n = 0;
	uint64_t end = 0;
	arena_iter_seek(a, &it, 0);
	while (arena_iter_next(&it, &m) && n < max) {
		out[3 * n] = m->start;
		out[3 * n + 1] = m->nbytes;
		out[3 * n + 2] = n == 0 || m->start != end;
		end = m->start + m->nbytes;
		n++;
	}
	return n;
}

static void expect_stats(const struct arena *a, uint64_t nblocks, uint64_t nminis, uint64_t free_bytes,
			 int line)
{
	struct arena_stats st;
	arena_get_stats(a, &st);
	if (st.nblocks != nblocks || st.nminis != nminis || st.free_bytes != free_bytes)
		htest_fail(__FILE__, line, "stats: %llu blocks %llu minis %llu free, want %llu %llu %llu",
			   (unsigned long long)st.nblocks, (unsigned long long)st.nminis,
			   (unsigned long long)st.free_bytes, (unsigned long long)nblocks,
			   (unsigned long long)nminis, (unsigned long long)free_bytes);
}
#define EXPECT_STATS(a, b, m, f) expect_stats(a, b, m, f, __LINE__)

/* ---- the arena itself -------------------------------------------------- */

HTEST(arena_merge_rules)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct arena a;
	uint64_t l[30];
	arena_init(&a, &al, 100);
	EXPECT_EQ(arena_alloc_block(&a, 10, 10), 0);
	EXPECT_EQ(arena_alloc_block(&a, 30, 10), 0);
	EXPECT_STATS(&a, 2, 2, 80);
	/* Touching both neighbours: three miniblocks become one block. */
	EXPECT_EQ(arena_alloc_block(&a, 20, 10), 0);
	EXPECT_ARENA_OK(&a);
	EXPECT_STATS(&a, 1, 3, 70);
	/* Touching the right end, then the left end. */
	EXPECT_EQ(arena_alloc_block(&a, 40, 5), 0);
	EXPECT_EQ(arena_alloc_block(&a, 5, 5), 0);
	EXPECT_ARENA_OK(&a);
	EXPECT_STATS(&a, 1, 5, 60);
	ASSERT_EQ(list_minis(&a, l, 10), 5);
	const uint64_t want[] = { 5, 5, 1, 10, 10, 0, 20, 10, 0, 30, 10, 0, 40, 5, 0 };
	for (int i = 0; i < 15; i++) EXPECT_EQ(l[i], want[i]);
	/* Not touching: a block of its own, in address order. */
	EXPECT_EQ(arena_alloc_block(&a, 0, 4), 0);
	EXPECT_EQ(arena_alloc_block(&a, 99, 1), 0);
	EXPECT_STATS(&a, 3, 7, 55);
	ASSERT_EQ(list_minis(&a, l, 10), 7);
	EXPECT_EQ(l[0], 0);
	EXPECT_EQ(l[2], 1);
	EXPECT_EQ(l[5], 1);
	EXPECT_EQ(l[18], 99);
	EXPECT_EQ(l[20], 1);
	EXPECT_ARENA_OK(&a);
	arena_destroy(&a);
	EXPECT_EQ(ctx.live, 0);
}

HTEST(arena_split_rules)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct arena a;
	uint64_t l[30];
	arena_init(&a, &al, 100);
	for (uint64_t s = 10; s < 60; s += 10) EXPECT_EQ(arena_alloc_block(&a, s, 10), 0);
	EXPECT_STATS(&a, 1, 5, 50);
	/* Freeing a middle miniblock splits the block. */
	EXPECT_EQ(arena_free_block(&a, 30), 0);
	EXPECT_ARENA_OK(&a);
	EXPECT_STATS(&a, 2, 4, 60);
	ASSERT_EQ(list_minis(&a, l, 10), 4);
	EXPECT_EQ(l[0], 10);
	EXPECT_EQ(l[3], 20);
	EXPECT_EQ(l[5], 0);
	EXPECT_EQ(l[6], 40);
	EXPECT_EQ(l[8], 1);
	/* An end miniblock: the block shrinks. The last one: the block goes. */
	EXPECT_EQ(arena_free_block(&a, 10), 0);
	EXPECT_STATS(&a, 2, 3, 70);
	EXPECT_EQ(arena_free_block(&a, 50), 0);
	EXPECT_STATS(&a, 2, 2, 80);
	EXPECT_EQ(arena_free_block(&a, 20), 0);
	EXPECT_STATS(&a, 1, 1, 90);
	/* Only the start of a miniblock is a valid address for free. */
	EXPECT_EQ(arena_free_block(&a, 45), -MM_ENOENT);
	EXPECT_EQ(arena_free_block(&a, 20), -MM_ENOENT);
	EXPECT_EQ(arena_free_block(&a, 1000), -MM_ENOENT);
	EXPECT_EQ(arena_free_block(&a, 40), 0);
	EXPECT_STATS(&a, 0, 0, 100);
	EXPECT_ARENA_OK(&a);
	arena_destroy(&a);
	EXPECT_EQ(ctx.live, 0);
}

HTEST(arena_alloc_errors_in_order)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct arena a;
	arena_init(&a, &al, 100);
	EXPECT_EQ(arena_alloc_block(&a, 100, 1), -MM_EFAULT);  /* outside: first */
	EXPECT_EQ(arena_alloc_block(&a, 500, 0), -MM_EFAULT);
	EXPECT_EQ(arena_alloc_block(&a, 90, 11), -MM_ENOSPC);  /* then the end */
	EXPECT_EQ(arena_alloc_block(&a, 5, UINT64_MAX), -MM_ENOSPC); /* no wrap-around */
	EXPECT_EQ(arena_alloc_block(&a, 90, 0), -MM_EINVAL);
	EXPECT_EQ(arena_alloc_block(&a, 90, 10), 0);
	EXPECT_EQ(arena_alloc_block(&a, 20, 10), 0);
	EXPECT_EQ(arena_alloc_block(&a, 20, 10), -MM_EEXIST); /* the same */
	EXPECT_EQ(arena_alloc_block(&a, 25, 1), -MM_EEXIST);  /* inside */
	EXPECT_EQ(arena_alloc_block(&a, 15, 6), -MM_EEXIST);  /* over the start */
	EXPECT_EQ(arena_alloc_block(&a, 29, 5), -MM_EEXIST);  /* over the end */
	EXPECT_EQ(arena_alloc_block(&a, 10, 50), -MM_EEXIST); /* around */
	EXPECT_EQ(arena_alloc_block(&a, 0, 100), -MM_EEXIST);
	EXPECT_EQ(arena_alloc_block(&a, 89, 2), -MM_EEXIST);  /* end past + overlap: overlap */
	EXPECT_EQ(arena_alloc_block(&a, 89, 12), -MM_ENOSPC); /* end past before overlap */
	EXPECT_STATS(&a, 2, 2, 80);
	EXPECT_EQ(arena_alloc_block(&a, 30, 60), 0);          /* fills the gap exactly */
	EXPECT_STATS(&a, 1, 3, 20);
	EXPECT_ARENA_OK(&a);
	arena_destroy(&a);
	EXPECT_EQ(ctx.live, 0);
}

HTEST(arena_access_spans_miniblocks)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct arena a;
	uint64_t n;
	char buf[64];
	arena_init(&a, &al, 100);
	EXPECT_EQ(arena_alloc_block(&a, 10, 4), 0);
	EXPECT_EQ(arena_alloc_block(&a, 14, 3), 0);
	EXPECT_EQ(arena_alloc_block(&a, 17, 5), 0);
	EXPECT_EQ(arena_alloc_block(&a, 30, 5), 0);
	/* A write across the three miniblocks of [10, 22), cut at the end. */
	EXPECT_EQ(arena_write(&a, 12, "abcdefghijklmnop", 16, &n), 0);
	EXPECT_EQ(n, 10);
	memset(buf, 0, sizeof buf);
	EXPECT_EQ(arena_read(&a, 10, buf, 50, &n), 0);
	EXPECT_EQ(n, 12);
	EXPECT_TRUE(memcmp(buf, "\0\0abcdefghij", 12) == 0);
	/* The gap at 22 stops an access; an address in the gap is invalid. */
	EXPECT_EQ(arena_access(&a, 21, 20, ARENA_PROT_READ, &n), 0);
	EXPECT_EQ(n, 1);
	EXPECT_EQ(arena_access(&a, 22, 1, ARENA_PROT_READ, &n), -MM_ENOENT);
	EXPECT_EQ(arena_access(&a, 9, 1, ARENA_PROT_READ, &n), -MM_ENOENT);
	EXPECT_EQ(arena_access(&a, 35, 1, ARENA_PROT_READ, &n), -MM_ENOENT);
	/* Permissions: every miniblock the access touches must allow it. */
	EXPECT_EQ(arena_mprotect(&a, 14, ARENA_PROT_READ), 0);
	EXPECT_EQ(arena_write(&a, 10, "XXXXXXXX", 8, &n), -MM_EFAULT);
	EXPECT_EQ(arena_write(&a, 10, "XXXX", 4, &n), 0);     /* stops before 14 */
	EXPECT_EQ(arena_write(&a, 17, "YY", 2, &n), 0);
	EXPECT_EQ(arena_read(&a, 10, buf, 12, &n), 0);
	EXPECT_TRUE(memcmp(buf, "XXXXcdeYYhij", 12) == 0);
	EXPECT_EQ(arena_mprotect(&a, 17, ARENA_PROT_WRITE | ARENA_PROT_EXEC), 0);
	EXPECT_EQ(arena_read(&a, 10, buf, 7, &n), 0);
	EXPECT_EQ(arena_read(&a, 10, buf, 8, &n), -MM_EFAULT);
	/* The miniblock holding the address is checked even for 0 bytes. */
	EXPECT_EQ(arena_read(&a, 18, buf, 0, &n), -MM_EFAULT);
	EXPECT_EQ(arena_mprotect(&a, 15, ARENA_PROT_READ), -MM_ENOENT);
	EXPECT_EQ(arena_mprotect(&a, 14, 8), -MM_EINVAL);
	struct arena_mini_info info;
	EXPECT_TRUE(arena_find(&a, 19, &info));
	EXPECT_EQ(info.start, 17);
	EXPECT_EQ(info.prot, ARENA_PROT_WRITE | ARENA_PROT_EXEC);
	EXPECT_FALSE(info.block_start);
	EXPECT_TRUE(arena_find(&a, 30, &info));
	EXPECT_TRUE(info.block_start);
	EXPECT_FALSE(arena_find(&a, 25, &info));
	EXPECT_ARENA_OK(&a);
	arena_destroy(&a);
	EXPECT_EQ(ctx.live, 0);
}

HTEST(arena_64gib_sparse)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct arena a;
	const uint64_t G = 1ull << 30, size = 64 * G;
	uint64_t n;
	char buf[16];
	arena_init(&a, &al, size);
	EXPECT_EQ(arena_alloc_block(&a, 0, 16), 0);
	EXPECT_EQ(arena_alloc_block(&a, 17 * G + 5, 4096), 0);
	EXPECT_EQ(arena_alloc_block(&a, size - 8, 8), 0);
	EXPECT_EQ(arena_alloc_block(&a, size - 8, 9), -MM_ENOSPC);
	EXPECT_EQ(arena_alloc_block(&a, size, 1), -MM_EFAULT);
	EXPECT_EQ(ctx.live, 3); /* one allocation per miniblock, none for the arena */
	EXPECT_EQ(arena_write(&a, size - 3, "tail!", 5, &n), 0);
	EXPECT_EQ(n, 3);
	EXPECT_EQ(arena_read(&a, size - 4, buf, 4, &n), 0);
	EXPECT_TRUE(memcmp(buf, "\0tai", 4) == 0);
	EXPECT_EQ(arena_write(&a, 17 * G + 4100, "0123456789", 10, &n), 0);
	EXPECT_EQ(n, 1);
	struct tbuf out = { 0 };
	struct mm_sink sink = tbuf_sink(&out);
	arena_pmap(&a, &sink);
	EXPECT_STREQ(tbuf_text(&out),
		     "Total memory: 0x1000000000 bytes\n"
		     "Free memory: 0xFFFFFEFE8 bytes\n"
		     "Number of allocated blocks: 3\n"
		     "Number of allocated miniblocks: 3\n"
		     "\nBlock 1 begin\n"
		     "Zone: 0x0 - 0x10\n"
		     "Miniblock 1:\t\t0x0\t\t-\t\t0x10\t\t| RW-\n"
		     "Block 1 end\n"
		     "\nBlock 2 begin\n"
		     "Zone: 0x440000005 - 0x440001005\n"
		     "Miniblock 1:\t\t0x440000005\t\t-\t\t0x440001005\t\t| RW-\n"
		     "Block 2 end\n"
		     "\nBlock 3 begin\n"
		     "Zone: 0xFFFFFFFF8 - 0x1000000000\n"
		     "Miniblock 1:\t\t0xFFFFFFFF8\t\t-\t\t0x1000000000\t\t| RW-\n"
		     "Block 3 end\n");
	free(out.s);
	EXPECT_ARENA_OK(&a);
	arena_destroy(&a);
	EXPECT_EQ(ctx.live, 0);
}

HTEST(arena_out_of_memory_keeps_everything)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct arena a;
	uint64_t n;
	char buf[8];
	arena_init(&a, &al, 1000);
	EXPECT_EQ(arena_alloc_block(&a, 100, 8), 0);
	EXPECT_EQ(arena_alloc_block(&a, 108, 8), 0);
	EXPECT_EQ(arena_write(&a, 104, "precious", 8, &n), 0);
	ctx.fail_after = 0;
	EXPECT_EQ(arena_alloc_block(&a, 116, 8), -MM_ENOMEM); /* would have merged */
	EXPECT_EQ(arena_alloc_block(&a, 500, 8), -MM_ENOMEM);
	EXPECT_STATS(&a, 1, 2, 984);
	EXPECT_ARENA_OK(&a);
	EXPECT_EQ(arena_read(&a, 104, buf, 8, &n), 0);
	EXPECT_TRUE(memcmp(buf, "precious", 8) == 0);
	/* Freeing and protecting never need memory. */
	EXPECT_EQ(arena_mprotect(&a, 108, ARENA_PROT_READ), 0);
	EXPECT_EQ(arena_free_block(&a, 100), 0);
	ctx.fail_after = -1;
	EXPECT_EQ(arena_alloc_block(&a, 116, 8), 0);
	EXPECT_STATS(&a, 1, 2, 984);
	EXPECT_ARENA_OK(&a);
	arena_destroy(&a);
	EXPECT_EQ(ctx.live, 0);
}

/* A tree of many miniblocks stays balanced whatever the insertion order. */
HTEST(arena_many_miniblocks_balanced)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct arena a;
	const uint64_t n = 4096;
	arena_init(&a, &al, 2 * n);
	for (uint64_t i = 0; i < n; i++) EXPECT_EQ(arena_alloc_block(&a, 2 * i, 1), 0);
	EXPECT_STATS(&a, n, n, n);
	/* An AVL tree of 4096 nodes is at most 1.44 log2(4098) < 18 high. */
	EXPECT_LE(a.root->height, 17);
	for (uint64_t i = 0; i < n; i++) EXPECT_EQ(arena_alloc_block(&a, 2 * i + 1, 1), 0);
	EXPECT_STATS(&a, 1, 2 * n, 0);
	EXPECT_ARENA_OK(&a);
	for (uint64_t i = 0; i < n; i += 2) EXPECT_EQ(arena_free_block(&a, 2 * i + 1), 0);
	/* Freed 1, 5, 9, ...: runs [0,1), [2,5), [6,9), ..., [2n-2, 2n). */
	EXPECT_STATS(&a, n / 2 + 1, 2 * n - n / 2, n / 2);
	EXPECT_LE(a.root->height, 18);
	EXPECT_ARENA_OK(&a);
	arena_destroy(&a);
	EXPECT_EQ(ctx.live, 0);
}

/* arena_check notices a broken structure. */
HTEST(arena_check_finds_corruption)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct arena a;
	arena_init(&a, &al, 100);
	EXPECT_EQ(arena_alloc_block(&a, 10, 10), 0);
	EXPECT_EQ(arena_alloc_block(&a, 30, 10), 0);
	EXPECT_EQ(arena_check(&a, NULL), 0);
	a.nblocks = 1;
	EXPECT_EQ(arena_check(&a, NULL), -MM_EIO);
	a.nblocks = 2;
	a.root->nbytes += 20; /* the root now overlaps its neighbour */
	a.used_bytes += 20;
	EXPECT_EQ(arena_check(&a, NULL), -MM_EIO);
	a.root->nbytes -= 20;
	a.used_bytes -= 20;
	a.root->height = 5;
	EXPECT_EQ(arena_check(&a, NULL), -MM_EIO);
	a.root->height = 2;
	EXPECT_EQ(arena_check(&a, NULL), 0);
	arena_destroy(&a);
}

/* ---- the command language ---------------------------------------------- */

HTEST(vma_every_message)
{
	EXPECT_VMA("ALLOC_ARENA 100\n"
		   "ALLOC_BLOCK 100 1\n"
		   "ALLOC_BLOCK 90 11\n"
		   "ALLOC_BLOCK 10 10\n"
		   "ALLOC_BLOCK 15 2\n"
		   "FREE_BLOCK 11\n"
		   "READ 50 1\n"
		   "WRITE 50 1 x\n"
		   "MPROTECT 11 PROT_READ\n"
		   "WRITE 18 5 abcde\n"
		   "READ 17 9\n"
		   "MPROTECT 10 PROT_WRITE\n"
		   "READ 10 1\n"
		   "MPROTECT 10 PROT_NONE\n"
		   "WRITE 10 1 z\n"
		   "BOGUS\n"
		   "DEALLOC_ARENA\n",
		   "The allocated address is outside the size of arena\n"
		   "The end address is past the size of the arena\n"
		   "This zone was already allocated.\n"
		   "Invalid address for free.\n"
		   "Invalid address for read.\n"
		   "Invalid address for write.\n"
		   "Invalid address for mprotect.\n"
		   "Warning: size was bigger than the block size. Writing 2 characters.\n"
		   "Warning: size was bigger than the block size. Reading 3 characters.\n"
		   "\n" /* byte 17 was never written: a NUL stops the output */
		   "Invalid permissions for read.\n"
		   "Invalid permissions for write.\n"
		   INVALID);
	/* MPROTECT: the address is checked first, whatever permission words
	 * follow; a good address with bad words is an invalid command (one
	 * message per word). */
	EXPECT_VMA("ALLOC_ARENA 100\nALLOC_BLOCK 10 10\n"
		   "MPROTECT 11 PROT_BOGUS\nMPROTECT 50 PROT_READ |\nMPROTECT 12\n"
		   "MPROTECT 10 PROT_BOGUS\nMPROTECT x PROT_READ\n", /* x reads as 0, as strtoul */
		   "Invalid address for mprotect.\n"
		   "Invalid address for mprotect.\n"
		   "Invalid address for mprotect.\n"
		   "Invalid command. Please try again.\nInvalid command. Please try again.\n"
		   "Invalid command. Please try again.\n"
		   "Invalid address for mprotect.\n");
	EXPECT_VMA("ALLOC_ARENA 100\nALLOC_BLOCK 10 10\nWRITE 18 5 abcde\nREAD 18 9\n",
		   "Warning: size was bigger than the block size. Writing 2 characters.\n"
		   "Warning: size was bigger than the block size. Reading 2 characters.\n"
		   "ab\n");
	EXPECT_VMA("ALLOC_ARENA 100\nALLOC_BLOCK 10 0\nPMAP\n",
		   "The size of a block must be greater than 0.\n"
		   "Total memory: 0x64 bytes\nFree memory: 0x64 bytes\n"
		   "Number of allocated blocks: 0\nNumber of allocated miniblocks: 0\n");
}

HTEST(vma_pmap_format)
{
	EXPECT_VMA("ALLOC_ARENA 4096\n"
		   "ALLOC_BLOCK 2000 16\nALLOC_BLOCK 16 4\nALLOC_BLOCK 20 12\n"
		   "MPROTECT 20 PROT_READ | PROT_EXEC\nPMAP\n",
		   "Total memory: 0x1000 bytes\n"
		   "Free memory: 0xFE0 bytes\n"
		   "Number of allocated blocks: 2\n"
		   "Number of allocated miniblocks: 3\n"
		   "\nBlock 1 begin\n"
		   "Zone: 0x10 - 0x20\n"
		   "Miniblock 1:\t\t0x10\t\t-\t\t0x14\t\t| RW-\n"
		   "Miniblock 2:\t\t0x14\t\t-\t\t0x20\t\t| R-X\n"
		   "Block 1 end\n"
		   "\nBlock 2 begin\n"
		   "Zone: 0x7D0 - 0x7E0\n"
		   "Miniblock 1:\t\t0x7D0\t\t-\t\t0x7E0\t\t| RW-\n"
		   "Block 2 end\n");
}

HTEST(vma_mprotect_forms)
{
	const char *pre = "ALLOC_ARENA 100\nALLOC_BLOCK 0 1\nALLOC_BLOCK 1 1\nALLOC_BLOCK 2 1\n"
			  "ALLOC_BLOCK 3 1\nALLOC_BLOCK 4 1\n";
	const char *tail = "PMAP\n";
	char in[512];
	snprintf(in, sizeof in,
		 "%sMPROTECT 0 PROT_READ | PROT_WRITE | PROT_EXEC\nMPROTECT 1 PROT_NONE\n"
		 "MPROTECT 2 PROT_EXEC|PROT_READ\nMPROTECT 3  PROT_WRITE |PROT_NONE \n"
		 "MPROTECT 4 PROT_NONE | PROT_READ\n%s",
		 pre, tail);
	EXPECT_VMA(in, "Total memory: 0x64 bytes\nFree memory: 0x5F bytes\n"
		       "Number of allocated blocks: 1\nNumber of allocated miniblocks: 5\n"
		       "\nBlock 1 begin\nZone: 0x0 - 0x5\n"
		       "Miniblock 1:\t\t0x0\t\t-\t\t0x1\t\t| RWX\n"
		       "Miniblock 2:\t\t0x1\t\t-\t\t0x2\t\t| ---\n"
		       "Miniblock 3:\t\t0x2\t\t-\t\t0x3\t\t| R-X\n"
		       "Miniblock 4:\t\t0x3\t\t-\t\t0x4\t\t| -W-\n"
		       "Miniblock 5:\t\t0x4\t\t-\t\t0x5\t\t| R--\n"
		       "Block 1 end\n");
	/* A bad or missing permission makes the line invalid: one per word. */
	EXPECT_VMA("ALLOC_ARENA 100\nALLOC_BLOCK 0 1\nMPROTECT 0 PROT_READ | PROT_FOO\n"
		   "MPROTECT 0\nMPROTECT 0 |\nMPROTECT 0 READ\n",
		   INVALID INVALID INVALID INVALID INVALID  /* a bad permission: 5 words */
		   INVALID INVALID                          /* none: 2 words */
		   INVALID INVALID INVALID                  /* only a '|': 3 words */
		   INVALID INVALID INVALID);                /* not a permission: 3 */
}

HTEST(vma_invalid_commands_per_word)
{
	/* Unknown commands and wrong word counts: one message per word. */
	EXPECT_VMA("ALLOC_ARENA 10\n"
		   "ALLOCK_BLOCK 1 1\n"
		   "PMAP extra\n"
		   "ALLOC_BLOCK 1\n"
		   "FREE_BLOCK\n"
		   "READ 1 2 3\n"
		   "WRITE 1\n"
		   "DEALLOC_ARENA now\n"
		   "ALLOC_ARENA\n"
		   "  \t \n"
		   "\n"
		   "alloc_arena 5\n"
		   "DEALLOC_ARENA\n",
		   INVALID INVALID INVALID   /* ALLOCK_BLOCK 1 1 */
		   INVALID INVALID           /* PMAP extra */
		   INVALID INVALID           /* ALLOC_BLOCK 1 */
		   INVALID                   /* FREE_BLOCK */
		   INVALID INVALID INVALID INVALID /* READ 1 2 3 */
		   INVALID INVALID           /* WRITE 1 */
		   INVALID INVALID           /* DEALLOC_ARENA now */
		   INVALID                   /* ALLOC_ARENA */
		   INVALID INVALID);         /* alloc_arena 5 */
	/* A very long line of words, and a very long word. */
	size_t nwords = 5000, len = nwords * 2 + 10000;
	char *in = malloc(len + 2), *want = malloc((nwords + 1) * strlen(INVALID) + 1);
	for (size_t i = 0; i < nwords; i++) memcpy(in + 2 * i, "x ", 2);
	memset(in + 2 * nwords, 'A', 10000);
	in[len] = '\n';
	in[len + 1] = 0;
	want[0] = 0;
	for (size_t i = 0; i < nwords + 1; i++) strcat(want, INVALID);
	char *got = run(in);
	EXPECT_TRUE(strcmp(got, want) == 0);
	free(got);
	free(in);
	free(want);
}

HTEST(vma_no_arena_and_after_dealloc)
{
	/* Before ALLOC_ARENA nothing but ALLOC_ARENA/DEALLOC_ARENA is valid. */
	EXPECT_VMA("PMAP\nALLOC_BLOCK 0 1\nWRITE 0 3 abc\nREAD 0 1\nALLOC_ARENA 10\nPMAP\n",
		   INVALID INVALID INVALID INVALID INVALID INVALID INVALID INVALID INVALID INVALID
		   "Total memory: 0xA bytes\nFree memory: 0xA bytes\n"
		   "Number of allocated blocks: 0\nNumber of allocated miniblocks: 0\n");
	/* A second ALLOC_ARENA starts over with an empty arena. */
	EXPECT_VMA("ALLOC_ARENA 10\nALLOC_BLOCK 0 5\nALLOC_ARENA 16\nPMAP\n",
		   "Total memory: 0x10 bytes\nFree memory: 0x10 bytes\n"
		   "Number of allocated blocks: 0\nNumber of allocated miniblocks: 0\n");
	/* DEALLOC_ARENA ends the session, even mid-chunk. */
	EXPECT_VMA("DEALLOC_ARENA\nPMAP\n", "");
	EXPECT_VMA("ALLOC_ARENA 10\nALLOC_BLOCK 0 5\nDEALLOC_ARENA\nPMAP\nBOGUS\n", "");
}

HTEST(vma_write_data)
{
	/* Data spans lines; the newline after the data starts the next line. */
	EXPECT_VMA("ALLOC_ARENA 200\nALLOC_BLOCK 10 100\nWRITE 10 14 gigel\ne\npe\nval\nREAD 10 14\n",
		   "gigel\ne\npe\nval\n");
	/* Data that looks like commands is data, even when the write fails. */
	EXPECT_VMA("ALLOC_ARENA 200\nWRITE 500 10 PMAP\nPMAP\nREAD 0 1\n", "Invalid address for write.\n"
		   "Invalid address for read.\n");
	/* Exactly one separator: further spaces are data. */
	EXPECT_VMA("ALLOC_ARENA 20\nALLOC_BLOCK 0 20\nWRITE 0 4   ab\nREAD 0 4\nREAD 2 2\n",
		   "  ab\n" "ab\n");
	/* What follows the data on its line is read as a new line. */
	EXPECT_VMA("ALLOC_ARENA 20\nALLOC_BLOCK 0 20\nWRITE 0 2 abPMAP\nREAD 0 5\n",
		   "Total memory: 0x14 bytes\nFree memory: 0x0 bytes\n"
		   "Number of allocated blocks: 1\nNumber of allocated miniblocks: 1\n"
		   "\nBlock 1 begin\nZone: 0x0 - 0x14\n"
		   "Miniblock 1:\t\t0x0\t\t-\t\t0x14\t\t| RW-\nBlock 1 end\n"
		   "ab\n");
	EXPECT_VMA("ALLOC_ARENA 20\nALLOC_BLOCK 0 20\nWRITE 0 2 abc d\nREAD 0 5\n",
		   INVALID INVALID "ab\n");
	/* <size> ending the line: the data starts on the next one. */
	EXPECT_VMA("ALLOC_ARENA 20\nALLOC_BLOCK 0 20\nWRITE 0 3\nxyz\nREAD 0 5\n", "xyz\n");
	/* Zero bytes, and a write over two blocks' gap is cut at the first. */
	EXPECT_VMA("ALLOC_ARENA 20\nALLOC_BLOCK 0 4\nALLOC_BLOCK 5 4\nWRITE 0 0 \nWRITE 2 5 abcde\n"
		   "READ 0 4\nREAD 5 1\n",
		   "Warning: size was bigger than the block size. Writing 2 characters.\n"
		   "\n\n");
	/* Newlines and tabs inside the data come back out as they went in. */
	EXPECT_VMA("ALLOC_ARENA 20\nALLOC_BLOCK 0 20\nWRITE 0 7 \t\n \n\nx\nREAD 0 7\n", "\t\n \n\nx\n\n");
	/* Writes spanning miniblocks; a later, shorter write leaves the rest. */
	EXPECT_VMA("ALLOC_ARENA 64\nALLOC_BLOCK 0 3\nALLOC_BLOCK 3 3\nALLOC_BLOCK 6 3\n"
		   "WRITE 1 7 1234567\nWRITE 2 2 ab\nREAD 0 9\nREAD 4 20\n",
		   "\n" /* READ 0 9: byte 0 is a NUL */
		   "Warning: size was bigger than the block size. Reading 5 characters.\n"
		   "4567\n");
	EXPECT_VMA("ALLOC_ARENA 64\nALLOC_BLOCK 0 3\nALLOC_BLOCK 3 3\nALLOC_BLOCK 6 3\n"
		   "WRITE 0 7 1234567\nWRITE 2 2 ab\nREAD 0 9\n",
		   "12ab567\n");
}

/* in must give the same output fed whole and fed a byte at a time (a CR LF
 * pair split between two feeds is still one line end). */
static void expect_vma_bytewise(const char *in, int line)
{
	long live = 0;
	char *whole = run_chunked(in, strlen(in), 0, 1, -1, &live, NULL);
	char *bytes = run_chunked(in, strlen(in), 1, 1, -1, &live, NULL);
	if (strcmp(whole, bytes) != 0)
		htest_fail(__FILE__, line, "byte-by-byte output differs for %s", in);
	free(whole);
	free(bytes);
}

#define PMAP_16_0_4                                                            \
	"Total memory: 0x10 bytes\nFree memory: 0xC bytes\n"                  \
	"Number of allocated blocks: 1\nNumber of allocated miniblocks: 1\n"  \
	"\nBlock 1 begin\nZone: 0x0 - 0x4\n"                                  \
	"Miniblock 1:\t\t0x0\t\t-\t\t0x4\t\t| RW-\nBlock 1 end\n"

HTEST(vma_line_ends_cr_lf_crlf)
{
	/* CR (a terminal's Enter), LF and CR LF each end a line. */
	EXPECT_VMA("ALLOC_ARENA 16\rALLOC_BLOCK 0 4\rPMAP\r", PMAP_16_0_4);
	EXPECT_VMA("ALLOC_ARENA 16\nALLOC_BLOCK 0 4\nPMAP\n", PMAP_16_0_4);
	EXPECT_VMA("ALLOC_ARENA 16\r\nALLOC_BLOCK 0 4\r\nPMAP\r\n", PMAP_16_0_4);
	EXPECT_VMA("ALLOC_ARENA 16\rALLOC_BLOCK 0 4\r\nPMAP\n", PMAP_16_0_4);
	/* A last line ended by CR alone runs at once, before the end of input. */
	EXPECT_VMA("ALLOC_ARENA 16\rALLOC_BLOCK 0 4\rPMAP\rDEALLOC_ARENA\rPMAP\r", PMAP_16_0_4);
	/* Empty lines of every kind print nothing; LF CR is two line ends. */
	EXPECT_VMA("\r\r\n\n\r\n\n\r", "");
	EXPECT_VMA("ALLOC_ARENA 16\n\rALLOC_BLOCK 0 4\r\n\r\nPMAP\r\r", PMAP_16_0_4);
	expect_vma_bytewise("ALLOC_ARENA 16\r\nALLOC_BLOCK 0 4\r\nPMAP\r\n", __LINE__);
}

HTEST(vma_cr_invalid_per_word)
{
	/* One message per word of each line: CR ends a line, it is no blank. */
	EXPECT_VMA("ALLOC_ARENA 10\rPMAP X\r", INVALID INVALID);
	EXPECT_VMA("FOO BAR\rBAZ\r", INVALID INVALID INVALID);
	/* The LF of a CR LF adds no line, hence no message. */
	EXPECT_VMA("ALLOC_ARENA 10\r\nPMAP X Y\r\nQ\r\n", INVALID INVALID INVALID INVALID);
	/* A WRITE header cut by CR: its data begins after the CR (LF). */
	EXPECT_VMA("WRITE 0\rPMAP\r\n", INVALID INVALID INVALID);
	expect_vma_bytewise("ALLOC_ARENA 10\r\nPMAP X Y\r\nQ\r\n", __LINE__);
}

HTEST(vma_cr_in_write_data)
{
	/* Inside the data a CR is a byte like any other, and so is CR LF. */
	EXPECT_VMA("ALLOC_ARENA 20\rALLOC_BLOCK 0 20\rWRITE 0 4 a\rb\r\rREAD 0 4\r", "a\rb\r\n");
	EXPECT_VMA("ALLOC_ARENA 20\rALLOC_BLOCK 0 20\rWRITE 0 4 a\r\nb\rREAD 0 4\r", "a\r\nb\n");
	/* A CR or CR LF right after the last data byte ends the WRITE line. */
	EXPECT_VMA("ALLOC_ARENA 20\r\nALLOC_BLOCK 0 20\r\nWRITE 0 2 ab\r\nREAD 0 4\r\n", "ab\n");
	EXPECT_VMA("ALLOC_ARENA 20\rALLOC_BLOCK 0 20\rWRITE 0 2 ab\rREAD 0 4\r", "ab\n");
	/* A CR that is the last data byte pairs with nothing: the LF after it
	 * ends the WRITE line. */
	EXPECT_VMA("ALLOC_ARENA 20\nALLOC_BLOCK 0 20\nWRITE 0 2 a\r\nREAD 0 4\n", "a\r\n");
	/* <size> ended by CR or CR LF: the data starts after the line end. */
	EXPECT_VMA("ALLOC_ARENA 20\rALLOC_BLOCK 0 20\rWRITE 0 3\rxyz\rREAD 0 5\r", "xyz\n");
	EXPECT_VMA("ALLOC_ARENA 20\r\nALLOC_BLOCK 0 20\r\nWRITE 0 3\r\nxyz\r\nREAD 0 5\r\n", "xyz\n");
	/* ... but only one LF: a second line end is data. */
	EXPECT_VMA("ALLOC_ARENA 20\rALLOC_BLOCK 0 20\rWRITE 0 3\r\n\r\nxREAD 0 5\r", "\r\nx\n");
	/* Size 0 after a CR: the LF of the pair is no line of its own. */
	EXPECT_VMA("ALLOC_ARENA 20\rALLOC_BLOCK 0 20\rWRITE 0 0\r\nREAD 0 1\r\n", "\n");
	expect_vma_bytewise("ALLOC_ARENA 20\r\nALLOC_BLOCK 0 20\r\nWRITE 0 3\r\nxyz\r\nREAD 0 5\r\n",
			    __LINE__);
	expect_vma_bytewise("ALLOC_ARENA 20\rALLOC_BLOCK 0 20\rWRITE 0 4 a\r\nb\rREAD 0 4\r", __LINE__);
}

HTEST(vma_numbers_like_strtoul)
{
	/* Leading digits count, the rest of the word is ignored, none reads 0. */
	EXPECT_VMA("ALLOC_ARENA 16abc\nALLOC_BLOCK x 4\nALLOC_BLOCK 0004 +4\nPMAP\n",
		   "Total memory: 0x10 bytes\nFree memory: 0x8 bytes\n"
		   "Number of allocated blocks: 1\nNumber of allocated miniblocks: 2\n"
		   "\nBlock 1 begin\nZone: 0x0 - 0x8\n"
		   "Miniblock 1:\t\t0x0\t\t-\t\t0x4\t\t| RW-\n"
		   "Miniblock 2:\t\t0x4\t\t-\t\t0x8\t\t| RW-\nBlock 1 end\n");
	/* -1 and overflow read as 2^64 - 1; hex is not understood (0x10 is 0). */
	EXPECT_VMA("ALLOC_ARENA -1\nALLOC_BLOCK 18446744073709551614 1\n"
		   "ALLOC_BLOCK 99999999999999999999999 1\nALLOC_BLOCK 0x10 1\nPMAP\n",
		   "The allocated address is outside the size of arena\n"
		   "Total memory: 0xFFFFFFFFFFFFFFFF bytes\nFree memory: 0xFFFFFFFFFFFFFFFD bytes\n"
		   "Number of allocated blocks: 2\nNumber of allocated miniblocks: 2\n"
		   "\nBlock 1 begin\nZone: 0x0 - 0x1\n"
		   "Miniblock 1:\t\t0x0\t\t-\t\t0x1\t\t| RW-\nBlock 1 end\n"
		   "\nBlock 2 begin\nZone: 0xFFFFFFFFFFFFFFFE - 0xFFFFFFFFFFFFFFFF\n"
		   "Miniblock 1:\t\t0xFFFFFFFFFFFFFFFE\t\t-\t\t0xFFFFFFFFFFFFFFFF\t\t| RW-\n"
		   "Block 2 end\n");
}

HTEST(vma_end_of_input)
{
	/* A last line without newline still runs. */
	EXPECT_VMA("ALLOC_ARENA 10\nFREE_BLOCK 3", "Invalid address for free.\n");
	EXPECT_VMA("ALLOC_ARENA 10\nBOGUS 1", INVALID INVALID);
	/* An unfinished WRITE writes what arrived, as if that were its size. */
	char *got;
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct tbuf out = { 0 };
	struct mm_sink sink = tbuf_sink(&out);
	struct vma_cmd vc;
	const char *in = "ALLOC_ARENA 10\nALLOC_BLOCK 0 4\nWRITE 0 100 abc";
	vma_cmd_init(&vc, &al, &sink);
	vma_cmd_feed(&vc, in, strlen(in));
	EXPECT_STREQ(tbuf_text(&out), "");
	vma_cmd_finish(&vc);
	EXPECT_STREQ(tbuf_text(&out), "");
	EXPECT_FALSE(vma_cmd_done(&vc));
	char buf[4];
	uint64_t n;
	EXPECT_EQ(arena_read(&vc.arena, 0, buf, 4, &n), 0);
	EXPECT_TRUE(memcmp(buf, "abc\0", 4) == 0);
	vma_cmd_feed(&vc, "PMAP\n", 5); /* ignored after finish */
	EXPECT_STREQ(tbuf_text(&out), "");
	vma_cmd_destroy(&vc);
	EXPECT_EQ(ctx.live, 0);
	free(out.s);
	got = run("ALLOC_ARENA 10\nALLOC_BLOCK 0 4\nWRITE 0 100 abcdef");
	EXPECT_STREQ(got, "Warning: size was bigger than the block size. Writing 4 characters.\n");
	free(got);
	EXPECT_VMA("ALLOC_ARENA 10\nALLOC_BLOCK 0 4\nWRITE 0 5", "");
	EXPECT_VMA("ALLOC_ARENA 10\nALLOC_BLOCK 0 4\nWRITE 0", INVALID INVALID);
}

HTEST(vma_out_of_memory_replies)
{
	/* The block's miniblock cannot be had: clear reply, arena unchanged. */
	const char *in = "ALLOC_ARENA 100\nALLOC_BLOCK 0 10\nWRITE 0 4 keep\nALLOC_BLOCK 10 10\n"
			 "PMAP\nREAD 0 4\n";
	/* Allocations: miniblock 0, WRITE's buffer, then the failing one. */
	long live = -1;
	char *got = run_chunked(in, strlen(in), 0, 1, 2, &live, NULL);
	EXPECT_STREQ(got, "Out of memory: the block was not allocated.\n"
			  "Total memory: 0x64 bytes\nFree memory: 0x5A bytes\n"
			  "Number of allocated blocks: 1\nNumber of allocated miniblocks: 1\n"
			  "\nBlock 1 begin\nZone: 0x0 - 0xA\n"
			  "Miniblock 1:\t\t0x0\t\t-\t\t0xA\t\t| RW-\nBlock 1 end\n"
			  "keep\n");
	EXPECT_EQ(live, 0);
	free(got);
	/* WRITE's buffer cannot be had: the data is consumed all the same. */
	in = "ALLOC_ARENA 100\nALLOC_BLOCK 0 10\nWRITE 0 9 PMAP\nPMAP\nREAD 0 4\n";
	got = run_chunked(in, strlen(in), 1, 1, 1, &live, NULL);
	EXPECT_STREQ(got, "Out of memory: the data was not written.\n\n");
	EXPECT_EQ(live, 0);
	free(got);
}

/* Each public case: the same output whatever the chunking, equal to .ref,
 * and nothing left allocated. */
HTEST(vma_cases_any_chunking)
{
	static const char *const names[] = { "00", "01", "02", "03", "08", "09", "14", "18",
					     "19", "21", "22", "26", "30", "34", "42", "45" };
	for (size_t i = 0; i < MM_ARRAY_SIZE(names); i++) {
		char path[128];
		size_t inlen, reflen, n1, n2, n3;
		long live1, live2, live3;
		snprintf(path, sizeof path, "tests/data/cases/vma/%s-vma.in", names[i]);
		char *in = host_read_file(path, &inlen);
		snprintf(path, sizeof path, "tests/data/cases/vma/%s-vma.ref", names[i]);
		char *ref = host_read_file(path, &reflen);
		if (!in || !ref) {
			htest_fail(__FILE__, __LINE__, "cannot read case %s", names[i]);
			free(in);
			free(ref);
			continue;
		}
		char *whole = run_chunked(in, inlen, 0, 1, -1, &live1, &n1);
		char *bytes = run_chunked(in, inlen, 1, 1, -1, &live2, &n2);
		char *random = run_chunked(in, inlen, -1, 1000 + i, -1, &live3, &n3);
		if (n1 != reflen || memcmp(whole, ref, reflen) != 0)
			htest_fail(__FILE__, __LINE__, "case %s differs from its .ref", names[i]);
		if (n2 != n1 || memcmp(bytes, whole, n1) != 0)
			htest_fail(__FILE__, __LINE__, "case %s: byte-by-byte output differs", names[i]);
		if (n3 != n1 || memcmp(random, whole, n1) != 0)
			htest_fail(__FILE__, __LINE__, "case %s: random chunks output differs", names[i]);
		EXPECT_EQ(live1, 0);
		EXPECT_EQ(live2, 0);
		EXPECT_EQ(live3, 0);
		free(whole);
		free(bytes);
		free(random);
		free(in);
		free(ref);
	}
}

/* Destroying mid-session (no DEALLOC_ARENA, a WRITE half received) frees all. */
HTEST(vma_destroy_frees_everything)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct tbuf out = { 0 };
	struct mm_sink sink = tbuf_sink(&out);
	struct vma_cmd vc;
	const char *in = "ALLOC_ARENA 1000\nALLOC_BLOCK 0 100\nALLOC_BLOCK 200 100\nWRITE 0 50 abc";
	vma_cmd_init(&vc, &al, &sink);
	vma_cmd_feed(&vc, in, strlen(in));
	EXPECT_EQ(ctx.live, 3);
	EXPECT_EQ(vma_cmd_check(&vc, NULL), 0);
	vma_cmd_destroy(&vc);
	EXPECT_EQ(ctx.live, 0);
	free(out.s);
}

/* ---- random operations against a byte-map model ----------------------- */

#define MODEL_N 48

struct model {
	bool used[MODEL_N], start[MODEL_N];
	unsigned prot[MODEL_N];
	unsigned char data[MODEL_N];
};

/* End of the miniblock starting at s. */
static unsigned model_mini_end(const struct model *m, unsigned s)
{
	unsigned e = s + 1;
	while (e < MODEL_N && m->used[e] && !m->start[e]) e++;
	return e;
}

static int model_alloc(struct model *m, uint64_t addr, uint64_t n)
{
	if (addr >= MODEL_N) return -MM_EFAULT;
	if (n > MODEL_N - addr) return -MM_ENOSPC;
	if (n == 0) return -MM_EINVAL;
	for (uint64_t i = addr; i < addr + n; i++)
		if (m->used[i]) return -MM_EEXIST;
	for (uint64_t i = addr; i < addr + n; i++) {
		m->used[i] = true;
		m->start[i] = i == addr;
		m->prot[i] = ARENA_PROT_READ | ARENA_PROT_WRITE;
		m->data[i] = 0;
	}
	if (addr + n < MODEL_N && m->used[addr + n]) m->start[addr + n] = true;
	return 0;
}

static int model_free(struct model *m, uint64_t addr)
{
	if (addr >= MODEL_N || !m->used[addr] || !m->start[addr]) return -MM_ENOENT;
	unsigned e = model_mini_end(m, (unsigned)addr);
	for (unsigned i = (unsigned)addr; i < e; i++) m->used[i] = m->start[i] = false;
	return 0;
}

static int model_mprotect(struct model *m, uint64_t addr, unsigned prot)
{
	if (addr >= MODEL_N || !m->used[addr] || !m->start[addr]) return -MM_ENOENT;
	unsigned e = model_mini_end(m, (unsigned)addr);
	for (unsigned i = (unsigned)addr; i < e; i++) m->prot[i] = prot;
	return 0;
}

static int model_access(const struct model *m, uint64_t addr, uint64_t n, unsigned prot, uint64_t *got)
{
	if (addr >= MODEL_N || !m->used[addr]) return -MM_ENOENT;
	uint64_t k = 0;
	while (k < n && addr + k < MODEL_N && m->used[addr + k]) k++;
	if ((m->prot[addr] & prot) != prot) return -MM_EFAULT;
	for (uint64_t i = addr; i < addr + k; i++)
		if ((m->prot[i] & prot) != prot) return -MM_EFAULT;
	*got = k;
	return 0;
}

static void model_compare(const struct model *m, const struct arena *a, int step)
{
	uint64_t l[3 * MODEL_N];
	int n = list_minis(a, l, MODEL_N), k = 0;
	uint64_t blocks = 0, used = 0;
	for (unsigned i = 0; i < MODEL_N; i++) {
		if (!m->used[i]) continue;
		used++;
		if (i == 0 || !m->used[i - 1]) blocks++;
		if (!m->start[i]) continue;
		unsigned e = model_mini_end(m, i);
		struct arena_mini_info info;
		if (k >= n || l[3 * k] != i || l[3 * k + 1] != e - i || !arena_find(a, i, &info) ||
		    info.prot != m->prot[i]) {
			htest_fail(__FILE__, __LINE__, "step %d: miniblock at %u differs", step, i);
			return;
		}
		k++;
	}
	if (k != n) htest_fail(__FILE__, __LINE__, "step %d: %d miniblocks, model has %d", step, n, k);
	struct arena_stats st;
	arena_get_stats(a, &st);
	if (st.nblocks != blocks || st.nminis != (uint64_t)k || st.free_bytes != MODEL_N - used)
		htest_fail(__FILE__, __LINE__, "step %d: stats differ", step);
}

HTEST(arena_random_vs_model)
{
	for (uint64_t seed = 1; seed <= 10; seed++) {
		struct host_alloc_ctx ctx = { -1, 0 };
		struct mm_allocator al = host_allocator(&ctx);
		struct arena a;
		struct model m;
		struct mm_rng r;
		memset(&m, 0, sizeof m);
		mm_rng_seed(&r, seed);
		arena_init(&a, &al, MODEL_N);
		for (int step = 0; step < 6000; step++) {
			uint64_t addr = mm_rng_below(&r, MODEL_N + 4);
			uint64_t n = mm_rng_below(&r, seed & 1 ? 6 : 14);
			unsigned prot = mm_rng_below(&r, 8);
			unsigned char buf[64], want[64];
			uint64_t got = 0, wgot = 0;
			int rc, wrc;
			switch (mm_rng_below(&r, 6)) {
			case 0:
			case 1:
				rc = arena_alloc_block(&a, addr, n);
				wrc = model_alloc(&m, addr, n);
				break;
			case 2:
				/* Mostly at a miniblock start, sometimes anywhere. */
				if (mm_rng_below(&r, 4)) {
					struct arena_mini_info info;
					if (arena_find(&a, addr, &info)) addr = info.start;
				}
				rc = arena_free_block(&a, addr);
				wrc = model_free(&m, addr);
				break;
			case 3:
				rc = arena_mprotect(&a, addr, prot);
				wrc = model_mprotect(&m, addr, prot);
				break;
			case 4:
				for (unsigned i = 0; i < n; i++) buf[i] = (unsigned char)mm_rng_next(&r);
				rc = arena_write(&a, addr, buf, n, &got);
				wrc = model_access(&m, addr, n, ARENA_PROT_WRITE, &wgot);
				if (wrc == 0) memcpy(m.data + addr, buf, wgot);
				break;
			default:
				rc = arena_read(&a, addr, buf, n, &got);
				wrc = model_access(&m, addr, n, ARENA_PROT_READ, &wgot);
				if (wrc == 0) {
					memcpy(want, m.data + addr, wgot);
					if (rc == 0 && got == wgot && memcmp(buf, want, wgot) != 0)
						htest_fail(__FILE__, __LINE__, "seed %llu step %d: read data",
							   (unsigned long long)seed, step);
				}
				break;
			}
			if (rc != wrc || got != wgot) {
				htest_fail(__FILE__, __LINE__, "seed %llu step %d: rc %d/%d got %llu/%llu",
					   (unsigned long long)seed, step, rc, wrc,
					   (unsigned long long)got, (unsigned long long)wgot);
				break;
			}
			if (arena_check(&a, NULL) != 0) {
				htest_fail(__FILE__, __LINE__, "seed %llu step %d: arena_check",
					   (unsigned long long)seed, step);
				break;
			}
			model_compare(&m, &a, step);
		}
		arena_destroy(&a);
		EXPECT_EQ(ctx.live, 0);
	}
}

/* Large miniblocks keep their bytes in chunks made on the first write:
 * writes and reads across chunk and miniblock boundaries, zeros where
 * nothing was written, memory only for what was written, and a failed
 * chunk allocation writes nothing. */
HTEST(arena_large_miniblocks_are_lazy)
{
	struct host_alloc_ctx ctx = { -1, 0 };
	struct mm_allocator al = host_allocator(&ctx);
	struct arena a;
	arena_init(&a, &al, 64ull << 30);
	uint64_t big = 16ull << 30, at = 40ull << 30;
	ASSERT_EQ(arena_alloc_block(&a, at, big), 0);
	long after_alloc = ctx.live;
	EXPECT_TRUE(after_alloc <= 2); /* a header and a chunk table, no data */
	ASSERT_EQ(arena_alloc_block(&a, at + big, 3 * ARENA_CHUNK + 5), 0); /* merges: same block */
	static unsigned char model[4 * ARENA_CHUNK], buf[4 * ARENA_CHUNK];
	memset(model, 0, sizeof model);
	uint64_t base = at + big - 2 * ARENA_CHUNK; /* the last two chunks of the first miniblock */
	srand(3);
	for (int i = 0; i < 200; i++) {
		uint64_t off = (uint64_t)rand() % (sizeof model - 300), n = 1 + (uint64_t)rand() % 299;
		unsigned char data[300];
		for (uint64_t k = 0; k < n; k++) data[k] = (unsigned char)(1 + rand() % 250);
		uint64_t done;
		ASSERT_EQ(arena_write(&a, base + off, data, n, &done), 0);
		EXPECT_EQ(done, n);
		memcpy(model + off, data, n);
	}
	uint64_t done;
	ASSERT_EQ(arena_read(&a, base, buf, sizeof buf, &done), 0);
	EXPECT_EQ(done, sizeof buf);
	EXPECT_EQ(memcmp(buf, model, sizeof buf), 0);
	/* far from any write: zeros, and no chunk made by reading */
	long before_read = ctx.live;
	ASSERT_EQ(arena_read(&a, at + 12345, buf, 1000, &done), 0);
	int nonzero = 0;
	for (int k = 0; k < 1000; k++) nonzero += buf[k] != 0;
	EXPECT_EQ(nonzero, 0);
	EXPECT_EQ(ctx.live, before_read);
	/* at most the chunks touched: the last two of the first miniblock and the second's */
	EXPECT_TRUE(ctx.live - after_alloc <= 2 + 2 + 4);
	/* a chunk that cannot be had: the write is refused whole */
	ctx.fail_after = 0;
	unsigned char x[10] = "0123456789";
	EXPECT_EQ(arena_write(&a, at + 5 * ARENA_CHUNK - 5, x, 10, &done), -MM_ENOMEM);
	ctx.fail_after = -1;
	ASSERT_EQ(arena_read(&a, at + 5 * ARENA_CHUNK - 5, buf, 10, &done), 0);
	EXPECT_EQ(buf[0] | buf[9], 0);
	EXPECT_EQ(arena_check(&a, NULL), 0);
	EXPECT_EQ(arena_free_block(&a, at), 0);
	EXPECT_EQ(arena_check(&a, NULL), 0);
	arena_destroy(&a);
	EXPECT_EQ(ctx.live, 0);
}
