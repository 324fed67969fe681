/*
 * syscall.h - the Linux i386 system-call ABI: `int $0x80`, the number in
 * eax, arguments in ebx, ecx, edx, esi, edi, ebp, the result in eax (a
 * negative errno on failure). Each call is a SYSCALL(nr, name, fn) entry,
 * registered in a linker section and found by number (syscall.c); numbers
 * nobody registered return -ENOSYS and are logged once on COM2.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>
#include "trap.h"
#include "uerrno.h"

struct sys_args {
	struct trap_frame *tf; /* the caller's registers (fork copies them) */
	uint32_t a[6];         /* ebx, ecx, edx, esi, edi, ebp */
};

struct sys_call {
	uint32_t nr;
	const char *name;
	int32_t (*fn)(struct sys_args *a);
};

#define SYSCALL(num, nm, fnc)                                                  \
	static const struct sys_call sys_call_##nm                             \
		__attribute__((used, section(".syscalls"), aligned(4))) = { num, #nm, fnc }

/* Counters for ps and the benchmarks. */
extern uint64_t syscalls_made, syscalls_unknown;

#endif
