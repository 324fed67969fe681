/*
 * multiboot.c - reads the multiboot v1 information (memory map, command line,
 * modules) into struct boot_info, which the rest of the kernel uses. The
 * loader's structures live in low physical memory, reached via the direct map.
 */
#include "kernel.h"
#include "layout.h"
#include "mmlib.h"
#include "multiboot.h"

struct boot_info boot_info;
char kernel_cmdline[256];

/* Remember a range the loader used, so the frame allocator keeps it. */
static void note_range(uint32_t start, uint32_t end)
{
	if (boot_info.nranges < BOOT_MAX_RANGES)
		boot_info.ranges[boot_info.nranges++] = (struct boot_range){ start, end };
}

/* The loader's structures name physical memory with plain integers. */
static const void *boot_ptr(uint32_t pa) { return phys_to_kvirt(paddr_make(pa)); }

static void parse_mmap(const struct mb_info *mb)
{
	uint32_t p = mb->mmap_addr, end = mb->mmap_addr + mb->mmap_length;
	note_range(mb->mmap_addr, end);
	while (p < end && boot_info.nregions < BOOT_MAX_REGIONS) {
		const struct mb_mmap_entry *e = boot_ptr(p);
		struct boot_region *r = &boot_info.regions[boot_info.nregions++];
		r->base = e->addr;
		r->len = e->len;
		r->type = e->type;
		if (e->type == 1) boot_info.ram_bytes += e->len;
		p += e->size + 4;
	}
}

static void module_name(struct boot_module *m, const char *s)
{
	const char *base = s, *p = s;
	while (*p && *p != ' ') { /* basename of the first word */
		if (*p == '/') base = p + 1;
		p++;
	}
	size_t n = (size_t)(p - base);
	if (n >= BOOT_NAME_MAX) n = BOOT_NAME_MAX - 1;
	mm_memcpy(m->name, base, n);
	m->name[n] = 0;
}

static void parse_modules(const struct mb_info *mb)
{
	const struct mb_module *mods = boot_ptr(mb->mods_addr);
	note_range(mb->mods_addr, mb->mods_addr + mb->mods_count * sizeof(*mods));
	if (mb->mods_count > BOOT_MAX_MODULES) boot_info.modules_dropped = (int)(mb->mods_count - BOOT_MAX_MODULES);
	for (uint32_t i = 0; i < mb->mods_count && i < BOOT_MAX_MODULES; i++) {
		struct boot_module *m = &boot_info.modules[boot_info.nmodules++];
		m->start = mods[i].mod_start;
		m->end = mods[i].mod_end;
		if (mods[i].string) {
			const char *s = boot_ptr(mods[i].string);
			note_range(mods[i].string, mods[i].string + mm_strlen(s) + 1);
			module_name(m, s);
		} else {
			mm_snprintf(m->name, sizeof m->name, "module%u", (unsigned)i);
		}
	}
}

int multiboot_parse(uint32_t magic, uint32_t mbi_phys)
{
	if (magic != MULTIBOOT_BOOT_MAGIC) return -1;
	const struct mb_info *mb = boot_ptr(mbi_phys);
	boot_info.mbi_phys = mbi_phys;
	note_range(mbi_phys, mbi_phys + sizeof(*mb));
	if (mb->flags & 1) {
		boot_info.mem_lower_kib = mb->mem_lower;
		boot_info.mem_upper_kib = mb->mem_upper;
	}
	if (mb->flags & 4 && mb->cmdline) {
		const char *s = boot_ptr(mb->cmdline);
		note_range(mb->cmdline, mb->cmdline + mm_strlen(s) + 1);
		mm_strncpy0(kernel_cmdline, s, sizeof kernel_cmdline);
	}
	if (mb->flags & 8) parse_modules(mb);
	if (mb->flags & 64) parse_mmap(mb);
	if (!boot_info.nregions && (mb->flags & 1)) { /* no map: use mem_upper */
		boot_info.regions[0] = (struct boot_region){ 0, (uint64_t)mb->mem_lower << 10, 1 };
		boot_info.regions[1] = (struct boot_region){ 0x100000, (uint64_t)mb->mem_upper << 10, 1 };
		boot_info.nregions = 2;
		boot_info.ram_bytes = boot_info.regions[0].len + boot_info.regions[1].len;
	}
	return 0;
}

const char *mmap_type_name(uint32_t type)
{
	switch (type) {
	case 1: return "available";
	case 2: return "reserved";
	case 3: return "ACPI reclaimable";
	case 4: return "ACPI NVS";
	case 5: return "bad memory";
	default: return "unknown";
	}
}

/* The command line is words "key" or "key=value"; the loader may put the
 * kernel's own path first (GRUB does), which is skipped as a key. */
const char *cmdline_get(const char *key)
{
	static char value[128];
	size_t klen = mm_strlen(key);
	const char *p = kernel_cmdline;
	while (*p) {
		while (*p == ' ') p++;
		const char *w = p;
		while (*p && *p != ' ') p++;
		size_t wlen = (size_t)(p - w);
		if (wlen >= klen && mm_strncmp(w, key, klen) == 0 &&
		    (wlen == klen || w[klen] == '=')) {
			size_t vlen = wlen == klen ? 0 : wlen - klen - 1;
			if (vlen >= sizeof value) vlen = sizeof value - 1;
			mm_memcpy(value, w + klen + (wlen == klen ? 0 : 1), vlen);
			value[vlen] = 0;
			return value;
		}
	}
	return 0;
}
