/*
 * memman.c - the memman simulator of seed 001, run for real: every process
 * of a trace is a kernel thread with its own address space; each 16-byte
 * memman page is backed by one real 4 KiB page at MEMMAN_BASE + vpage * 4
 * KiB; physical memory is one frame pool of total_mem/16 frames with the
 * chosen replacement policy, so every memman page fault is a real page fault
 * on the process's thread. The order of events (arrivals, accesses in trace
 * order, ends; see mm/sim/memman_sim.h) comes from the portable event iterator,
 * which also places segments with the chosen fit policy.
 *
 * Commands (Portuguese with English aliases): carrega/load <file>|-,
 * espaco/fit <n|name>, substitui/policy <n|name>, executa/run <interval>,
 * show/status, dump mem|vir.
 */
#include "files.h"
#include "kernel.h"
#include "mem.h"
#include "memman_sim.h"
#include "mmlib.h"
#include "proc.h"
#include "shell.h"
#include "swapdev.h"
#include "thread.h"
#include "kpools.h"
#include "kwin.h"

#define MEMMAN_BASE vaddr_make(0x01000000u)

struct mm_state {
	struct memman_trace trace;
	bool loaded;
	char name[64];
	const struct fit_ops *fit;
	const struct repl_ops *policy;
	uint8_t *mem_img, *vir_img; /* the images at the last state printed */
	uint64_t last_faults;
	bool ran;
};

static struct mm_state st;

/* One run: the pool, the processes, the iterator. */
struct mm_run {
	struct memman_events ev;
	struct vmpool vp;
	struct proc *procs;        /* per trace process */
	uint64_t *keys;            /* per frame, for the maps */
	uint64_t *faults;          /* per process: its space's count, read when it ends */
	uint32_t interval;
	uint32_t ms_per_unit;      /* real-time mode: PIT time per time unit */
	uint32_t last_time;        /* of the last TICK, for the real-time mode */
	uint32_t end_time;         /* the latest time an event had: where the run got to */
};

static void defaults(void)
{
	if (!st.fit) st.fit = fit_by_memman(1);
	if (!st.policy) st.policy = repl_by_memman(2);
}

/* ---- loading ---- */

static int load_buffer(const char *buf, size_t n, const char *name)
{
	struct memman_trace t;
	struct memman_error err;
	int rc = memman_trace_parse(buf, n, MEMMAN_TRACE_ROUND, &kvm_allocator, &t, &err);
	if (rc) {
		kprintf("carrega: %s: %s; nothing loaded\n", name,
			rc == -MM_EINVAL ? err.msg : "out of memory");
		return 1;
	}
	if (st.loaded) memman_trace_free(&st.trace, &kvm_allocator);
	st.trace = t;
	st.loaded = true;
	st.ran = false;
	mm_strncpy0(st.name, name, sizeof st.name);
	kvfree(st.mem_img);
	kvfree(st.vir_img);
	st.mem_img = kvmalloc(t.total_mem + 1);
	st.vir_img = kvmalloc(t.virtual_mem + 1);
	if (st.mem_img) mm_memset(st.mem_img, 0xff, t.total_mem);
	if (st.vir_img) mm_memset(st.vir_img, 0xff, t.virtual_mem);
	kprintf("loaded %s: %u processes, %u accesses;\n"
		"  %u bytes of physical memory (%u frames), %u of virtual (%u pages)\n", name, t.nprocs, t.naccesses, t.total_mem, t.nframes,
		t.virtual_mem, t.nvpages);
	return 0;
}

/* A trace typed or pasted on the console, up to a line with a single '.'. */
static int load_console(void)
{
	enum { CAP = 1u << 20 };
	char *buf = kvmalloc(CAP);
	char line[SHELL_LINE_MAX];
	size_t n = 0;
	if (!buf) return 1;
	kprintf("paste the trace; end with a line holding a single '.'\n");
	for (;;) {
		int len = shell_readline("", line, sizeof line);
		if (len < 0) continue;
		if (mm_strcmp(line, ".") == 0) break;
		if (n + (size_t)len + 1 >= CAP) {
			kprintf("carrega: the trace is too long for the console (1 MiB); nothing loaded\n");
			kvfree(buf);
			return 1;
		}
		mm_memcpy(buf + n, line, (size_t)len);
		n += (size_t)len;
		buf[n++] = '\n';
	}
	int rc = load_buffer(buf, n, "(console)");
	kvfree(buf);
	return rc;
}

