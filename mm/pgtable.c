/*
 * pgtable.c - building, walking and editing x86 two-level page tables (see
 * the diagrams in pgtable.h). Every change to a present entry is followed by
 * mm_tlb_flush_page so the CPU never uses a stale translation.
 */
#include "mm_env.h"
#include "mmlib.h"
#include "pgtable.h"

static pte_t *table_at(paddr_t pa) { return mm_phys_to_virt(paddr_page_down(pa)); }
/* The page table a present PDE points to. */
static pte_t *table_of(pte_t pde) { return mm_phys_to_virt(pte_paddr(pde)); }

paddr_t pgt_create(const struct frame_source *fr, paddr_t kernel_pd)
{
	paddr_t pd = fr->alloc(fr->ctx);
	if (paddr_is_null(pd)) return PADDR_NULL;
	pte_t *dir = table_at(pd);
	mm_zero_page(dir);
	if (!paddr_is_null(kernel_pd)) {
		const pte_t *k = table_at(kernel_pd);
		for (uint32_t i = PGT_KERNEL_FIRST; i < PGT_ENTRIES; i++) dir[i] = k[i];
	}
	return pd;
}

void pgt_destroy(const struct frame_source *fr, paddr_t pd)
{
	pte_t *dir = table_at(pd);
	for (uint32_t i = 0; i < PGT_KERNEL_FIRST; i++) {
		if ((dir[i] & PTE_P) && !(dir[i] & PTE_PS)) fr->free(fr->ctx, pte_paddr(dir[i]));
		dir[i] = 0;
	}
	fr->free(fr->ctx, pd);
}

pte_t *pgt_walk(const struct frame_source *fr, paddr_t pd, vaddr_t va, bool create)
{
	pte_t *dir = table_at(pd);
	pte_t *pde = &dir[pgt_dir_index(va)];
	if (*pde & PTE_PS) return 0;
	if (!(*pde & PTE_P)) {
		if (!create) return 0;
		paddr_t t = fr->alloc(fr->ctx);
		if (paddr_is_null(t)) return 0;
		mm_zero_page(table_at(t));
		/* The PDE is permissive; the PTEs decide. */
		*pde = pte_make(t, PTE_P | PTE_W | (pgt_dir_index(va) < PGT_KERNEL_FIRST ? PTE_U : 0));
	}
	return &table_of(*pde)[pgt_table_index(va)];
}

int pgt_map(const struct frame_source *fr, paddr_t pd, vaddr_t va, paddr_t pa, uint32_t flags)
{
	if (vaddr_page_offset(va) || paddr_page_offset(pa)) return -MM_EINVAL;
	pte_t *e = pgt_walk(fr, pd, va, true);
	if (!e) return -MM_ENOMEM;
	if (*e & PTE_P) return -MM_EEXIST;
	*e = pte_make(pa, (flags & (PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_G)) | PTE_P);
	return 0;
}

static pte_t *present_pte(paddr_t pd, vaddr_t va)
{
	pte_t *e = pgt_walk(0, pd, va, false);
	return (e && (*e & PTE_P)) ? e : 0;
}

int pgt_unmap(paddr_t pd, vaddr_t va, pte_t *old)
{
	pte_t *e = present_pte(pd, va);
	if (!e) return -MM_ENOENT;
	if (old) *old = *e;
	*e = 0;
	mm_tlb_flush_page(va);
	return 0;
}

int pgt_protect(paddr_t pd, vaddr_t va, uint32_t flags)
{
	pte_t *e = present_pte(pd, va);
	if (!e) return -MM_ENOENT;
	*e = (*e & ~(PTE_W | PTE_U)) | (flags & (PTE_W | PTE_U));
	mm_tlb_flush_page(va);
	return 0;
}

int pgt_translate(paddr_t pd, vaddr_t va, paddr_t *pa, uint32_t *flags)
{
	pte_t pde = table_at(pd)[pgt_dir_index(va)];
	if ((pde & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS)) { /* a 4 MiB page */
		if (pa) *pa = paddr_make((pde & 0xFFC00000u) | (vaddr_u32(va) & 0x3FFFFFu));
		if (flags) *flags = pde & PTE_FLAGS_MASK;
		return 0;
	}
	pte_t *e = present_pte(pd, va);
	if (!e) return -MM_ENOENT;
	if (pa) *pa = paddr_add(pte_paddr(*e), vaddr_page_offset(va));
	if (flags) *flags = *e & PTE_FLAGS_MASK;
	return 0;
}

uint32_t pgt_harvest(paddr_t pd, vaddr_t va, bool clear_dirty)
{
	return pte_harvest(present_pte(pd, va), va, clear_dirty);
}

uint32_t pte_harvest(pte_t *e, vaddr_t va, bool clear_dirty)
{
	if (!e || !(*e & PTE_P)) return 0;
	uint32_t bits = *e & (PTE_A | PTE_D);
	uint32_t clear = PTE_A | (clear_dirty ? PTE_D : 0);
	if (bits & clear) {
		*e &= ~clear;
		mm_tlb_flush_page(va); /* the CPU must set A again on the next use */
	}
	return bits;
}

uint32_t pgt_count_present(paddr_t pd)
{
	const pte_t *dir = table_at(pd);
	uint32_t n = 0;
	for (uint32_t i = 0; i < PGT_KERNEL_FIRST; i++) {
		if (!(dir[i] & PTE_P) || (dir[i] & PTE_PS)) continue;
		const pte_t *t = table_of(dir[i]);
		for (uint32_t j = 0; j < PGT_ENTRIES; j++) n += t[j] & PTE_P;
	}
	return n;
}
