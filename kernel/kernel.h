/*
 * kernel.h - what kernel/ files offer each other: console and log output,
 * panic, boot-time set-up of the machine, and exit to the host.
 */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fmt.h"

/* The console a user or a checker reads (console.h: virtio or COM1). */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);
void kputs(const char *s); /* no newline added */
void kwrite(const char *s, size_t n);
extern struct mm_sink console_sink;

/* COM2: the kernel log (diagnostics kept off the byte-exact console). */
int klog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvlog(const char *fmt, va_list ap);

/* Stop the machine with a message, a register dump-free backtrace and an
 * exit status that tells the runner it was a panic. */
void kpanic(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
#define KPANIC(...) kpanic(__FILE__, __LINE__, __VA_ARGS__)

/* Exit QEMU through isa-debug-exit (status 2*code+1), or halt forever. */
#define EXIT_PASS 0
#define EXIT_FAIL 1
#define EXIT_PANIC 2
void kernel_exit(int code) __attribute__((noreturn));

void gdt_init(void);
void pic_init(void);
void pic_unmask(unsigned irq);
void pic_eoi(unsigned irq);
void pit_init(unsigned hz);
uint64_t pit_ticks(void);
uint32_t pit_ticks_lo(void); /* the low 32 bits, read without a lock */
/* Call fn(ticks) at every tick, interrupts off, after those registered
 * before it (the scheduler registers last: it may switch threads). */
void pit_on_tick(void (*fn)(uint64_t now));
extern unsigned pit_hz;

/* Serial ports: COM1 a console device (console.h), COM2 the log. */
void uart_init(void);
void uart_put(uint16_t port, char c);
#define COM1 0x3F8
#define COM2 0x2F8

/* Control channel (port 0xE9) for the host runner: ready/idle markers. */
void ctl_mark(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Symbols for backtraces (built into the kernel at the second link). */
const char *ksym_lookup(uint32_t addr, uint32_t *offset);
void backtrace_from(uint32_t ebp, uint32_t eip);

/* The kernel command line, and its options: "key" or "key=value". */
extern char kernel_cmdline[256];
const char *cmdline_get(const char *key); /* value, "" for a bare key, NULL */

/* Freestanding library functions the compiler may call. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
