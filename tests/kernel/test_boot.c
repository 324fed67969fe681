/*
 * test_boot.c - in-kernel tests of the foundation: formatting in the kernel
 * build, the timer, symbol lookup, recovery from a bad access, the command
 * line and the multiboot memory map. The map's RAM is compared with the size
 * QEMU was given, which tools/run-tests passes as expect_ram=SIZE on the
 * command line beside each --mem (without it: the size QEMU wrote in the CMOS).
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

/* The wait for the PIT is bounded by the TSC, which counts whether the PIT
 * runs or not: 2^32 cycles is a second or more, 3 ticks are 30 ms. */
#define TICK_WAIT_CYCLES (1ull << 32)

KTEST(boot, timer_ticks)
{
	uint64_t t0 = pit_ticks(), c0 = rdtsc();
	while (pit_ticks() < t0 + 3 && rdtsc() - c0 < TICK_WAIT_CYCLES) __asm__ volatile("pause");
	KEXPECT(pit_ticks() >= t0 + 3, "ticks %llu -> %llu in %llu TSC cycles", t0, pit_ticks(),
		rdtsc() - c0);
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

/* The firmware keeps back the 384 KiB below 1 MiB and a little at the top of
 * RAM (QEMU's BIOS: 513 KiB in all), so the map holds at most the RAM QEMU was
 * given and less than 1 MiB under it. */
#define RAM_HELD_BACK_MAX (1ull << 20)

/* The RAM size the machine's CMOS holds (QEMU writes it there, apart from
 * the BIOS's memory map): 64 KiB blocks above 16 MiB, or KiB above 1 MiB. */
static uint64_t cmos_ram_bytes(void)
{
	uint32_t f = irq_save();
	outb(0x70, 0x34); uint32_t lo = inb(0x71);
	outb(0x70, 0x35); uint32_t hi = inb(0x71);
	uint64_t above16 = ((hi << 8) | lo) * 65536ull;
	outb(0x70, 0x30); lo = inb(0x71);
	outb(0x70, 0x31); hi = inb(0x71);
	irq_restore(f);
	return above16 ? (16ull << 20) + above16 : (1ull << 20) + ((hi << 8) | lo) * 1024ull;
}

KTEST(boot, memory_map)
{
	KEXPECT(boot_info.nregions > 0, "no memory map");
	KEXPECT(boot_info.mem_upper_kib > 0, "mem_upper %u", boot_info.mem_upper_kib);
	/* what QEMU was given: expect_ram=SIZE from the runner, else the CMOS */
	const char *want = cmdline_get("expect_ram");
	uint64_t given = 0;
	if (want) KASSERT(mm_parse_size(want, &given) == 0 && given > 0, "expect_ram=%s: not a size", want);
	else given = cmos_ram_bytes();
	uint64_t ram = boot_info.ram_bytes;
	KEXPECT(ram <= given && ram > given - RAM_HELD_BACK_MAX,
		"the map has %llu KiB of RAM, QEMU was given %llu KiB", ram >> 10, given >> 10);
}
