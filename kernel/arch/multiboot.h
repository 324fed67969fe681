/*
 * multiboot.h - the multiboot v1 information the loader hands to _start, and
 * mmk's copy of what it needs from it (taken early, before the loader's
 * memory can be reused).
 *
 * Memory map entry (at mmap_addr, each preceded by its size):
 *   +0 size | +4 base_addr (64) | +12 length (64) | +20 type (1 = RAM)
 */
#ifndef KERNEL_MULTIBOOT_H
#define KERNEL_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_BOOT_MAGIC 0x2BADB002u

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_module {
	uint32_t mod_start, mod_end, string, reserved;
} __attribute__((packed));

struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

#define BOOT_MAX_REGIONS 64
#define BOOT_MAX_MODULES 64
#define BOOT_NAME_MAX 64

struct boot_region {
	uint64_t base, len;
	uint32_t type; /* 1 available RAM, 2 reserved, 3 ACPI, 4 NVS, 5 bad */
};

struct boot_module {
	uint32_t start, end; /* physical, end exclusive */
	char name[BOOT_NAME_MAX];
};

#define BOOT_MAX_RANGES 24

struct boot_range { uint32_t start, end; }; /* physical, end exclusive */

struct boot_info {
	uint32_t mbi_phys;
	int nranges;                      /* the loader's structures, to reserve */
	struct boot_range ranges[BOOT_MAX_RANGES];
	uint32_t mem_lower_kib, mem_upper_kib;
	int nregions;
	struct boot_region regions[BOOT_MAX_REGIONS];
	int nmodules;
	struct boot_module modules[BOOT_MAX_MODULES];
	int modules_dropped;              /* given past BOOT_MAX_MODULES: not kept */
	uint64_t ram_bytes; /* total of type-1 regions */
};

extern struct boot_info boot_info;

/* Copy what mmk needs out of the loader's structures. Returns 0, or -1 when
 * the magic is wrong (not booted by a multiboot loader). */
int multiboot_parse(uint32_t magic, uint32_t mbi_phys);
const char *mmap_type_name(uint32_t type);

#endif
