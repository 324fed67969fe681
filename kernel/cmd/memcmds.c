/*
 * memcmds.c - shell commands that show and exercise the memory mechanism:
 *   meminfo           memory map, frame totals, per-order free lists
 *   frames            the buddy allocator's per-order free lists
 *   pt <vaddr>        the page-table walk for one address
 *   kheap             the kernel heap's size classes
 *   space new|region|touch|read|protect|show|free   a scratch address space
 * The scratch space lets a user make regions and touch pages by hand and
 * watch demand-zero faults, bad accesses and the page tables change.
 */
#include "guard.h"
#include "io.h"
#include "kernel.h"
#include "layout.h"
#include "mem.h"
#include "mmlib.h"
#include "multiboot.h"
#include "shell.h"
#include "uproc.h"

static struct vm_space *scratch;

static int no_args(int argc, char **argv)
{
	if (argc == 1) return 0;
	kprintf("%s: takes no arguments (got '%s')\n", argv[0], argv[1]);
	return 1;
}

static int cmd_meminfo(int argc, char **argv)
{
	if (no_args(argc, argv)) return 1;
	kprintf("memory map (multiboot):\n");
	for (int i = 0; i < boot_info.nregions; i++) {
		const struct boot_region *r = &boot_info.regions[i];
		kprintf("  0x%09llx-0x%09llx %10llu KiB  %s\n", (unsigned long long)r->base,
			(unsigned long long)(r->base + r->len), (unsigned long long)(r->len >> 10),
			mmap_type_name(r->type));
	}
	kprintf("RAM %llu KiB; frames covered %u (%u KiB), direct map up to %u MiB\n",
		(unsigned long long)(boot_info.ram_bytes >> 10), (unsigned)mem_report.npfns,
		(unsigned)mem_report.npfns * 4, DIRECT_MAP_MAX >> 20);
	if (mem_report.left_out)
		kprintf("RAM above the direct map left out: %llu KiB\n", (unsigned long long)(mem_report.left_out >> 10));
	kprintf("descriptor array: %u bytes at phys 0x%08x\n", mem_report.desc_bytes,
		paddr_u32(mem_report.desc_phys));
	frame_print(&kframes, &console_sink);
	kprintf("frame cache: %u single frames held (%llu allocations served, %llu refills, %llu drains)\n",
		kfcache.n, (unsigned long long)kfcache.hits, (unsigned long long)kfcache.refills,
		(unsigned long long)kfcache.drains);
	kprintf("zeroed in idle time: %u frames ready (%llu made; %llu faults served, %llu found none)\n",
		kzero.n, (unsigned long long)kzero.made, (unsigned long long)kzero.hits,
		(unsigned long long)kzero.misses);
	return 0;
}
SHELL_COMMAND_DOC(meminfo, "mem", "memory map, frame totals and per-order free lists",
		  "meminfo",
		  "meminfo",
		  "the boot memory map, the frame totals and the free blocks per buddy order",
		  cmd_meminfo);

static int cmd_frames(int argc, char **argv)
{
	if (no_args(argc, argv)) return 1;
	frame_print(&kframes, &console_sink);
	int bad = frame_cache_check(&kfcache, &console_sink) || frame_zero_check(&kzero, &console_sink);
	kprintf("frame allocator check: %s\n", bad ? "FAILED" : "consistent");
	return bad ? 1 : 0;
}
SHELL_COMMAND_DOC(frames, "", "the buddy allocator's free lists, and a consistency check",
		  "frames",
		  "frames",
		  "the free lists per order and the result of a consistency check",
		  cmd_frames);

static int cmd_kheap(int argc, char **argv)
{
	if (no_args(argc, argv)) return 1;
	kmalloc_print(&kheap, &console_sink);
	int bad = kmalloc_check(&kheap, &console_sink);
	kprintf("kernel heap check: %s\n", bad ? "FAILED" : "consistent");
	return bad ? 1 : 0;
}
SHELL_COMMAND_DOC(kheap, "", "the kernel heap's size classes, and a consistency check",
		  "kheap",
		  "kheap",
		  "each size class (objects in use, free, slabs) and a consistency check",
		  cmd_kheap);

/* A virtual address typed by the user (hex with 0x, or decimal). */
static bool parse_addr(const char *s, vaddr_t *out)
{
	uint64_t v;
	if (mm_parse_u64z(s, 0, &v) != 0 || v > 0xffffffffull) return false;
	*out = vaddr_make((uint32_t)v);
	return true;
}

static void print_flags(uint32_t e)
{
	kprintf("%s%s%s%s%s%s%s", e & PTE_P ? "P" : "-", e & PTE_W ? "W" : "R", e & PTE_U ? "U" : "S",
		e & PTE_A ? "A" : "-", e & PTE_D ? "D" : "-", e & PTE_PS ? " 4M" : "", e & PTE_G ? " G" : "");
}

/* The address space of the running process with pid text p (NULL, with a
 * message, when there is none). */
