/*
 * test_kmalloc.c - host tests of the kernel's small-object allocator
 * (mm/kmalloc.c) over two page sources: the C library's aligned_alloc (with a
 * page count and a failure switch) and a real buddy frame allocator over the
 * host's simulated physical memory.
 *
 * Objects are filled with a pattern derived from their address and checked
 * before they are freed, so overlapping objects or stray writes show up.
 * Expected sizes and page counts are derived from the class rule (the
 * smallest power of two >= max(n, 16) up to 2048; beyond, the smallest 2^k
 * pages holding n plus a header of under 2 KiB).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "env_host.h"
#include "host_alloc.h"
#include "host_sink.h"
#include "htest.h"
#include "frame.h"
#include "kmalloc.h"
#include "mmlib.h"

/* ---- page sources ---- */

struct libc_pages {
	long pages_live;
	struct host_alloc_ctx calls; /* calls.fail_after runs the source dry */
};

static void *libc_alloc_pages(void *ctx, unsigned order)
{
	struct libc_pages *lp = ctx;
	if (!host_alloc_grant(&lp->calls)) return NULL;
	size_t n = (size_t)PAGE_SIZE << order;
	void *p = aligned_alloc(PAGE_SIZE, n); /* page alignment is all the contract asks */
	if (p) {
		memset(p, 0xA5, n);
		lp->pages_live += 1L << order;
	}
	return p;
}

static void libc_free_pages(void *ctx, void *p, unsigned order)
{
	struct libc_pages *lp = ctx;
	lp->pages_live -= 1L << order;
	free(p);
}

static void km_setup_libc(struct kmalloc *km, struct libc_pages *lp, bool debug)
{
	lp->pages_live = 0;
	lp->calls = (struct host_alloc_ctx){ -1, 0 };
	struct kmalloc_pages src = { libc_alloc_pages, libc_free_pages, lp };
	kmalloc_init(km, &src);
	km->debug = debug;
}

/* A frame allocator over 16 MiB of host "physical memory". */
#define PHYS_BYTES (16u << 20)

static void frames_setup(struct frame_alloc *fa)
{
	host_phys_init(PHYS_BYTES);
	uint32_t n = PHYS_BYTES / PAGE_SIZE;
	frame_init(fa, n, malloc(frame_desc_bytes(n)));
	frame_release_range(fa, pfn_make(1), n - 1); /* frame 0 stays reserved: no NULL pages */
}

static void frames_teardown(struct frame_alloc *fa)
{
	free(fa->desc);
	host_phys_free();
}


static int check_quiet(struct kmalloc *km)
{
	struct strsink ss;
	strsink_init(&ss);
	int rc = kmalloc_check(km, &ss.sink);
	if (rc) printf("# %s", ss.buf);
	return rc;
}

/* ---- patterns ---- */

static unsigned char pattern_byte(const void *obj, size_t i)
{
	uint32_t a = (uint32_t)(uintptr_t)obj;
	return (unsigned char)((a >> 4) * 131u + (a >> 12) * 7u + i * 29u + 1u);
}

static void fill(void *obj, size_t n)
{
	unsigned char *p = obj;
	for (size_t i = 0; i < n; i++) p[i] = pattern_byte(obj, i);
}

static bool intact(const void *obj, size_t n)
{
	const unsigned char *p = obj;
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern_byte(obj, i)) return false;
	return true;
}

/* The size class the rule gives, or 0 for a large request. */
static size_t class_size(size_t n)
{
	if (n > 2048) return 0;
	size_t s = 16;
	while (s < n) s *= 2;
	return s;
}

/* Pages a large request takes: the smallest 2^k pages with room for n and
 * a header. For a header of 1..64 bytes that is the smallest 2^k pages
 * larger than n, as long as n is not within 64 bytes below such a size;
 * the sizes used here keep clear of that. */