static int cmd_carrega(int argc, char **argv)
{
	struct kfile_data f;
	if (argc != 2) {
		kprintf("usage: carrega <file> | carrega -   (files: ls)\n");
		return 1;
	}
	defaults();
	if (mm_strcmp(argv[1], "-") == 0) return load_console();
	if (file_data_get("carrega", argv[1], &f)) return 1;
	int rc = load_buffer(f.data, f.size, argv[1]);
	file_data_release(&f);
	return rc;
}
SHELL_COMMAND_DOC(carrega, "load", "memman: load a trace file (or - to paste one)",
		  "carrega <file> | carrega -   (- : paste the trace, end with .)",
		  "carrega trace.txt",
		  "the trace's processes, frames and virtual pages",
		  cmd_carrega);

static int cmd_espaco(int argc, char **argv)
{
	const struct fit_ops *f = argc == 2 ? fit_lookup(argv[1]) : 0;
	if (!f) {
		if (argc == 2) kprintf("espaco: unknown free-space algorithm '%s'; the valid ones:\n", argv[1]);
		else kprintf("usage: espaco <n|name>; the free-space algorithms:\n");
		fit_list(&console_sink);
		return 1;
	}
	st.fit = f;
	kprintf("free-space algorithm: %s\n", f->name);
	return 0;
}
SHELL_COMMAND_DOC(espaco, "fit", "memman: choose the free-space algorithm (1 first, 2 next, 3 quick, best, worst)",
		  "espaco <n|name>   (no argument: list them)",
		  "espaco best",
		  "the chosen algorithm, or the list of free-space algorithms",
		  cmd_espaco);

static int cmd_substitui(int argc, char **argv)
{
	const struct repl_ops *p = argc == 2 ? repl_lookup(argv[1]) : 0;
	if (!p) {
		if (argc == 2) kprintf("substitui: unknown replacement policy '%s'; the valid ones:\n", argv[1]);
		else kprintf("usage: substitui <n|name>; the replacement policies:\n");
		repl_list(&console_sink);
		return 1;
	}
	st.policy = p;
	kprintf("page replacement: %s\n", p->name);
	return 0;
}
SHELL_COMMAND_DOC(substitui, "", "memman: choose the page replacement (1 NRU, 2 FIFO, 3 SC, 4 LRU, ...)",
		  "substitui <n|name>   (no argument: list them)",
		  "substitui lru",
		  "the chosen policy, or the list of replacement policies",
		  cmd_substitui);

/* ---- running ---- */

/* memman keys (process, page) of every frame, from the pool's slots. */
static void frame_keys(struct mm_run *r)
{
	for (uint32_t f = 0; f < st.trace.nframes; f++) {
		r->keys[f] = MEMMAN_NO_PAGE;
		vaddr_t va;
		const struct vm_space *s = vmpool_slot_owner(&r->vp, f, &va);
		if (!s) continue;
		uint32_t proc = proc_id_of(s);
		uint32_t vpage = vaddr_diff(va, MEMMAN_BASE) / PAGE_SIZE;
		r->keys[f] = memman_page_key(proc, vpage - memman_events_base(&r->ev, proc));
	}
}

/* The state at time t, or (at_end) the final one, labelled with the last
 * time the run reached. */
static void print_state(struct mm_run *r, uint32_t t, bool at_end)
{
	frame_keys(r);
	uint64_t faults = r->vp.pool.stats.faults;
	kprintf(at_end ? "=== end of run at time %u: %llu page faults ===\n"
		       : "=== time %u: %llu page faults so far ===\n", t, (unsigned long long)faults);
	memman_print_frames(&st.trace, r->keys, st.trace.nframes, &console_sink);
	memman_events_print_virt(&r->ev, &console_sink);
	if (st.mem_img) memman_mem_image(r->keys, st.trace.nframes, st.mem_img, st.trace.total_mem);
	if (st.vir_img) memman_events_vir_image(&r->ev, st.vir_img);
	kprintf("mm.mem:\n");
	if (st.mem_img) memman_xxd_folded(st.mem_img, st.trace.total_mem, &console_sink);
	kprintf("mm.vir:\n");
	if (st.vir_img) memman_xxd_folded(st.vir_img, st.trace.virtual_mem, &console_sink);
}

