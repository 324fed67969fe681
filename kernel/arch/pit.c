/*
 * pit.c - the 8254 programmable interval timer, channel 0 in rate-generator
 * mode at pit_hz, counting ticks. Each tick pushes out buffered console
 * output; other subsystems hook the tick with pit_set_hook (the scheduler,
 * the NRU sweep).
 */
#include "io.h"
#include "console.h"
#include "kernel.h"
#include "trap.h"

unsigned pit_hz;
static volatile uint64_t ticks;
static void (*tick_hook)(struct trap_frame *);

void pit_set_hook(void (*fn)(struct trap_frame *));
void pit_set_hook(void (*fn)(struct trap_frame *)) { tick_hook = fn; }

static void pit_irq(struct trap_frame *tf)
{
	ticks++;
	pic_eoi(0);
	console_tick();
	if (tick_hook) tick_hook(tf);
}

void pit_init(unsigned hz)
{
	uint32_t divisor = 1193182u / hz;
	pit_hz = hz;
	outb(0x43, 0x34);
	outb(0x40, (uint8_t)(divisor & 0xff));
	outb(0x40, (uint8_t)(divisor >> 8));
	trap_set_handler(IRQ_BASE + 0, pit_irq);
	pic_unmask(0);
}

uint32_t pit_ticks_lo(void) { return (uint32_t)ticks; } /* one load, no lock */

uint64_t pit_ticks(void)
{
	uint32_t f = irq_save();
	uint64_t t = ticks;
	irq_restore(f);
	return t;
}
