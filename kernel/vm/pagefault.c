/*
 * pagefault.c - the #PF handler: the trap layer's half of the fault path.
 * It hands (current space, CR2, error code) to vm_fault() and acts on the
 * verdict: resolved -> return and retry the access; bad access or out of
 * memory -> stop whoever made it (the innermost guard: a test, a simulated
 * process) with the address and the reason, and go on; with nobody to stop,
 * it is a kernel bug -> crash report. Faults from ring 3 run with
 * interrupts on.
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
		/* A process's fault runs with interrupts on: its pool's lock
		 * guards the pool and the page tables it writes, and what it
		 * shares with the kernel (frames, heap, swap area, another
		 * process's regions) is reached in critical sections of their
		 * own (kernel/user/upool.c, kvm_irqsafe); the timer may preempt
		 * it anywhere else. Kernel pools' faults stay critical sections
		 * with interrupts off (mm/pool.h). */
		bool user = trap_from_user(tf), on = user && vm_current->sys == &kvm_irqsafe;
		if (user) ucheck("the entry of", "a ring-3 fault");
		if (on) irq_enable();
		v = vm_fault(vm_current, va, tf->err, &info);
		if (on) irq_disable();
		if (user) ucheck("the end of", "a ring-3 fault");
		if (v == VM_RESOLVED) return;
	} else if (addr >= KERNEL_BASE) {
		info.reason = "kernel address not mapped";
	}
	klog("#PF at 0x%08x err 0x%x eip 0x%08x: %s\n", addr, tf->err, tf->eip, info.reason);
	if (trap_from_user(tf) && trap_user_hooks.user_fault &&
	    trap_user_hooks.user_fault(tf, addr, info.reason, v == VM_OOM ? 9 : 11)) /* SIGKILL, SIGSEGV */
		return; /* into the process's handler */
	if (guard_active()) guard_trip(addr, tf->err, tf->eip, info.reason);
	crash_report(tf, info.reason);
}

static void pagefault_init(void) { trap_set_handler(TRAP_PF, pf_handler); }
BOOT_HOOK(pagefault, pagefault_init, 11);