static unsigned large_pages(size_t n)
{
	unsigned pages = 1;
	while ((size_t)pages * PAGE_SIZE <= n) pages *= 2;
	return pages;
}

/* ---- basic behaviour ---- */

HTEST(kmalloc_sizes_and_alignment)
{
	struct kmalloc km;
	struct libc_pages lp;
	km_setup_libc(&km, &lp, false);
	static void *objs[600];
	int n = 0;
	for (size_t sz = 0; sz <= 2100; sz += 7) {
		void *p = kmalloc(&km, sz);
		ASSERT_TRUE(p != NULL);
		EXPECT_EQ((uintptr_t)p % 16, 0);
		size_t want = class_size(sz);
		if (want)
			EXPECT_EQ(kmalloc_size(&km, p), want);
		else
			EXPECT_GE(kmalloc_size(&km, p), sz);
		fill(p, sz);
		objs[n++] = p;
	}
	EXPECT_EQ(check_quiet(&km), 0);
	for (int i = 0; i < n; i++) {
		size_t sz = (size_t)i * 7;
		EXPECT_TRUE(intact(objs[i], sz));
		EXPECT_EQ(kmalloc_free(&km, objs[i]), 0);
	}
	EXPECT_EQ(kmalloc_free(&km, NULL), 0);
	EXPECT_EQ(km.nerrors, 0);
	EXPECT_EQ(check_quiet(&km), 0);
	kmalloc_trim(&km);
	EXPECT_EQ(lp.pages_live, 0);
	EXPECT_EQ(km.npages, 0);
}

HTEST(kmalloc_zero_size_and_kzalloc)
{
	struct kmalloc km;
	struct libc_pages lp;
	km_setup_libc(&km, &lp, true);
	void *a = kmalloc(&km, 0), *b = kmalloc(&km, 0);
	EXPECT_TRUE(a && b && a != b);
	EXPECT_EQ(kmalloc_size(&km, a), 16);
	/* a recycled object comes back zeroed from kzalloc */
	unsigned char *p = kmalloc(&km, 300);
	memset(p, 0xee, 300);
	kfree(&km, p);
	unsigned char *q = kzalloc(&km, 300);
	ASSERT_TRUE(q != NULL);
	int nonzero = 0;
	for (int i = 0; i < 300; i++) nonzero += q[i] != 0;
	EXPECT_EQ(nonzero, 0);
	unsigned char *big = kzalloc(&km, 10000);
	ASSERT_TRUE(big != NULL);
	nonzero = 0;
	for (int i = 0; i < 10000; i++) nonzero += big[i] != 0;
	EXPECT_EQ(nonzero, 0);
	kfree(&km, a);
	kfree(&km, b);
	kfree(&km, q);
	kfree(&km, big);
	EXPECT_EQ(km.nerrors, 0);
	kmalloc_trim(&km);
	EXPECT_EQ(lp.pages_live, 0);
}

