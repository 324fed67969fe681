/*
 * mems_shell.c - the MeMS heap in the kernel: its pager maps real frames,
 * page by page, into the kernel window (the original's mmap), and the shell's
 * `mems` command drives the API:
 *   mems init | malloc <n> | free <vaddr> | get <vaddr> | stats | check |
 *        finish | example
 * `get` shows the kernel address backing a MeMS virtual address and the
 * physical frame behind it.
 */
#include "kernel.h"
#include "layout.h"
#include "mem.h"
#include "mems.h"
#include "mmlib.h"
#include "shell.h"
#include "kwin.h"

struct mems kmems;
static uint32_t mapped_pages;

static int kwin_pager_map(void *ctx, size_t npages, void **kaddr)
{
	(void)ctx;
	if (npages == 0 || npages > 0x100000) return -MM_EINVAL;
	vaddr_t va = kwin_map_fresh((uint32_t)npages);
	if (vaddr_is_null(va)) return -MM_ENOMEM;
	mapped_pages += (uint32_t)npages;
	*kaddr = vaddr_ptr(va);
	return 0;
}

static void kwin_pager_unmap(void *ctx, void *kaddr, size_t npages)
{
	(void)ctx;
	kwin_unmap_free(ptr_vaddr(kaddr), (uint32_t)npages);
	mapped_pages -= (uint32_t)npages;
}

static paddr_t kwin_pager_phys(void *ctx, const void *kaddr)
{
	(void)ctx;
	paddr_t pa = PADDR_NULL;
	pgt_translate(kernel_pd_phys, ptr_vaddr(kaddr), &pa, 0);
	return pa;
}

const struct mems_pager kmems_pager = { kwin_pager_map, kwin_pager_unmap, kwin_pager_phys, 0 };

static int report(const char *what)
{
	if (!mems_ready(&kmems)) kprintf("mems %s: MeMS is not initialised (run mems init first)\n", what);
	else kprintf("mems %s: %s\n", what, mems_last_message(&kmems));
	return 1;
}

static bool number_arg(int argc, char **argv, uint64_t *v)
{
	if (argc != 3 || mm_parse_u64z(argv[2], 0, v)) {
		kprintf("mems %s: expects one number, e.g. mems %s 1000\n", argv[1], argv[1]);
		return false;
	}
	return true;
}

static int mems_get_cmd(uint64_t v)
{
	void *p = mems_get(&kmems, v);
	if (!p) return report("get");
	paddr_t pa = PADDR_NULL;
	mems_phys(&kmems, v, &pa);
	kprintf("MeMS virtual %llu -> kernel address %p -> physical 0x%08x (frame 0x%05x)\n",
		(unsigned long long)v, p, paddr_u32(pa), pfn_u32(paddr_to_pfn(pa)));
	return 0;
}

static int mems_dispatch(int argc, char **argv);

/* Debug builds verify every invariant of the 2-D list and the index after
 * each operation; a broken one is a kernel bug. */
static int cmd_mems(int argc, char **argv)
{
	int rc = mems_dispatch(argc, argv);
	if (MMK_DEBUG && mems_ready(&kmems) && mems_check(&kmems, &console_sink))
		KPANIC("MeMS structure corrupted after 'mems %s'", argc > 1 ? argv[1] : "");
	return rc;
}

static int mems_dispatch(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	uint64_t v;
	if (mm_strcmp(sub, "init") == 0) {
		if (mems_init(&kmems, &kmems_pager, &kheap_allocator)) return report("init");
		kprintf("MeMS ready: virtual addresses start at 1000\n");
		return 0;
	}
	if (mm_strcmp(sub, "example") == 0) {
		if (mems_ready(&kmems)) mems_finish(&kmems);
		if (mems_init(&kmems, &kmems_pager, &kheap_allocator)) return report("init");
		return mems_run_example(&kmems, &console_sink) ? 1 : 0;
	}
	if (mm_strcmp(sub, "malloc") == 0) {
		if (!number_arg(argc, argv, &v)) return 1;
		if (v > 0xffffffffull) {
			kprintf("mems malloc: %llu bytes is more than memory holds\n", (unsigned long long)v);
			return 1;
		}
		uint64_t va = mems_malloc(&kmems, (size_t)v);
		if (!va) return report("malloc");
		kprintf("%llu\n", (unsigned long long)va);
		return 0;
	}
	if (mm_strcmp(sub, "free") == 0) {
		if (!number_arg(argc, argv, &v)) return 1;
		if (mems_free(&kmems, v)) return report("free");
		kprintf("mems free: %llu freed\n", (unsigned long long)v);
		return 0;
	}
	if (mm_strcmp(sub, "get") == 0) return number_arg(argc, argv, &v) ? mems_get_cmd(v) : 1;
	if (mm_strcmp(sub, "stats") == 0) {
		if (!mems_ready(&kmems)) return report("stats");
		mems_print_stats(&kmems, &console_sink);
		return 0;
	}
	if (mm_strcmp(sub, "check") == 0) {
		int bad = mems_check(&kmems, &console_sink);
		kprintf("MeMS check: %s (%u pages mapped in the kernel window)\n", bad ? "FAILED" : "consistent", mapped_pages);
		return bad ? 1 : 0;
	}
	if (mm_strcmp(sub, "finish") == 0) {
		if (!mems_ready(&kmems)) return report("finish");
		mems_finish(&kmems);
		kprintf("MeMS finished: every node unmapped\n");
		return 0;
	}
	kprintf("usage: mems init | malloc <n> | free <vaddr> | get <vaddr> | stats | check |\n"
		"       finish | example\n");
	return 1;
}
SHELL_COMMAND_DOC(mems, "", "the MeMS heap: init, malloc, free, get, stats, check, finish, example",
		  "mems init | malloc <n> | free <vaddr> | get <vaddr> | stats | check | finish | example",
		  "mems example",
		  "the address each step gives or frees; stats prints the free list and the segments",
		  cmd_mems);