static int arrive(struct mm_run *r, const struct memman_event *ev)
{
	struct vm_space *s = vm_space_create(&kvm);
	if (!s) return -MM_ENOMEM;
	int rc = vmpool_attach(&r->vp, s);
	vaddr_t start = vaddr_add(MEMMAN_BASE, ev->base * PAGE_SIZE);
	if (!rc) rc = vm_region_add(s, start, ev->npages, VM_READ | VM_WRITE);
	if (!rc) {
		s->owner = &r->procs[ev->proc];
		rc = proc_start(&r->procs[ev->proc], ev->proc, st.trace.procs[ev->proc].name, s);
	}
	if (rc) {
		vmpool_detach(&r->vp, s);
		vm_space_destroy(s);
		kprintf("t=%u: process %u: %s\n", ev->time, ev->proc,
			rc == -MM_ENOSPC ? "too many processes at once (256)" : "out of memory");
	}
	return rc;
}

static void end_proc(struct mm_run *r, uint32_t id)
{
	struct proc *p = &r->procs[id];
	if (!p->thread) return;
	r->faults[id] = p->space->stats.paged; /* counted where they happened */
	proc_stop(p);
	vmpool_detach(&r->vp, p->space);
	vm_space_destroy(p->space);
	p->space = 0;
}

static int access(struct mm_run *r, const struct memman_event *ev)
{
	struct proc *p = &r->procs[ev->proc];
	if (!p->thread) return 0; /* it could not be started: already reported */
	vaddr_t va = vaddr_add(MEMMAN_BASE, ev->vpage * PAGE_SIZE);
	if (proc_access(p, va, true, ev->proc)) {
		kprintf("t=%u: process %u stopped at page %u: %s\n", ev->time, ev->proc, ev->vpage, p->rep.reason);
		return -MM_ENOMEM;
	}
	vmpool_access_done(&r->vp, p->space, va);
	return 0;
}

static int step(struct mm_run *r, const struct memman_event *ev)
{
	if (ev->time > r->end_time) r->end_time = ev->time;
	switch (ev->kind) {
	case MEMMAN_EV_ARRIVE: return arrive(r, ev) == -MM_ENOMEM ? -MM_ENOMEM : 0;
	case MEMMAN_EV_REJECT:
		kprintf("t=%u: process %u (%s) rejected: needs %u pages, no hole big enough\n", ev->time,
			ev->proc, st.trace.procs[ev->proc].name, ev->npages);
		return 0;
	case MEMMAN_EV_ACCESS: return access(r, ev);
	case MEMMAN_EV_END: end_proc(r, ev->proc); return 0;
	case MEMMAN_EV_TICK:
		if (r->ms_per_unit && ev->time > r->last_time) /* real time: let it pass */
			thread_sleep_ticks(((uint64_t)(ev->time - r->last_time) * r->ms_per_unit * pit_hz + 999) / 1000);
		r->last_time = ev->time;
		pool_tick(&r->vp.pool); /* the periodic R-bit sweep */
		if (r->interval && ev->time % r->interval == 0) print_state(r, ev->time, false);
		return 0;
	}
	return 0;
}

static int set_future(struct mm_run *r)
{
	struct trace_ref *refs = 0;
	size_t n = 0;
	if (memman_refstring(&st.trace, st.fit, &kvm_allocator, &refs, &n)) return -MM_ENOMEM;
	int rc = pool_plan_future(&r->vp.pool, refs, n, &kvm_allocator);
	kvfree(refs);
	return rc;
}

