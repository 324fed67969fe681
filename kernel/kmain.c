/*
 * kmain.c - the boot sequence after boot/boot.S: descriptor tables, interrupt
 * controllers, console, multiboot information, timer, memory; then either the
 * in-kernel test suites (`test` on the command line), a checker mode, or the
 * [mm] shell.
 */
#include "io.h"
#include "console.h"
#include "kernel.h"
#include "ktest.h"
#include "multiboot.h"
#include "shell.h"
#include "trap.h"
#include "kmain.h"
#include "mmlib.h"

extern bool console_crlf;
volatile uint32_t boot_stage; /* how far boot got; read by the gdb test */

static void boot_modes(void)
{
	const char *t = cmdline_get("test");
	if (t) {
		int failed = ktest_run(t);
		kernel_exit(failed ? EXIT_FAIL : EXIT_PASS);
	}
	for (const struct boot_mode *m = __boot_modes_start; m < __boot_modes_end; m++)
		if (cmdline_get(m->key)) m->run();
}

extern uint32_t boot_page_dir[1024];

/* The timer's rate: hz=N on the command line (50..5000), else 100. A higher
 * rate preempts threads at many more points (races show sooner). */
static unsigned timer_hz(void)
{
	const char *v = cmdline_get("hz");
	uint64_t hz;
	if (v && !mm_parse_u64z(v, 10, &hz) && hz >= 50 && hz <= 5000) return (unsigned)hz;
	return 100;
}

/* The first 4 MiB were identity-mapped only for the jump to the higher half;
 * from now on a null or low pointer faults. */
static void drop_identity_map(void)
{
	boot_page_dir[0] = 0;
	write_cr3(read_cr3());
}

void kmain(uint32_t magic, uint32_t mbi_phys);
void kmain(uint32_t magic, uint32_t mbi_phys)
{
	gdt_init();
	idt_init();
	drop_identity_map();
	pic_init();
	uart_init();
	boot_stage = 1;
	int mb = multiboot_parse(magic, mbi_phys);
	console_crlf = cmdline_get("tty") != 0;
	console_init();
	pit_init(timer_hz());
	irq_enable();
	ctl_mark("ready %s\n", console_name());
	if (mb < 0) KPANIC("not booted by a multiboot loader (eax=0x%08x)", magic);
	klog("mmk: cmdline '%s', %u KiB RAM, %d modules\n", kernel_cmdline,
	     (unsigned)(boot_info.ram_bytes >> 10), boot_info.nmodules);
	if (boot_info.modules_dropped)
		kprintf("mmk: %d modules past the first %d were not kept (BOOT_MAX_MODULES)\n",
			boot_info.modules_dropped, BOOT_MAX_MODULES);
	boot_stage = 2;
	for (const struct boot_hook *h = __boot_hooks_start; h < __boot_hooks_end; h++) h->init();
	boot_stage = 3;
	boot_modes();
	if (!cmdline_get("quiet"))
		kprintf("mmk: a memory-management kernel. Type help for the commands.\n");
	shell_run();
	kernel_exit(EXIT_PASS);
}

static int cmd_crash(int argc, char **argv)
{
	if (argc != 2) {
		kprintf("usage: crash pf|ud|div|panic|triple\n"
			"       (deliberately crash the kernel to see a report)\n");
		return 1;
	}
	if (mm_strcmp(argv[1], "pf") == 0) {
		volatile uintptr_t bad = 0x10; /* the first page is never mapped */
		return (int)*(volatile uint32_t *)bad;
	}
	if (mm_strcmp(argv[1], "ud") == 0) __asm__ volatile("ud2");
	if (mm_strcmp(argv[1], "div") == 0) {
		uint32_t zero = 0, hi = 0, lo = 1;
		__asm__ volatile("divl %2" : "+a"(lo), "+d"(hi) : "r"(zero));
		return (int)lo;
	}
	if (mm_strcmp(argv[1], "panic") == 0) KPANIC("panic requested from the shell");
	if (mm_strcmp(argv[1], "triple") == 0) { /* no IDT: the CPU resets */
		struct __attribute__((packed)) { uint16_t limit; uint32_t base; } none = { 0, 0 };
		__asm__ volatile("cli; lidt %0; int3" ::"m"(none));
	}
	kprintf("crash: unknown kind '%s' (pf, ud, div, panic, triple)\n", argv[1]);
	return 1;
}
SHELL_COMMAND_DOC(crash, "", "deliberately crash the kernel to see a crash report",
		  "crash pf|ud|div|panic|triple",
		  "crash pf",
		  "a crash report (fault, registers, stack trace); QEMU then exits",
		  cmd_crash);
