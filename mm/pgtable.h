/*
 * pgtable.h - x86 two-level page tables (32-bit, 4 KiB pages, no PAE).
 *
 *  virtual address:  31        22 21        12 11           0
 *                   +------------+------------+--------------+
 *                   | dir index  | table index| page offset  |
 *                   +------------+------------+--------------+
 *
 *  PDE / PTE:        31                    12 11  9 8 7 6 5 4 3 2 1 0
 *                   +------------------------+-----+-+-+-+-+-+-+-+-+-+
 *                   | frame (or table) addr  | AVL |G|S|D|A|C|W|U|R|P|
 *                   +------------------------+-----+-+-+-+-+-+-+-+-+-+
 *   P present, R writable, U user, W write-through, C cache-disable,
 *   A accessed, D dirty, S page size (PDE: 4 MiB page), G global.
 *
 *  Non-present PTE of a swapped-out page (mmk's own encoding):
 *                   +------------------------+-----+---------------+-+
 *                   | swap slot              |  1  |       0       |0|
 *                   +------------------------+-----+---------------+-+
 *   bit 9 (PTE_SWAPPED) marks it; bits 31..12 hold the slot number.
 *
 * The tables live in physical frames reached through mm_phys_to_virt; the
 * frames for new page tables come from a struct frame_source the caller gives.
 */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

#include "mm_alloc.h"
#include "mm_env.h"

typedef uint32_t pte_t;

#define PTE_P 0x001u
#define PTE_W 0x002u
#define PTE_U 0x004u
#define PTE_PWT 0x008u
#define PTE_PCD 0x010u
#define PTE_A 0x020u
#define PTE_D 0x040u
#define PTE_PS 0x080u
#define PTE_G 0x100u
#define PTE_SWAPPED 0x200u
#define PTE_FLAGS_MASK 0xFFFu
#define PTE_ADDR_MASK 0xFFFFF000u

#define PGT_ENTRIES 1024u
#define PGT_KERNEL_FIRST 768u /* PDEs from here on are the shared kernel half */

static inline uint32_t pgt_dir_index(vaddr_t va) { return vaddr_u32(va) >> 22; }
static inline uint32_t pgt_table_index(vaddr_t va) { return (vaddr_u32(va) >> 12) & 0x3FFu; }
/* An entry is raw bits: the frame (or table) address is put in and taken
 * out only through these. */
static inline pte_t pte_make(paddr_t pa, uint32_t flags) { return paddr_u32(pa) | flags; }
static inline paddr_t pte_paddr(pte_t e) { return paddr_make(e & PTE_ADDR_MASK); }
static inline pte_t pte_make_swapped(uint32_t slot) { return (slot << 12) | PTE_SWAPPED; }
static inline bool pte_is_swapped(pte_t e) { return !(e & PTE_P) && (e & PTE_SWAPPED); }
static inline uint32_t pte_swap_slot(pte_t e) { return e >> 12; }


/* A new, zeroed page directory whose kernel half is copied from kernel_pd
 * (may be PADDR_NULL: no kernel half). Returns its physical address,
 * PADDR_NULL when out. */
paddr_t pgt_create(const struct frame_source *fr, paddr_t kernel_pd);

/* Free the page tables of the user half (entries < PGT_KERNEL_FIRST) and the
 * directory itself. Frames the PTEs point to are NOT freed: their owner
 * (region, pool) must have released them. */
void pgt_destroy(const struct frame_source *fr, paddr_t pd);

/* The PTE slot for va, making its page table when create is set. NULL when
 * there is no table (and !create), the table could not be made, or va is
 * mapped by a 4 MiB PDE. */
pte_t *pgt_walk(const struct frame_source *fr, paddr_t pd, vaddr_t va, bool create);
/* pgt_walk without create, inline (a fault's look-up of a PTE whose table
 * is usually there): the PTE slot for va, or NULL when there is no table or
 * va is mapped by a 4 MiB PDE. */
static inline pte_t *pgt_find_in(const pte_t *dir, vaddr_t va)
{
	pte_t pde = dir[pgt_dir_index(va)];
	if ((pde & (PTE_P | PTE_PS)) != PTE_P) return 0;
	return (pte_t *)mm_phys_to_virt(pte_paddr(pde)) + pgt_table_index(va);
}
/* pgt_find_in the directory at pd. (pgt_find_in takes the directory where
 * the kernel reaches it: a vm_space keeps that, saving a translation.) */
static inline pte_t *pgt_find(paddr_t pd, vaddr_t va)
{
	return pgt_find_in(mm_phys_to_virt(paddr_page_down(pd)), va);
}

/* Map va -> pa with flags (PTE_P is added). -MM_EEXIST if va is present,
 * -MM_ENOMEM if a page table could not be made, -MM_EINVAL if unaligned. */
int pgt_map(const struct frame_source *fr, paddr_t pd, vaddr_t va, paddr_t pa, uint32_t flags);

/* Unmap va; returns 0 and the old entry in *old (may be NULL), or -MM_ENOENT. */
int pgt_unmap(paddr_t pd, vaddr_t va, pte_t *old);

/* Replace the permission bits (W, U) of a present page. */
int pgt_protect(paddr_t pd, vaddr_t va, uint32_t flags);

/* Translate va: 0 and *pa (with the offset) and *flags, or -MM_ENOENT. */
int pgt_translate(paddr_t pd, vaddr_t va, paddr_t *pa, uint32_t *flags);

/* Read and clear the accessed bit (and, if clear_dirty, the dirty bit) of a
 * present page; returns the PTE's A|D bits before clearing, 0 if absent. */
uint32_t pgt_harvest(paddr_t pd, vaddr_t va, bool clear_dirty);

/* pgt_harvest on the PTE e of va, found beforehand (NULL: absent). */
uint32_t pte_harvest(pte_t *e, vaddr_t va, bool clear_dirty);

/* Count present user pages (for tests and reports). */
uint32_t pgt_count_present(paddr_t pd);

#endif
