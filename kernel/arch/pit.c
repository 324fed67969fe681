/*
 * pit.c - the 8254 programmable interval timer, channel 0 in rate-generator
 * mode at pit_hz, counting ticks. Subsystems that live on the tick register
 * with pit_on_tick and are called in the order they registered, interrupts
 * off: the console (buffered output goes out), the frame pools' sweeps, and
 * last the scheduler, which may switch threads.
 */
#include "io.h"
#include "console.h"
#include "kernel.h"
#include "trap.h"

unsigned pit_hz;
static volatile uint64_t ticks;
#define PIT_SUBSCRIBERS 8
static void (*subscribers[PIT_SUBSCRIBERS])(uint64_t now);
static unsigned nsubscribers;

void pit_on_tick(void (*fn)(uint64_t now))
{
	if (nsubscribers == PIT_SUBSCRIBERS) KPANIC("pit_on_tick: more than %u subscribers", PIT_SUBSCRIBERS);
	subscribers[nsubscribers++] = fn;
}

static void pit_irq(struct trap_frame *tf)
{
	(void)tf;
	ticks++;
	pic_eoi(0);
	for (unsigned i = 0; i < nsubscribers; i++) subscribers[i](ticks);
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
