/*
 * crash.c - readable crash reports: the exception's name, its error code
 * decoded (for #PF: CR2 and present/write/user/reserved/fetch), every
 * register, and a backtrace along the saved-EBP chain with function names
 * from the symbol table linked into the kernel (tools/gensyms). Then the
 * kernel exits with the panic status so the runner reports a failure.
 */
#include "io.h"
#include "console.h"
#include "kernel.h"
#include "mmlib.h"
#include "trap.h"

extern const uint32_t ksyms_count;
extern const uint32_t ksyms_addrs[];
extern const uint32_t ksyms_offsets[];
extern const char ksyms_names[];
extern char _kernel_start[], _kernel_end[];

const char *ksym_lookup(uint32_t addr, uint32_t *offset)
{
	uint32_t lo = 0, hi = ksyms_count;
	if (!hi || addr < ksyms_addrs[0]) return 0;
	while (hi - lo > 1) { /* last symbol with address <= addr */
		uint32_t mid = lo + (hi - lo) / 2;
		if (ksyms_addrs[mid] <= addr) lo = mid;
		else hi = mid;
	}
	if (offset) *offset = addr - ksyms_addrs[lo];
	return ksyms_names + ksyms_offsets[lo];
}

static void print_addr(uint32_t a)
{
	uint32_t off;
	const char *name = ksym_lookup(a, &off);
	if (name) kprintf("  %08x  %s+0x%x\n", a, name, off);
	else kprintf("  %08x  ?\n", a);
}

static bool frame_ok(uint32_t ebp)
{
	return ebp >= (uint32_t)(uintptr_t)_kernel_start && (ebp & 3) == 0 &&
	       ebp < 0xFFFFF000u;
}

void backtrace_from(uint32_t ebp, uint32_t eip)
{
	kprintf("backtrace:\n");
	print_addr(eip);
	for (int depth = 0; depth < 32 && frame_ok(ebp); depth++) {
		uint32_t *fp = (uint32_t *)(uintptr_t)ebp;
		uint32_t ret = fp[1];
		if (!ret) break;
		print_addr(ret);
		if (fp[0] <= ebp) break;             /* frames must go up the stack */
		ebp = fp[0];
	}
}

static void decode_error(const struct trap_frame *tf)
{
	if (tf->vector == TRAP_PF) {
		uint32_t e = tf->err;
		kprintf("page fault at address 0x%08x: %s, %s, %s mode%s%s\n", read_cr2(),
			e & 1 ? "protection violation" : "page not present",
			e & 2 ? "write" : "read", e & 4 ? "user" : "kernel",
			e & 8 ? ", reserved bit set" : "", e & 16 ? ", instruction fetch" : "");
	} else if (tf->vector == 8 || (tf->vector >= 10 && tf->vector <= 13) || tf->vector == 17) {
		uint32_t e = tf->err;
		kprintf("error code 0x%x: %s selector index %u%s\n", e,
			(e & 2) ? "IDT" : (e & 4) ? "LDT" : "GDT", e >> 3,
			(e & 1) ? ", external event" : "");
	}
}

static void dump_registers(const struct trap_frame *tf)
{
	uint32_t esp = (uint32_t)(uintptr_t)&tf->eflags + 4; /* same-ring trap */
	kprintf("eax=%08x ebx=%08x ecx=%08x edx=%08x\n", tf->eax, tf->ebx, tf->ecx, tf->edx);
	kprintf("esi=%08x edi=%08x ebp=%08x esp=%08x\n", tf->esi, tf->edi, tf->ebp, esp);
	kprintf("eip=%08x cs=%04x ds=%04x es=%04x eflags=%08x\n", tf->eip, tf->cs, tf->ds, tf->es, tf->eflags);
	kprintf("cr0=%08x cr2=%08x cr3=%08x cr4=%08x\n", read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

void crash_report(struct trap_frame *tf, const char *why)
{
	irq_disable();
	console_emergency();
	kprintf("\n*** mmk crash: %s: %s (vector %u, error code 0x%x)\n", why,
		trap_name(tf->vector), tf->vector, tf->err);
	decode_error(tf);
	dump_registers(tf);
	backtrace_from(tf->ebp, tf->eip);
	klog("crash: %s vector %u eip %08x\n", trap_name(tf->vector), tf->vector, tf->eip);
	kernel_exit(EXIT_PANIC);
}

void kpanic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	irq_disable();
	console_emergency();
	kprintf("\n*** mmk panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	uint32_t ebp;
	__asm__ volatile("mov %%ebp, %0" : "=r"(ebp));
	backtrace_from(ebp, (uint32_t)(uintptr_t)__builtin_return_address(0));
	kernel_exit(EXIT_PANIC);
}
