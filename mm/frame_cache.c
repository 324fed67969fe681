/*
 * frame_cache.c - a stack of free single frames in front of the buddy
 * allocator (see frame_cache.h). Algorithm: LIFO (the most recently freed
 * frame is the warmest), batch refill when empty, batch drain when full.
 */
#include "frame_cache.h"
#include "mm_env.h"

void frame_cache_init(struct frame_cache *fc, struct frame_alloc *fa)
{
	fc->fa = fa;
	fc->n = 0;
	fc->hits = fc->refills = fc->drains = 0;
}

static void refill(struct frame_cache *fc)
{
	fc->refills++;
	while (fc->n < FRAME_CACHE_BATCH) {
		pfn_t p = frame_alloc(fc->fa, 0);
		if (pfn_is_none(p)) break;
		frame_desc(fc->fa, p)->aux = FRAME_CACHE_MARK;
		fc->hot[fc->n++] = p;
	}
}

static void drain(struct frame_cache *fc, uint32_t keep)
{
	fc->drains++;
	while (fc->n > keep) {
		pfn_t p = fc->hot[--fc->n];
		frame_desc(fc->fa, p)->aux = 0;
		frame_free(fc->fa, p, 0);
	}
}

pfn_t frame_cache_alloc(struct frame_cache *fc)
{
	uint32_t irq = mm_irq_save();
	if (fc->n == 0) refill(fc);
	pfn_t p = PFN_NONE;
	if (fc->n) {
		p = fc->hot[--fc->n];
		frame_desc(fc->fa, p)->aux = 0;
		fc->hits++;
	}
	mm_irq_restore(irq);
	return p;
}

int frame_cache_free(struct frame_cache *fc, pfn_t pfn)
{
	uint32_t irq = mm_irq_save();
	struct frame_alloc *fa = fc->fa;
	struct frame *f = frame_valid(fa, pfn) ? frame_desc(fa, pfn) : 0;
	bool live = f && f->flags == (FRAME_F_HEAD | FRAME_F_ALLOCATED) && f->order == 0;
	if (!live || f->aux == FRAME_CACHE_MARK) {
		mm_irq_restore(irq);
		if (live) { /* already cached: a double free */
			if (fa->strict)
				mm_panic(__FILE__, __LINE__, "frame_cache_free(pfn 0x%x): double free",
					 pfn_u32(pfn));
			mm_log("frame_cache_free(pfn 0x%x): double free\n", pfn_u32(pfn));
			return -MM_EINVAL;
		}
		return frame_free(fa, pfn, 0); /* refused, with its reason */
	}
	if (fc->n == FRAME_CACHE_MAX) drain(fc, FRAME_CACHE_MAX - FRAME_CACHE_BATCH);
	f->aux = FRAME_CACHE_MARK;
	fc->hot[fc->n++] = pfn;
	mm_irq_restore(irq);
	return 0;
}

pfn_t frame_cache_alloc_order(struct frame_cache *fc, unsigned order)
{
	if (order == 0) return frame_cache_alloc(fc);
	pfn_t p = frame_alloc(fc->fa, order);
	if (pfn_is_none(p) && fc->n) {
		frame_cache_drain(fc);
		p = frame_alloc(fc->fa, order);
	}
	return p;
}

void frame_cache_drain(struct frame_cache *fc)
{
	uint32_t irq = mm_irq_save();
	drain(fc, 0);
	mm_irq_restore(irq);
}

uint32_t frame_cache_nfree(const struct frame_cache *fc) { return fc->fa->nfree + fc->n; }

int frame_cache_check(const struct frame_cache *fc, struct mm_sink *report)
{
	int bad = 0;
	for (uint32_t i = 0; i < fc->n; i++) {
		pfn_t p = fc->hot[i];
		const struct frame *f = frame_valid(fc->fa, p) ? frame_desc(fc->fa, p) : 0;
		if (!f || f->flags != (FRAME_F_HEAD | FRAME_F_ALLOCATED) || f->order || f->aux != FRAME_CACHE_MARK) {
			if (report)
				mm_format(report, "frame cache: entry %u (pfn 0x%x) is not a marked order-0 block\n",
					  i, pfn_u32(p));
			bad = 1;
		}
		for (uint32_t j = 0; j < i; j++)
			if (pfn_eq(fc->hot[j], p)) {
				if (report) mm_format(report, "frame cache: pfn 0x%x cached twice\n", pfn_u32(p));
				bad = 1;
			}
	}
	return bad ? -MM_EINVAL : frame_check(fc->fa, report);
}
