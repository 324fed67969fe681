/*
 * kpools.c - the list of live frame pools (see kpools.h), and the timer's
 * sweep of those that asked for one.
 */
#include "io.h"
#include "kernel.h"
#include "kmain.h"
#include "swapdev.h"
#include "kpools.h"

struct vmpool *kpools[KPOOLS_MAX];
static uint32_t sweep_every[KPOOLS_MAX];
uint64_t kpools_sweeps;

void kpool_register_swept(struct vmpool *vp, uint32_t ticks)
{
	uint32_t f = irq_save();
	for (int i = 0; i < KPOOLS_MAX; i++)
		if (!kpools[i]) {
			kpools[i] = vp;
			sweep_every[i] = ticks;
			break;
		}
	irq_restore(f);
}

void kpool_register(struct vmpool *vp) { kpool_register_swept(vp, 0); }

void kpool_unregister(struct vmpool *vp)
{
	uint32_t f = irq_save();
	for (int i = 0; i < KPOOLS_MAX; i++)
		if (kpools[i] == vp) {
			kpools[i] = 0;
			sweep_every[i] = 0;
		}
	irq_restore(f);
}

static void kpools_tick(uint64_t now)
{
	for (int i = 0; i < KPOOLS_MAX; i++)
		if (kpools[i] && sweep_every[i] && now % sweep_every[i] == 0) {
			pool_tick(&kpools[i]->pool);
			kpools_sweeps++;
		}
}

void kpools_print(struct mm_sink *out)
{
	int n = 0;
	for (int i = 0; i < KPOOLS_MAX; i++)
		if (kpools[i]) {
			mm_format(out, "[%d] ", i);
			vmpool_print(kpools[i], out);
			n++;
		}
	if (!n) mm_format(out, "no frame pools in use\n");
}

static void kpools_init(void) { pit_on_tick(kpools_tick); } /* before the scheduler's */
BOOT_HOOK(kpools, kpools_init, 20);
