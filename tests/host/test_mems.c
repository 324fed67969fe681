/*
 * test_mems.c - host tests of MeMS (mm/heap/mems.c, mm/heap/mems_index.c): the official
 * example against its expected output, hand-derived layouts, every error path
 * with the structure left intact, property tests against a naive model of
 * the 2-D free list with mems_check() after every operation (small nodes, a
 * page budget, one big node of many segments), random runs against the
 * linked-list MeMS of the benchmark (tests/host/bin/mems_list.h) with the
 * stats text compared, the index's own cases (a node's arrays inside it, in
 * a block of their own, as a tree and back; first fit across hundreds of
 * nodes; every segment found by address), and mems_check finding each kind
 * of damage to the list and to every part of the index.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "host_sink.h"
#include "htest.h"
#include "host_alloc.h"
#include "mems.h"
#include "mems_index.h"
#include "mmlib.h"
#include "host_file.h"
#include "bin/mems_list.h"

/* ---- a host pager over aligned_alloc, with a page budget ---- */

struct tpager {
	long budget_pages; /* < 0: unlimited */
	long live_pages, live_maps, maps;
	struct { void *k; size_t npages; } rec[4096];
	int nrec;
	int bad_unmaps;
};

static int tp_map(void *ctx, size_t npages, void **kaddr)
{
	struct tpager *p = ctx;
	if (p->budget_pages >= 0 && p->live_pages + (long)npages > p->budget_pages) return -MM_ENOMEM;
	if (p->nrec == (int)(sizeof p->rec / sizeof p->rec[0])) return -MM_ENOSPC;
	void *k = aligned_alloc(4096, npages * 4096);
	if (!k) return -MM_ENOMEM;
	memset(k, 0x5a, npages * 4096);
	p->rec[p->nrec].k = k;
	p->rec[p->nrec].npages = npages;
	p->nrec++;
	p->live_pages += (long)npages;
	p->live_maps++;
	p->maps++;
	*kaddr = k;
	return 0;
}

static void tp_unmap(void *ctx, void *kaddr, size_t npages)
{
	struct tpager *p = ctx;
	for (int i = 0; i < p->nrec; i++) {
		if (p->rec[i].k != kaddr) continue;
		if (p->rec[i].npages != npages) p->bad_unmaps++;
		p->rec[i] = p->rec[--p->nrec];
		p->live_pages -= (long)npages;
		p->live_maps--;
		free(kaddr);
		return;
	}
	p->bad_unmaps++;
}

/* The host has no physical addresses: the low 32 bits of the pointer
 * stand for one, enough to see that phys() is asked about the right byte. */
static paddr_t tp_phys(void *ctx, const void *kaddr)
{
	(void)ctx;
	return paddr_make((uint32_t)(uintptr_t)kaddr);
}

static struct mems_pager tpager_ops(struct tpager *p)
{
	struct mems_pager pg = { tp_map, tp_unmap, tp_phys, p };
	return pg;
}


/* A test fixture: a pager, a counting allocator, an instance. */
struct fix {
	struct tpager pg;
	struct host_alloc_ctx ac;
	struct mems m;
};

static int fix_init(struct fix *f, long budget_pages)
{
	memset(f, 0, sizeof *f);
	f->pg.budget_pages = budget_pages;
	f->ac.fail_after = -1;
	struct mems_pager pg = tpager_ops(&f->pg);
	struct mm_allocator a = host_allocator(&f->ac);
	return mems_init(&f->m, &pg, &a);
}

/* Finish and verify that every page and every record came back. */
static void fix_done(struct fix *f)
{
	mems_finish(&f->m);
	EXPECT_EQ(f->pg.live_maps, 0);
	EXPECT_EQ(f->pg.live_pages, 0);
	EXPECT_EQ(f->pg.bad_unmaps, 0);
	EXPECT_EQ(f->ac.live, 0);
}

static int check_quiet(struct mems *m)
{
	struct tbuf b = { 0 };
	struct mm_sink s = tbuf_sink(&b);
	int rc = mems_check(m, &s);
	if (rc) printf("# %s", tbuf_text(&b));
	free(b.s);
	return rc;
}

static int check_finds(struct mems *m, const char *what);

static char *stats_text(struct mems *m)
{
	struct tbuf b = { 0 };
	struct mm_sink s = tbuf_sink(&b);
	mems_print_stats(m, &s);
	if (!b.s) b.s = calloc(1, 1);
	return b.s;
}

/* ---- the official example ---- */

