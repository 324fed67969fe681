/*
 * pagefault.c - the #PF handler: the trap layer's half of the fault path.
 * It hands (current space, CR2, error code) to vm_fault() and acts on the
 * verdict: resolved -> return and retry the access; bad access or out of
 * memory -> stop whoever made it (the innermost guard: a test, a simulated
 * process) with the address and the reason, and go on; with nobody to stop,
 * it is a kernel bug -> crash report.
 */
#include "guard.h"
#include "io.h"
#include "kernel.h"
#include "kmain.h"
#include "layout.h"
#include "mem.h"
#include "trap.h"
#include "ucheck.h"

static void pf_handler(struct trap_frame *tf)
{
	uint32_t addr = read_cr2();
	vaddr_t va = vaddr_make(addr);
	struct vm_fault_info info = { va, tf->err, "no address space loaded" };
	enum vm_verdict v = VM_BAD_ACCESS;
	if (vm_current) {
		/* Every fault runs with interrupts off but while it sleeps (in
		 * disk I/O, or for the user pool's lock). Faults of processes
		 * could run with them on (their pool's lock, kvm_irqsafe and
		 * the crit ops are made for it), but a run with them on once
		 * met a corrupted region list, not yet explained: off until it
		 * is. */
		bool user = trap_from_user(tf);
		if (user) ucheck("the entry of", "a ring-3 fault");
		v = vm_fault(vm_current, va, tf->err, &info);
		if (user) ucheck("the end of", "a ring-3 fault");
		if (v == VM_RESOLVED) return;
	} else if (addr >= KERNEL_BASE) {
		info.reason = "kernel address not mapped";
	}
	klog("#PF at 0x%08x err 0x%x eip 0x%08x: %s\n", addr, tf->err, tf->eip, info.reason);
	if (trap_from_user(tf) && trap_user_hooks.user_fault) trap_user_hooks.user_fault(tf, addr, info.reason, v == VM_OOM ? 9 : 11); /* SIGKILL, SIGSEGV */
	if (guard_active()) guard_trip(addr, tf->err, tf->eip, info.reason);
	crash_report(tf, info.reason);
}

static void pagefault_init(void) { trap_set_handler(TRAP_PF, pf_handler); }
BOOT_HOOK(pagefault, pagefault_init, 11);
