/*
 * uart.c - 16550 UARTs: COM1 is the console (interrupt-driven receive into a
 * ring buffer, polled transmit), COM2 carries the kernel log.
 *
 * Flow control: when the ring is full the receive interrupt is turned off, so
 * bytes wait in the UART and QEMU stops reading its input until the shell
 * drains the ring; nothing is dropped. Each time the reader finds the ring
 * empty it tells the runner, on the control channel, how many bytes it has
 * consumed ("idle N"), so the runner knows when its input is all used.
 */
#include "io.h"
#include "kernel.h"
#include "thread.h"
#include "trap.h"

#define RX_RING 4096

struct rx_ring {
	volatile uint8_t buf[RX_RING];
	volatile uint32_t head, tail; /* head: next write, tail: next read */
	volatile uint32_t consumed;
	volatile bool throttled;
	uint32_t idle_marked; /* consumed count at the last idle mark */
	bool idle_sent;
};

static struct rx_ring rx;
static struct wait_queue rx_waiters; /* threads waiting for input */

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
	if (rx_waiters.head) wait_wake_all(&rx_waiters);
}

void uart_init(void)
{
	uart_setup(COM1, true);
	uart_setup(COM2, false);
	trap_set_handler(IRQ_BASE + 4, com1_irq);
	pic_unmask(4);
}

int uart_trygetc(void)
{
	uint32_t f = irq_save();
	int c = -1;
	if (ring_count()) {
		c = rx.buf[rx.tail % RX_RING];
		rx.tail++;
		rx.consumed++;
	}
	if (rx.throttled && ring_count() < RX_RING / 2) {
		rx.throttled = false;
		outb(COM1 + 1, 0x01);
	}
	irq_restore(f);
	return c;
}

int uart_getc(void)
{
	for (;;) {
		int c = uart_trygetc();
		if (c >= 0) return c;
		/* Empty: tell the runner, then wait for the receive interrupt:
		 * blocked (the idle thread may run) once there are threads,
		 * else halted. Interrupts are off between the check and the
		 * wait, so a byte cannot slip in unseen. */
		if (rx.consumed != rx.idle_marked || !rx.idle_sent) {
			rx.idle_marked = rx.consumed;
			rx.idle_sent = true;
			ctl_mark("idle %u\n", (unsigned)rx.consumed);
		}
		irq_disable();
		if (!ring_count()) {
			if (threads_ready()) wait_block(&rx_waiters);
			else __asm__ volatile("sti; hlt" ::: "memory");
		}
		irq_enable();
	}
}

uint32_t uart_rx_total(void) { return rx.consumed; }
