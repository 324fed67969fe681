/*
 * memman_events.c - the memman event order (rules in memman_sim.h): the event
 * iterator that puts a trace's arrivals, accesses and ends in their order
 * and places segments with a fit policy, the reference string of a trace,
 * and the views memman users know (byte images, xxd dump, maps). The kernel
 * drives its threads with these; mm/sim/memman_sim.c drives a software pool.
 *
 * Algorithm: three index arrays, sorted once by a stable merge sort on
 * (time, line order): processes by arrival, processes by end, accesses by
 * time. The iterator walks the three with one cursor each, time by time,
 * jumping straight to the next time at which anything is scheduled (or to
 * the next multiple of the print interval). Each event is O(1) apart from
 * the fit policy's own cost; sorting is O(n log n).
 */
#include "memman_sim.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

enum { PHASE_ARRIVE, PHASE_ACCESS, PHASE_END, PHASE_TICK };

/* ---- sorting ------------------------------------------------------------- */

typedef uint32_t (*sort_key)(const struct memman_trace *t, uint32_t i);

static uint32_t key_t0(const struct memman_trace *t, uint32_t i) { return t->procs[i].t0; }
static uint32_t key_tf(const struct memman_trace *t, uint32_t i) { return t->procs[i].tf; }
static uint32_t key_time(const struct memman_trace *t, uint32_t i) { return t->accesses[i].time; }

/* Merge the sorted runs src[lo..mid) and src[mid..hi) into dst; ties keep
 * the left run first (stability). */
static void merge(const uint32_t *src, uint32_t *dst, uint32_t lo, uint32_t mid, uint32_t hi,
		  const struct memman_trace *t, sort_key key)
{
	uint32_t i = lo, j = mid, k = lo;
	while (i < mid && j < hi) dst[k++] = key(t, src[j]) < key(t, src[i]) ? src[j++] : src[i++];
	while (i < mid) dst[k++] = src[i++];
	while (j < hi) dst[k++] = src[j++];
}

/* Sort idx[0..n) = 0..n-1 by key, stably (bottom-up merge sort; tmp has n). */
static void sort_indices(uint32_t *idx, uint32_t *tmp, uint32_t n, const struct memman_trace *t,
			 sort_key key)
{
	uint32_t *src = idx, *dst = tmp;
	for (uint32_t i = 0; i < n; i++) idx[i] = i;
	for (uint32_t width = 1; width < n; width *= 2) {
		for (uint32_t lo = 0; lo < n; lo += 2 * width) {
			uint32_t mid = n - lo > width ? lo + width : n;
			uint32_t hi = n - mid > width ? mid + width : n;
			merge(src, dst, lo, mid, hi, t, key);
		}
		uint32_t *swap = src;
		src = dst;
		dst = swap;
	}
	if (src != idx) mm_memcpy(idx, src, (size_t)n * sizeof *idx);
}

/* ---- the event iterator -------------------------------------------------- */

static size_t events_layout(uint32_t np, uint32_t na, size_t off[6])
{
	size_t end = 0;
	off[0] = mm_take(&end, (size_t)np * 4);  /* by_arrival */
	off[1] = mm_take(&end, (size_t)np * 4);  /* by_end */
	off[2] = mm_take(&end, (size_t)na * 4);  /* by_time */
	off[3] = mm_take(&end, (size_t)na * 4);  /* access_proc */
	off[4] = mm_take(&end, (size_t)np * 4);  /* base */
	off[5] = mm_take(&end, (size_t)np + 8);  /* state (never empty) */
	return end;
}

