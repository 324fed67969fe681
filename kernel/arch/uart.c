/*
 * uart.c - 16550 UARTs: COM1 is a console device (console.h; interrupt-driven
 * receive into a ring buffer, polled transmit), COM2 carries the kernel log.
 *
 * Flow control: when the ring is full the receive interrupt is turned off, so
 * bytes wait in the UART and QEMU stops reading its input until the shell
 * drains the ring; nothing is dropped.
 */
#include "console.h"
#include "io.h"
#include "kernel.h"
#include "thread.h"
#include "trap.h"

#define RX_RING 4096

struct rx_ring {
	volatile uint8_t buf[RX_RING];
	volatile uint32_t head, tail; /* head: next write, tail: next read */
	volatile bool throttled;
};

static struct rx_ring rx;

static void uart_setup(uint16_t port, bool rx_irq)
{
	outb(port + 1, 0x00);              /* no interrupts while we set up */
	outb(port + 3, 0x80);              /* DLAB */
	outb(port + 0, 0x01);              /* 115200 baud */
	outb(port + 1, 0x00);
	outb(port + 3, 0x03);              /* 8N1 */
	outb(port + 2, 0xC7);              /* FIFOs on, cleared, 14-byte trigger */
	outb(port + 4, 0x0B);              /* DTR, RTS, OUT2 (IRQ gate) */
	outb(port + 1, rx_irq ? 0x01 : 0); /* receive-data interrupt */
}

void uart_put(uint16_t port, char c)
{
	while (!(inb(port + 5) & 0x20)) {
	}
	outb(port, (uint8_t)c);
}

static uint32_t ring_count(void) { return rx.head - rx.tail; }

static void com1_irq(struct trap_frame *tf)
{
	(void)tf;
	while (inb(COM1 + 5) & 0x01) {
		if (ring_count() >= RX_RING) { /* full: stop taking bytes */
			rx.throttled = true;
			outb(COM1 + 1, 0x00);
			break;
		}
		rx.buf[rx.head % RX_RING] = inb(COM1);
		rx.head++;
	}
	pic_eoi(4);
	console_rx_wake();
}

void uart_init(void)
{
	uart_setup(COM1, true);
	uart_setup(COM2, false);
	trap_set_handler(IRQ_BASE + 4, com1_irq);
	pic_unmask(4);
}

static size_t uart_read(char *buf, size_t cap)
{
	size_t n = 0;
	while (n < cap && ring_count()) {
		buf[n++] = (char)rx.buf[rx.tail % RX_RING];
		rx.tail++;
	}
	if (rx.throttled && ring_count() < RX_RING / 2) {
		rx.throttled = false;
		outb(COM1 + 1, 0x01);
	}
	return n;
}

static void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) uart_put(COM1, s[i]);
}

static void uart_flush(bool wait) { (void)wait; } /* transmit is not buffered */
static bool uart_rx_ready(void) { return ring_count() != 0; }

const struct console_dev uart_console = {
	"uart", uart_write, uart_flush, uart_read, uart_rx_ready,
};