static int run_alloc(struct mm_run *r)
{
	uint32_t np = st.trace.nprocs ? st.trace.nprocs : 1;
	r->procs = kvmalloc(np * sizeof(struct proc));
	r->faults = kvmalloc(np * sizeof(uint64_t));
	r->keys = kvmalloc((st.trace.nframes + 1) * sizeof(uint64_t));
	if (!r->procs || !r->faults || !r->keys) return -MM_ENOMEM;
	mm_memset(r->procs, 0, np * sizeof(struct proc));
	mm_memset(r->faults, 0, np * sizeof(uint64_t));
	return 0;
}

static void run_free(struct mm_run *r)
{
	kvfree(r->procs);
	kvfree(r->faults);
	kvfree(r->keys);
}

static void print_faults(const struct mm_run *r, uint64_t total)
{
	kprintf("page faults per process:\n");
	for (uint32_t i = 0; i < st.trace.nprocs; i++) {
		bool rejected = memman_events_state(&r->ev, i) == MEMMAN_REJECTED;
		kprintf("  %u %s: %llu page faults%s\n", i, st.trace.procs[i].name,
			(unsigned long long)r->faults[i], rejected ? " (rejected)" : "");
	}
	kprintf("page faults: %llu\n", (unsigned long long)total);
}

/* Run the loaded trace; prints the state every interval (0: only at the
 * end) and the fault counts. Returns the total faults, or -1. */
static long long memman_run(uint32_t interval, uint32_t ms_per_unit, bool quiet)
{
	static struct mm_run r;
	mm_memset(&r, 0, sizeof r);
	r.interval = interval;
	r.ms_per_unit = ms_per_unit;
	uint64_t started = pit_ticks();
	struct pool_config cfg = { st.trace.nframes, st.policy, 1, 0 };
	int rc = run_alloc(&r);
	if (!rc) rc = memman_events_init(&r.ev, &st.trace, st.fit, interval, &kvm_allocator);
	if (!rc && (rc = vmpool_init(&r.vp, &kvm, &kswap, &cfg))) {
		memman_events_fini(&r.ev);
	}
	if (rc) {
		kprintf("executa: out of memory for the run\n");
		run_free(&r);
		return -1;
	}
	kpool_register(&r.vp);
	if (st.policy->needs_future && set_future(&r)) rc = -MM_ENOMEM;
	struct memman_event ev;
	while (!rc && memman_events_next(&r.ev, &ev) == 1) rc = step(&r, &ev);
	uint64_t total = r.vp.pool.stats.faults;
	for (uint32_t i = 0; i < st.trace.nprocs; i++) end_proc(&r, i);
	if (!quiet) {
		if (rc) kprintf("executa: the run stopped early (%s)\n", mm_strerror(rc));
		if (interval == 0 || !st.ran) print_state(&r, r.end_time, true);
		print_faults(&r, total);
		if (ms_per_unit)
			kprintf("real time: %llu ms at %u ms per time unit\n",
				(unsigned long long)((pit_ticks() - started) * 1000 / pit_hz), ms_per_unit);
	}
	kpool_unregister(&r.vp);
	vmpool_fini(&r.vp);
	memman_events_fini(&r.ev);
	run_free(&r);
	st.ran = true;
	st.last_faults = total;
	return rc ? -1 : (long long)total;
}

static int cmd_executa(int argc, char **argv)
{
	uint64_t interval = 0, ms = 0;
	bool bad = argc > 3 || (argc >= 2 && mm_parse_u64z(argv[1], 0, &interval)) || interval > 0xffffffffull;
	if (!bad && argc == 3)
		bad = mm_strncmp(argv[2], "realtime=", 9) || mm_parse_u64z(argv[2] + 9, 0, &ms) || ms > 10000;
	if (bad) {
		kprintf("usage: executa [interval] [realtime=<ms>]   (print the state every interval time\n"
			"       units; with realtime, each time unit lasts <ms> milliseconds on the PIT)\n");
		return 1;
	}
	if (!st.loaded) {
		kprintf("executa: no trace loaded (carrega <file>)\n");
		return 1;
	}
	defaults();
	kprintf("running %s: %s fit, %s replacement, %u frames\n", st.name, st.fit->name, st.policy->name,
		st.trace.nframes);
	st.ran = false;
	return memman_run((uint32_t)interval, (uint32_t)ms, false) < 0 ? 1 : 0;
}
SHELL_COMMAND_DOC(executa, "run", "memman: run the loaded trace, printing the state every <interval>",
		  "executa [interval] [realtime=<ms>]",
		  "executa 5",
		  "the memory maps every interval time units, then the page faults per process and in all",
		  cmd_executa);

