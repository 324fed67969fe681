/*
 * kwin.c - the kernel window (KWIN_BASE..KWIN_END): virtual space for kernel
 * mappings made page by page (the MeMS heap's nodes, temporary mappings).
 * Its page tables were made at boot and are shared by every address space.
 * Space is handed out first-fit from a bitmap of pages.
 */
#include "kernel.h"
#include "layout.h"
#include "mem.h"
#include "mm_env.h"
#include "pgtable.h"
#include "kwin.h"

#define KWIN_PAGES ((KWIN_END - KWIN_BASE) / PAGE_SIZE)
static uint32_t used[KWIN_PAGES / 32];

static bool page_used(uint32_t i) { return used[i / 32] & (1u << (i % 32)); }
static void set_used(uint32_t i, bool on)
{
	if (on) used[i / 32] |= 1u << (i % 32);
	else used[i / 32] &= ~(1u << (i % 32));
}

vaddr_t kwin_alloc(uint32_t npages)
{
	uint32_t run = 0;
	if (npages == 0 || npages > KWIN_PAGES) return VADDR_NULL;
	for (uint32_t i = 0; i < KWIN_PAGES; i++) {
		if (used[i / 32] == 0xffffffffu) { /* skip full words */
			run = 0;
			i += 31;
			continue;
		}
		run = page_used(i) ? 0 : run + 1;
		if (run == npages) {
			uint32_t first = i + 1 - npages;
			for (uint32_t j = first; j <= i; j++) set_used(j, true);
			return vaddr_make(KWIN_BASE + first * PAGE_SIZE);
		}
	}
	return VADDR_NULL;
}

void kwin_free(vaddr_t va, uint32_t npages)
{
	uint32_t first = (vaddr_u32(va) - KWIN_BASE) / PAGE_SIZE;
	MM_ASSERT(vaddr_u32(va) >= KWIN_BASE && first + npages <= KWIN_PAGES, "kwin_free(0x%08x, %u)",
		  vaddr_u32(va), npages);
	for (uint32_t j = first; j < first + npages; j++) {
		MM_ASSERT(page_used(j), "kwin_free of a free page 0x%08x", KWIN_BASE + j * PAGE_SIZE);
		set_used(j, false);
	}
}

int kwin_map(vaddr_t va, paddr_t pa)
{
	return pgt_map(&kvm.frames, kernel_pd_phys, va, pa, PTE_W);
}

paddr_t kwin_unmap(vaddr_t va)
{
	pte_t old;
	if (pgt_unmap(kernel_pd_phys, va, &old)) return PADDR_NULL;
	return pte_paddr(old);
}

/* ---- kvmalloc: big buffers, page by page, in the kernel window ----
 * For arrays larger than the buddy allocator's biggest block (a trace of
 * half a million references): frames need not be contiguous. */

struct kv_header { uint32_t npages; uint32_t magic; uint32_t pad[2]; };
#define KV_MAGIC 0x6b766d61u

vaddr_t kwin_map_fresh(uint32_t npages)
{
	vaddr_t va = kwin_alloc(npages);
	if (vaddr_is_null(va)) return VADDR_NULL;
	for (uint32_t i = 0; i < npages; i++) {
		paddr_t pa = kframe_alloc();
		if (paddr_is_null(pa) || kwin_map(vaddr_add(va, i * PAGE_SIZE), pa)) {
			if (!paddr_is_null(pa)) kframe_free(pa);
			kwin_unmap_free(va, i);
			kwin_free(vaddr_add(va, i * PAGE_SIZE), npages - i);
			return VADDR_NULL;
		}
	}
	return va;
}

void kwin_unmap_free(vaddr_t va, uint32_t npages)
{
	for (uint32_t i = 0; i < npages; i++) kframe_free(kwin_unmap(vaddr_add(va, i * PAGE_SIZE)));
	if (npages) kwin_free(va, npages);
}

void *kvmalloc(size_t nbytes)
{
	uint32_t npages = (uint32_t)((nbytes + sizeof(struct kv_header) + PAGE_SIZE - 1) / PAGE_SIZE);
	vaddr_t va = kwin_map_fresh(npages);
	if (vaddr_is_null(va)) return 0;
	struct kv_header *h = vaddr_ptr(va);
	h->npages = npages;
	h->magic = KV_MAGIC;
	return h + 1;
}

void kvfree(void *p)
{
	if (!p) return;
	struct kv_header *h = (struct kv_header *)p - 1;
	MM_ASSERT(h->magic == KV_MAGIC, "kvfree(%p): not from kvmalloc", p);
	uint32_t npages = h->npages;
	h->magic = 0;
	kwin_unmap_free(ptr_vaddr(h), npages);
}

static void *kv_alloc_fn(void *ctx, size_t n) { (void)ctx; return kvmalloc(n); }
static void kv_free_fn(void *ctx, void *p) { (void)ctx; kvfree(p); }
const struct mm_allocator kvm_allocator = { kv_alloc_fn, kv_free_fn, 0 };