/* Next line of *p (without its newline), or NULL at the end. */
static char *next_line(char **p)
{
	char *s = *p;
	if (!s || !*s) return NULL;
	char *nl = strchr(s, '\n');
	if (nl) {
		*nl = 0;
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

static bool all_digits(const char *s)
{
	if (!*s) return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9') return false;
	return true;
}

HTEST(mems_example_matches_expected)
{
	char *want = host_read_file("tests/data/cases/mems/example.expected.txt", NULL);
	ASSERT_TRUE(want != NULL);
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	struct tbuf got = { 0 };
	struct mm_sink s = tbuf_sink(&got);
	EXPECT_EQ(mems_run_example(&f.m, &s), 0);
	EXPECT_FALSE(mems_ready(&f.m));
	ASSERT_TRUE(got.s != NULL);
	fix_done(&f);

	static const char phys_tag[] = "\tPhysical Address: ";
	char *pw = want, *pg = got.s, *lw, *lg;
	int line = 0, phys_lines = 0;
	for (;;) {
		lw = next_line(&pw);
		lg = next_line(&pg);
		line++;
		if (!lw || !lg) break;
		char *tw = strstr(lw, phys_tag), *tg = strstr(lg, phys_tag);
		if (tw && tg) {
			/* the same text up to the number; ours must be a number */
			phys_lines++;
			EXPECT_EQ(tw - lw, tg - lg);
			EXPECT_EQ(strncmp(lw, lg, (size_t)(tw - lw) + sizeof phys_tag - 1), 0);
			EXPECT_TRUE(all_digits(tg + sizeof phys_tag - 1));
			continue;
		}
		if (strcmp(lw, lg) != 0)
			htest_fail(__FILE__, __LINE__, "line %d: want \"%s\" got \"%s\"", line, lw, lg);
	}
	EXPECT_TRUE(lw == NULL);
	EXPECT_TRUE(lg == NULL);
	EXPECT_EQ(phys_lines, 1);
	free(want);
	free(got.s);
}

HTEST(mems_example_physical_is_the_pagers)
{
	/* The printed physical address is the pager's phys() of ptr[0]: the
	 * host pager's phys is the address of the first mapping. */
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	struct tbuf got = { 0 };
	struct mm_sink s = tbuf_sink(&got);
	ASSERT_EQ(mems_run_example(&f.m, &s), 0);
	const char *tag = strstr(got.s, "Physical Address: ");
	ASSERT_TRUE(tag != NULL);
	unsigned long long printed = strtoull(tag + strlen("Physical Address: "), NULL, 10);
	EXPECT_NE(printed, 0);
	EXPECT_EQ(printed % 4096, 0); /* ptr[0] is the start of the first node */
	fix_done(&f);
	free(got.s);
}

HTEST(mems_example_needs_ready_empty_instance)
{
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	ASSERT_NE(mems_malloc(&f.m, 10), 0);
	struct tbuf got = { 0 };
	struct mm_sink s = tbuf_sink(&got);
	EXPECT_EQ(mems_run_example(&f.m, &s), -MM_EEXIST);
	EXPECT_TRUE(strstr(got.s, "empty") != NULL);
	fix_done(&f);
	free(got.s);
	struct mems z;
	memset(&z, 0, sizeof z);
	got.s = NULL;
	got.len = got.cap = 0;
	EXPECT_EQ(mems_run_example(&z, &s), -MM_EINVAL);
	free(got.s);
}

/* ---- stats and layouts derived by hand ---- */

HTEST(mems_stats_empty)
{
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	char *t = stats_text(&f.m);
	EXPECT_STREQ(t, "----- MeMS SYSTEM STATS -----\n"
			"Pages used:\t0\n"
			"Space unsued:\t0\n"
			"Main Chain Length:\t0\n"
			"Sub-chain Length array: []\n"
			"-----------------------------\n");
	free(t);
	EXPECT_EQ(check_quiet(&f.m), 0);
	fix_done(&f);
}

HTEST(mems_layout_multi_page_and_first_fit)
{
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	/* 5000 bytes need 2 pages: node [1000, 9191], hole [6000, 9191] */
	EXPECT_EQ(mems_malloc(&f.m, 5000), 1000);
	/* 8192 fills a 2-page node exactly: [9192, 17383], no hole */
	EXPECT_EQ(mems_malloc(&f.m, 8192), 9192);
	/* 100 comes from the first hole, node 1 */
	EXPECT_EQ(mems_malloc(&f.m, 100), 6000);
	/* 4000 cannot fit in [6100, 9191] (3092 bytes): new node of 1 page */
	EXPECT_EQ(mems_malloc(&f.m, 4000), 17384);
	/* 3092 fits the first hole exactly */
	EXPECT_EQ(mems_malloc(&f.m, 3092), 6100);
	char *t = stats_text(&f.m);
	EXPECT_STREQ(t, "----- MeMS SYSTEM STATS -----\n"
			"MAIN[1000:9191]-> P[1000:5999] <-> P[6000:6099] <-> P[6100:9191] <-> NULL\n"
			"MAIN[9192:17383]-> P[9192:17383] <-> NULL\n"
			"MAIN[17384:21479]-> P[17384:21383] <-> H[21384:21479] <-> NULL\n"
			"Pages used:\t5\n"
			"Space unsued:\t96\n"
			"Main Chain Length:\t3\n"
			"Sub-chain Length array: [3, 1, 2, ]\n"
			"-----------------------------\n");
	free(t);
	/* free the middle, then both sides: one hole spanning node 1 */
	EXPECT_EQ(mems_free(&f.m, 6000), 0);
	EXPECT_EQ(check_quiet(&f.m), 0);
	EXPECT_EQ(mems_free(&f.m, 6100), 0);
	EXPECT_EQ(check_quiet(&f.m), 0);
	EXPECT_EQ(mems_free(&f.m, 1000), 0);
	EXPECT_EQ(check_quiet(&f.m), 0);
	t = stats_text(&f.m);
	EXPECT_STREQ(t, "----- MeMS SYSTEM STATS -----\n"
			"MAIN[1000:9191]-> H[1000:9191] <-> NULL\n"
			"MAIN[9192:17383]-> P[9192:17383] <-> NULL\n"
			"MAIN[17384:21479]-> P[17384:21383] <-> H[21384:21479] <-> NULL\n"
			"Pages used:\t5\n"
			"Space unsued:\t8288\n"
			"Main Chain Length:\t3\n"
			"Sub-chain Length array: [1, 1, 2, ]\n"
			"-----------------------------\n");
	free(t);
	/* holes of different nodes never merge; first fit takes node 1 */
	EXPECT_EQ(mems_free(&f.m, 17384), 0);
	EXPECT_EQ(mems_malloc(&f.m, 50), 1000);
	EXPECT_EQ(mems_free(&f.m, 9192), 0);
	EXPECT_EQ(mems_malloc(&f.m, 8142), 1050); /* exactly the rest of node 1 */
	EXPECT_EQ(mems_malloc(&f.m, 8000), 9192);
	struct mems_stats st;
	mems_get_stats(&f.m, &st);
	EXPECT_EQ(st.nnodes, 3);
	EXPECT_EQ(st.npages, 5);
	EXPECT_EQ(st.nprocess, 3);
	EXPECT_EQ(st.process_bytes, 50 + 8142 + 8000);
	EXPECT_EQ(st.hole_bytes, 192 + 4096);
	EXPECT_EQ(st.end, 21480);
	EXPECT_EQ(check_quiet(&f.m), 0);
	EXPECT_EQ(f.pg.maps, 3);
	fix_done(&f);
}

HTEST(mems_get_maps_every_byte)
{
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	uint64_t a = mems_malloc(&f.m, 1000), b = mems_malloc(&f.m, 3000), c = mems_malloc(&f.m, 6000);
	ASSERT_EQ(a, 1000);
	ASSERT_EQ(b, 2000);
	ASSERT_EQ(c, 5096);
	char *pa = mems_get(&f.m, a), *pc = mems_get(&f.m, c);
	ASSERT_TRUE(pa != NULL);
	ASSERT_TRUE(pc != NULL);
	for (uint64_t v = a; v < b + 3000; v++) EXPECT_TRUE(mems_get(&f.m, v) == pa + (v - a));
	for (uint64_t v = c; v < c + 6000; v += 7) EXPECT_TRUE(mems_get(&f.m, v) == pc + (v - c));
	EXPECT_TRUE(mems_get(&f.m, c + 5999) == pc + 5999);
	/* the node of c is 2 pages: its hole [11096, 13287] and beyond map nothing */
	EXPECT_TRUE(mems_get(&f.m, 5000) == NULL); /* hole of node 1 */
	EXPECT_EQ(mems_last_error(&f.m), -MM_EFAULT);
	EXPECT_TRUE(mems_get(&f.m, c + 6000) == NULL);
	EXPECT_TRUE(mems_get(&f.m, 13288) == NULL);
	EXPECT_TRUE(mems_get(&f.m, 999) == NULL);
	EXPECT_TRUE(mems_get(&f.m, 0) == NULL);
	EXPECT_TRUE(mems_get(&f.m, UINT64_MAX) == NULL);
	/* data written through get reads back through another get */
	for (int i = 0; i < 1000; i++) pa[i] = (char)(i * 7);
	char *p1 = mems_get(&f.m, a + 1);
	EXPECT_EQ(p1[0], (char)7);
	EXPECT_EQ(p1[998], (char)(999 * 7));
	paddr_t phys = PADDR_NULL;
	EXPECT_EQ(mems_phys(&f.m, a + 4, &phys), 0);
	EXPECT_EQ(paddr_u32(phys), (uint32_t)(uintptr_t)(pa + 4));
	EXPECT_EQ(mems_phys(&f.m, 5000, &phys), -MM_EFAULT);
	fix_done(&f);
}

/* ---- errors leave everything as it was ---- */

HTEST(mems_errors_before_init_and_after_finish)
{
	struct mems m;
	memset(&m, 0, sizeof m);
	EXPECT_FALSE(mems_ready(&m));
	EXPECT_EQ(mems_malloc(&m, 10), 0);
	EXPECT_EQ(mems_last_error(&m), -MM_EINVAL);
	EXPECT_TRUE(strstr(mems_last_message(&m), "not initialised") != NULL);
	EXPECT_EQ(mems_free(&m, 1000), -MM_EINVAL);
	EXPECT_TRUE(mems_get(&m, 1000) == NULL);
	EXPECT_NE(mems_check(&m, NULL), 0);
	struct tbuf b = { 0 };
	struct mm_sink s = tbuf_sink(&b);
	mems_print_stats(&m, &s);
	EXPECT_EQ(b.len, 0);
	mems_finish(&m); /* harmless */

	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	EXPECT_EQ(mems_malloc(&f.m, 10), 1000);
	fix_done(&f);
	EXPECT_EQ(mems_malloc(&f.m, 10), 0);
	EXPECT_EQ(mems_last_error(&f.m), -MM_EINVAL);
	/* and it can be initialised again, starting over at 1000 */
	struct mems_pager pg = tpager_ops(&f.pg);
	struct mm_allocator a = host_allocator(&f.ac);
	ASSERT_EQ(mems_init(&f.m, &pg, &a), 0);
	EXPECT_EQ(mems_init(&f.m, &pg, &a), -MM_EEXIST);
	EXPECT_EQ(mems_malloc(&f.m, 10), 1000);
	fix_done(&f);

	struct mems_pager nopg = { NULL, tp_unmap, tp_phys, NULL };
	EXPECT_EQ(mems_init(&m, &nopg, &a), -MM_EINVAL);
	EXPECT_FALSE(mems_ready(&m));
	EXPECT_EQ(mems_init(&m, &pg, NULL), -MM_EINVAL);
	EXPECT_EQ(mems_init(NULL, &pg, &a), -MM_EINVAL);
}

HTEST(mems_bad_frees_change_nothing)
{
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	EXPECT_EQ(mems_free(&f.m, 1000), -MM_EFAULT); /* nothing mapped yet */
	uint64_t a = mems_malloc(&f.m, 100), b = mems_malloc(&f.m, 100);
	ASSERT_EQ(a, 1000);
	ASSERT_EQ(b, 1100);
	char *before = stats_text(&f.m);
	EXPECT_EQ(mems_free(&f.m, 1050), -MM_EINVAL); /* inside a PROCESS */
	EXPECT_TRUE(strstr(mems_last_message(&f.m), "not at its start") != NULL);
	EXPECT_EQ(mems_free(&f.m, 1200), -MM_ENOENT);  /* start of the hole */
	EXPECT_EQ(mems_free(&f.m, 3000), -MM_ENOENT);  /* inside the hole */
	EXPECT_EQ(mems_free(&f.m, 999), -MM_EFAULT);
	EXPECT_EQ(mems_free(&f.m, 5096), -MM_EFAULT);  /* just past the end */
	EXPECT_EQ(mems_free(&f.m, 0), -MM_EFAULT);
	EXPECT_EQ(mems_free(&f.m, UINT64_MAX), -MM_EFAULT);
	char *after = stats_text(&f.m);
	EXPECT_STREQ(before, after);
	free(after);
	EXPECT_EQ(mems_free(&f.m, a), 0);
	EXPECT_EQ(mems_free(&f.m, a), -MM_ENOENT); /* twice */
	EXPECT_EQ(mems_last_error(&f.m), -MM_ENOENT);
	EXPECT_EQ(check_quiet(&f.m), 0);
	EXPECT_EQ(mems_free(&f.m, b), 0);
	after = stats_text(&f.m);
	EXPECT_STREQ(after, "----- MeMS SYSTEM STATS -----\n"
			    "MAIN[1000:5095]-> H[1000:5095] <-> NULL\n"
			    "Pages used:\t1\n"
			    "Space unsued:\t4096\n"
			    "Main Chain Length:\t1\n"
			    "Sub-chain Length array: [1, ]\n"
			    "-----------------------------\n");
	free(before);
	free(after);
	fix_done(&f);
}

HTEST(mems_malloc_zero_and_too_big)
{
	struct fix f;
	ASSERT_EQ(fix_init(&f, 8), 0); /* the pager holds 8 pages */
	EXPECT_EQ(mems_malloc(&f.m, 0), 0);
	EXPECT_EQ(mems_last_error(&f.m), -MM_EINVAL);
	EXPECT_EQ(mems_malloc(&f.m, SIZE_MAX), 0);
	EXPECT_EQ(mems_last_error(&f.m), -MM_ENOMEM);
	EXPECT_EQ(mems_malloc(&f.m, SIZE_MAX - 4095), 0);
	EXPECT_EQ(mems_last_error(&f.m), -MM_ENOMEM);
	EXPECT_EQ(mems_malloc(&f.m, 9 * 4096), 0); /* beyond the pager */
	EXPECT_EQ(mems_last_error(&f.m), -MM_ENOMEM);
	EXPECT_EQ(f.pg.live_maps, 0);
	EXPECT_EQ(mems_malloc(&f.m, 6 * 4096), 1000);
	EXPECT_EQ(mems_last_error(&f.m), 0);
	EXPECT_EQ(mems_malloc(&f.m, 3 * 4096), 0); /* 6 + 3 > 8 */
	EXPECT_EQ(mems_malloc(&f.m, 2 * 4096), 1000 + 6 * 4096);
	EXPECT_EQ(mems_malloc(&f.m, 1), 0);
	EXPECT_EQ(mems_last_error(&f.m), -MM_ENOMEM);
	EXPECT_EQ(check_quiet(&f.m), 0);
	struct mems_stats st;
	mems_get_stats(&f.m, &st);
	EXPECT_EQ(st.npages, 8);
	EXPECT_EQ(st.nsegs, 2);
	/* freed space is reused without the pager */
	EXPECT_EQ(mems_free(&f.m, 1000), 0);
	EXPECT_EQ(mems_malloc(&f.m, 1), 1000);
	fix_done(&f);
}

HTEST(mems_metadata_failure_changes_nothing)
{
	/* Fail the metadata allocator at every possible call of a scenario;
	 * each failure must leave a sound, unchanged instance. */
	for (long fail = 0; fail < 12; fail++) {
		struct fix f;
		ASSERT_EQ(fix_init(&f, -1), 0);
		f.ac.fail_after = fail;
		int failed = 0;
		for (int i = 0; i < 200; i++) {
			char *before = stats_text(&f.m);
			uint64_t v = mems_malloc(&f.m, (size_t)(i % 7 + 1) * 700);
			if (!v) {
				failed++;
				EXPECT_EQ(mems_last_error(&f.m), -MM_ENOMEM);
				char *after = stats_text(&f.m);
				EXPECT_STREQ(before, after);
				free(after);
			} else if (i % 3 == 0) {
				EXPECT_EQ(mems_free(&f.m, v), 0);
			}
			free(before);
			ASSERT_EQ(check_quiet(&f.m), 0);
		}
		EXPECT_GE(failed, 1);
		struct mems_stats st;
		mems_get_stats(&f.m, &st);
		EXPECT_EQ(f.pg.live_maps, (long)st.nnodes); /* no mapping leaked */
		fix_done(&f);
	}
}

/* ---- the property test: MeMS against a naive model ---- */

struct mseg {
	uint64_t start;
	size_t n;
	int proc;
	int node;
};

struct model {
	struct mseg *s;
	int ns, cap;
	int nnodes;
	uint64_t end;
};

static void model_insert(struct model *md, int at, struct mseg x)
{
	if (md->ns == md->cap) {
		md->cap = md->cap ? md->cap * 2 : 64;
		md->s = realloc(md->s, sizeof *md->s * (size_t)md->cap);
	}
	memmove(md->s + at + 1, md->s + at, sizeof *md->s * (size_t)(md->ns - at));
	md->s[at] = x;
	md->ns++;
}

static void model_erase(struct model *md, int at)
{
	memmove(md->s + at, md->s + at + 1, sizeof *md->s * (size_t)(md->ns - at - 1));
	md->ns--;
}

/* First fit by a linear scan; else a new node of whole pages. */
static uint64_t model_malloc(struct model *md, size_t n, long budget, long *pages)
{
	for (int i = 0; i < md->ns; i++) {
		struct mseg *h = &md->s[i];
		if (h->proc || h->n < n) continue;
		struct mseg rest = { h->start + n, h->n - n, 0, h->node };
		h->proc = 1;
		h->n = n;
		if (rest.n) model_insert(md, i + 1, rest);
		return md->s[i].start;
	}
	size_t np = (n + 4095) / 4096;
	if (budget >= 0 && *pages + (long)np > budget) return 0;
	*pages += (long)np;
	struct mseg p = { md->end, n, 1, md->nnodes };
	model_insert(md, md->ns, p);
	if (np * 4096 > n) {
		struct mseg h = { md->end + n, np * 4096 - n, 0, md->nnodes };
		model_insert(md, md->ns, h);
	}
	md->end += np * 4096;
	md->nnodes++;
	return p.start;
}

static int model_free(struct model *md, uint64_t v)
{
	int i;
	for (i = 0; i < md->ns; i++)
		if (v >= md->s[i].start && v < md->s[i].start + md->s[i].n) break;
	if (i == md->ns) return -MM_EFAULT;
	if (!md->s[i].proc) return -MM_ENOENT;
	if (md->s[i].start != v) return -MM_EINVAL;
	md->s[i].proc = 0;
	if (i + 1 < md->ns && !md->s[i + 1].proc && md->s[i + 1].node == md->s[i].node) {
		md->s[i].n += md->s[i + 1].n;
		model_erase(md, i + 1);
	}
	if (i > 0 && !md->s[i - 1].proc && md->s[i - 1].node == md->s[i].node) {
		md->s[i - 1].n += md->s[i].n;
		model_erase(md, i);
	}
	return 0;
}

struct cmp {
	const struct model *md;
	struct mems *m;
	int i, bad;
};

static int cmp_seg(void *ctx, const struct mems_seg_info *si)
{
	struct cmp *c = ctx;
	if (c->i >= c->md->ns) {
		c->bad++;
		return 1;
	}
	const struct mseg *x = &c->md->s[c->i++];
	if (si->start != x->start || si->nbytes != x->n || si->process != !!x->proc ||
	    si->node_index != (size_t)x->node) {
		c->bad++;
		return 1;
	}
	if (si->process && si->kaddr != mems_get(c->m, si->start)) {
		c->bad++;
		return 1;
	}
	return 0;
}

/* The stats text the original would print for the model's state. */
static char *model_stats(const struct model *md)
{
	struct tbuf b = { 0 };
	char line[128];
	uint64_t pages = 0, holes = 0;
	int *counts = calloc((size_t)md->nnodes + 1, sizeof *counts);
	tbuf_puts(&b, "----- MeMS SYSTEM STATS -----\n");
	for (int i = 0; i < md->ns; i++) {
		const struct mseg *x = &md->s[i];
		if (i == 0 || md->s[i - 1].node != x->node) {
			/* the node runs to the start of the next node's first segment */
			int j = i;
			while (j < md->ns && md->s[j].node == x->node) j++;
			uint64_t end = j < md->ns ? md->s[j].start : md->end;
			snprintf(line, sizeof line, "MAIN[%llu:%llu]-> ", (unsigned long long)x->start,
				 (unsigned long long)end - 1);
			tbuf_puts(&b, line);
			pages += (end - x->start) / 4096;
		}
		snprintf(line, sizeof line, "%c[%llu:%llu] <-> ", x->proc ? 'P' : 'H',
			 (unsigned long long)x->start, (unsigned long long)(x->start + x->n - 1));
		tbuf_puts(&b, line);
		if (!x->proc) holes += x->n;
		counts[x->node]++;
		if (i + 1 == md->ns || md->s[i + 1].node != x->node) tbuf_puts(&b, "NULL\n");
	}
	snprintf(line, sizeof line, "Pages used:\t%llu\nSpace unsued:\t%llu\nMain Chain Length:\t%d\n",
		 (unsigned long long)pages, (unsigned long long)holes, md->nnodes);
	tbuf_puts(&b, line);
	tbuf_puts(&b, "Sub-chain Length array: [");
	for (int k = 0; k < md->nnodes; k++) {
		snprintf(line, sizeof line, "%d, ", counts[k]);
		tbuf_puts(&b, line);
	}
	tbuf_puts(&b, "]\n-----------------------------\n");
	free(counts);
	return b.s;
}

static int model_matches(struct mems *m, const struct model *md)
{
	struct cmp c = { md, m, 0, 0 };
	mems_for_each_segment(m, cmp_seg, &c);
	return !c.bad && c.i == md->ns;
}

/* The byte pattern a live segment holds, from its address. */
static unsigned char pattern(uint64_t v, size_t i)
{
	return (unsigned char)(v * 131 + i * 7 + (v >> 8));
}

static void fill(struct mems *m, uint64_t v, size_t n)
{
	unsigned char *p = mems_get(m, v);
	for (size_t i = 0; i < n; i++) p[i] = pattern(v, i);
}

static int intact(struct mems *m, uint64_t v, size_t n)
{
	const unsigned char *p = mems_get(m, v);
	if (!p) return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(v, i)) return 0;
	return 1;
}

/* A random run against the model, mems_check after every operation. With
 * big_pages, a first node of that many pages is mapped and freed first, so
 * the small segments that follow crowd one node with many holes. */
static void property_run(uint64_t seed, int nops, long budget, size_t big_pages)
{
	struct fix f;
	ASSERT_EQ(fix_init(&f, budget), 0);
	struct model md = { 0 };
	md.end = 1000;
	long model_pages = 0;
	struct { uint64_t v; size_t n; } live[1024];
	/* a big node gets more mallocs and more live blocks: enough for a tree */
	int max_live = big_pages ? 1024 : 512;
	int nlive = 0;
	struct mm_rng r;
	mm_rng_seed(&r, seed);
	if (big_pages) {
		ASSERT_EQ(mems_malloc(&f.m, big_pages * 4096), model_malloc(&md, big_pages * 4096, budget, &model_pages));
		ASSERT_EQ(mems_free(&f.m, 1000), model_free(&md, 1000));
	}
	bool saw_tree = false, saw_block = false;
	for (int op = 0; op < nops; op++) {
		uint32_t what = mm_rng_below(&r, 100);
		if (what < (big_pages ? 55u : 45u) && nlive < max_live) {
			size_t n = mm_rng_below(&r, 10) == 0 ? 1 + mm_rng_below(&r, 12000)
								 : 1 + mm_rng_below(&r, 600);
			uint64_t want = model_malloc(&md, n, budget, &model_pages);
			uint64_t got = mems_malloc(&f.m, n);
			ASSERT_EQ(got, want);
			if (got) {
				fill(&f.m, got, n);
				live[nlive].v = got;
				live[nlive].n = n;
				nlive++;
			} else {
				ASSERT_EQ(mems_last_error(&f.m), -MM_ENOMEM);
			}
		} else if (what < 85 && nlive) {
			int k = (int)mm_rng_below(&r, (uint32_t)nlive);
			ASSERT_TRUE(intact(&f.m, live[k].v, live[k].n));
			ASSERT_EQ(mems_free(&f.m, live[k].v), model_free(&md, live[k].v));
			live[k] = live[--nlive];
		} else if (what < 92) {
			/* a bogus free: anywhere, including inside live segments */
			uint64_t v = 900 + mm_rng_below(&r, (uint32_t)(md.end - 800));
			int want = model_free(&md, v);
			ASSERT_EQ(mems_free(&f.m, v), want);
			if (want == 0)
				for (int k = 0; k < nlive; k++)
					if (live[k].v == v) live[k] = live[--nlive];
		} else {
			/* get of a random address: non-NULL exactly inside a PROCESS */
			uint64_t v = 900 + mm_rng_below(&r, (uint32_t)(md.end - 800));
			int inside = 0;
			for (int i = 0; i < md.ns; i++)
				if (md.s[i].proc && v >= md.s[i].start && v < md.s[i].start + md.s[i].n) {
					inside = 1;
					unsigned char *base = mems_get(&f.m, md.s[i].start);
					ASSERT_TRUE(mems_get(&f.m, v) == base + (v - md.s[i].start));
				}
			ASSERT_EQ(mems_get(&f.m, v) != NULL, inside);
		}
		ASSERT_EQ(check_quiet(&f.m), 0);
		ASSERT_TRUE(model_matches(&f.m, &md));
		if (f.m.head && mems_tree_mode(f.m.head)) saw_tree = true;
		if (f.m.head && f.m.head->ext) saw_block = true;
		if (op % 97 == 0) {
			char *want = model_stats(&md), *got = stats_text(&f.m);
			EXPECT_STREQ(got, want);
			free(want);
			free(got);
		}
	}
	for (int k = 0; k < nlive; k++) ASSERT_TRUE(intact(&f.m, live[k].v, live[k].n));
	struct mems_stats st;
	mems_get_stats(&f.m, &st);
	EXPECT_EQ(st.npages, (uint64_t)model_pages);
	EXPECT_EQ(st.nnodes, (size_t)md.nnodes);
	EXPECT_EQ(st.end, md.end);
	if (big_pages) {
		/* the first node's arrays moved to a block, then to a tree */
		EXPECT_TRUE(saw_block);
		EXPECT_TRUE(saw_tree);
	}
	free(md.s);
	fix_done(&f);
}

HTEST(mems_property_against_model)
{
	for (uint64_t seed = 1; seed <= 10; seed++) property_run(seed, 5000, -1, 0);
}

HTEST(mems_property_with_page_budget)
{
	for (uint64_t seed = 11; seed <= 14; seed++) property_run(seed, 2500, 24, 0);
}

HTEST(mems_property_one_big_node)
{
	/* the first node's segments go from its arrays to a block and to a tree */
	for (uint64_t seed = 21; seed <= 24; seed++) property_run(seed, 4000, -1, 48);
}

/* ---- scale: many segments keep the index balanced and the answers right ---- */

HTEST(mems_many_segments)
{
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	enum { N = 30000 };
	static uint64_t v[N];
	/* 16-byte segments: 256 per page, nodes of 1 page */
	for (int i = 0; i < N; i++) {
		v[i] = mems_malloc(&f.m, 16);
		ASSERT_NE(v[i], 0);
	}
	/* expected by hand: 256 per node, node k starts at 1000 + 4096 k */
	EXPECT_EQ(v[N - 1], 1000 + (uint64_t)(N - 1) / 256 * 4096 + (uint64_t)(N - 1) % 256 * 16);
	/* free every other one: 15000 holes of 16 bytes, none of 32 */
	for (int i = 0; i < N; i += 2) ASSERT_EQ(mems_free(&f.m, v[i]), 0);
	EXPECT_EQ(check_quiet(&f.m), 0);
	/* a 32-byte request finds no 16-byte hole fits: it goes to the first
	 * hole of >= 32 bytes, which is the tail hole of the last node */
	uint64_t big = mems_malloc(&f.m, 32);
	uint64_t last_node = 1000 + (uint64_t)(N - 1) / 256 * 4096;
	EXPECT_EQ(big, last_node + (uint64_t)((N - 1) % 256 + 1) * 16);
	/* 16-byte requests refill the holes in address order */
	for (int i = 0; i < 100; i += 2) EXPECT_EQ(mems_malloc(&f.m, 16), v[i]);
	/* freeing v5001 and v5003 merges the holes v5000..v5004 into one */
	EXPECT_EQ(mems_free(&f.m, v[5001]), 0);
	EXPECT_EQ(mems_free(&f.m, v[5003]), 0);
	EXPECT_EQ(mems_malloc(&f.m, 48), v[5000]); /* [v5000, v5004] is 80 bytes */
	EXPECT_EQ(check_quiet(&f.m), 0);
	for (int i = 1; i < N; i += 2) /* v5003 is now in a hole */
		EXPECT_EQ(mems_get(&f.m, v[i] + 15) != NULL, i != 5003);
	fix_done(&f);
}

HTEST(mems_one_node_many_segments)
{
	/* One node of 128 pages cut into 16-byte pieces: its own index holds
	 * them all and must stay balanced. */
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	enum { PAGES = 128, N = PAGES * 4096 / 16 };
	ASSERT_EQ(mems_malloc(&f.m, PAGES * 4096), 1000);
	ASSERT_EQ(mems_free(&f.m, 1000), 0);
	for (int i = 0; i < N; i++) ASSERT_EQ(mems_malloc(&f.m, 16), 1000 + (uint64_t)i * 16);
	ASSERT_EQ(f.pg.maps, 1);
	/* free every third one, then all the rest in a scattered order */
	for (int i = 0; i < N; i += 3) ASSERT_EQ(mems_free(&f.m, 1000 + (uint64_t)i * 16), 0);
	EXPECT_EQ(check_quiet(&f.m), 0);
	ASSERT_TRUE(mems_tree_mode(f.m.head));
	int h = f.m.head->root->height;
	EXPECT_LE(h, 22); /* AVL of 32768 segments: 1.44 log2(32768 + 2) = 21.6 */
	/* no 16-byte hole holds 17 bytes: a new node after the big one */
	EXPECT_EQ(mems_malloc(&f.m, 17), 1000 + (uint64_t)PAGES * 4096);
	for (int r = 1; r <= 2; r++)
		for (int i = r; i < N; i += 3) ASSERT_EQ(mems_free(&f.m, 1000 + (uint64_t)i * 16), 0);
	/* everything merged back into one hole, which takes the whole node */
	struct mems_stats st;
	mems_get_stats(&f.m, &st);
	EXPECT_EQ(st.nsegs, 3);
	EXPECT_EQ(st.hole_bytes, PAGES * 4096 + 4096 - 17);
	EXPECT_EQ(mems_malloc(&f.m, PAGES * 4096), 1000);
	EXPECT_EQ(check_quiet(&f.m), 0);
	fix_done(&f);
}

/* A pager that only counts: MeMS never touches a node's memory itself,
 * so tests of layout alone can map nodes larger than the machine. */
static char fake_base[4096] __attribute__((aligned(4096)));
static long fake_live;

static int fake_map(void *ctx, size_t npages, void **kaddr)
{
	(void)ctx;
	fake_live += (long)npages;
	*kaddr = fake_base;
	return 0;
}

static void fake_unmap(void *ctx, void *kaddr, size_t npages)
{
	(void)ctx;
	(void)kaddr;
	fake_live -= (long)npages;
}

/* Both MeMS and the list baseline over the fake pager, fed the same calls. */
struct twin {
	struct mems m;
	struct mems_list l;
	struct host_alloc_ctx ac;
};

static void twin_init(struct twin *t)
{
	memset(t, 0, sizeof *t);
	t->ac.fail_after = -1;
	struct mems_pager pg = { fake_map, fake_unmap, tp_phys, NULL };
	struct mm_allocator a = host_allocator(&t->ac);
	if (mems_init(&t->m, &pg, &a) != 0) abort();
	mems_list_init(&t->l, &pg);
}

/* The stats text of the list baseline. */
static char *list_stats_text(const struct mems_list *l)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) abort();
	mems_list_print_stats(l, f);
	fclose(f);
	return buf;
}

