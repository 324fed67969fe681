/*
 * console.h - the console a user or a checker talks to, on whichever device
 * the kernel picked at boot: the virtio console when QEMU offers one (fast,
 * buffers of 64 KiB), COM1 otherwise. Both carry the same bytes; the device
 * is named in the runner's "ready" mark so it knows where to send input.
 *
 * A device plugs in with a console_dev table. The console layer calls it
 * with interrupts off, so a device needs no locking of its own; its
 * interrupt handler calls console_rx_wake() when input arrives.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

struct console_dev {
	const char *name;
	void (*write)(const char *s, size_t n); /* may keep bytes in a buffer */
	void (*flush)(bool wait);  /* hand the buffer over; wait: until the host has all */
	size_t (*read)(char *buf, size_t cap); /* what waits, up to cap; 0 if none */
	bool (*rx_ready)(void);    /* a byte waits */
};

extern const struct console_dev uart_console;
/* The virtio console, or NULL when there is none (the reason is logged). */
const struct console_dev *virtio_console_probe(void);

/* Pick the device (console=uart|virtio on the command line forces one). */
void console_init(void);
const char *console_name(void);
void console_flush(void);
void console_rx_wake(void); /* from a device's receive interrupt */
void console_emergency(void); /* a crash report follows: make sure it gets out */

/* A command read from the console failed: the runner hears the count with
 * every idle and exit mark ("failed=N"), so a script can tell. */
void console_count_failure(void);

int console_getc(void);          /* blocks; returns a byte 0..255 */
int console_trygetc(void);       /* -1 when nothing is waiting */
/* Block for the first byte, then take what else waits: 1..cap bytes. */
size_t console_read(char *buf, size_t cap);
/* Give back bytes read but not used (at most CONSOLE_UNREAD_MAX, once
 * between reads): the next read returns them first. */
#define CONSOLE_UNREAD_MAX 4096
void console_unread(const char *buf, size_t n);

#endif
