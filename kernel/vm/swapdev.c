/*
 * swapdev.c - the kernel's swap area and its two devices, chosen on the
 * command line:
 *   swap=SIZE        size of the RAM device (default 16M), frames reserved
 *                    at boot and addressed through the direct map
 *   swapdev=ata      use the primary ATA disk instead (the runner makes the
 *                    image: tools/mmk --swap-disk SIZE); 8 sectors a slot
 * and the `swapinfo` command.
 */
#include "ata.h"
#include "kernel.h"
#include "kmain.h"
#include "layout.h"
#include "mem.h"
#include "mm_env.h"
#include "mmlib.h"
#include "shell.h"
#include "swapdev.h"
#include "kpools.h"
#include "kwin.h"

struct swap_area kswap;
bool kswap_ready;
static void **ram_pages; /* RAM device: each slot's frame, where the kernel reaches it */

static void copy_page(void *dst, const void *src)
{
	uint32_t n = PAGE_SIZE / 4;
	__asm__ volatile("cld; rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static int ram_read(void *ctx, uint32_t slot, void *buf)
{
	(void)ctx;
	copy_page(buf, ram_pages[slot]);
	return 0;
}

static int ram_write(void *ctx, uint32_t slot, const void *buf)
{
	(void)ctx;
	copy_page(ram_pages[slot], buf);
	return 0;
}

static int ata_slot_read(void *ctx, uint32_t slot, void *buf)
{
	(void)ctx;
	return ata_read(slot * 8, 8, buf) ? -MM_EIO : 0;
}

static int ata_slot_write(void *ctx, uint32_t slot, const void *buf)
{
	(void)ctx;
	return ata_write(slot * 8, 8, buf) ? -MM_EIO : 0;
}

static int ata_slot_write_run(void *ctx, uint32_t first, uint32_t n, const void *const *pages)
{
	(void)ctx;
	for (uint32_t done = 0, k; done < n; done += k) {
		k = n - done < ATA_MAX_PAGES ? n - done : ATA_MAX_PAGES;
		if (ata_write_pages((first + done) * 8, k, pages + done)) return -MM_EIO;
	}
	return 0;
}

static int ram_device(struct swap_dev *dev, uint64_t bytes)
{
	uint32_t n = (uint32_t)(bytes / PAGE_SIZE);
	if (n > kframes.nfree / 2) {
		klog("swap: %u slots asked, RAM allows %u\n", n, (unsigned)(kframes.nfree / 2));
		n = kframes.nfree / 2;
	}
	ram_pages = kvmalloc((n + 1) * sizeof(void *));
	if (!ram_pages) return -1;
	for (uint32_t i = 0; i < n; i++) {
		pfn_t f = frame_alloc(&kframes, 0);
		if (pfn_is_none(f)) return -1;
		ram_pages[i] = phys_to_kvirt(pfn_to_paddr(f));
	}
	*dev = (struct swap_dev){ "ram", n, ram_read, ram_write, 0, 0 };
	return 0;
}

static int disk_device(struct swap_dev *dev)
{
	if (ata_init()) return -1;
	*dev = (struct swap_dev){ "ata", ata_sectors / 8, ata_slot_read, ata_slot_write, 0, ata_slot_write_run };
	return 0;
}

static void swap_boot(void)
{
	struct swap_dev dev;
	uint64_t bytes = 16u << 20;
	const char *size = cmdline_get("swap");
	if (size && mm_parse_size(size, &bytes)) {
		kprintf("swap: '%s' is not a size (e.g. 16M); using 16M\n", size);
		bytes = 16u << 20;
	}
	const char *which = cmdline_get("swapdev");
	bool disk = which && mm_strcmp(which, "ata") == 0;
	if (which && !disk && mm_strcmp(which, "ram") != 0)
		kprintf("swap: unknown device '%s' (ram, ata); using ram\n", which);
	int err = disk ? disk_device(&dev) : ram_device(&dev, bytes);
	if (err && disk) {
		kprintf("swap: no ATA disk answered; using a RAM device\n");
		err = ram_device(&dev, bytes);
	}
	if (err || swap_init(&kswap, &dev, &kheap_allocator)) {
		kprintf("swap: could not set up a swap device; running without swap\n");
		return;
	}
	kswap_ready = true;
	klog("swap: device %s, %u slots\n", dev.name, dev.nslots);
}
BOOT_HOOK(swap, swap_boot, 20);

/* swapinfo fail <n>: the ATA disk's next n requests fail (a test of what
 * a failing disk does to the pages: they must stay where they were). */
static int inject(int argc, char **argv)
{
	uint64_t n;
	if (argc != 3 || mm_parse_u64z(argv[2], 10, &n) || n > 1000000) {
		kprintf("usage: swapinfo fail <n>   (the ATA disk's next n requests fail)\n");
		return 1;
	}
	if (!kswap_ready || mm_strcmp(kswap.dev.name, "ata") != 0) {
		kprintf("swapinfo: fail needs the ATA swap disk (tools/mmk --swap-disk SIZE)\n");
		return 1;
	}
	ata_fail_next((uint32_t)n);
	kprintf("the ATA disk's next %u requests will fail\n", (unsigned)n);
	return 0;
}

#define SWAPINFO_SECTIONS 4
static void (*sections[SWAPINFO_SECTIONS])(struct mm_sink *out);

void swapinfo_add_section(void (*print)(struct mm_sink *out))
{
	for (int i = 0; i < SWAPINFO_SECTIONS; i++)
		if (!sections[i] || sections[i] == print) {
			sections[i] = print;
			return;
		}
	MM_ASSERT(0, "swapinfo: more than %d sections", SWAPINFO_SECTIONS);
}

static int cmd_swapinfo(int argc, char **argv)
{
	if (argc > 1 && mm_strcmp(argv[1], "fail") == 0) return inject(argc, argv);
	if (argc > 1) {
		kprintf("swapinfo: takes no arguments (or: fail <n>)\n");
		return 1;
	}
	if (!kswap_ready) {
		kprintf("no swap device\n");
		return 1;
	}
	swap_print(&kswap, &console_sink);
	if (mm_strcmp(kswap.dev.name, "ata") == 0)
		kprintf("ata: %llu requests slept until IRQ 14, %llu polled, %llu by DMA; %llu interrupts,\n"
			"     %llu sectors, %llu errors (%llu injected), %llu time-outs\n",
			(unsigned long long)ata_stats.slept, (unsigned long long)ata_stats.polled,
			(unsigned long long)ata_stats.dma,
			(unsigned long long)ata_stats.irqs, (unsigned long long)ata_stats.sectors,
			(unsigned long long)ata_stats.errors, (unsigned long long)ata_stats.injected,
			(unsigned long long)ata_stats.timeouts);
	if (ata_stats.gathered)
		kprintf("     %llu of them wrote several pages in one command\n", (unsigned long long)ata_stats.gathered);
	kpools_print(&console_sink);
	for (int i = 0; i < SWAPINFO_SECTIONS && sections[i]; i++) sections[i](&console_sink);
	int bad = swap_check(&kswap, &console_sink);
	kprintf("swap check: %s\n", bad ? "FAILED" : "consistent");
	return bad ? 1 : 0;
}
SHELL_COMMAND_DOC(swapinfo, "swap", "the swap device, its slots, and the frame pools",
		  "swapinfo   |   swapinfo fail <n>   (ATA: the next n requests fail)",
		  "swapinfo",
		  "the swap device's size and slots in use, then the frame pools",
		  cmd_swapinfo);