/* Both print the same stats; returns 1 if so. */
static int twin_same(struct twin *t)
{
	char *a = stats_text(&t->m), *b = list_stats_text(&t->l);
	int same = strcmp(a, b) == 0;
	if (!same) printf("# mems:\n%s# list:\n%s", a, b);
	free(a);
	free(b);
	return same;
}

static void twin_done(struct twin *t)
{
	mems_finish(&t->m);
	mems_list_finish(&t->l);
	EXPECT_EQ(t->ac.live, 0);
	EXPECT_EQ(fake_live, 0);
}

HTEST(mems_arrays_switch_modes)
{
	/* A node keeps up to 64 segments in the arrays inside it, then in a
	 * block of its own that doubles up to 512, then in a tree; from a
	 * block or a tree it comes back inside at 32. The first addresses
	 * are derived by hand, the rest checked against the list baseline. */
	struct twin t;
	twin_init(&t);
	struct mems *m = &t.m;
	ASSERT_EQ(MEMS_INLINE_SEGS, 64);
	ASSERT_EQ(MEMS_ARRAY_MAX_SEGS, 512);
	ASSERT_EQ(mems_malloc(m, 16 * 4096), 1000);
	ASSERT_EQ(mems_free(m, 1000), 0);
	ASSERT_EQ(mems_list_malloc(&t.l, 16 * 4096), 1000);
	ASSERT_EQ(mems_list_free(&t.l, 1000), 0);
	static uint64_t v[100];
	struct mems_node *n = m->head;
	/* 63 pieces of 100 bytes and the tail hole: 64 segments, inside */
	for (int i = 0; i < 63; i++) {
		ASSERT_EQ(v[i] = mems_malloc(m, 100), 1000 + (uint64_t)i * 100);
		mems_list_malloc(&t.l, 100);
	}
	EXPECT_EQ(n->nsegs, 64);
	EXPECT_EQ(n->cap, 64);
	EXPECT_TRUE(n->ext == NULL);
	EXPECT_TRUE(n->off == n->inline_off);
	EXPECT_EQ(check_quiet(m), 0);
	/* the 65th segment: the arrays move to a block of 128 */
	for (int i = 63; i < 100; i++) {
		ASSERT_EQ(v[i] = mems_malloc(m, 100), 1000 + (uint64_t)i * 100);
		mems_list_malloc(&t.l, 100);
		if (i == 63) {
			EXPECT_EQ(n->nsegs, 65);
			EXPECT_EQ(n->cap, 128);
			EXPECT_TRUE(n->ext != NULL);
			EXPECT_EQ(check_quiet(m), 0);
		}
	}
	/* holes on both sides of the first word of hole bits (segment 63 is
	 * its last bit): v[61], v[63], v[65], v[67], v[69] */
	for (int i = 61; i <= 69; i += 2) {
		ASSERT_EQ(mems_free(m, v[i]), 0);
		mems_list_free(&t.l, v[i]);
	}
	EXPECT_EQ(check_quiet(m), 0);
	EXPECT_EQ(mems_malloc(m, 100), v[61]); /* the first of them, exactly */
	/* v[62] merges with the hole of v[63] after it: 200 bytes, from
	 * which 150 bytes are served; 150 more fit no hole but the tail */
	ASSERT_EQ(mems_free(m, v[62]), 0);
	EXPECT_EQ(mems_malloc(m, 150), v[62]);
	EXPECT_EQ(mems_malloc(m, 150), 11000);
	EXPECT_EQ(mems_malloc(m, 50), v[62] + 150);
	EXPECT_EQ(mems_malloc(m, 100), v[65]);
	mems_list_malloc(&t.l, 100);
	mems_list_free(&t.l, v[62]);
	mems_list_malloc(&t.l, 150);
	mems_list_malloc(&t.l, 150);
	mems_list_malloc(&t.l, 50);
	mems_list_malloc(&t.l, 100);
	EXPECT_EQ(check_quiet(m), 0);
	EXPECT_TRUE(twin_same(&t));
	/* 40-byte pieces until the block is full at 512, then a tree */
	unsigned caps_seen = 0;
	while (mems_tree_mode(n) == false) {
		uint64_t a = mems_malloc(m, 40);
		ASSERT_EQ(a, mems_list_malloc(&t.l, 40));
		if (n->cap == 256) caps_seen |= 1;
		if (n->cap == 512) caps_seen |= 2;
		if (n->cap == 512 && n->nsegs == 512) ASSERT_EQ(check_quiet(m), 0);
	}
	EXPECT_EQ(caps_seen, 3);
	EXPECT_EQ(n->nsegs, 513);
	EXPECT_TRUE(n->ext == NULL);
	EXPECT_EQ(check_quiet(m), 0);
	EXPECT_TRUE(twin_same(&t));
	/* free from the front: the tree shrinks and, at 32 segments, the
	 * node comes back inside */
	struct mems_stats st;
	uint64_t a = 1000;
	bool back = false;
	for (int guard = 0; guard < 2000 && !back; guard++) {
		/* the PROCESS segment after the first hole */
		void *p = NULL;
		while (!(p = mems_get(m, a))) a++;
		ASSERT_EQ(mems_free(m, a), 0);
		ASSERT_EQ(mems_list_free(&t.l, a), 0);
		if (!mems_tree_mode(n)) back = true;
		if (guard % 50 == 0) ASSERT_EQ(check_quiet(m), 0);
	}
	EXPECT_TRUE(back);
	EXPECT_LE(n->nsegs, 32);
	EXPECT_GE(n->nsegs, 31);
	EXPECT_EQ(n->cap, 64);
	EXPECT_TRUE(n->off == n->inline_off);
	mems_get_stats(m, &st);
	EXPECT_EQ(st.nsegs, n->nsegs);
	EXPECT_EQ(check_quiet(m), 0);
	EXPECT_TRUE(twin_same(&t));
	twin_done(&t);
}