HTEST(kmalloc_large_allocations)
{
	struct kmalloc km;
	struct libc_pages lp;
	km_setup_libc(&km, &lp, false);
	static const size_t sizes[] = { 2049, 3000, 5000, 12000, 20000, 100000, 1000000 };
	void *p[MM_ARRAY_SIZE(sizes)];
	long pages = 0;
	for (size_t i = 0; i < MM_ARRAY_SIZE(sizes); i++) {
		p[i] = kmalloc(&km, sizes[i]);
		ASSERT_TRUE(p[i] != NULL);
		pages += large_pages(sizes[i]);
		EXPECT_EQ(lp.pages_live, pages);
		EXPECT_GE(kmalloc_size(&km, p[i]), sizes[i]);
		EXPECT_LT(kmalloc_size(&km, p[i]), (size_t)large_pages(sizes[i]) * PAGE_SIZE);
		fill(p[i], sizes[i]);
	}
	EXPECT_EQ(km.nlarge, MM_ARRAY_SIZE(sizes));
	EXPECT_EQ(km.large_pages, pages);
	EXPECT_EQ(check_quiet(&km), 0);
	for (size_t i = 0; i < MM_ARRAY_SIZE(sizes); i++) {
		EXPECT_TRUE(intact(p[i], sizes[i]));
		kfree(&km, p[i]);
		pages -= large_pages(sizes[i]);
		EXPECT_EQ(lp.pages_live, pages); /* large blocks go straight back */
	}
	EXPECT_EQ(km.nlarge, 0);
	/* too big, and a page source that has run dry */
	EXPECT_TRUE(kmalloc(&km, KMALLOC_MAX_LARGE + 1) == NULL);
	lp.calls.fail_after = 0;
	EXPECT_TRUE(kmalloc(&km, 5000) == NULL);
	EXPECT_TRUE(kmalloc(&km, 16) == NULL); /* no slab yet for class 16 */
	EXPECT_EQ(km.nfailed, 3);
	lp.calls.fail_after = -1;
	void *again = kmalloc(&km, 16);
	EXPECT_TRUE(again != NULL);
	kfree(&km, again);
	EXPECT_EQ(km.nerrors, 0);
	EXPECT_EQ(check_quiet(&km), 0);
	kmalloc_trim(&km);
	EXPECT_EQ(lp.pages_live, 0);
}

HTEST(kmalloc_slabs_and_spares)
{
	struct kmalloc km;
	struct libc_pages lp;
	km_setup_libc(&km, &lp, false);
	unsigned per = km.cls[0].objs_per_slab;
	/* a slab holds the objects of one page, less a header */
	EXPECT_LT(per, PAGE_SIZE / 16);
	EXPECT_GE(per, PAGE_SIZE / 16 - 8);
	unsigned n = per * 3;
	void **objs = malloc(n * sizeof *objs);
	for (unsigned i = 0; i < n; i++) objs[i] = kmalloc(&km, 16);
	EXPECT_EQ(km.cls[0].nslabs, 3);
	EXPECT_EQ(lp.pages_live, 3);
	void *one_more = kmalloc(&km, 16);
	EXPECT_EQ(lp.pages_live, 4);
	kfree(&km, one_more);
	EXPECT_EQ(lp.pages_live, 4); /* the empty slab is kept as the spare */
	for (unsigned i = 0; i < n; i++) kfree(&km, objs[i]);
	EXPECT_EQ(lp.pages_live, 1); /* one spare at most */
	EXPECT_EQ(km.cls[0].nslabs, 1);
	EXPECT_EQ(km.cls[0].nused, 0);
	EXPECT_EQ(check_quiet(&km), 0);
	/* the spare serves the next request without a new page */
	void *p = kmalloc(&km, 10);
	EXPECT_EQ(lp.pages_live, 1);
	kfree(&km, p);
	kmalloc_trim(&km);
	EXPECT_EQ(lp.pages_live, 0);
	EXPECT_EQ(km.npages, 0);
	EXPECT_EQ(check_quiet(&km), 0);
	free(objs);
}

/* ---- random workload ---- */

struct obj {
	void *p;
	size_t n;
};

static size_t random_size(struct mm_rng *r)
{
	uint32_t x = mm_rng_below(r, 1000);
	if (x < 600) return mm_rng_below(r, 129);       /* mostly small */
	if (x < 950) return mm_rng_below(r, 2049);      /* up to the largest class */
	return 2049 + mm_rng_below(r, 30000);           /* some large blocks */
}

