/*
 * vmm.c - the VMM request runner of seed 000, on real page tables:
 *   vmm <file> <memory_size> [policy=<name>] [seed=<n>]
 * Each process named in the request stream is a thread with its own address
 * space of 64 pages of 1 KiB (each backed by a real 4 KiB page); all of them
 * page against one frame pool of memory_size/1024 frames, whose victims the
 * chosen policy (default fifo) picks. A scheduler takes the next process
 * from the ready queue (round robin, or at random from a seed) and has it
 * make its next request: a hit is a "Direct Access"; a miss blocks the
 * process while its page is brought in (its thread takes a real page fault)
 * and puts it back on the ready queue: a "Long Access". The lines are the
 * original program's (mm/sim/FORMATS.md §2); the addresses printed are the
 * simulated physical ones, frame * 1024 + offset.
 */
#include "files.h"
#include "kernel.h"
#include "mem.h"
#include "mm_env.h"
#include "mmlib.h"
#include "proc.h"
#include "repl.h"
#include "shell.h"
#include "swapdev.h"
#include "vmm_input.h"
#include "kpools.h"
#include "kwin.h"

#define VMM_BASE vaddr_make(0x00400000u)
#define VMM_MAX_PROCS 64

struct vmm_run {
	struct vmm_input in;
	uint32_t nframes;
	bool random;
	struct mm_rng rng;
	uint32_t nprocs;
	uint32_t pid[VMM_MAX_PROCS];
	struct proc procs[VMM_MAX_PROCS];
	uint32_t first[VMM_MAX_PROCS];  /* its next request, or UINT32_MAX */
	uint32_t *next_same;             /* per request: the next of the same pid */
	uint32_t ready[VMM_MAX_PROCS], nready;
	uint64_t *shadow;                /* per frame: the key we last saw there */
	uint8_t *shadow_used;
	struct vmpool vp;
};

static uint32_t proc_index(struct vmm_run *r, uint32_t pid)
{
	for (uint32_t i = 0; i < r->nprocs; i++)
		if (r->pid[i] == pid) return i;
	return UINT32_MAX;
}

static void print_queue(const char *title, const uint32_t *q, uint32_t n, const struct vmm_run *r)
{
	kprintf("%s[", title);
	for (uint32_t i = 0; i < n; i++) kprintf("%s%u", i ? ", " : "", r->pid[q[i]]);
	kprintf("]\n");
}

/* The pid and the page number of a pool page key. */
static uint32_t key_pid(const struct vmm_run *r, uint64_t key, uint32_t *page)
{
	vaddr_t va;
	const struct vm_space *s = vmpool_key_owner(&r->vp, key, &va);
	MM_ASSERT(s, "frame holds page %llx of a space gone", (unsigned long long)key);
	if (page) *page = vaddr_diff(va, VMM_BASE) / PAGE_SIZE;
	return proc_id_of(s);
}

static void print_memory(const struct vmm_run *r)
{
	kprintf("Main Memory:\t | ");
	for (uint32_t f = 0; f < r->nframes; f++) {
		if (r->shadow_used[f]) kprintf("%u | ", key_pid(r, r->shadow[f], 0));
		else kprintf("- | ");
	}
	kprintf("\n\n");
}

/* Group the requests by process, in order of first appearance. */
static int build_queues(struct vmm_run *r)
{
	uint32_t last[VMM_MAX_PROCS];
	r->next_same = kvmalloc((r->in.nreqs + 1) * sizeof(uint32_t));
	if (!r->next_same) return -MM_ENOMEM;
	for (size_t i = 0; i < r->in.nreqs; i++) {
		uint32_t p = proc_index(r, r->in.reqs[i].pid);
		r->next_same[i] = UINT32_MAX;
		if (p == UINT32_MAX) {
			if (r->nprocs == VMM_MAX_PROCS) {
				kprintf("vmm: more than %u processes; pid %u (line %u) and later ones are left out\n",
					VMM_MAX_PROCS, r->in.reqs[i].pid, r->in.reqs[i].line);
				continue;
			}
			p = r->nprocs++;
			r->pid[p] = r->in.reqs[i].pid;
			r->first[p] = (uint32_t)i;
			r->ready[r->nready++] = p;
		} else {
			r->next_same[last[p]] = (uint32_t)i;
		}
		last[p] = (uint32_t)i;
	}
	return 0;
}