static int events_arrays(struct memman_events *it, const struct mm_allocator *a)
{
	const struct memman_trace *t = it->trace;
	size_t off[6];
	char *mem = mm_alloc(a, events_layout(t->nprocs, t->naccesses, off));
	uint32_t n = t->nprocs > t->naccesses ? t->nprocs : t->naccesses;
	uint32_t *tmp = mm_alloc(a, (size_t)n * 4 + 4);
	if (!mem || !tmp) {
		mm_free(a, mem);
		mm_free(a, tmp);
		return -MM_ENOMEM;
	}
	it->block = mem;
	it->by_arrival = (uint32_t *)(mem + off[0]);
	it->by_end = (uint32_t *)(mem + off[1]);
	it->by_time = (uint32_t *)(mem + off[2]);
	it->access_proc = (uint32_t *)(mem + off[3]);
	it->base = (uint32_t *)(mem + off[4]);
	it->state = (uint8_t *)(mem + off[5]);
	sort_indices(it->by_arrival, tmp, t->nprocs, t, key_t0);
	sort_indices(it->by_end, tmp, t->nprocs, t, key_tf);
	sort_indices(it->by_time, tmp, t->naccesses, t, key_time);
	mm_free(a, tmp);
	return 0;
}

/* Per process and per access bookkeeping; the first and last times. */
static void events_start(struct memman_events *it)
{
	const struct memman_trace *t = it->trace;
	it->last = 0;
	for (uint32_t p = 0; p < t->nprocs; p++) {
		const struct memman_proc *pr = &t->procs[p];
		it->base[p] = FIT_NONE;
		it->state[p] = MEMMAN_WAITING;
		for (uint32_t i = 0; i < pr->naccesses; i++) it->access_proc[pr->first + i] = p;
		if (pr->tf > it->last) it->last = pr->tf;
	}
	it->done = t->nprocs == 0;
	it->now = 0;
	if (!it->done && !it->interval) it->now = t->procs[it->by_arrival[0]].t0;
	it->phase = PHASE_ARRIVE;
	it->busy = false;
}

int memman_events_init(struct memman_events *it, const struct memman_trace *trace,
		       const struct fit_ops *fit, uint32_t interval,
		       const struct mm_allocator *a)
{
	mm_memset(it, 0, sizeof *it);
	if (!trace || !fit || !a) return -MM_EINVAL;
	it->trace = trace;
	it->alloc = *a;
	it->interval = interval;
	int err = fit_create(&it->fit, fit, trace->nvpages, a);
	if (err) return err;
	err = events_arrays(it, a);
	if (err) {
		fit_destroy(&it->fit, a);
		return err;
	}
	events_start(it);
	return 0;
}

void memman_events_fini(struct memman_events *it)
{
	if (it->fit.state) fit_destroy(&it->fit, &it->alloc);
	if (it->block) mm_free(&it->alloc, it->block);
	it->block = NULL;
}

static bool arrival_due(const struct memman_events *it)
{
	return it->next_arrival < it->trace->nprocs &&
	       it->trace->procs[it->by_arrival[it->next_arrival]].t0 == it->now;
}

static bool access_due(const struct memman_events *it)
{
	return it->next_access < it->trace->naccesses &&
	       it->trace->accesses[it->by_time[it->next_access]].time == it->now;
}

static bool end_due(const struct memman_events *it)
{
	return it->next_end < it->trace->nprocs &&
	       it->trace->procs[it->by_end[it->next_end]].tf == it->now;
}

static void event_for(struct memman_event *ev, enum memman_event_kind kind, uint64_t now, uint32_t p)
{
	mm_memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->time = (uint32_t)now;
	ev->proc = p;
}

static void take_arrival(struct memman_events *it, struct memman_event *ev)
{
	uint32_t p = it->by_arrival[it->next_arrival++];
	uint32_t npages = it->trace->procs[p].npages;
	uint32_t base = fit_alloc(&it->fit, npages);
	it->busy = true;
	event_for(ev, base == FIT_NONE ? MEMMAN_EV_REJECT : MEMMAN_EV_ARRIVE, it->now, p);
	ev->npages = npages;
	ev->base = base;
	it->base[p] = base;
	it->state[p] = base == FIT_NONE ? MEMMAN_REJECTED : MEMMAN_RUNNING;
}

/* The next access due; false if it belongs to a rejected process. */
static bool take_access(struct memman_events *it, struct memman_event *ev)
{
	uint32_t a = it->by_time[it->next_access++];
	uint32_t p = it->access_proc[a];
	it->busy = true;
	if (it->state[p] == MEMMAN_REJECTED) return false;
	MM_ASSERT(it->state[p] == MEMMAN_RUNNING, "memman: access %u of process %u in state %u", a, p,
		  it->state[p]);
	event_for(ev, MEMMAN_EV_ACCESS, it->now, p);
	ev->access = a;
	ev->pos = it->trace->accesses[a].pos;
	ev->page = memman_page_of(ev->pos);
	ev->base = it->base[p];
	ev->vpage = ev->base + ev->page;
	return true;
}