static int cmd_show(int argc, char **argv)
{
	defaults();
	kprintf("free-space algorithm: %s; page replacement: %s\n", st.fit->name, st.policy->name);
	if (!st.loaded) {
		kprintf("no trace loaded\n");
		return 0;
	}
	kprintf("trace %s: %u processes, %u accesses, %u frames, %u virtual pages\n", st.name,
		st.trace.nprocs, st.trace.naccesses, st.trace.nframes, st.trace.nvpages);
	for (uint32_t i = 0; i < st.trace.nprocs; i++) {
		const struct memman_proc *p = &st.trace.procs[i];
		kprintf("  %u %s: t0=%u tf=%u b=%u (%u pages), %u accesses\n", i, p->name, p->t0, p->tf,
			p->nbytes, p->npages, p->naccesses);
	}
	if (st.ran) kprintf("last run: page faults: %llu\n", (unsigned long long)st.last_faults);
	return 0;
}
SHELL_COMMAND_DOC(show, "status", "memman: the loaded trace, the chosen algorithms, the last result",
		  "show",
		  "show",
		  "the loaded trace and its processes, the chosen algorithms and the last run's page faults",
		  cmd_show);

static int cmd_dump(int argc, char **argv)
{
	bool mem = argc == 2 && mm_strcmp(argv[1], "mem") == 0;
	bool vir = argc == 2 && mm_strcmp(argv[1], "vir") == 0;
	if (!mem && !vir) {
		kprintf("usage: dump mem | dump vir   (memman's mm.mem and mm.vir, as xxd -g 1)\n");
		return 1;
	}
	if (!st.loaded) {
		kprintf("dump: no trace loaded\n");
		return 1;
	}
	const uint8_t *img = mem ? st.mem_img : st.vir_img;
	if (img) memman_xxd(img, mem ? st.trace.total_mem : st.trace.virtual_mem, &console_sink);
	return 0;
}
SHELL_COMMAND_DOC(dump, "", "memman: dump mem|vir, the byte images as xxd -g 1 prints them",
		  "dump mem | dump vir",
		  "dump mem",
		  "memman's mm.mem or mm.vir bytes as xxd -g 1 does",
		  cmd_dump);

/* For the demonstration: faults of the loaded trace under a policy. */
long long memman_faults_with(const struct repl_ops *policy)
{
	const struct repl_ops *was = st.policy;
	defaults();
	st.policy = policy;
	long long n = memman_run(0, 0, true);
	st.policy = was;
	return n;
}

int memman_load_file(const char *name);
int memman_load_file(const char *name)
{
	struct kfile_data f;
	defaults();
	if (file_data_get("demo", name, &f)) return -1;
	int rc = load_buffer(f.data, f.size, name);
	file_data_release(&f);
	return rc ? -1 : 0;
}

/* ---- the demonstration `make run` boots into ---- */

int memman_demo_table(const char *file);
int memman_demo_table(const char *file)
{
	if (memman_load_file(file)) {
		kprintf("demo: no %s module; skipping the replacement table\n", file);
		return -1;
	}
	long long opt = memman_faults_with(repl_lookup("opt"));
	kprintf("\n%s under every replacement policy (%s fit, %u frames of 16 bytes):\n", file,
		st.fit->name, st.trace.nframes);
	kprintf("  policy   faults   vs OPT\n");
	for (size_t i = 0; i < repl_count(); i++) {
		const struct repl_ops *p = repl_at(i);
		long long n = p->needs_future ? opt : memman_faults_with(p);
		if (n < 0 || opt <= 0) {
			kprintf("  %-7s  (run failed)\n", p->name);
			continue;
		}
		kprintf("  %-7s %7lld   %lld.%02lld\n", p->name, n, n / opt, (n * 100 / opt) % 100);
	}
	st.ran = false; /* the table's runs are not the user's */
	return 0;
}
