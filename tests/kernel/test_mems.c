/*
 * test_mems.c - MeMS in the kernel: data written through mems_get pointers
 * (real frames mapped in the kernel window) reads back, a segment spanning
 * pages is contiguous in the window, frames are real and distinct, and
 * mems_finish gives every frame back.
 */
#include "kernel.h"
#include "ktest.h"
#include "mem.h"
#include "mems.h"
#include "mmlib.h"

extern const struct mems_pager kmems_pager;

KTEST(mems, write_through_get_and_finish)
{
	static struct mems m;
	kmalloc_trim(&kheap);
	uint32_t free_before = kframes_free();
	KASSERT(mems_init(&m, &kmems_pager, &kheap_allocator) == 0, "init");
	enum { N = 40 };
	uint64_t va[N];
	for (int i = 0; i < N; i++) {
		va[i] = mems_malloc(&m, 300 + 97 * (size_t)i);
		KASSERT(va[i], "malloc %d: %s", i, mems_last_message(&m));
	}
	for (int i = 0; i < N; i++) {
		size_t n = 300 + 97 * (size_t)i;
		for (size_t off = 0; off < n; off += 7) {
			uint8_t *p = mems_get(&m, va[i] + off);
			KASSERT(p, "get %d+%u", i, (unsigned)off);
			*p = (uint8_t)(i * 31 + off);
		}
	}
	int bad = 0;
	for (int i = 0; i < N; i++) {
		size_t n = 300 + 97 * (size_t)i;
		uint8_t *base = mems_get(&m, va[i]);
		for (size_t off = 0; off < n; off += 7) {
			bad += *(uint8_t *)mems_get(&m, va[i] + off) != (uint8_t)(i * 31 + off);
			bad += base[off] != (uint8_t)(i * 31 + off); /* contiguous in the window */
		}
	}
	KEXPECT_EQ(bad, 0);
	/* the real frame behind a kernel-window address is a frame in RAM, allocated */
	paddr_t pa;
	KEXPECT_EQ(mems_phys(&m, va[0], &pa), 0);
	KEXPECT_EQ(frame_state(&kframes, paddr_to_pfn(pa), 0, 0), FRAME_STATE_ALLOCATED);
	KEXPECT_EQ(mems_check(&m, &console_sink), 0);
	for (int i = 0; i < N; i += 2) KEXPECT_EQ(mems_free(&m, va[i]), 0);
	KEXPECT_EQ(mems_check(&m, &console_sink), 0);
	mems_finish(&m);
	kmalloc_trim(&kheap);
	KEXPECT_EQ(kframes_free(), free_before);
}