/* The next end due; false if it belongs to a rejected process. */
static bool take_end(struct memman_events *it, struct memman_event *ev)
{
	uint32_t p = it->by_end[it->next_end++];
	it->busy = true;
	if (it->state[p] == MEMMAN_REJECTED) return false;
	MM_ASSERT(it->state[p] == MEMMAN_RUNNING, "memman: end of process %u in state %u", p, it->state[p]);
	event_for(ev, MEMMAN_EV_END, it->now, p);
	ev->base = it->base[p];
	ev->npages = it->trace->procs[p].npages;
	fit_free(&it->fit, ev->base, ev->npages);
	it->base[p] = FIT_NONE;
	it->state[p] = MEMMAN_ENDED;
	return true;
}

static void consider(uint64_t *next, uint64_t t)
{
	if (t < *next) *next = t;
}

/* Move to the next time at which something is scheduled or a tick is due. */
static void advance(struct memman_events *it)
{
	const struct memman_trace *t = it->trace;
	uint64_t next = UINT64_MAX;
	if (it->next_arrival < t->nprocs) consider(&next, t->procs[it->by_arrival[it->next_arrival]].t0);
	if (it->next_access < t->naccesses) consider(&next, t->accesses[it->by_time[it->next_access]].time);
	if (it->next_end < t->nprocs) consider(&next, t->procs[it->by_end[it->next_end]].tf);
	if (it->interval) {
		uint64_t m = (it->now / it->interval + 1) * it->interval;
		if (m <= it->last) consider(&next, m);
	}
	it->done = next == UINT64_MAX;
	it->now = next;
	it->busy = false;
	it->phase = PHASE_ARRIVE;
}

/* The tick closing the current time, if one is due; then move on. */
static bool take_tick(struct memman_events *it, struct memman_event *ev)
{
	bool due = it->busy || (it->interval && it->now % it->interval == 0);
	uint64_t now = it->now;
	advance(it);
	if (!due) return false;
	event_for(ev, MEMMAN_EV_TICK, now, 0);
	return true;
}

int memman_events_next(struct memman_events *it, struct memman_event *ev)
{
	while (!it->done) {
		if (it->phase == PHASE_ARRIVE) {
			if (arrival_due(it)) {
				take_arrival(it, ev);
				return 1;
			}
			it->phase = PHASE_ACCESS;
		} else if (it->phase == PHASE_ACCESS) {
			if (!access_due(it)) it->phase = PHASE_END;
			else if (take_access(it, ev)) return 1;
		} else if (it->phase == PHASE_END) {
			if (!end_due(it)) it->phase = PHASE_TICK;
			else if (take_end(it, ev)) return 1;
		} else if (take_tick(it, ev)) {
			return 1;
		}
	}
	return 0;
}

int memman_events_check(const struct memman_events *it, struct mm_sink *err)
{
	const struct memman_trace *t = it->trace;
	const struct fit_space *sp = fit_space(&it->fit);
	uint32_t running = 0;
	int e = fit_check(&it->fit, err);
	if (e) return e;
	for (uint32_t p = 0; p < t->nprocs; p++) {
		if (it->state[p] != MEMMAN_RUNNING) {
			if (it->base[p] != FIT_NONE)
				return mm_bad(err, "memman: process %u in state %u has base %u", p,
					       it->state[p], it->base[p]);
			continue;
		}
		running++;
		uint32_t b = it->base[p];
		if (b >= sp->nunits || sp->seg_len[b] != t->procs[p].npages)
			return mm_bad(err, "memman: process %u's segment at %u of %u pages is not the fit's",
				       p, b, t->procs[p].npages);
	}
	if (running != sp->nsegs)
		return mm_bad(err, "memman: %u processes running, %u segments", running, sp->nsegs);
	return 0;
}

