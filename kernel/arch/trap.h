/*
 * trap.h - the register frame every interrupt stub (boot/isr.S) saves, and the
 * per-vector handler registry of the trap layer.
 *
 * Stack at trap_dispatch (lowest address first):
 *   gs fs es ds | edi esi ebp esp0 ebx edx ecx eax (pusha) | vector err |
 *   eip cs eflags (CPU) [ user esp, ss when from ring 3 ]
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stdint.h>

struct trap_frame {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
	uint32_t vector, err;
	uint32_t eip, cs, eflags;
};

typedef void (*trap_handler_fn)(struct trap_frame *tf);

#define TRAP_PF 14
#define IRQ_BASE 32
#define VEC_NULL_TRAP 0x81
#define VEC_NULL_TRAP_C 0x82
#define VEC_USER_EXIT 0x83

void idt_init(void);
void trap_set_handler(unsigned vector, trap_handler_fn fn);
void trap_dispatch(struct trap_frame *tf);
const char *trap_name(unsigned vector);

/* Print a crash report for an unexpected trap and stop the machine. */
void crash_report(struct trap_frame *tf, const char *why) __attribute__((noreturn));

#endif