static void random_workload(struct kmalloc *km, uint64_t seed, uint32_t nops, int *bad)
{
	enum { MAXLIVE = 3000 };
	static struct obj live[MAXLIVE];
	uint32_t nlive = 0;
	struct mm_rng r;
	mm_rng_seed(&r, seed);
	for (uint32_t op = 0; op < nops; op++) {
		bool alloc = nlive == 0 || (nlive < MAXLIVE && mm_rng_below(&r, 100) < 52);
		if (alloc) {
			size_t n = random_size(&r);
			void *p = mm_rng_below(&r, 8) == 0 ? kzalloc(km, n) : kmalloc(km, n);
			if (!p || kmalloc_size(km, p) < n) {
				(*bad)++;
				continue;
			}
			fill(p, n);
			live[nlive].p = p;
			live[nlive++].n = n;
		} else {
			uint32_t i = mm_rng_below(&r, nlive);
			if (!intact(live[i].p, live[i].n)) (*bad)++;
			if (kmalloc_free(km, live[i].p) != 0) (*bad)++;
			live[i] = live[--nlive];
		}
		if (op % 25000 == 0 && check_quiet(km)) (*bad)++;
	}
	if (check_quiet(km)) (*bad)++;
	while (nlive) {
		nlive--;
		if (!intact(live[nlive].p, live[nlive].n)) (*bad)++;
		if (kmalloc_free(km, live[nlive].p) != 0) (*bad)++;
	}
	if (check_quiet(km)) (*bad)++;
}

HTEST(kmalloc_random_libc_pages)
{
	for (int debug = 0; debug < 2; debug++) {
		struct kmalloc km;
		struct libc_pages lp;
		km_setup_libc(&km, &lp, debug);
		int bad = 0;
		random_workload(&km, 1234 + debug, 100000, &bad);
		EXPECT_EQ(bad, 0);
		EXPECT_EQ(km.nerrors, 0);
		EXPECT_LE(lp.pages_live, (long)KMALLOC_NCLASSES); /* spares only */
		for (unsigned i = 0; i < KMALLOC_NCLASSES; i++) {
			EXPECT_EQ(km.cls[i].nused, 0);
			EXPECT_EQ(km.cls[i].nallocs, km.cls[i].nfrees);
		}
		kmalloc_trim(&km);
		EXPECT_EQ(lp.pages_live, 0);
		EXPECT_EQ(km.npages, 0);
	}
}

HTEST(kmalloc_random_frame_pages)
{
	struct frame_alloc fa;
	frames_setup(&fa);
	uint32_t initial[FRAME_NORDERS];
	memcpy(initial, fa.nblocks, sizeof initial);
	uint32_t free0 = fa.nfree;
	struct kmalloc km;
	struct kmalloc_pages src = kmalloc_frame_pages(&fa);
	kmalloc_init(&km, &src);
	km.debug = true;
	int bad = 0;
	random_workload(&km, 99, 150000, &bad);
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(km.nerrors, 0);
	EXPECT_EQ(fa.nallocated, km.npages);
	kmalloc_trim(&km);
	EXPECT_EQ(fa.nallocated, 0);
	EXPECT_EQ(fa.nfree, free0);
	EXPECT_EQ(memcmp(initial, fa.nblocks, sizeof initial), 0);
	EXPECT_EQ(frame_check(&fa, NULL), 0);
	frames_teardown(&fa);
}

HTEST(kmalloc_frame_pages_exhaustion)
{
	/* kmalloc until the frames run out: NULL, not a crash; then recover */
	struct frame_alloc fa;
	frames_setup(&fa);
	struct kmalloc km;
	struct kmalloc_pages src = kmalloc_frame_pages(&fa);
	kmalloc_init(&km, &src);
	void **objs = malloc(20000 * sizeof *objs);
	int n = 0;
	while (n < 20000 && (objs[n] = kmalloc(&km, 1024)) != NULL) n++;
	/* 3 objects of 1024 bytes per page: every frame but the reserved one */
	EXPECT_EQ(n, (int)(PHYS_BYTES / PAGE_SIZE - 1) * km.cls[6].objs_per_slab);
	EXPECT_EQ(fa.nfree, 0);
	EXPECT_EQ(km.nfailed, 1);
	EXPECT_EQ(check_quiet(&km), 0);
	kfree(&km, objs[--n]);
	void *again = kmalloc(&km, 1000);
	EXPECT_TRUE(again != NULL);
	kfree(&km, again);
	while (n) kfree(&km, objs[--n]);
	kmalloc_trim(&km);
	EXPECT_EQ(fa.nallocated, 0);
	EXPECT_EQ(km.nerrors, 0);
	free(objs);
	frames_teardown(&fa);
}

