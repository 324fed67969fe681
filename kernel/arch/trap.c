/*
 * trap.c - the interrupt descriptor table and the dispatch of every trap to
 * its registered handler. An exception nobody handles is a kernel bug: it
 * gets a crash report (kernel/arch/crash.c), never a silent triple fault.
 *
 * Gates user mode may use: int3 and into (#BP, #OF, as on Linux), the
 * system call 0x80 and the null traps 0x81..0x83; the rest are DPL 0.
 *
 * IDT gate (interrupt gate, 8 bytes):
 *  63          48 47 46 45 44   40 39   32 31        16 15          0
 * +--------------+--+-----+-------+-------+------------+-------------+
 * | offset 31:16 |P | DPL |0 1110 | 0     | selector   | offset 15:0 |
 * +--------------+--+-----+-------+-------+------------+-------------+
 */
#include "io.h"
#include "kernel.h"
#include "trap.h"
#include "guard.h"

extern uint32_t isr_stub_table[48];
extern void isr_null_trap(void);
extern void isr_stub_130(void);
extern void isr_stub_131(void);
extern void isr_stub_128(void);

struct user_hooks trap_user_hooks;

static void null_handler(struct trap_frame *tf) { (void)tf; }

static uint64_t idt[256];
static trap_handler_fn handlers[256];

static const char *const exception_names[32] = {
	"divide error", "debug", "non-maskable interrupt", "breakpoint",
	"overflow", "bound range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS", "segment not present",
	"stack-segment fault", "general protection fault", "page fault", "reserved 15",
	"x87 floating-point error", "alignment check", "machine check", "SIMD floating-point error",
	"virtualization exception", "control protection exception", "reserved 22", "reserved 23",
	"reserved 24", "reserved 25", "reserved 26", "reserved 27",
	"hypervisor injection", "VMM communication", "security exception", "reserved 31",
};

const char *trap_name(unsigned v)
{
	if (v < 32) return exception_names[v];
	if (v < 48) return "hardware interrupt";
	return "software interrupt";
}

static void idt_set(unsigned v, uint32_t fn, unsigned dpl)
{
	uint64_t e = fn & 0xffff;
	e |= (uint64_t)0x08 << 16;
	e |= (uint64_t)(0x8E | (dpl << 5)) << 40;
	e |= (uint64_t)(fn >> 16) << 48;
	idt[v] = e;
}

void idt_init(void)
{
	for (unsigned v = 0; v < 48; v++) idt_set(v, isr_stub_table[v], v == 3 || v == 4 ? 3 : 0);
	idt_set(VEC_NULL_TRAP, (uint32_t)(uintptr_t)isr_null_trap, 3);
	idt_set(VEC_NULL_TRAP_C, (uint32_t)(uintptr_t)isr_stub_130, 3);
	handlers[VEC_NULL_TRAP_C] = null_handler;
	idt_set(VEC_USER_EXIT, (uint32_t)(uintptr_t)isr_stub_131, 3);
	idt_set(VEC_SYSCALL, (uint32_t)(uintptr_t)isr_stub_128, 3);
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr = {
		sizeof(idt) - 1, (uint32_t)(uintptr_t)idt
	};
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

void trap_set_handler(unsigned vector, trap_handler_fn fn) { handlers[vector & 255] = fn; }

static void leave(struct trap_frame *tf)
{
	if (trap_from_user(tf) && trap_user_hooks.user_leave) trap_user_hooks.user_leave(tf);
}

void trap_dispatch(struct trap_frame *tf)
{
	trap_handler_fn fn = handlers[tf->vector & 255];
	if (fn) {
		fn(tf);
		leave(tf);
		return;
	}
	if (tf->vector >= IRQ_BASE && tf->vector < IRQ_BASE + 16) {
		/* A spurious or unclaimed IRQ: acknowledge it and go on. */
		klog("unhandled IRQ %u\n", (unsigned)(tf->vector - IRQ_BASE));
		pic_eoi(tf->vector - IRQ_BASE);
		leave(tf);
		return;
	}
	if (trap_from_user(tf) && trap_user_hooks.user_fault && /* a process: its handler, or kill it alone */
	    trap_user_hooks.user_fault(tf, tf->eip, trap_name(tf->vector), 0)) {
		leave(tf);
		return;
	}
	if (trap_from_user(tf) && guard_active()) /* user code: stop it, not the kernel */
		guard_trip(0, tf->err, tf->eip, trap_name(tf->vector));
	crash_report(tf, "unexpected exception");
}
