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

#include <stdbool.h>
#include <stdint.h>

struct trap_frame {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
	uint32_t vector, err;
	uint32_t eip, cs, eflags;
};

/* A trap from ring 3 also has the user stack the CPU switched from. */
struct user_frame {
	struct trap_frame tf;
	uint32_t user_esp, user_ss;
};

static inline bool trap_from_user(const struct trap_frame *tf) { return (tf->cs & 3) == 3; }
static inline struct user_frame *trap_user_frame(struct trap_frame *tf) { return (struct user_frame *)tf; }

/* Resume ring 3 from f (copied anywhere in kernel memory). */
void user_return(const struct user_frame *f) __attribute__((noreturn));

typedef void (*trap_handler_fn)(struct trap_frame *tf);

#define TRAP_PF 14
#define IRQ_BASE 32
#define VEC_NULL_TRAP 0x81
#define VEC_NULL_TRAP_C 0x82
#define VEC_USER_EXIT 0x83
#define VEC_SYSCALL 0x80

/* The process layer's say about traps from ring 3 (NULL until it is set):
 * user_fault hands an exception the running process took to its signal
 * handler for sig (0: the one the vector stands for) and returns true (the
 * trap returns into the handler), or kills the process; it returns false
 * only when the running thread is no process; user_leave runs before every
 * return to ring 3 (a pending kill ends the process there, a pending
 * signal enters its handler). */
struct user_hooks {
	bool (*user_fault)(struct trap_frame *tf, uint32_t addr, const char *reason, int sig);
	void (*user_leave)(struct trap_frame *tf);
};
extern struct user_hooks trap_user_hooks;

void idt_init(void);
void trap_set_handler(unsigned vector, trap_handler_fn fn);
void trap_dispatch(struct trap_frame *tf);
const char *trap_name(unsigned vector);

/* Print a crash report for an unexpected trap and stop the machine. */
void crash_report(struct trap_frame *tf, const char *why) __attribute__((noreturn));

#endif
