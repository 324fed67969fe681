/*
 * frame_zero.c - frames zeroed in idle time for demand-zero faults (see
 * frame_zero.h). Algorithm: a LIFO stock filled by frame_zero_fill and
 * emptied by frame_zero_take; bookkeeping under mm_irq_save, the clearing
 * itself outside it.
 */
#include "frame_zero.h"
#include "mm_env.h"

void frame_zero_init(struct frame_zero *fz, struct frame_cache *fc, uint32_t max)
{
	fz->fc = fc;
	fz->n = 0;
	fz->max = max > FRAME_ZERO_MAX ? FRAME_ZERO_MAX : max;
	fz->hits = fz->misses = fz->made = 0;
}

uint32_t frame_zero_fill(struct frame_zero *fz, uint32_t budget)
{
	uint32_t made = 0;
	while (made < budget && fz->n < fz->max) {
		pfn_t p = frame_cache_alloc(fz->fc);
		if (pfn_is_none(p)) break;
		mm_zero_page(mm_phys_to_virt(pfn_to_paddr(p)));
		uint32_t irq = mm_irq_save();
		bool room = fz->n < fz->max;
		if (room) {
			frame_desc(fz->fc->fa, p)->aux = FRAME_ZERO_MARK;
			fz->stock[fz->n++] = p;
			fz->made++;
		}
		mm_irq_restore(irq);
		if (!room) { /* someone else filled it meanwhile */
			frame_cache_free(fz->fc, p);
			break;
		}
		made++;
	}
	return made;
}

pfn_t frame_zero_take(struct frame_zero *fz)
{
	uint32_t irq = mm_irq_save();
	pfn_t p = PFN_NONE;
	if (fz->n) {
		p = fz->stock[--fz->n];
		frame_desc(fz->fc->fa, p)->aux = 0;
		fz->hits++;
	} else {
		fz->misses++;
	}
	mm_irq_restore(irq);
	return p;
}

void frame_zero_drain(struct frame_zero *fz)
{
	for (;;) {
		uint32_t irq = mm_irq_save();
		pfn_t p = PFN_NONE;
		if (fz->n) {
			p = fz->stock[--fz->n];
			frame_desc(fz->fc->fa, p)->aux = 0;
		}
		mm_irq_restore(irq);
		if (pfn_is_none(p)) return;
		frame_cache_free(fz->fc, p);
	}
}

static bool page_is_zero(pfn_t p)
{
	const uint32_t *w = mm_phys_to_virt(pfn_to_paddr(p));
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		if (w[i]) return false;
	return true;
}

int frame_zero_check(const struct frame_zero *fz, struct mm_sink *report)
{
	const struct frame_alloc *fa = fz->fc->fa;
	for (uint32_t i = 0; i < fz->n; i++) {
		pfn_t p = fz->stock[i];
		const struct frame *f = frame_valid(fa, p) ? frame_desc(fa, p) : 0;
		const char *why = !f ? "beyond memory"
			: f->flags != (FRAME_F_HEAD | FRAME_F_ALLOCATED) || f->order ? "not an allocated order-0 block"
			: f->aux != FRAME_ZERO_MARK ? "not marked"
			: !page_is_zero(p) ? "written since it was zeroed" : 0;
		for (uint32_t j = 0; !why && j < i; j++)
			if (pfn_eq(fz->stock[j], p)) why = "stocked twice";
		if (why) {
			if (report) mm_format(report, "frame_zero: pfn 0x%x %s\n", pfn_u32(p), why);
			return -MM_EINVAL;
		}
	}
	return 0;
}
