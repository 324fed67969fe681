/*
 * console.c - kprintf to the console (console.h: the virtio console or
 * COM1), klog to COM2 (the kernel log), ctl_mark to port 0xE9 (the runner's
 * control channel), all through mm/lib/fmt.c; and console input with the
 * runner's "idle N" marks.
 *
 * The console writes bytes exactly as given, so checkers can compare output
 * byte for byte; with "tty" on the command line (interactive runs) each "\n"
 * goes out as "\r\n" for a terminal.
 *
 * When buffered output goes out: when a buffer is full; at the end of a line
 * if a timer tick has passed since the last flush (so lines show up at once
 * but a flood of them shares buffers); at every timer tick; before waiting
 * for input (the prompt shows, and the host has every byte before the idle
 * mark); and before the kernel exits.
 */
#include "console.h"
#include "io.h"
#include "kernel.h"
#include "mmlib.h"
#include "thread.h"

bool console_crlf;

static const struct console_dev *con = &uart_console;
static volatile bool writing;         /* inside a device call: not re-entrant */
static uint32_t last_flush_tick;
static struct wait_queue rx_waiters;  /* threads waiting for input */
static uint32_t consumed;             /* input bytes taken since boot */
static uint32_t idle_marked;          /* consumed count at the last idle mark */
static bool idle_sent;
static uint32_t failures;             /* commands that failed, for the marks */
static uint32_t idle_failures;        /* failures at the last idle mark */

static void console_tick(uint64_t now);

void console_init(void)
{
	pit_on_tick(console_tick);
	const char *want = cmdline_get("console");
	if (want && mm_strcmp(want, "uart") == 0) {
		klog("console: COM1 (console=uart)\n");
		return;
	}
	if (want && mm_strcmp(want, "virtio") != 0)
		klog("console: unknown console=%s (uart, virtio): choosing by itself\n", want);
	const struct console_dev *v = virtio_console_probe();
	if (v) con = v;
}

const char *console_name(void) { return con->name; }

static void dev_write(const char *s, size_t n)
{
	uint32_t f = irq_save();
	writing = true;
	con->write(s, n);
	writing = false;
	irq_restore(f);
}

static void dev_flush(bool wait)
{
	uint32_t f = irq_save();
	writing = true;
	con->flush(wait);
	writing = false;
	irq_restore(f);
}

static void put_crlf(const char *s, size_t n)
{
	while (n) {
		size_t k = 0;
		while (k < n && s[k] != '\n') k++;
		dev_write(s, k);
		if (k < n) {
			dev_write("\r\n", 2);
			k++;
		}
		s += k;
		n -= k;
	}
}

static void console_put(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (console_crlf) put_crlf(s, n);
	else dev_write(s, n);
	uint32_t now = pit_ticks_lo();
	if (now == last_flush_tick) return;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n') { /* a line is done and a tick has passed */
			last_flush_tick = now;
			dev_flush(false);
			return;
		}
}

void console_flush(void) { dev_flush(true); }

static void console_tick(uint64_t now)
{
	(void)now;
	if (writing) return; /* the interrupted writer flushes itself */
	writing = true;
	con->flush(false);
	writing = false;
}

void console_emergency(void)
{
	if (writing) { /* crashed inside the device code: its state is suspect */
		con = &uart_console;
		writing = false;
	}
}

void console_count_failure(void) { failures++; }

void console_rx_wake(void)
{
	if (rx_waiters.head) wait_wake_all(&rx_waiters);
}

static char back[CONSOLE_UNREAD_MAX]; /* given back by console_unread */
static size_t back_pos, back_len;

void console_unread(const char *buf, size_t n)
{
	if (back_pos != back_len || n > sizeof back) KPANIC("console_unread: %u bytes over %u", (unsigned)n, (unsigned)(back_len - back_pos));
	memcpy(back, buf, n);
	back_pos = 0;
	back_len = n;
	consumed -= (uint32_t)n;
}

static size_t take(char *buf, size_t cap)
{
	size_t n = 0;
	while (n < cap && back_pos < back_len) buf[n++] = back[back_pos++];
	uint32_t f = irq_save();
	n += con->read(buf + n, cap - n);
	consumed += (uint32_t)n;
	irq_restore(f);
	return n;
}

int console_trygetc(void)
{
	char c;
	return take(&c, 1) ? (uint8_t)c : -1;
}

size_t console_read(char *buf, size_t cap)
{
	buf[0] = (char)console_getc();
	return 1 + take(buf + 1, cap - 1);
}

int console_getc(void)
{
	for (;;) {
		int c = console_trygetc();
		if (c >= 0) return c;
		/* Empty: the output goes out first, then the runner hears how
		 * much was consumed, then wait for the receive interrupt:
		 * blocked (the idle thread may run) once there are threads,
		 * else halted. Interrupts are off between the check and the
		 * wait, so a byte cannot slip in unseen. */
		console_flush();
		if (consumed != idle_marked || !idle_sent || failures != idle_failures) {
			idle_failures = failures;
			idle_marked = consumed;
			idle_sent = true;
			ctl_mark("idle %u failed=%u\n", (unsigned)consumed, (unsigned)failures);
		}
		irq_disable();
		if (!con->rx_ready() && back_pos == back_len) {
			if (threads_ready()) wait_block(&rx_waiters);
			else __asm__ volatile("sti; hlt" ::: "memory");
		}
		irq_enable();
	}
}

static void log_put(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) uart_put(COM2, s[i]);
}

static void ctl_put(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) outb(0xE9, (uint8_t)s[i]);
}

struct mm_sink console_sink = { console_put, 0 };
static struct mm_sink log_sink = { log_put, 0 };
static struct mm_sink ctl_sink = { ctl_put, 0 };

int kvprintf(const char *fmt, va_list ap) { return mm_vformat(&console_sink, fmt, ap); }

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void kwrite(const char *s, size_t n) { console_put(0, s, n); }
void kputs(const char *s) { console_put(0, s, strlen(s)); }

int kvlog(const char *fmt, va_list ap) { return mm_vformat(&log_sink, fmt, ap); }

int klog(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvlog(fmt, ap);
	va_end(ap);
	return n;
}

void ctl_mark(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mm_vformat(&ctl_sink, fmt, ap);
	va_end(ap);
}

void kernel_exit(int code)
{
	irq_disable();
	console_flush();
	ctl_mark("exit %d failed=%u\n", code, (unsigned)failures);
	outb(0xf4, (uint8_t)code); /* isa-debug-exit: QEMU exits with 2*code+1 */
	for (;;) cpu_halt();       /* no debug-exit device: stay halted */
}