/* ---- errors ---- */

HTEST(kmalloc_invalid_frees)
{
	struct kmalloc km, other;
	struct libc_pages lp, lp2;
	km_setup_libc(&km, &lp, false);
	km_setup_libc(&other, &lp2, false);
	unsigned char *p = kmalloc(&km, 100); /* a 128-byte object */
	unsigned char *q = kmalloc(&km, 100);
	unsigned char *big = kmalloc(&km, 9000);
	unsigned char *theirs = kmalloc(&other, 100);
	ASSERT_TRUE(p && q && big && theirs);
	memset(big, 0, 9000);
	long pages = lp.pages_live;
	EXPECT_EQ(kmalloc_free(&km, p + 1), -MM_EINVAL);     /* inside an object */
	EXPECT_EQ(kmalloc_free(&km, p + 64), -MM_EINVAL);    /* a 64-byte step in a 128 class */
	EXPECT_EQ(kmalloc_free(&km, p + 128 * 5), -MM_EINVAL); /* never handed out */
	EXPECT_EQ(kmalloc_free(&km, big + 16), -MM_EINVAL);  /* inside a large block */
	EXPECT_EQ(kmalloc_free(&km, big + 5000), -MM_EINVAL); /* its second page */
	EXPECT_EQ(kmalloc_free(&km, theirs), -MM_EINVAL);    /* another instance's */
	unsigned char *page = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(page, 0, PAGE_SIZE);
	EXPECT_EQ(kmalloc_free(&km, page + 32), -MM_EINVAL); /* never kmalloc memory */
	free(page);
	EXPECT_EQ(km.nerrors, 7);
	EXPECT_EQ(lp.pages_live, pages);
	EXPECT_EQ(check_quiet(&km), 0);
	EXPECT_EQ(kmalloc_free(&km, p), 0);
	EXPECT_EQ(kmalloc_free(&km, p), -MM_EINVAL);         /* double free */
	EXPECT_EQ(kmalloc_size(&km, p), 0);
	EXPECT_EQ(km.nerrors, 8);
	EXPECT_EQ(check_quiet(&km), 0);
	kfree(&km, q);
	kfree(&km, big);
	kfree(&other, theirs);
	EXPECT_EQ(km.nerrors, 8);
	EXPECT_EQ(other.nerrors, 0);
	kmalloc_trim(&km);
	kmalloc_trim(&other);
	EXPECT_EQ(lp.pages_live, 0);
	EXPECT_EQ(lp2.pages_live, 0);
}

HTEST(kmalloc_large_double_free)
{
	/* over frames, a freed large block stays readable, so a second kfree of
	 * it is seen (its header was wiped) */
	struct frame_alloc fa;
	frames_setup(&fa);
	struct kmalloc km;
	struct kmalloc_pages src = kmalloc_frame_pages(&fa);
	kmalloc_init(&km, &src);
	void *big = kmalloc(&km, 50000);
	ASSERT_TRUE(big != NULL);
	EXPECT_EQ(fa.nallocated, 16);
	EXPECT_EQ(kmalloc_free(&km, big), 0);
	EXPECT_EQ(fa.nallocated, 0);
	EXPECT_EQ(kmalloc_free(&km, big), -MM_EINVAL);
	EXPECT_EQ(km.nerrors, 1);
	EXPECT_EQ(fa.nallocated, 0);
	EXPECT_EQ(frame_check(&fa, NULL), 0);
	frames_teardown(&fa);
}

