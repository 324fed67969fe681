/*
 * usermode.h - run code in ring 3 inside an address space (see usermode.c).
 */
#ifndef KERNEL_USERMODE_H
#define KERNEL_USERMODE_H

#include <stdbool.h>
#include "guard.h"
#include "vmspace.h"

/* Enter ring 3 at eip (stack esp, registers eax/ebx) in space s. Returns 0
 * when the code ended with int $0x83, 1 when a fault stopped it (*rep says
 * where and why). */
int user_call(struct vm_space *s, vaddr_t eip, vaddr_t esp, uint32_t eax, uint32_t ebx,
	      struct guard_report *rep);

/* The GDT's thread-local-storage entry (selector 0x33). */
#define GDT_TLS_ENTRY 6
#define GDT_TLS_SELECTOR 0x33

/* A ring-3 data segment descriptor (set_thread_area's user_desc). */
uint64_t gdt_user_segment(uint32_t base, uint32_t limit, bool pages, bool present);

/* A thread with a user half runs next: traps from ring 3 must land on its
 * kernel stack (esp0), and its TLS segment goes into the GDT. */
void user_switch_in(uint32_t esp0, uint64_t tls);

/* x87/SSE state of a process (fxsave's 512 bytes, 16-byte aligned). The
 * kernel itself never uses these registers (-mgeneral-regs-only), so only
 * switches between threads that own a state save and restore it. */
#define FPU_STATE_BYTES 512
void fpu_save(void *state);
void fpu_restore(const void *state);
/* A fresh state, as after fninit with MXCSR at its default. */
void fpu_fresh(void *state);

#endif