HTEST(mems_block_comes_back_inside)
{
	/* 65 segments move the arrays to a block; frees that bring the node
	 * back to 32 segments move them inside again */
	struct twin t;
	twin_init(&t);
	struct mems *m = &t.m;
	static uint64_t v[70];
	for (int i = 0; i < 70; i++) ASSERT_EQ(v[i] = mems_malloc(m, 50), mems_list_malloc(&t.l, 50));
	struct mems_node *n = m->head;
	EXPECT_EQ(n->nsegs, 71);
	EXPECT_EQ(n->cap, 128);
	/* free every other one from the back: isolated holes, then merges */
	for (int i = 69; i >= 0; i -= 2) {
		ASSERT_EQ(mems_free(m, v[i]), 0);
		ASSERT_EQ(mems_list_free(&t.l, v[i]), 0);
	}
	EXPECT_EQ(n->nsegs, 70);
	EXPECT_TRUE(n->ext != NULL);
	for (int i = 0; i < 70 && n->ext; i += 2) {
		ASSERT_EQ(mems_free(m, v[i]), 0);
		ASSERT_EQ(mems_list_free(&t.l, v[i]), 0);
		ASSERT_EQ(check_quiet(m), 0);
	}
	EXPECT_TRUE(n->ext == NULL);
	EXPECT_EQ(n->nsegs, 31); /* 69, 67, ... each free now merges three */
	EXPECT_TRUE(twin_same(&t));
	twin_done(&t);
}

