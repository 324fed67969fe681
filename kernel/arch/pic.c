/*
 * pic.c - the two 8259A interrupt controllers, remapped so IRQ 0..15 arrive
 * on vectors 32..47 (the CPU reserves 0..31 for exceptions). All lines start
 * masked; drivers unmask the ones they handle.
 */
#include "io.h"
#include "kernel.h"

#define PIC1 0x20
#define PIC2 0xA0

void pic_init(void)
{
	outb(PIC1, 0x11); io_wait();      /* ICW1: init, ICW4 follows */
	outb(PIC2, 0x11); io_wait();
	outb(PIC1 + 1, 32); io_wait();    /* ICW2: vector offsets */
	outb(PIC2 + 1, 40); io_wait();
	outb(PIC1 + 1, 4); io_wait();     /* ICW3: slave on IRQ2 */
	outb(PIC2 + 1, 2); io_wait();
	outb(PIC1 + 1, 1); io_wait();     /* ICW4: 8086 mode */
	outb(PIC2 + 1, 1); io_wait();
	outb(PIC1 + 1, 0xFB);             /* all masked but the cascade */
	outb(PIC2 + 1, 0xFF);
}

void pic_unmask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1 + 1 : PIC2 + 1;
	outb(port, inb(port) & (uint8_t)~(1u << (irq & 7)));
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8) outb(PIC2, 0x20);
	outb(PIC1, 0x20);
}
