/*
 * test_types.c - mm/mm_types.h: paddr_t, vaddr_t and pfn_t are types of
 * their own (checked when this file compiles: none is compatible with
 * another or with a plain integer), 4 bytes each, and the helpers that cross
 * between them and integers do the integer arithmetic they name.
 */
#include "htest.h"
#include "mm_types.h"

#define DISTINCT(a, b) _Static_assert(!__builtin_types_compatible_p(a, b), #a " and " #b " must differ")
DISTINCT(paddr_t, vaddr_t);
DISTINCT(paddr_t, pfn_t);
DISTINCT(vaddr_t, pfn_t);
DISTINCT(paddr_t, uint32_t);
DISTINCT(vaddr_t, uint32_t);
DISTINCT(pfn_t, uint32_t);
_Static_assert(sizeof(paddr_t) == 4 && sizeof(vaddr_t) == 4 && sizeof(pfn_t) == 4, "one 32-bit word each");

HTEST(types_frames_and_addresses)
{
	EXPECT_EQ(paddr_u32(pfn_to_paddr(pfn_make(0x12345))), 0x12345000u);
	EXPECT_EQ(pfn_u32(paddr_to_pfn(paddr_make(0x12345fffu))), 0x12345);
	EXPECT_TRUE(pfn_is_none(PFN_NONE));
	EXPECT_FALSE(pfn_is_none(pfn_make(0)));
	EXPECT_TRUE(paddr_is_null(PADDR_NULL));
	EXPECT_TRUE(vaddr_is_null(VADDR_NULL));
	EXPECT_EQ(pfn_u32(pfn_add(pfn_make(7), 3)), 10);
	EXPECT_EQ(pfn_diff(pfn_make(10), pfn_make(7)), 3);
	EXPECT_TRUE(pfn_lt(pfn_make(7), pfn_make(10)) && !pfn_lt(pfn_make(10), pfn_make(10)));
	EXPECT_TRUE(pfn_eq(pfn_make(5), pfn_make(5)) && !pfn_eq(pfn_make(5), PFN_NONE));
}

HTEST(types_offsets_and_pages)
{
	paddr_t pa = paddr_make(0x2001u);
	EXPECT_EQ(paddr_u32(paddr_add(pa, 0xfff)), 0x3000u);
	EXPECT_EQ(paddr_page_offset(pa), 1);
	EXPECT_EQ(paddr_u32(paddr_page_down(pa)), 0x2000u);
	EXPECT_EQ(paddr_u32(paddr_page_up(pa)), 0x3000u);
	EXPECT_EQ(paddr_u32(paddr_page_up(paddr_make(0x3000u))), 0x3000u);
	EXPECT_TRUE(paddr_lt(pa, paddr_make(0x2002u)) && paddr_eq(pa, paddr_make(0x2001u)));
	vaddr_t va = vaddr_make(0x40000123u);
	EXPECT_EQ(vaddr_page_offset(va), 0x123);
	EXPECT_EQ(vaddr_u32(vaddr_page_down(va)), 0x40000000u);
	EXPECT_EQ(vaddr_u32(vaddr_add(va, 0x10)), 0x40000133u);
	EXPECT_EQ(vaddr_u32(vaddr_sub(va, 0x123)), 0x40000000u);
	EXPECT_EQ(vaddr_diff(va, vaddr_make(0x40000000u)), 0x123);
	EXPECT_EQ(vaddr_vpn(va), 0x40000);
	EXPECT_EQ(vaddr_u32(vaddr_of_vpn(0x40000)), 0x40000000u);
	EXPECT_TRUE(vaddr_lt(vaddr_make(1), va) && vaddr_eq(va, vaddr_make(0x40000123u)));
}
