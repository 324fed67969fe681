/*
 * mems_api.c - the single heap behind mems_user.h: one struct mems from
 * mm/heap/mems.c, a pager that maps each node with its own mmap2 (and
 * unmaps it with munmap), and a bookkeeping allocator that does the same
 * for each record block, as the original MeMS kept its list in mmap'd
 * pages. Failures are reported on fd 2 so stdout stays the original's.
 */
#include "ulib.h"
#include "mems_user.h"
#include "heap/mems.h"

static struct mems heap;

/* ---- pager: one mapping per node ---- */

static int pager_map(void *ctx, size_t npages, void **kaddr)
{
	void *p = map_anon(npages * PAGE_SIZE);
	if (is_err(p)) return -MM_ENOMEM;
	*kaddr = p;
	return 0;
}

static void pager_unmap(void *ctx, void *kaddr, size_t npages)
{
	munmap(kaddr, npages * PAGE_SIZE);
}

/* A user program sees no physical memory: the address in the mapping. */
static paddr_t pager_phys(void *ctx, const void *kaddr)
{
	return paddr_make((uint32_t)(uintptr_t)kaddr);
}

/* ---- bookkeeping: whole pages per block, the size kept in front ---- */

struct meta_head {
	size_t nbytes;  /* the mapping's length */
	size_t pad[3];  /* keeps what follows 16-byte aligned */
};

static void *meta_alloc(void *ctx, size_t nbytes)
{
	size_t total = (sizeof(struct meta_head) + nbytes + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
	struct meta_head *h = map_anon(total);
	if (is_err(h)) return NULL;
	h->nbytes = total;
	return h + 1;
}

static void meta_free(void *ctx, void *p)
{
	struct meta_head *h = (struct meta_head *)p - 1;
	munmap(h, h->nbytes);
}

/* ---- the original interface ---- */

void mems_user_init(void)
{
	static const struct mems_pager pager = { pager_map, pager_unmap, pager_phys, NULL };
	static const struct mm_allocator meta = { meta_alloc, meta_free, NULL };
	if (mems_init(&heap, &pager, &meta) < 0) {
		dprintf(2, "mems_init: %s\n", mems_last_message(&heap));
		exit(1);
	}
}

void mems_user_finish(void)
{
	mems_finish(&heap);
}

void *mems_user_malloc(size_t size)
{
	uint64_t v = mems_malloc(&heap, size);
	if (!v) dprintf(2, "mems_malloc(%u): %s\n", (unsigned)size, mems_last_message(&heap));
	return (void *)(uintptr_t)v;
}

void mems_user_free(void *v_ptr)
{
	if (mems_free(&heap, (uintptr_t)v_ptr) < 0)
		dprintf(2, "mems_free(%p): %s\n", v_ptr, mems_last_message(&heap));
}

void *mems_user_get(void *v_ptr)
{
	void *p = mems_get(&heap, (uintptr_t)v_ptr);
	if (!p) dprintf(2, "mems_get(%p): %s\n", v_ptr, mems_last_message(&heap));
	return p;
}

static void put_stdout(void *ctx, const char *s, size_t n)
{
	while (n) {
		long w = write(1, s, n);
		if (w <= 0) return;
		s += w;
		n -= (size_t)w;
	}
}

void mems_user_print_stats(void)
{
	struct mm_sink out = { put_stdout, NULL };
	mems_print_stats(&heap, &out);
}
