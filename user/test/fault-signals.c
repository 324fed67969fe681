/*
 * fault-signals - every kind of fault a program can take kills only that
 * program, with Linux's signal in its wait status: a divide error (SIGFPE
 * 8), an invalid opcode (SIGILL 4), a privileged instruction (general
 * protection: SIGSEGV 11), a read of kernel memory (SIGSEGV), a jump into
 * a page without code (SIGSEGV), a breakpoint (SIGTRAP 5). The parent goes
 * on after each, and so does the kernel.
 */
#include "utest.h"

#define SIGILL 4
#define SIGTRAP 5
#define SIGFPE 8

const char test_name[] = "fault-signals";

static int divide(void *arg)
{
	volatile int zero = 0;
	return 10 / zero;
}
static int invalid(void *arg) { __asm__ volatile("ud2"); return 0; }
static int privileged(void *arg) { __asm__ volatile("cli"); return 0; }
static int kernel_read(void *arg) { return *(volatile int *)0xC0100000; }
static int breakpoint(void *arg) { __asm__ volatile("int3"); return 0; }
static int wild_jump(void *arg)
{
	void (*f)(void) = (void (*)(void))0x00001000; /* page 1: never mapped */
	f();
	return 0;
}

int main(void)
{
	expect_signal(run_child(divide, 0), SIGFPE, "divide by zero");
	expect_signal(run_child(invalid, 0), SIGILL, "ud2");
	expect_signal(run_child(privileged, 0), SIGSEGV, "cli in ring 3");
	expect_signal(run_child(kernel_read, 0), SIGSEGV, "read of kernel memory");
	expect_signal(run_child(breakpoint, 0), SIGTRAP, "int3");
	expect_signal(run_child(wild_jump, 0), SIGSEGV, "jump to an unmapped page");
	pass();
}