HTEST(mems_huge_node_is_a_tree)
{
	/* A node too long for 31-bit offsets keeps its segments in a tree from
	 * the start (3 GiB: the fake pager maps nothing). */
	struct twin t;
	twin_init(&t);
	struct mems *m = &t.m;
	size_t big = (size_t)3 << 30;
	ASSERT_EQ(mems_malloc(m, big), 1000);
	ASSERT_EQ(mems_list_malloc(&t.l, big), 1000);
	struct mems_node *n = m->head;
	EXPECT_TRUE(mems_tree_mode(n));
	EXPECT_EQ(n->nsegs, 1);
	ASSERT_EQ(mems_free(m, 1000), 0);
	ASSERT_EQ(mems_list_free(&t.l, 1000), 0);
	for (int i = 0; i < 100; i++) ASSERT_EQ(mems_malloc(m, 1000 + (size_t)i), mems_list_malloc(&t.l, 1000 + (size_t)i));
	for (int i = 0; i < 100; i += 3) {
		uint64_t a = 1000 + (uint64_t)i * 1000 + (uint64_t)i * (uint64_t)(i - 1) / 2;
		ASSERT_EQ(mems_free(m, a), 0);
		ASSERT_EQ(mems_list_free(&t.l, a), 0);
	}
	EXPECT_TRUE(mems_tree_mode(n)); /* never back in the arrays */
	EXPECT_EQ(mems_malloc(m, 1), mems_list_malloc(&t.l, 1));
	EXPECT_EQ(check_quiet(m), 0);
	EXPECT_TRUE(twin_same(&t));
	twin_done(&t);
}

