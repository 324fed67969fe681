/*
 * fuzz_mems.c - a coverage-guided fuzzing harness (LLVMFuzzerTestOneInput)
 * for MeMS (mm/heap/mems.c, mm/heap/mems_index.c).
 *
 * The input is a program: each operation is an opcode byte and its operands.
 * The harness runs it against a MeMS instance over a small page budget (so the
 * pager runs out) and a metadata allocator the input can make fail, keeps its
 * own list of live blocks with a byte pattern written through mems_get, and
 * after every operation runs mems_check and verifies what it can see: results
 * and error codes as the contract says, patterns intact, freed blocks gone.
 *
 *     tools/fuzz tests/fuzz/fuzz_mems.c 60    (builds it with clang and runs it)
 *
 * or simply: tools/fuzz tests/fuzz/fuzz_mems.c 60
 *
 * (mm/?*.c is every mm source; mm/heap/mems.c mm/heap/mems_index.c mm/lib/fmt.c mm/lib/mmlib.c
 * are all the harness needs.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mems.h"
#include "tests/host/host_alloc.h"

#define MAX_LIVE 256
#define PAGE_BUDGET 64

struct fz {
	const uint8_t *p;
	size_t n;
	long pages;           /* pages mapped now */
	struct host_alloc_ctx meta; /* fails after meta.fail_after calls (< 0: never) */
	struct { uint64_t v; size_t n; } live[MAX_LIVE];
	int nlive;
};

static uint32_t take(struct fz *z, int nbytes)
{
	uint32_t v = 0;
	for (int i = 0; i < nbytes; i++) {
		v <<= 8;
		if (z->n) {
			v |= *z->p++;
			z->n--;
		}
	}
	return v;
}

static int pg_map(void *ctx, size_t npages, void **kaddr)
{
	struct fz *z = ctx;
	if (z->pages + (long)npages > PAGE_BUDGET) return -MM_ENOMEM;
	void *k = aligned_alloc(MEMS_PAGE_SIZE, npages * MEMS_PAGE_SIZE);
	if (!k) return -MM_ENOMEM;
	memset(k, 0xee, npages * MEMS_PAGE_SIZE);
	z->pages += (long)npages;
	*kaddr = k;
	return 0;
}

static void pg_unmap(void *ctx, void *kaddr, size_t npages)
{
	struct fz *z = ctx;
	z->pages -= (long)npages;
	free(kaddr);
}

static paddr_t pg_phys(void *ctx, const void *kaddr)
{
	(void)ctx;
	return paddr_make((uint32_t)(uintptr_t)kaddr); /* the host has none: the pointer's low bits */
}

static void put_stderr(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	fwrite(s, 1, n, stderr);
}

static void put_null(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	(void)s;
	(void)n;
}

static uint8_t pattern(uint64_t v, size_t i)
{
	return (uint8_t)(v * 37 + i + (v >> 9));
}

static void check_or_die(struct mems *m, struct fz *z)
{
	struct mm_sink err = { put_stderr, NULL };
	if (mems_check(m, &err) < 0) abort();
	for (int k = 0; k < z->nlive; k++) {
		const uint8_t *p = mems_get(m, z->live[k].v);
		if (!p) abort();
		/* the ends and one byte in the middle: the full scan is at free */
		size_t n = z->live[k].n;
		if (p[0] != pattern(z->live[k].v, 0) || p[n - 1] != pattern(z->live[k].v, n - 1) ||
		    p[n / 2] != pattern(z->live[k].v, n / 2))
			abort();
	}
}

/* The live block containing v, or -1. */
static int live_at(const struct fz *z, uint64_t v)
{
	for (int k = 0; k < z->nlive; k++)
		if (v >= z->live[k].v && v - z->live[k].v < z->live[k].n) return k;
	return -1;
}