/* ---- the reference string ------------------------------------------------ */

int memman_refstring(const struct memman_trace *trace, const struct fit_ops *fit,
		     const struct mm_allocator *a, struct trace_ref **refs, size_t *nrefs)
{
	struct memman_events it;
	struct memman_event ev;
	*refs = NULL;
	*nrefs = 0;
	if (trace->naccesses == 0) return 0;
	struct trace_ref *r = mm_alloc(a, (size_t)trace->naccesses * sizeof *r);
	if (!r) return -MM_ENOMEM;
	int err = memman_events_init(&it, trace, fit, 0, a);
	if (err) {
		mm_free(a, r);
		return err;
	}
	size_t n = 0;
	while (memman_events_next(&it, &ev) > 0) {
		if (ev.kind != MEMMAN_EV_ACCESS) continue;
		r[n].page = memman_page_key(ev.proc, ev.page);
		r[n++].is_write = 1;
	}
	memman_events_fini(&it);
	if (n == 0) {
		mm_free(a, r);
		r = NULL;
	}
	*refs = r;
	*nrefs = n;
	return 0;
}

/* ---- views ---------------------------------------------------------------- */

static void fill_page(uint8_t *buf, uint32_t page, uint32_t npages, uint32_t id)
{
	mm_memset(buf + (size_t)page * MEMMAN_PAGE_BYTES, (int)id, (size_t)npages * MEMMAN_PAGE_BYTES);
}

void memman_mem_image(const uint64_t *keys, uint32_t nframes, uint8_t *buf, uint32_t nbytes)
{
	MM_ASSERT((uint64_t)nframes * MEMMAN_PAGE_BYTES <= nbytes, "memman: %u frames in %u bytes",
		  nframes, nbytes);
	mm_memset(buf, 0xff, nbytes);
	for (uint32_t f = 0; f < nframes; f++)
		if (keys[f] != MEMMAN_NO_PAGE) fill_page(buf, f, 1, memman_key_proc(keys[f]));
}

void memman_events_vir_image(const struct memman_events *it, uint8_t *buf)
{
	const struct memman_trace *t = it->trace;
	mm_memset(buf, 0xff, t->virtual_mem);
	for (uint32_t p = 0; p < t->nprocs; p++)
		if (it->state[p] == MEMMAN_RUNNING) fill_page(buf, it->base[p], t->procs[p].npages, p);
}

/* "frame 3" or "frames 3-5" (what = "frame"/"page"). */
static void print_range(struct mm_sink *out, const char *what, uint32_t a, uint32_t b)
{
	if (a == b) mm_format(out, "  %s %u: ", what, a);
	else mm_format(out, "  %ss %u-%u: ", what, a, b);
}


static uint64_t array_key(const void *ctx, uint32_t f)
{
	return ((const uint64_t *)ctx)[f];
}

/* The physical map, reading the page of frame f as key(ctx, f). */
void memman_print_frames_by(const struct memman_trace *trace, uint32_t nframes, memman_frame_key key,
			    const void *ctx, struct mm_sink *out)
{
	uint32_t nfree = 0;
	for (uint32_t f = 0; f < nframes; f++) nfree += key(ctx, f) == MEMMAN_NO_PAGE;
	mm_format(out, "physical memory: %u frames of 16 bytes, %u free\n", nframes, nfree);
	for (uint32_t f = 0, g; f < nframes; f = g + 1) {
		uint64_t k = key(ctx, f);
		g = f;
		if (k != MEMMAN_NO_PAGE) {
			uint32_t p = memman_key_proc(k);
			print_range(out, "frame", f, f);
			mm_format(out, "process %u (%s) page %u\n", p,
				  p < trace->nprocs ? trace->procs[p].name : "?", memman_key_page(k));
			continue;
		}
		while (g + 1 < nframes && key(ctx, g + 1) == MEMMAN_NO_PAGE) g++;
		print_range(out, "frame", f, g);
		mm_format(out, "free\n");
	}
}

void memman_print_frames(const struct memman_trace *trace, const uint64_t *keys,
			 uint32_t nframes, struct mm_sink *out)
{
	memman_print_frames_by(trace, nframes, array_key, keys, out);
}

