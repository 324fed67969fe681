/*
 * demo.c - what `make run` shows before the prompt (kernel command line
 * `demo`): the memory the kernel found, then the bundled memman trace
 * (module demo.trace) run for real under every replacement policy, with its
 * faults beside OPT's. Then the shell, with the trace still loaded.
 */
#include "kernel.h"
#include "kmain.h"
#include "mem.h"
#include "multiboot.h"

int memman_demo_table(const char *file);

static void demo(void)
{
	kprintf("mmk: a memory-management kernel\n\nmemory map:\n");
	for (int i = 0; i < boot_info.nregions; i++) {
		const struct boot_region *r = &boot_info.regions[i];
		kprintf("  0x%09llx-0x%09llx %10llu KiB  %s\n", (unsigned long long)r->base,
			(unsigned long long)(r->base + r->len), (unsigned long long)(r->len >> 10),
			mmap_type_name(r->type));
	}
	kprintf("frames: %u of 4 KiB, %u free; buddy orders 0-%u\n"
		"  (the kernel heap and the page tables come from them)\n",
		(unsigned)kframes.npfns, (unsigned)kframes_free(), FRAME_MAX_ORDER);
	memman_demo_table("demo.trace");
	kprintf("\nTry: help, meminfo, executa 20, substitui lru, mems example, vma,\n"
		"     replay cs.trace.gz frames=100 policy=lru (when make run gave that trace)\n");
}
BOOT_MODE(demo, "demo", demo);
