/*
 * usermode.h - run code in ring 3 inside an address space (see usermode.c).
 */
#ifndef KERNEL_USERMODE_H
#define KERNEL_USERMODE_H

#include "guard.h"
#include "vmspace.h"

/* Enter ring 3 at eip (stack esp, registers eax/ebx) in space s. Returns 0
 * when the code ended with int $0x83, 1 when a fault stopped it (*rep says
 * where and why). */
int user_call(struct vm_space *s, vaddr_t eip, vaddr_t esp, uint32_t eax, uint32_t ebx,
	      struct guard_report *rep);

#endif