static int start_procs(struct vmm_run *r)
{
	for (uint32_t p = 0; p < r->nprocs; p++) {
		struct vm_space *s = vm_space_create(&kvm);
		if (!s) return -MM_ENOMEM;
		char name[24];
		mm_snprintf(name, sizeof name, "vmm-pid-%u", r->pid[p]);
		s->owner = &r->procs[p];
		if (vmpool_attach(&r->vp, s) || vm_region_add(s, VMM_BASE, VMM_PAGES_PER_PROC, VM_READ | VM_WRITE) ||
		    proc_start(&r->procs[p], r->pid[p], name, s)) {
			vmpool_detach(&r->vp, s);
			vm_space_destroy(s);
			return -MM_ENOMEM;
		}
	}
	return 0;
}

static uint32_t pick(struct vmm_run *r)
{
	uint32_t at = r->random ? mm_rng_below(&r->rng, r->nready) : 0;
	uint32_t p = r->ready[at];
	for (uint32_t i = at; i + 1 < r->nready; i++) r->ready[i] = r->ready[i + 1];
	r->nready--;
	return p;
}

/* One request of process p: returns false if the run must stop. */
static bool serve(struct vmm_run *r, uint32_t p)
{
	const struct vmm_request *q = &r->in.reqs[r->first[p]];
	r->first[p] = r->next_same[r->first[p]];
	struct proc *pr = &r->procs[p];
	uint32_t page = vmm_page(q->vaddr), off = vmm_offset(q->vaddr);
	vaddr_t va = vaddr_add(VMM_BASE, page * PAGE_SIZE + (off & ~3u));
	uint64_t key = vmpool_key(&r->vp, pr->space, va);
	kprintf("Scheduling.\t pid:  %u \tvaddr:  %04X\n", q->pid, q->vaddr);
	if (q->vaddr > VMM_VADDR_MAX) { /* the original's AddressTranslationError */
		kprintf("Address translation failed. pid: %u, addr: %X\n\n", q->pid, q->vaddr);
		if (r->first[p] != UINT32_MAX) r->ready[r->nready++] = p;
		return true;
	}
	bool hit = pool_lookup(&r->vp.pool, key) >= 0;
	if (!hit) {
		uint32_t blocked = p;
		print_queue("Blocked queue:   ", &blocked, 1, r);
	}
	if (proc_access(pr, va, q->write, q->pid)) {
		kprintf("vmm: pid %u stopped at 0x%04X: %s\n", q->pid, q->vaddr, pr->rep.reason);
		return false;
	}
	vmpool_access_done(&r->vp, pr->space, va);
	uint32_t frame = (uint32_t)pool_lookup(&r->vp.pool, key);
	if (!hit) {
		if (r->shadow_used[frame] && r->shadow[frame] != key) {
			uint32_t old_page, old_pid = key_pid(r, r->shadow[frame], &old_page);
			kprintf("Swapping.\t pid:  %u , page:  %u , frame:  %u\n", old_pid, old_page, frame);
		}
		r->shadow[frame] = key;
		r->shadow_used[frame] = 1;
		kprintf("Loading.\t pid:  %u , page:  %u , frame:  %u\n", q->pid, page, frame);
		r->ready[r->nready++] = p; /* back from the blocked queue */
		print_queue("Ready queue:     ", r->ready, r->nready, r);
		kprintf("Long   Access. \t %04X\n\n", frame * VMM_PAGE_SIZE + off);
		if (r->first[p] == UINT32_MAX) r->nready--; /* nothing more to do */
	} else {
		kprintf("Direct Access. \t %04X\n\n", frame * VMM_PAGE_SIZE + off);
		if (r->first[p] != UINT32_MAX) r->ready[r->nready++] = p;
	}
	print_memory(r);
	return true;
}

static void vmm_execute(struct vmm_run *r, uint64_t *faults)
{
	while (r->nready) {
		uint32_t p = pick(r);
		if (!serve(r, p)) break;
	}
	*faults = r->vp.pool.stats.faults;
}