/* The running process whose segment starts at virtual page u. */
static uint32_t segment_owner(const struct memman_events *it, uint32_t u)
{
	for (uint32_t p = 0; p < it->trace->nprocs; p++)
		if (it->state[p] == MEMMAN_RUNNING && it->base[p] == u) return p;
	return FIT_NONE;
}

void memman_events_print_virt(const struct memman_events *it, struct mm_sink *out)
{
	const struct fit_space *sp = fit_space(&it->fit);
	bool hole;
	mm_format(out, "virtual memory: %u pages of 16 bytes, %s fit, %u free in %u holes\n",
		  sp->nunits, it->fit.ops->name, sp->free_units, sp->nholes);
	for (uint32_t u = 0, len; u < sp->nunits; u += len) {
		len = fit_space_piece(sp, u, &hole);
		print_range(out, "page", u, u + len - 1);
		uint32_t p = hole ? FIT_NONE : segment_owner(it, u);
		if (hole) mm_format(out, "hole\n");
		else if (p == FIT_NONE) mm_format(out, "segment of nobody\n");
		else mm_format(out, "process %u (%s)\n", p, it->trace->procs[p].name);
	}
}

static char printable(uint8_t c)
{
	return c >= 0x20 && c <= 0x7e ? (char)c : '.';
}

static void xxd_line(const uint8_t *bytes, size_t n, size_t off, struct mm_sink *out)
{
	static const char hex[] = "0123456789abcdef";
	char line[96];
	size_t len = (size_t)mm_snprintf(line, sizeof line, "%08lx: ", (unsigned long)off);
	size_t cols = n - off < 16 ? n - off : 16;
	for (size_t i = 0; i < 16; i++) {
		line[len++] = i < cols ? hex[bytes[off + i] >> 4] : ' ';
		line[len++] = i < cols ? hex[bytes[off + i] & 15] : ' ';
		line[len++] = ' ';
	}
	line[len++] = ' ';
	for (size_t i = 0; i < cols; i++) line[len++] = printable(bytes[off + i]);
	line[len++] = '\n';
	out->put(out->ctx, line, len);
}

static void xxd(const uint8_t *bytes, size_t n, bool fold, struct mm_sink *out)
{
	bool starred = false;
	for (size_t off = 0; off < n; off += 16) {
		bool repeat = fold && off >= 16 && off + 16 < n && mm_memcmp(bytes + off, bytes + off - 16, 16) == 0;
		if (repeat) {
			if (!starred) out->put(out->ctx, "*\n", 2);
			starred = true;
			continue;
		}
		starred = false;
		xxd_line(bytes, n, off, out);
	}
}

void memman_xxd(const uint8_t *bytes, size_t n, struct mm_sink *out) { xxd(bytes, n, false, out); }
void memman_xxd_folded(const uint8_t *bytes, size_t n, struct mm_sink *out) { xxd(bytes, n, true, out); }

void memman_print_event(const struct memman_trace *trace, const struct memman_event *ev,
			struct mm_sink *out)
{
	const char *name = ev->kind != MEMMAN_EV_TICK ? trace->procs[ev->proc].name : "";
	mm_format(out, "t=%u ", ev->time);
	switch (ev->kind) {
	case MEMMAN_EV_ARRIVE:
		mm_format(out, "arrive process %u (%s) pages %u-%u\n", ev->proc, name, ev->base,
			  ev->base + ev->npages - 1);
		break;
	case MEMMAN_EV_REJECT:
		mm_format(out, "reject process %u (%s) needing %u pages\n", ev->proc, name, ev->npages);
		break;
	case MEMMAN_EV_ACCESS:
		mm_format(out, "access process %u (%s) pos %u page %u vpage %u\n", ev->proc, name,
			  ev->pos, ev->page, ev->vpage);
		break;
	case MEMMAN_EV_END:
		mm_format(out, "end process %u (%s) pages %u-%u\n", ev->proc, name, ev->base,
			  ev->base + ev->npages - 1);
		break;
	case MEMMAN_EV_TICK:
		mm_format(out, "tick\n");
		break;
	}
}