static const struct vm_space *process_space(const char *text)
{
	uint64_t pid;
	struct uproc *p = mm_parse_u64z(text, 10, &pid) || pid > 0x7fffffff ? 0 : uproc_find((int)pid);
	if (!p || !p->space) kprintf("no running process '%s' (see ps)\n", text);
	return p ? p->space : 0;
}

static int cmd_pt(int argc, char **argv)
{
	vaddr_t va;
	if (argc != 2 && argc != 3) {
		kprintf("usage: pt [pid] <vaddr>   (hex with 0x, or decimal; pid: a process's space)\n");
		return 1;
	}
	if (!parse_addr(argv[argc - 1], &va)) {
		kprintf("pt: '%s' is not an address (use 0x... or decimal, below 4 GiB)\n", argv[argc - 1]);
		return 1;
	}
	const struct vm_space *s = argc == 3 ? process_space(argv[1]) : scratch;
	if (argc == 3 && !s) return 1;
	paddr_t pd = s ? s->pd : kernel_pd_phys;
	kprintf("walk of 0x%08x in %s directory at phys 0x%08x\n", vaddr_u32(va),
		argc == 3 ? "the process's" : scratch ? "the scratch space's" : "the kernel's", paddr_u32(pd));
	pte_t pde = ((pte_t *)phys_to_kvirt(pd))[pgt_dir_index(va)];
	kprintf("  PDE[%u] = 0x%08x ", pgt_dir_index(va), pde);
	print_flags(pde);
	kprintf("\n");
	if (!(pde & PTE_P)) {
		kprintf("  not mapped: no page table for this 4 MiB\n");
		return 1;
	}
	if (pde & PTE_PS) {
		kprintf("  4 MiB page: frame 0x%05x, phys 0x%08x\n", (pde & 0xFFC00000u) >> 12,
			(pde & 0xFFC00000u) | (vaddr_u32(va) & 0x3FFFFF));
		return 0;
	}
	pte_t pte = ((pte_t *)phys_to_kvirt(pte_paddr(pde)))[pgt_table_index(va)];
	kprintf("  PTE[%u] = 0x%08x ", pgt_table_index(va), pte);
	print_flags(pte);
	kprintf("\n");
	if (pte_is_swapped(pte)) {
		kprintf("  swapped out to slot %u\n", pte_swap_slot(pte));
		return 0;
	}
	if (!(pte & PTE_P)) {
		kprintf("  not mapped: the page is not present\n");
		return 1;
	}
	kprintf("  frame 0x%05x, phys 0x%08x\n", pte >> 12, paddr_u32(pte_paddr(pte)) | vaddr_page_offset(va));
	return 0;
}
SHELL_COMMAND_DOC(pt, "", "walk the page tables for an address: pt [pid] <vaddr>",
		  "pt [pid] <vaddr>   (hex with 0x, or decimal; pid: in that process's space)",
		  "pt 0xc0100000",
		  "each page-table level's entry for the address and the frame it maps",
		  cmd_pt);

/* ---- the scratch space ---- */

/* A number typed for a space subcommand, refused with a message (naming
 * what it is for) when it is not one or does not fit 0..max. */
static bool space_num(const char *what, const char *s, uint64_t max, uint64_t *out)
{
	if (mm_parse_u64z(s, 0, out) == 0 && *out <= max) return true;
	kprintf("space: %s '%s' is not a number from 0 to %llu (0x%llx)\n", what, s,
		(unsigned long long)max, (unsigned long long)max);
	return false;
}

static bool space_addr(const char *s, vaddr_t *out)
{
	uint64_t v;
	if (!space_num("address", s, 0xffffffffull, &v)) return false;
	*out = vaddr_make((uint32_t)v);
	return true;
}

static const char *prot_name(uint32_t prot)
{
	if (prot & VM_USER) return prot & VM_WRITE ? "rwu" : "ru";
	return prot & VM_WRITE ? "rw" : prot & VM_READ ? "r" : "-";
}

struct touch_arg { vaddr_t va; bool write; uint32_t value; };

static void do_touch(void *p)
{
	struct touch_arg *t = p;
	volatile uint32_t *w = vaddr_ptr(t->va);
	if (t->write) *w = t->value;
	else t->value = *w;
}

static int space_touch(int argc, char **argv, bool write)
{
	struct touch_arg t = { VADDR_NULL, write, 0 };
	uint64_t v = 0;
	if (argc < 3 || argc > (write ? 4 : 3)) {
		kprintf("usage: space %s <vaddr>%s\n", write ? "write" : "read", write ? " [value]" : "");
		return 1;
	}
	if (!space_addr(argv[2], &t.va) || (argc > 3 && !space_num("value", argv[3], 0xffffffffull, &v)))
		return 1;
	if (!vaddr_lt(t.va, VM_USER_TOP) || (vaddr_u32(t.va) & 3)) {
		kprintf("space: 0x%08x must be 4-byte aligned and below 0x%08x\n", vaddr_u32(t.va),
			vaddr_u32(VM_USER_TOP));
		return 1;
	}
	t.value = (uint32_t)v;
	uint64_t faults = scratch->stats.faults;
	struct guard_report rep;
	int stopped = guard_run_in(scratch, do_touch, &t, &rep);
	if (stopped) {
		kprintf("bad access at 0x%08x: %s (", rep.addr, rep.reason);
		vm_describe_err(rep.err, &console_sink);
		kprintf("); stopped\n");
		return 1;
	}
	kprintf("%s 0x%08x %s 0x%08x (%s)\n", write ? "wrote" : "read", t.value, write ? "to" : "at",
		vaddr_u32(t.va), scratch->stats.faults > faults ? "page fault: demand-zero page mapped" : "hit");
	return 0;
}