static void vmm_cleanup(struct vmm_run *r)
{
	for (uint32_t p = 0; p < r->nprocs; p++) {
		if (!r->procs[p].thread) continue;
		proc_stop(&r->procs[p]);
		vmpool_detach(&r->vp, r->procs[p].space);
		vm_space_destroy(r->procs[p].space);
	}
	kpool_unregister(&r->vp);
	vmpool_fini(&r->vp);
	kvfree(r->shadow);
	kvfree(r->shadow_used);
	kvfree(r->next_same);
	vmm_input_free(&r->in, &kvm_allocator);
}

struct vmm_opts { const char *file; uint64_t memory, seed; bool random; const struct repl_ops *policy; };

static int parse_args(int argc, char **argv, struct vmm_opts *o)
{
	*o = (struct vmm_opts){ 0, 0, 0, false, repl_lookup("fifo") };
	if (argc < 3 || mm_parse_u64z(argv[2], 0, &o->memory)) goto usage;
	o->file = argv[1];
	for (int i = 3; i < argc; i++) {
		if (mm_strncmp(argv[i], "policy=", 7) == 0) {
			o->policy = repl_lookup(argv[i] + 7);
			if (!o->policy || o->policy->needs_future) {
				kprintf("vmm: '%s' is not a policy for a live run; the policies are:\n", argv[i] + 7);
				repl_list(&console_sink);
				return -1;
			}
		} else if (mm_strncmp(argv[i], "seed=", 5) == 0 && !mm_parse_u64z(argv[i] + 5, 0, &o->seed)) {
			o->random = true;
		} else {
			goto usage;
		}
	}
	return 0;
usage:
	kprintf("usage: vmm <file> <memory_size> [policy=<name>] [seed=<n>]\n");
	return -1;
}

static int cmd_vmm(int argc, char **argv)
{
	static struct vmm_run r;
	struct vmm_opts o;
	struct kfile_data f;
	struct vmm_error err;
	if (parse_args(argc, argv, &o)) return 1;
	if (file_data_get("vmm", o.file, &f)) return 1;
	mm_memset(&r, 0, sizeof r);
	int bad = vmm_input_parse(f.data, f.size, &kvm_allocator, &r.in, &err);
	file_data_release(&f);
	if (bad) {
		kprintf("vmm: %s: %s; nothing run\n", o.file, err.msg);
		return 1;
	}
	r.nframes = (uint32_t)(o.memory / VMM_PAGE_SIZE);
	r.random = o.random;
	mm_rng_seed(&r.rng, o.seed);
	if (r.nframes == 0) { /* the original's FrameNotFoundError, for every request */
		for (size_t i = 0; i < r.in.nreqs; i++)
			kprintf("Frame not found. pid: %u, page: %u\n", r.in.reqs[i].pid, vmm_page(r.in.reqs[i].vaddr));
		vmm_input_free(&r.in, &kvm_allocator);
		return 1;
	}
	struct pool_config cfg = { r.nframes, o.policy, o.seed, r.nframes };
	if (r.nframes > 4096 || vmpool_init(&r.vp, &kvm, &kswap, &cfg)) {
		kprintf("vmm: cannot make a pool of %u frames\n", r.nframes);
		vmm_input_free(&r.in, &kvm_allocator);
		return 1;
	}
	kpool_register(&r.vp);
	r.shadow = kvmalloc(r.nframes * sizeof(uint64_t));
	r.shadow_used = kvmalloc(r.nframes);
	int rc = (!r.shadow || !r.shadow_used || build_queues(&r) || start_procs(&r)) ? -MM_ENOMEM : 0;
	if (r.shadow_used) mm_memset(r.shadow_used, 0, r.nframes);
	uint64_t faults = 0;
	if (rc) kprintf("vmm: out of memory\n");
	else vmm_execute(&r, &faults);
	klog("vmm: %u requests, %u processes, %llu faults\n", (unsigned)r.in.nreqs, r.nprocs,
	     (unsigned long long)faults);
	vmm_cleanup(&r);
	return rc ? 1 : 0;
}
SHELL_COMMAND_DOC(vmm, "", "the VMM request runner: vmm <file> <memory_size> [policy=<name>] [seed=<n>]",
		  "vmm <file> <memory_size> [policy=<name>] [seed=<n>]",
		  "vmm requests.txt 4096 policy=lru",
		  "one line per request, then the page faults and the final memory",
		  cmd_vmm);