HTEST(mems_against_list_baseline)
{
	/* Random runs of malloc and free on MeMS and the list baseline: the
	 * same addresses and error codes, and the same stats text. Sizes
	 * favour nodes of hundreds of small segments, so every form of the
	 * arrays and the tree take turns. */
	for (uint64_t seed = 1; seed <= 6; seed++) {
		struct twin t;
		twin_init(&t);
		struct mm_rng r;
		mm_rng_seed(&r, seed * 7919);
		enum { LIVE = 1500 };
		static uint64_t live[LIVE];
		int nlive = 0;
		for (int op = 0; op < 12000; op++) {
			uint32_t what = mm_rng_below(&r, 100);
			if (what < 52 && nlive < LIVE) {
				size_t n = seed % 2 ? 1 + mm_rng_below(&r, 48)
						    : (mm_rng_below(&r, 16) ? 1 + mm_rng_below(&r, 300)
									   : 1 + mm_rng_below(&r, 20000));
				uint64_t a = mems_malloc(&t.m, n);
				ASSERT_EQ(a, mems_list_malloc(&t.l, n));
				live[nlive++] = a;
			} else if (what < 97 && nlive) {
				int k = (int)mm_rng_below(&r, (uint32_t)nlive);
				ASSERT_EQ(mems_free(&t.m, live[k]), 0);
				ASSERT_EQ(mems_list_free(&t.l, live[k]), 0);
				live[k] = live[--nlive];
			} else {
				uint64_t v = 990 + mm_rng_below(&r, (uint32_t)(t.l.end - 980));
				ASSERT_EQ(mems_free(&t.m, v), mems_list_free(&t.l, v));
				if (mems_last_error(&t.m) == 0)
					for (int k = 0; k < nlive; k++)
						if (live[k] == v) live[k] = live[--nlive];
				ASSERT_TRUE(mems_get(&t.m, v) == mems_list_get(&t.l, v));
			}
			if (op % 1000 == 999) {
				ASSERT_EQ(check_quiet(&t.m), 0);
				ASSERT_TRUE(twin_same(&t));
			}
		}
		twin_done(&t);
	}
}