static void op_malloc(struct mems *m, struct fz *z, uint32_t code)
{
	size_t n;
	switch (code & 3) {
	case 0: n = code >> 2 & 0x3f; break;          /* 0..63, 0 included */
	case 1: n = 1 + (code >> 2 & 0x3ff); break;   /* up to 1 KiB */
	case 2: n = 1 + (code >> 2 & 0x7fff); break;  /* up to 8 pages */
	default: n = (code >> 2 & 1) ? (size_t)-1 - (code >> 3 & 0xfff) : 4096 * (code >> 3 & 0x7f);
	}
	uint64_t v = mems_malloc(m, n);
	if (!v) {
		int e = mems_last_error(m);
		if (n == 0 ? e != -MM_EINVAL : e != -MM_ENOMEM) abort();
		return;
	}
	if (n == 0 || mems_last_error(m) != 0 || v < MEMS_VADDR_BASE) abort();
	if (live_at(z, v) >= 0 || live_at(z, v + n - 1) >= 0) abort(); /* overlap */
	uint8_t *p = mems_get(m, v);
	if (!p || mems_get(m, v + n - 1) != p + n - 1) abort();
	if (z->nlive == MAX_LIVE) {
		if (mems_free(m, v) != 0) abort();
		return;
	}
	for (size_t i = 0; i < n; i++) p[i] = pattern(v, i);
	z->live[z->nlive].v = v;
	z->live[z->nlive].n = n;
	z->nlive++;
}

static void op_free_live(struct mems *m, struct fz *z, uint32_t code)
{
	if (!z->nlive) return;
	int k = (int)(code % (uint32_t)z->nlive);
	uint64_t v = z->live[k].v;
	const uint8_t *p = mems_get(m, v);
	for (size_t i = 0; i < z->live[k].n; i++)
		if (p[i] != pattern(v, i)) abort();
	if (mems_free(m, v) != 0) abort();
	z->live[k] = z->live[--z->nlive];
	if (mems_get(m, v) != NULL) abort();
	if (mems_free(m, v) != -MM_ENOENT) abort(); /* a second free */
}

static void op_free_any(struct mems *m, struct fz *z, uint32_t code)
{
	struct mems_stats st;
	mems_get_stats(m, &st);
	uint64_t v = (code & 1) ? (uint64_t)(code >> 1) : 990 + (code >> 1) % (st.end + 20 - 990);
	int k = live_at(z, v);
	int rc = mems_free(m, v);
	if (k >= 0 && z->live[k].v == v) {
		if (rc != 0) abort();
		z->live[k] = z->live[--z->nlive];
	} else if (k >= 0) {
		if (rc != -MM_EINVAL) abort();
	} else if (v < MEMS_VADDR_BASE || v >= st.end) {
		if (rc != -MM_EFAULT) abort();
	} else if (rc != -MM_ENOENT) {
		abort(); /* inside MeMS but in no live block: a hole */
	}
}

static void op_get(struct mems *m, struct fz *z, uint32_t code)
{
	struct mems_stats st;
	mems_get_stats(m, &st);
	uint64_t v = 990 + code % (st.end + 20 - 990);
	int k = live_at(z, v);
	uint8_t *p = mems_get(m, v);
	if ((k >= 0) != (p != NULL)) abort();
	if (p && *p != pattern(z->live[k].v, v - z->live[k].v)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz z;
	memset(&z, 0, sizeof z);
	z.p = data;
	z.n = size;
	z.meta.fail_after = -1;
	struct mems_pager pg = { pg_map, pg_unmap, pg_phys, &z };
	struct mm_allocator meta = host_allocator(&z.meta);
	struct mems m;
	memset(&m, 0, sizeof m);
	if (mems_init(&m, &pg, &meta) != 0) abort();
	while (z.n) {
		uint8_t op = (uint8_t)take(&z, 1);
		uint32_t code = take(&z, 3);
		switch (op % 8) {
		case 0: case 1: case 2: op_malloc(&m, &z, code); break;
		case 3: case 4: op_free_live(&m, &z, code); break;
		case 5: op_free_any(&m, &z, code); break;
		case 6: op_get(&m, &z, code); break;
		default:
			if (code & 1) {
				z.meta.fail_after = (code >> 1) & 7;
			} else {
				struct mm_sink null = { put_null, NULL };
				mems_print_stats(&m, &null);
			}
		}
		check_or_die(&m, &z);
	}
	mems_finish(&m);
	if (z.pages != 0 || z.meta.live != 0) abort();
	if (mems_malloc(&m, 1) != 0 || mems_last_error(&m) != -MM_EINVAL) abort();
	return 0;
}
