/*
 * usermode.c - running a few instructions in ring 3 inside an address
 * space, to show (and test) what the MMU does to user-mode accesses: a user
 * page works, a kernel page or a supervisor region faults with the U bit in
 * the error code, and the fault path stops the user code and reports it.
 *
 * The task-state segment gives the CPU the kernel stack to switch to on a
 * trap from ring 3 (esp0): set just below the caller's stack before entering.
 * User code ends with `int $0x83`, a gate user mode may use.
 */
#include "guard.h"
#include "io.h"
#include "kernel.h"
#include "kmain.h"
#include "mem.h"
#include "mmlib.h"
#include "trap.h"
#include "thread.h"
#include "usermode.h"

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
} __attribute__((packed));

static struct tss tss;
static struct kjmp *user_done;

void user_enter(uint32_t eip, uint32_t esp, uint32_t eax, uint32_t ebx) __attribute__((noreturn));
void gdt_set_tss(uint32_t base, uint32_t limit);
void gdt_set_tls(uint64_t desc);

void user_switch_in(uint32_t esp0, uint64_t tls)
{
	tss.esp0 = esp0;
	gdt_set_tls(tls);
}

static void user_exit_trap(struct trap_frame *tf)
{
	(void)tf;
	struct kjmp *j = user_done;
	user_done = 0;
	if (j) kjmp_go(j, 1);
}

struct user_args { uint32_t eip, esp, eax, ebx; };

static void enter(void *p)
{
	struct user_args *a = p;
	struct kjmp back;
	if (kjmp_set(&back)) return; /* came back through int $0x83 */
	user_done = &back;
	uint32_t here;
	__asm__ volatile("mov %%esp, %0" : "=r"(here));
	tss.esp0 = here - 64; /* traps from ring 3 land below this frame */
	thread_current()->esp0 = tss.esp0; /* (restored there after a switch) */
	user_enter(a->eip, a->esp, a->eax, a->ebx);
}

int user_call(struct vm_space *s, vaddr_t eip, vaddr_t esp, uint32_t eax, uint32_t ebx,
	      struct guard_report *rep)
{
	struct user_args a = { vaddr_u32(eip), vaddr_u32(esp), eax, ebx }; /* register values */
	int stopped = guard_run_in(s, enter, &a, rep);
	user_done = 0;
	thread_current()->esp0 = 0;
	__asm__ volatile("mov $0x10, %%ax; mov %%ax, %%fs; mov %%ax, %%gs" ::: "eax");
	return stopped;
}

static uint8_t fresh_state[FPU_STATE_BYTES] __attribute__((aligned(16)));

void fpu_save(void *state) { __asm__ volatile("fxsave (%0)" ::"r"(state) : "memory"); }
void fpu_restore(const void *state) { __asm__ volatile("fxrstor (%0)" ::"r"(state) : "memory"); }
void fpu_fresh(void *state) { mm_memcpy(state, fresh_state, FPU_STATE_BYTES); }

/* Let ring 3 use x87 and SSE: CR0.MP set, EM and TS clear; CR4.OSFXSR and
 * OSXMMEXCPT (fxsave/fxrstor, and SIMD exceptions as #XM, not #UD). */
static void fpu_init(void)
{
	uint32_t cr0, cr4;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 & ~(0x4u | 0x8u)) | 0x2u;
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= 0x200u | 0x400u;
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4));
	uint32_t mxcsr = 0x1f80;
	__asm__ volatile("fninit; ldmxcsr %0" ::"m"(mxcsr));
	fpu_save(fresh_state);
}

static void usermode_init(void)
{
	fpu_init();
	tss.ss0 = 0x10;
	tss.iomap = sizeof(tss);
	gdt_set_tss((uint32_t)(uintptr_t)&tss, sizeof(tss) - 1);
	__asm__ volatile("ltr %w0" ::"r"(0x28));
	trap_set_handler(VEC_USER_EXIT, user_exit_trap);
}
BOOT_HOOK(usermode, usermode_init, 05);
