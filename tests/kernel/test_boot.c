/*
 * test_boot.c - in-kernel tests of the foundation: formatting in the kernel
 * build, the timer, symbol lookup, recovery from a bad access, the command
 * line and the multiboot memory map.
 */
#include "guard.h"
#include "io.h"
#include "kernel.h"
#include "ktest.h"
#include "mmlib.h"
#include "multiboot.h"

KTEST(boot, format_in_kernel)
{
	char buf[96];
	const char *bin = "%b|%08b"; /* %b is mmk's own conversion */
	mm_snprintf(buf, sizeof buf, bin, 6u, 3u);
	KEXPECT(mm_strcmp(buf, "110|00000011") == 0, "got '%s'", buf);
	mm_snprintf(buf, sizeof buf, "%d|%5u|%-4x|%04X|%o|%c|%s|%lld", -7, 42u, 0xabu, 0xbeu, 8u, 'z', "s", -5000000000ll);
	KEXPECT(mm_strcmp(buf, "-7|   42|ab  |00BE|10|z|s|-5000000000") == 0, "got '%s'", buf);
	mm_snprintf(buf, sizeof buf, "%llu %llx", 18446744073709551615ull, 0x123456789ull);
	KEXPECT(mm_strcmp(buf, "18446744073709551615 123456789") == 0, "got '%s'", buf);
}

KTEST(boot, timer_ticks)
{
	uint64_t t0 = pit_ticks();
	while (pit_ticks() < t0 + 3) cpu_halt();
	KEXPECT(pit_ticks() >= t0 + 3, "ticks %llu -> %llu", t0, pit_ticks());
}

void kmain(uint32_t, uint32_t);

KTEST(boot, symbols)
{
	uint32_t off = 99;
	const char *name = ksym_lookup((uint32_t)(uintptr_t)kmain + 5, &off);
	KASSERT(name != 0, "no symbol for kmain");
	KEXPECT(mm_strcmp(name, "kmain") == 0, "got %s", name);
	KEXPECT_EQ(off, 5);
	name = ksym_lookup((uint32_t)(uintptr_t)ksym_lookup, &off);
	KEXPECT(name && mm_strcmp(name, "ksym_lookup") == 0, "got %s", name ? name : "(none)");
	KEXPECT_EQ(off, 0);
}

static void touch_low(void *arg)
{
	volatile uint32_t *p = arg;
	*p = 1;
}

KTEST(boot, guard_catches_bad_access)
{
	struct guard_report rep = { 0 };
	uint32_t f = irq_save();
	irq_restore(f);
	int stopped = guard_run(touch_low, (void *)0x1234, &rep);
	KEXPECT_EQ(stopped, 1);
	KEXPECT_EQ(rep.addr, 0x1234);
	KEXPECT_EQ(rep.err & 2, 2); /* a write */
	/* interrupts are back on as they were before the guarded call */
	uint32_t flags;
	__asm__ volatile("pushf; pop %0" : "=r"(flags));
	KEXPECT_EQ(flags & 0x200, f & 0x200);
	int fine = guard_run(touch_low, &flags, &rep);
	KEXPECT_EQ(fine, 0);
}

KTEST(boot, memory_map)
{
	KEXPECT(boot_info.nregions > 0, "no memory map");
	uint64_t ram = 0;
	for (int i = 0; i < boot_info.nregions; i++)
		if (boot_info.regions[i].type == 1) ram += boot_info.regions[i].len;
	KEXPECT_EQ(ram, boot_info.ram_bytes);
	/* the runner's machines have at least 16 MiB, and the map says where */
	KEXPECT(ram >= (15ull << 20), "ram %llu", ram);
	KEXPECT(boot_info.mem_upper_kib > 0, "mem_upper %u", boot_info.mem_upper_kib);
}