static int parse_prot(const char *s, uint32_t *prot)
{
	*prot = 0;
	for (; *s; s++) {
		if (*s == 'r') *prot |= VM_READ;
		else if (*s == 'w') *prot |= VM_WRITE | VM_READ;
		else if (*s == 'u') *prot |= VM_USER;
		else if (*s != '-') return -1;
	}
	return 0;
}

static int space_region(int argc, char **argv)
{
	vaddr_t start;
	uint32_t prot = VM_READ | VM_WRITE;
	uint64_t n;
	if (argc < 4 || argc > 5 || (argc > 4 && parse_prot(argv[4], &prot))) {
		kprintf("usage: space region <start> <npages> [r|rw|rwu]\n");
		return 1;
	}
	if (!space_addr(argv[2], &start) || !space_num("page count", argv[3], 0xfffff, &n)) return 1;
	int err = vm_region_add(scratch, start, (uint32_t)n, prot);
	if (err) {
		kprintf("space: cannot add region: %s (start must be page-aligned, below 0x%08x, not overlapping)\n",
			mm_strerror(err), vaddr_u32(VM_USER_TOP));
		return 1;
	}
	kprintf("region 0x%08x-0x%08x added: %u pages, %s\n", vaddr_u32(start),
		vaddr_u32(start) + (uint32_t)n * PAGE_SIZE, (unsigned)n, prot_name(prot));
	return 0;
}

static int space_protect(int argc, char **argv)
{
	vaddr_t start;
	uint32_t prot;
	if (argc != 4 || parse_prot(argv[3], &prot)) {
		kprintf("usage: space protect <start> r|rw\n");
		return 1;
	}
	if (!space_addr(argv[2], &start)) return 1;
	int err = vm_region_protect(scratch, start, prot);
	if (err) {
		kprintf("space: %s (give the start of a region)\n", mm_strerror(err));
		return 1;
	}
	kprintf("region at 0x%08x is now %s\n", vaddr_u32(start), prot_name(prot));
	return 0;
}

static int space_new(void)
{
	if (scratch) {
		vm_space_destroy(scratch);
		kprintf("space: the previous scratch space is freed and replaced\n");
	}
	scratch = vm_space_create(&kvm);
	if (!scratch) kprintf("space: out of memory\n");
	else kprintf("new space: page directory at phys 0x%08x\n", paddr_u32(scratch->pd));
	return scratch ? 0 : 1;
}

static int cmd_space(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	if (mm_strcmp(sub, "new") == 0) return space_new();
	if (mm_strcmp(sub, "show") == 0 && argc == 3) {
		const struct vm_space *ps = process_space(argv[2]);
		if (!ps) return 1;
		uint32_t f = irq_save();
		vm_space_print(ps, &console_sink);
		irq_restore(f);
		return 0;
	}
	if (!*sub || (mm_strcmp(sub, "region") && mm_strcmp(sub, "read") && mm_strcmp(sub, "write") &&
		      mm_strcmp(sub, "show") && mm_strcmp(sub, "free") && mm_strcmp(sub, "protect"))) {
		kprintf("usage: space new | region <start> <npages> [r|rw|rwu] | write <va> [value] |\n"
			"       read <va> | protect <start> r|rw | show [pid] | free\n");
		return 1;
	}
	if (!scratch) {
		kprintf("space: no scratch space (use: space new)\n");
		return 1;
	}
	if (mm_strcmp(sub, "region") == 0) return space_region(argc, argv);
	if (mm_strcmp(sub, "write") == 0) return space_touch(argc, argv, true);
	if (mm_strcmp(sub, "read") == 0) return space_touch(argc, argv, false);
	if (mm_strcmp(sub, "protect") == 0) return space_protect(argc, argv);
	if (mm_strcmp(sub, "show") == 0) {
		vm_space_print(scratch, &console_sink);
		return 0;
	}
	vm_space_destroy(scratch);
	scratch = 0;
	kprintf("space freed; %u frames free\n", (unsigned)kframes_free());
	return 0;
}
SHELL_COMMAND_DOC(space, "", "a scratch address space: new, region, write, read, protect, show, free",
		  "space new | region <start> <npages> [r|rw|rwu] | write <va> [value] | read <va> | protect <start> r|rw | show [pid] | free",
		  "space region 0x400000 4 rw",
		  "the result of each step; show lists the regions and their pages",
		  cmd_space);