HTEST(mems_bench_workload_against_list)
{
	/* The benchmark's workload (tests/host/bin/mems_bench.c): N live
	 * blocks of 8..511 bytes, one in 32 up to 8 KiB, then rounds of "free
	 * a random one, malloc a random size" for N = 10 and 1000. Every
	 * address must be the list baseline's, and so must the stats text;
	 * the index is checked as it goes. */
	static const int lives[] = { 10, 1000 };
	for (int c = 0; c < 2; c++) {
		struct twin t;
		twin_init(&t);
		struct mm_rng r;
		mm_rng_seed(&r, 4242u + (uint32_t)c);
		enum { MAXLIVE = 1000 };
		static uint64_t live[MAXLIVE];
		int n = lives[c];
		for (int op = -n; op < 20000; op++) {
			size_t sz = mm_rng_below(&r, 32) ? 8 + mm_rng_below(&r, 504) : 8 + mm_rng_below(&r, 8185);
			int k = op < 0 ? op + n : (int)mm_rng_below(&r, (uint32_t)n);
			if (op >= 0) {
				ASSERT_EQ(mems_free(&t.m, live[k]), 0);
				ASSERT_EQ(mems_list_free(&t.l, live[k]), 0);
			}
			live[k] = mems_malloc(&t.m, sz);
			ASSERT_EQ(live[k], mems_list_malloc(&t.l, sz));
			if (op % 2000 == 1999) {
				ASSERT_EQ(check_quiet(&t.m), 0);
				ASSERT_TRUE(twin_same(&t));
			}
		}
		ASSERT_TRUE(twin_same(&t));
		twin_done(&t);
	}
}

/* One node of `pages` pages churned for `ops` calls: the live blocks go
 * towards targets[k] for `period` calls each in turn (up to 64 live), sizes
 * 1..small, one in eight 1..big. Each call against the list baseline, the
 * index checked after every one, get compared at a random address. */
struct churn {
	uint32_t seed, pages;
	int ops, period, ntargets;
	const int *targets;
	uint32_t small, big;
};

static void churn_one_node(const struct churn *c)
{
	struct twin t;
	twin_init(&t);
	struct mm_rng r;
	mm_rng_seed(&r, c->seed);
	ASSERT_EQ(mems_malloc(&t.m, c->pages * 4096), 1000); /* the node */
	ASSERT_EQ(mems_list_malloc(&t.l, c->pages * 4096), 1000);
	ASSERT_EQ(mems_free(&t.m, 1000), 0);
	ASSERT_EQ(mems_list_free(&t.l, 1000), 0);
	enum { MAXLIVE = 64 };
	uint64_t live[MAXLIVE];
	int nlive = 0;
	for (int op = 0; op < c->ops; op++) {
		int target = c->targets[(op / c->period) % c->ntargets];
		bool grow = nlive < target ? mm_rng_below(&r, 4) != 0 : mm_rng_below(&r, 4) == 0;
		if ((grow && nlive < MAXLIVE) || !nlive) {
			size_t sz = 1 + mm_rng_below(&r, mm_rng_below(&r, 8) ? c->small : c->big);
			uint64_t a = mems_malloc(&t.m, sz);
			ASSERT_EQ(a, mems_list_malloc(&t.l, sz));
			live[nlive++] = a;
		} else {
			int k = (int)mm_rng_below(&r, (uint32_t)nlive);
			ASSERT_EQ(mems_free(&t.m, live[k]), 0);
			ASSERT_EQ(mems_list_free(&t.l, live[k]), 0);
			live[k] = live[--nlive];
		}
		ASSERT_EQ(check_quiet(&t.m), 0);
		uint64_t v = 1000 + mm_rng_below(&r, c->pages * 4096);
		ASSERT_TRUE(mems_get(&t.m, v) == mems_list_get(&t.l, v));
		if (op % c->period == c->period - 1) ASSERT_TRUE(twin_same(&t));
	}
	ASSERT_TRUE(twin_same(&t));
	twin_done(&t);
}

HTEST(mems_node_across_block_widths)
{
	/* Segments rising and falling across 8, 16 and 32, where first fit,
	 * the look-up of an offset and the moves of a split or a merge switch
	 * between blocks of 8, 16 and 32 offsets. */
	static const int targets[] = { 2, 5, 9, 20, 7, 3, 14, 1 };
	const struct churn c = { 81632, 8, 8000, 250, 8, targets, 400, 1500 };
	churn_one_node(&c);
}

HTEST(mems_node_of_32_to_64_segments)
{
	/* One node kept between about 25 and 80 segments, where first fit,
	 * the look-up of an offset and the moves of a split or a merge work
	 * on one block of offsets, then two, then (past 64, the arrays in a
	 * block of their own) the walk and memmove, and back. */
	static const int targets[] = { 40, 12 };
	const struct churn c = { 3264, 16, 6000, 500, 2, targets, 300, 3000 };
	churn_one_node(&c);
}

HTEST(mems_first_fit_across_many_nodes)
{
	/* Requests of 96..4095 bytes (first those that leave one-page nodes with
	 * a tail hole each, then any), checked against a linear first-fit scan
	 * of a model of the holes; hundreds of nodes. */
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	enum { MAXN = 4000 };
	static uint64_t hstart[MAXN];
	static size_t hsize[MAXN];
	size_t nn = 0;
	uint64_t end = 1000;
	struct mm_rng r;
	mm_rng_seed(&r, 77);
	for (int q = 0; q < 3300; q++) {
		size_t want = q < 300 ? 96 + mm_rng_below(&r, 4000) : 1 + mm_rng_below(&r, 3000);
		size_t i = 0;
		while (i < nn && hsize[i] < want) i++;
		uint64_t expect;
		if (i < nn) {
			expect = hstart[i];
			hstart[i] += want;
			hsize[i] -= want;
		} else {
			ASSERT_TRUE(nn < MAXN);
			expect = end; /* a new one-page node */
			hstart[nn] = end + want;
			hsize[nn++] = 4096 - want;
			end += 4096;
		}
		ASSERT_EQ(mems_malloc(&f.m, want), expect);
		if (q % 500 == 0) ASSERT_EQ(check_quiet(&f.m), 0);
	}
	EXPECT_EQ(check_quiet(&f.m), 0);
	struct mems_stats st;
	mems_get_stats(&f.m, &st);
	EXPECT_EQ(st.nnodes, nn);
	EXPECT_GE(nn, 200);
	/* 16^2 leaves and an inner level: a wrong inner slot is found */
	ASSERT_TRUE(f.m.tour_levels >= 2);
	uint32_t saved = f.m.tour[3];
	f.m.tour[3] = saved + 1;
	check_finds(&f.m, "tournament inner slot");
	f.m.tour[3] = saved;
	EXPECT_EQ(check_quiet(&f.m), 0);
	fix_done(&f);
}

HTEST(mems_every_segment_found_by_address)
{
	/* 5000 PROCESS segments of 8 bytes: 512 to a one-page node, each
	 * node's arrays in a block of 512 */
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	struct mems *m = &f.m;
	enum { N = 5000 };
	static uint64_t v[N];
	for (int i = 0; i < N; i++) {
		v[i] = mems_malloc(m, 8);
		ASSERT_EQ(v[i], 1000 + (uint64_t)(i / 512) * 4096 + (uint64_t)(i % 512) * 8);
	}
	EXPECT_EQ(m->head->nsegs, 512);
	EXPECT_EQ(m->head->cap, 512);
	EXPECT_EQ(check_quiet(m), 0);
	/* free them in a scattered order; each free finds its own segment */
	for (int k = 0; k < N; k++) {
		int i = (int)(((long)k * 7919) % N);
		ASSERT_TRUE(mems_get(m, v[i] + 7) != NULL);
		ASSERT_EQ(mems_free(m, v[i]), 0);
		ASSERT_TRUE(mems_get(m, v[i]) == NULL);
		EXPECT_EQ(mems_free(m, v[i]), -MM_ENOENT);
		if (k % 1000 == 999) ASSERT_EQ(check_quiet(m), 0);
	}
	struct mems_stats st;
	mems_get_stats(m, &st);
	EXPECT_EQ(st.nprocess, 0);
	EXPECT_EQ(st.nsegs, st.nnodes); /* one hole per node */
	EXPECT_EQ(mems_malloc(m, 8), 1000);
	EXPECT_EQ(check_quiet(m), 0);
	fix_done(&f);
}

/* ---- mems_check finds each kind of damage ---- */

static int check_finds(struct mems *m, const char *what)
{
	struct tbuf b = { 0 };
	struct mm_sink s = tbuf_sink(&b);
	int rc = mems_check(m, &s);
	int reported = b.len > 0;
	free(b.s);
	if (rc == 0 || !reported)
		htest_fail(__FILE__, __LINE__, "mems_check missed: %s", what);
	return rc != 0 && reported;
}

