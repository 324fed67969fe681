/*
 * mems_example.c - runs the official MeMS driver's scenario (example.c) on the
 * host build of mm/heap/mems.c and prints what it prints: compare with
 * tests/data/cases/mems/example.expected.txt (only the physical address
 * differs). The pager maps nodes with aligned_alloc; "physical" addresses are
 * the host addresses, as the original printed its mmap addresses.
 *
 *     make build/host/mems_example && build/host/mems_example
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "../host_alloc.h"
#include "mems.h"

static int pg_map(void *ctx, size_t npages, void **kaddr)
{
	(void)ctx;
	void *k = aligned_alloc(MEMS_PAGE_SIZE, npages * MEMS_PAGE_SIZE);
	if (!k) return -MM_ENOMEM;
	*kaddr = k;
	return 0;
}

static void pg_unmap(void *ctx, void *kaddr, size_t npages)
{
	(void)ctx;
	(void)npages;
	free(kaddr);
}

static paddr_t pg_phys(void *ctx, const void *kaddr)
{
	(void)ctx;
	return paddr_make((uint32_t)(uintptr_t)kaddr); /* the host has none: the pointer's low bits */
}

static void put_stdout(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	fwrite(s, 1, n, stdout);
}

int main(void)
{
	struct mems_pager pg = { pg_map, pg_unmap, pg_phys, NULL };
	struct mm_sink out = { put_stdout, NULL };
	struct mems m = { 0 };
	if (mems_init(&m, &pg, &host_malloc) < 0) {
		fprintf(stderr, "mems_init: %s\n", mems_last_message(&m));
		return 1;
	}
	return mems_run_example(&m, &out) < 0 ? 1 : 0;
}
