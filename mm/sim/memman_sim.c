/*
 * memman_sim.c - the exact reference simulator of memman (rules in
 * memman_sim.h): the event order of memman_events.c driving a frame pool
 * (mm/pool.c over the software backend, mm/sim/pool_soft.c), with fault counts
 * per process and the state views of that pool. Host only: the kernel runs
 * the same events on real threads and page tables (kernel/cmd/memman.c).
 */
#include "memman_sim.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

/* ---- the reference simulator --------------------------------------------- */

/* OPT's future: the next-use table of the reference string. */
static int sim_future(struct memman_sim *s)
{
	struct trace_ref *refs;
	size_t n;
	int err = memman_refstring(s->trace, s->cfg.fit, &s->alloc, &refs, &n);
	if (err) return err;
	err = pool_plan_future(&s->pool, refs, n, &s->alloc);
	mm_free(&s->alloc, refs);
	return err;
}

static int sim_pool(struct memman_sim *s)
{
	int err = pool_soft_init(&s->soft, s->trace->nframes, &s->alloc);
	if (err) return err;
	s->soft_ready = true;
	struct pool_backend backend = pool_soft_backend(&s->soft);
	struct pool_config pc = { s->trace->nframes, s->cfg.policy, s->cfg.seed, 0 };
	err = pool_init(&s->pool, &pc, &backend, &s->alloc);
	s->pool_ready = err == 0;
	return err;
}

int memman_sim_init(struct memman_sim *s, const struct memman_trace *trace,
		    const struct memman_sim_config *cfg, const struct mm_allocator *a)
{
	mm_memset(s, 0, sizeof *s);
	if (!trace || !cfg || !cfg->fit || !cfg->policy || !a) return -MM_EINVAL;
	s->trace = trace;
	s->cfg = *cfg;
	s->alloc = *a;
	s->proc_faults = mm_alloc(a, ((size_t)trace->nprocs + 1) * sizeof *s->proc_faults);
	if (!s->proc_faults) return -MM_ENOMEM;
	mm_memset(s->proc_faults, 0, ((size_t)trace->nprocs + 1) * sizeof *s->proc_faults);
	int err = memman_events_init(&s->ev, trace, cfg->fit, cfg->interval, a);
	if (!err) err = sim_pool(s);
	if (!err && cfg->policy->needs_future) err = sim_future(s);
	if (err) memman_sim_fini(s);
	return err;
}

void memman_sim_fini(struct memman_sim *s)
{
	if (s->pool_ready) pool_fini(&s->pool);
	if (s->soft_ready) pool_soft_fini(&s->soft);
	s->pool_ready = s->soft_ready = false;
	memman_events_fini(&s->ev);
	mm_free(&s->alloc, s->proc_faults);
	s->proc_faults = NULL;
}

/* A process ended: give up the frames of its pages (their swap copies go
 * with them). Copies of pages evicted earlier stay in the software swap set
 * but are never read again: keys are never reused. */
static void sim_release(struct memman_sim *s, const struct memman_event *ev)
{
	for (uint32_t page = 0; page < ev->npages; page++) {
		uint64_t key = memman_page_key(ev->proc, page);
		int slot = pool_lookup(&s->pool, key);
		if (slot < 0) continue;
		pool_release(&s->pool, key);
		pool_soft_discard(&s->soft, (uint32_t)slot);
	}
}

static int sim_access(struct memman_sim *s, const struct memman_event *ev)
{
	int r = pool_reference(&s->pool, memman_page_key(ev->proc, ev->page), true);
	if (r < 0) return r;
	s->accesses++;
	if (r == 1) {
		s->faults++;
		s->proc_faults[ev->proc]++;
	}
	return 0;
}