HTEST(mems_check_detects_corruption)
{
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	uint64_t v[40];
	for (int i = 0; i < 40; i++) ASSERT_NE(v[i] = mems_malloc(&f.m, 300 + (size_t)i * 37), 0);
	for (int i = 0; i < 40; i += 3) ASSERT_EQ(mems_free(&f.m, v[i]), 0);
	ASSERT_EQ(check_quiet(&f.m), 0);
	struct mems *m = &f.m;
	struct mems_node *n1 = m->head, *n2 = m->head->next;
	ASSERT_TRUE(n2 != NULL);
	/* node 1 holds 9 segments (300..596 bytes, 4032 in all) and a 64-byte
	 * tail hole; segments 0, 3 and 6 were freed: holes 0, 3, 6 and 9 */
	ASSERT_EQ(n1->nsegs, 10);
	ASSERT_EQ(n1->cap, 64);
	ASSERT_EQ(n1->inline_holes, (1u << 0) | (1u << 3) | (1u << 6) | (1u << 9));
	ASSERT_EQ(n1->off[10], 4096);
	struct mems_seg dummy;
	memset(&dummy, 0, sizeof dummy);

#define DAMAGE(what, field, bad)                                               \
	do {                                                                   \
		__typeof__(field) saved_ = (field);                            \
		(field) = (bad);                                               \
		check_finds(m, what);                                          \
		(field) = saved_;                                              \
		EXPECT_EQ(check_quiet(m), 0);                                  \
	} while (0)

	/* the sub-chain in the arrays */
	DAMAGE("segments end past the node", n1->off[10], 4097);
	DAMAGE("first segment moved", n1->off[0], 1);
	DAMAGE("offsets out of order", n1->off[2], n1->off[1]);
	DAMAGE("offset past the end", n1->off[11], 5000);
	DAMAGE("hole marked PROCESS", n1->inline_holes, n1->inline_holes & ~(1ull << 3));
	DAMAGE("PROCESS marked HOLE", n1->inline_holes, n1->inline_holes | (1ull << 1));
	DAMAGE("hole bit past the last segment", n1->inline_holes, n1->inline_holes | (1ull << 12));
	DAMAGE("node segment count", n1->nsegs, n1->nsegs + 1);
	DAMAGE("node segment count short", n1->nsegs, n1->nsegs - 1);
	DAMAGE("largest hole", n1->maxhole, n1->maxhole + 1);
	DAMAGE("largest hole too small", n1->maxhole, n1->maxhole - 1);
	DAMAGE("arrays of another node", n1->off, n2->off);
	DAMAGE("hole bits of another node", n1->holes, n2->holes);
	DAMAGE("capacity", n1->cap, 128);
	DAMAGE("a tree root in array mode", n1->root, &dummy);
	/* the nodes and the main chain */
	DAMAGE("node start", n2->start, n2->start + 4096);
	DAMAGE("node pages", n1->npages, n1->npages + 1);
	DAMAGE("node memory", n1->kaddr, NULL);
	DAMAGE("main chain prev link", n2->prev, NULL);
	DAMAGE("main chain cycle", m->tail->next, m->head);
	DAMAGE("tail pointer", m->tail, m->head);
	DAMAGE("hole byte count", m->hole_bytes, m->hole_bytes + 1);
	DAMAGE("page count", m->npages, m->npages + 1);
	DAMAGE("segment count", m->nsegs, m->nsegs - 1);
	DAMAGE("PROCESS count", m->nprocess, m->nprocess + 1);
	DAMAGE("end address", m->end, m->end + 1);
	/* the node array, the page table and the tournament */
	DAMAGE("node array slot", m->nodes[1], n1);
	DAMAGE("node position", n2->index, 0);
	DAMAGE("page table entry", m->pagemap[1], n1);
	DAMAGE("page table too small", m->pagemap_cap, 1);
	ASSERT_EQ(m->tour_levels, 1); /* 16 leaves, no inner levels */
	ASSERT_TRUE(m->nnodes < 16);
	DAMAGE("tournament leaf", m->tour[1], m->tour[1] + 1);
	DAMAGE("tournament leaf past the last node", m->tour[15], 5);
	DAMAGE("node array too small", m->nodes_cap, 1);
#undef DAMAGE
	fix_done(&f);
}

/* A node of many segments keeps them in a tree: damage its links and figures. */
HTEST(mems_check_detects_tree_corruption)
{
	struct fix f;
	ASSERT_EQ(fix_init(&f, -1), 0);
	struct mems *m = &f.m;
	/* one node of 16 pages cut into 100-byte segments, every other one freed */
	ASSERT_EQ(mems_malloc(m, 16 * 4096), 1000);
	ASSERT_EQ(mems_free(m, 1000), 0);
	enum { N = 600 };
	uint64_t v[N];
	for (int i = 0; i < N; i++) ASSERT_EQ(v[i] = mems_malloc(m, 100), 1000 + (uint64_t)i * 100);
	for (int i = 0; i < N; i += 2) ASSERT_EQ(mems_free(m, v[i]), 0);
	ASSERT_EQ(check_quiet(m), 0);
	struct mems_node *n = m->head;
	ASSERT_TRUE(mems_tree_mode(n));
	ASSERT_EQ(n->nsegs, N + 1); /* and the tail hole */
	struct mems_seg *r = n->root;
	ASSERT_TRUE(r != NULL);
	ASSERT_TRUE(r->child[0] && r->child[1]);
	struct mems_seg *h = r->child[0];
	while (h->child[0]) h = h->child[0]; /* the first segment, a hole */
	ASSERT_EQ(h->start, 1000);
	ASSERT_TRUE(h == n->first);

#define DAMAGE(what, field, bad)                                               \
	do {                                                                   \
		__typeof__(field) saved_ = (field);                            \
		(field) = (bad);                                               \
		check_finds(m, what);                                          \
		(field) = saved_;                                              \
		EXPECT_EQ(check_quiet(m), 0);                                  \
	} while (0)

	DAMAGE("tree root gone", n->root, NULL);
	DAMAGE("segment count", n->nsegs, n->nsegs + 1);
	DAMAGE("tree of few segments", n->nsegs, MEMS_INLINE_SEGS / 2);
	DAMAGE("largest hole", n->maxhole, n->maxhole + 1);
	DAMAGE("array storage in tree mode", n->off, n->inline_off);
	DAMAGE("segment one byte longer", h->nbytes, h->nbytes + 1);
	DAMAGE("segment start moved", h->next->start, h->next->start + 1);
	DAMAGE("hole marked PROCESS", h->kind, MEMS_PROCESS);
	DAMAGE("PROCESS marked HOLE", h->next->kind, MEMS_HOLE);
	DAMAGE("unknown kind", h->next->kind, 7);
	DAMAGE("sub-chain prev link", n->last->prev, NULL);
	DAMAGE("sub-chain last pointer", n->last, n->first);
	DAMAGE("sub-chain skips its first segment", n->first, n->first->next);
	DAMAGE("index parent link", r->child[0]->parent, NULL);
	DAMAGE("root with a parent", r->parent, r->child[0]);
	DAMAGE("index height", r->height, r->height + 1);
	DAMAGE("index hole maximum", r->maxhole, r->maxhole + 1);
	DAMAGE("index leaf hole maximum", h->maxhole, h->maxhole + 100000);
	DAMAGE("index cycle", r->child[1]->parent, r->child[0]);
	DAMAGE("spare count", n->nspare, n->nspare + 1);
	/* children swapped: the in-order walk no longer follows the list */
	struct mems_seg *a = r->child[0], *b = r->child[1];
	r->child[0] = b;
	r->child[1] = a;
	check_finds(m, "index children swapped");
	r->child[0] = a;
	r->child[1] = b;
	/* a segment missing from the tree: unhook the first one (a leaf) */
	ASSERT_TRUE(h->child[1] == NULL);
	struct mems_seg *up = h->parent;
	up->child[0] = NULL;
	check_finds(m, "segment missing from the tree");
	up->child[0] = h;
	/* a child link back up to the root: the walk must end and report it */
	h->child[0] = r;
	check_finds(m, "index cycle through a child link");
	h->child[0] = NULL;
	EXPECT_EQ(check_quiet(m), 0);
#undef DAMAGE
	fix_done(&f);
}
