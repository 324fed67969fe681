/*
 * syscall.c - the int $0x80 gate and the dispatch of system calls by
 * number (see syscall.h). Algorithm: at boot, the SYSCALL entries of the
 * linker section are put in a table indexed by number; a call looks its
 * number up there. The gate is an interrupt gate: a system call runs with
 * interrupts off except where it sleeps, which is also what the frame
 * pool's contract asks of page faults taken while copying user memory.
 */
#include "kernel.h"
#include "kmain.h"
#include "syscall.h"
#include "ucheck.h"
#include "uproc.h"

#define NR_MAX 512

extern const struct sys_call __syscalls_start[], __syscalls_end[];
static const struct sys_call *table[NR_MAX];
static uint8_t logged[NR_MAX / 8];
uint64_t syscalls_made, syscalls_unknown;

static int32_t unknown(uint32_t nr)
{
	syscalls_unknown++;
	struct uproc *p = uproc_current();
	static bool out_of_range_logged;
	if (nr >= NR_MAX) {
		if (!out_of_range_logged) /* once, as for each known number: a fuzzer makes many */
			klog("syscall %u (out of range; logged once) from process %d: ENOSYS\n", nr, p ? p->pid : 0);
		out_of_range_logged = true;
	} else if (!(logged[nr / 8] & (1u << (nr % 8)))) {
		logged[nr / 8] |= (uint8_t)(1u << (nr % 8));
		klog("syscall %u is not offered (first call by process %d): ENOSYS\n", nr, p ? p->pid : 0);
	}
	return -ENOSYS;
}

static void syscall_trap(struct trap_frame *tf)
{
	syscalls_made++;
	if (!uproc_current()) {
		tf->eax = (uint32_t)-ENOSYS; /* a ring-3 test snippet, not a process */
		return;
	}
	uint32_t nr = tf->eax;
	struct sys_args a = { tf, { tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp } };
	const struct sys_call *c = nr < NR_MAX ? table[nr] : 0;
	if (ucheck_on) ucheck_now("the entry of system call", c ? c->name : "(unknown)");
	tf->eax = (uint32_t)(c ? c->fn(&a) : unknown(nr));
	if (ucheck_on) ucheck_now("the end of system call", c ? c->name : "(unknown)");
}

static void syscall_boot(void)
{
	for (const struct sys_call *c = __syscalls_start; c < __syscalls_end; c++) {
		if (c->nr >= NR_MAX || table[c->nr]) KPANIC("system call %u (%s) registered twice or too high", c->nr, c->name);
		table[c->nr] = c;
	}
	trap_set_handler(VEC_SYSCALL, syscall_trap);
}
BOOT_HOOK(syscall, syscall_boot, 32);