int memman_sim_step(struct memman_sim *s, struct memman_event *ev)
{
	int r = memman_events_next(&s->ev, ev);
	if (r <= 0) return r;
	s->time = ev->time;
	switch (ev->kind) {
	case MEMMAN_EV_ARRIVE: s->admitted++; break;
	case MEMMAN_EV_REJECT: s->rejected++; break;
	case MEMMAN_EV_ACCESS: r = sim_access(s, ev); break;
	case MEMMAN_EV_END: sim_release(s, ev); s->ended++; break;
	case MEMMAN_EV_TICK: if (s->cfg.sweep_each_tick) pool_tick(&s->pool); break;
	}
	return r < 0 ? r : 1;
}

int memman_sim_run(struct memman_sim *s, struct mm_sink *msg)
{
	struct memman_event ev;
	int r;
	while ((r = memman_sim_step(s, &ev)) > 0) {
		if (ev.kind != MEMMAN_EV_REJECT || !msg) continue;
		mm_format(msg, "t=%u: process %u (%s) rejected: needs %u pages, no hole big enough\n",
			  ev.time, ev.proc, s->trace->procs[ev.proc].name, ev.npages);
	}
	return r;
}

static uint64_t slot_key(const struct memman_sim *s, uint32_t f)
{
	return pool_slot_used(&s->pool, f) ? pool_slot_page(&s->pool, f) : MEMMAN_NO_PAGE;
}

void memman_sim_frames(const struct memman_sim *s, uint64_t *keys)
{
	for (uint32_t f = 0; f < s->trace->nframes; f++) keys[f] = slot_key(s, f);
}


void memman_sim_mem_image(const struct memman_sim *s, uint8_t *buf)
{
	mm_memset(buf, 0xff, s->trace->total_mem);
	for (uint32_t f = 0; f < s->trace->nframes; f++) {
		uint64_t key = slot_key(s, f);
		if (key != MEMMAN_NO_PAGE)
			mm_memset(buf + (size_t)f * MEMMAN_PAGE_BYTES, (int)memman_key_proc(key), MEMMAN_PAGE_BYTES);
	}
}

void memman_sim_vir_image(const struct memman_sim *s, uint8_t *buf)
{
	memman_events_vir_image(&s->ev, buf);
}

int memman_sim_check(const struct memman_sim *s, struct mm_sink *err)
{
	int e = memman_events_check(&s->ev, err);
	if (!e) e = pool_check(&s->pool, err);
	if (!e) e = pool_soft_check(&s->soft, err);
	for (uint32_t f = 0; f < s->trace->nframes && !e; f++) {
		uint64_t key = slot_key(s, f);
		if (key == MEMMAN_NO_PAGE) continue;
		uint32_t p = memman_key_proc(key);
		if (p >= s->trace->nprocs || s->ev.state[p] != MEMMAN_RUNNING ||
		    memman_key_page(key) >= s->trace->procs[p].npages)
			e = mm_bad(err, "memman: frame %u holds page %u of process %u, not running or too far",
				    f, memman_key_page(key), p);
	}
	return e;
}

/* ---- reports ---------------------------------------------------------------- */

static uint64_t sim_key(const void *ctx, uint32_t f)
{
	return slot_key(ctx, f);
}

void memman_sim_print_state(const struct memman_sim *s, struct mm_sink *out)
{
	mm_format(out, "time %u: %llu page faults\n", s->time, (unsigned long long)s->faults);
	memman_print_frames_by(s->trace, s->trace->nframes, sim_key, s, out);
	memman_events_print_virt(&s->ev, out);
}

void memman_sim_print_faults(const struct memman_sim *s, struct mm_sink *out)
{
	for (uint32_t p = 0; p < s->trace->nprocs; p++) {
		mm_format(out, "  %u %s: ", p, s->trace->procs[p].name);
		if (s->ev.state[p] == MEMMAN_REJECTED) mm_format(out, "rejected\n");
		else mm_format(out, "%llu page faults\n", (unsigned long long)s->proc_faults[p]);
	}
	mm_format(out, "page faults: %llu\n", (unsigned long long)s->faults);
}