HTEST(kmalloc_poison_catches_write_after_free)
{
	struct kmalloc km;
	struct libc_pages lp;
	struct strsink ss;
	km_setup_libc(&km, &lp, true);
	unsigned char *keep = kmalloc(&km, 64); /* keeps the slab alive */
	unsigned char *p = kmalloc(&km, 64);
	kfree(&km, p);
	EXPECT_EQ(p[40], KMALLOC_POISON); /* freed memory is junk */
	EXPECT_EQ(check_quiet(&km), 0);
	p[40] = 1; /* the bug: a write after free */
	strsink_init(&ss);
	EXPECT_EQ(kmalloc_check(&km, &ss.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(ss.buf, "written after free") != NULL);
	/* allocation also notices when it hands the object out again */
	EXPECT_EQ(km.nerrors, 0);
	unsigned char *got[64];
	int n = 0, found = 0;
	while (n < 64 && !found) {
		got[n] = kmalloc(&km, 64);
		found = got[n++] == p;
	}
	EXPECT_TRUE(found);
	EXPECT_EQ(km.nerrors, 1);
	EXPECT_EQ(check_quiet(&km), 0);
	while (n) kfree(&km, got[--n]);
	kfree(&km, keep);
	EXPECT_EQ(km.nerrors, 1);
	kmalloc_trim(&km);
	EXPECT_EQ(lp.pages_live, 0);

	/* without debug the same bug goes unseen */
	km_setup_libc(&km, &lp, false);
	keep = kmalloc(&km, 64);
	p = kmalloc(&km, 64);
	kfree(&km, p);
	p[40] = 1;
	EXPECT_EQ(check_quiet(&km), 0);
	kfree(&km, keep);
	kmalloc_trim(&km);
	EXPECT_EQ(km.nerrors, 0);
}

HTEST(kmalloc_damaged_free_list_is_rebuilt)
{
	struct kmalloc km;
	struct libc_pages lp;
	km_setup_libc(&km, &lp, true);
	void *keep = kmalloc(&km, 32);
	void *a = kmalloc(&km, 32), *b = kmalloc(&km, 32), *c = kmalloc(&km, 32);
	kfree(&km, a);
	kfree(&km, b);
	kfree(&km, c);
	/* writes after free hit the free-list word of b and the poison of a */
	*(uintptr_t *)b = 0x1234;
	((unsigned char *)a)[20] = 0;
	EXPECT_EQ(kmalloc_check(&km, NULL), -MM_EINVAL);
	/* handing out the three objects (and more) stays safe */
	void *got[8];
	for (int i = 0; i < 8; i++) {
		got[i] = kmalloc(&km, 32);
		EXPECT_TRUE(got[i] != NULL);
		for (int j = 0; j < i; j++) EXPECT_TRUE(got[i] != got[j]);
		EXPECT_TRUE(got[i] != keep);
	}
	/* c comes out fine; b's link is found broken; rebuilding the list from
	 * the bitmap finds a's damage: two reports */
	EXPECT_EQ(km.nerrors, 2);
	EXPECT_EQ(check_quiet(&km), 0);
	for (int i = 0; i < 8; i++) kfree(&km, got[i]);
	kfree(&km, keep);
	EXPECT_EQ(check_quiet(&km), 0);
	kmalloc_trim(&km);
	EXPECT_EQ(lp.pages_live, 0);
}


static void strict_double_kfree(void)
{
	struct kmalloc km;
	struct libc_pages lp;
	km_setup_libc(&km, &lp, false);
	km.strict = true;
	void *p = kmalloc(&km, 200);
	fprintf(stderr, "object %p\n", p);
	kfree(&km, p);
	kfree(&km, p);
}

HTEST(kmalloc_strict_mode_panics)
{
	char buf[2048];
	EXPECT_EQ(htest_run_child(strict_double_kfree, buf, sizeof buf), SIGABRT);
	char obj[32] = "";
	sscanf(buf, "object %31s", obj);
	char want[64];
	snprintf(want, sizeof want, "kfree(%s): double free", obj);
	EXPECT_TRUE(strstr(buf, "PANIC") != NULL);
	EXPECT_TRUE(obj[0] && strstr(buf, want) != NULL);
}

/* ---- check, print, adaptor ---- */

HTEST(kmalloc_check_finds_damage)
{
	struct kmalloc km;
	struct libc_pages lp;
	struct strsink ss;
	km_setup_libc(&km, &lp, false);
	void *p = kmalloc(&km, 500);
	void *q = kmalloc(&km, 500);
	ASSERT_EQ(check_quiet(&km), 0);
	km.cls[5].nused++;
	strsink_init(&ss);
	EXPECT_EQ(kmalloc_check(&km, &ss.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(ss.buf, "objects in use") != NULL);
	km.cls[5].nused--;
	/* flip a bitmap bit in the slab header at the start of p's page */
	uint32_t *hdr = (uint32_t *)((uintptr_t)p & ~(uintptr_t)PAGE_MASK);
	uint32_t saved = hdr[0];
	hdr[0] ^= 1; /* the magic */
	strsink_init(&ss);
	EXPECT_EQ(kmalloc_check(&km, &ss.sink), -MM_EINVAL);
	EXPECT_TRUE(strstr(ss.buf, "bad header") != NULL);
	EXPECT_EQ(kmalloc_free(&km, p), -MM_EINVAL); /* unrecognised: refused */
	hdr[0] = saved;
	EXPECT_EQ(check_quiet(&km), 0);
	kfree(&km, p);
	kfree(&km, q);
	kmalloc_trim(&km);
	EXPECT_EQ(lp.pages_live, 0);
}

HTEST(kmalloc_print_reports_usage)
{
	struct kmalloc km;
	struct libc_pages lp;
	struct strsink ss;
	km_setup_libc(&km, &lp, true);
	void *a = kmalloc(&km, 16), *b = kmalloc(&km, 17), *c = kmalloc(&km, 3000);
	strsink_init(&ss);
	kmalloc_print(&km, &ss.sink);
	EXPECT_TRUE(strstr(ss.buf, "kmalloc: 3 pages held, 1 large blocks (1 pages), 0 errors, 0 refused, debug\n") != NULL);
	char line[128];
	/* class 16: one slab, one object in use */
	snprintf(line, sizeof line, "%5u  %9u  %5u  %6u  %5u  %9u\n", 16u,
		 km.cls[0].objs_per_slab, 1u, 1u, km.cls[0].objs_per_slab - 1u, 1u);
	EXPECT_TRUE(strstr(ss.buf, line) != NULL);
	snprintf(line, sizeof line, "%5u  %9u  %5u  %6u  %5u  %9u\n", 2048u, 1u, 0u, 0u, 0u, 0u);
	EXPECT_TRUE(strstr(ss.buf, line) != NULL);
	kfree(&km, a);
	kfree(&km, b);
	kfree(&km, c);
	kmalloc_trim(&km);
}

HTEST(kmalloc_as_mm_allocator)
{
	struct kmalloc km;
	struct libc_pages lp;
	km_setup_libc(&km, &lp, false);
	struct mm_allocator a = kmalloc_allocator(&km);
	char *s = mm_alloc(&a, 40);
	ASSERT_TRUE(s != NULL);
	strcpy(s, "served by kmalloc");
	EXPECT_EQ(kmalloc_size(&km, s), 64);
	EXPECT_EQ(km.cls[2].nused, 1);
	mm_free(&a, s);
	mm_free(&a, NULL);
	EXPECT_EQ(km.cls[2].nused, 0);
	EXPECT_EQ(km.nerrors, 0);
	kmalloc_trim(&km);
	EXPECT_EQ(lp.pages_live, 0);
}
