/*
 * replay.c - trace replay on the real MMU: `replay <file> frames=<n>
 * policy=<name> [seed=<n>] [tick=<n>]`. The trace's pages are numbered
 * densely in order of first use and laid out in one region of a fresh
 * address space whose pool has <n> frames; each reference is a real load or
 * store there, so every miss is a real page fault through the #PF handler,
 * the pool and the policy, with eviction to the swap device. Prints
 * "refs=<n> faults=<n> evictions=<n> writebacks=<n>", the same line (and,
 * for a deterministic policy, the same numbers) as the host replayer.
 */
#include "guard.h"
#include "files.h"
#include "kernel.h"
#include "layout.h"
#include "mem.h"
#include "mmlib.h"
#include "repl.h"
#include "shell.h"
#include "swapdev.h"
#include "trace.h"
#include "kpools.h"
#include "kwin.h"

#define REPLAY_BASE vaddr_make(0x40000000u)
#define REPLAY_MAX_FRAMES 100000u
#define REPLAY_MAX_PAGES (vaddr_diff(VM_USER_TOP, REPLAY_BASE) / PAGE_SIZE)

struct replay_job {
	const struct trace *t;
	const uint32_t *index; /* dense page number of each reference */
	struct vmpool *vp;
	struct vm_space *s;
	volatile size_t done; /* references completed, read after a fault stops the run */
};

/* Renumber pages densely by first use: index[i] for refs[i]. */
static int dense_pages(const struct trace *t, uint32_t **index_out, uint32_t *npages)
{
	uint32_t *index = kvmalloc(t->nrefs * sizeof(uint32_t) + 4);
	size_t cap = t->nrefs < 16 ? 16 : t->nrefs;
	void *mapmem = kvmalloc(repl_map_bytes((uint32_t)cap));
	if (!index || !mapmem) {
		kvfree(index);
		kvfree(mapmem);
		return -MM_ENOMEM;
	}
	struct repl_map m;
	repl_map_init(&m, mapmem, (uint32_t)cap);
	uint32_t n = 0;
	for (size_t i = 0; i < t->nrefs; i++) {
		uint32_t v = repl_map_get(&m, t->refs[i].page);
		if (v == REPL_MAP_NONE) {
			v = n++;
			repl_map_put(&m, t->refs[i].page, v);
		}
		index[i] = v;
	}
	kvfree(mapmem);
	*index_out = index;
	*npages = n;
	return 0;
}

static void replay_run(void *arg)
{
	struct replay_job *j = arg;
	for (size_t i = 0; i < j->t->nrefs; i++) {
		vaddr_t va = vaddr_add(REPLAY_BASE, j->index[i] * PAGE_SIZE);
		volatile uint32_t *p = vaddr_ptr(va);
		if (j->t->refs[i].is_write) *p = (uint32_t)i;
		else (void)*p;
		vmpool_access_done(j->vp, j->s, va);
		j->done = i + 1;
	}
}

struct replay_opts { uint64_t frames, seed, tick; const struct repl_ops *policy; };

static int parse_opts(int argc, char **argv, struct replay_opts *o)
{
	o->frames = 0;
	o->seed = 1;
	o->tick = UINT64_MAX;
	o->policy = 0;
	for (int i = 2; i < argc; i++) {
		char *eq = argv[i];
		while (*eq && *eq != '=') eq++;
		if (!*eq) goto bad;
		*eq++ = 0;
		if (mm_strcmp(argv[i], "policy") == 0) {
			o->policy = repl_lookup(eq);
			if (!o->policy) {
				kprintf("replay: unknown policy '%s'; the policies are:\n", eq);
				repl_list(&console_sink);
				return -1;
			}
		} else if (mm_strcmp(argv[i], "frames") == 0) {
			if (mm_parse_u64z(eq, 0, &o->frames) || o->frames == 0 || o->frames > REPLAY_MAX_FRAMES) {
				kprintf("replay: frames=%s refused: frames must be at least 1 and at most %u\n", eq,
					REPLAY_MAX_FRAMES);
				return -1;
			}
		} else if (mm_strcmp(argv[i], "seed") == 0) {
			if (mm_parse_u64z(eq, 0, &o->seed)) goto bad;
		} else if (mm_strcmp(argv[i], "tick") == 0) {
			if (mm_parse_u64z(eq, 0, &o->tick)) goto bad;
		} else {
			goto bad;
		}
	}
	if (!o->frames || !o->policy) goto bad;
	if (o->tick == UINT64_MAX) o->tick = o->frames; /* the host replayer's default */
	return 0;
bad:
	kprintf("usage: replay <file> frames=<n> policy=<name|number> [seed=<n>] [tick=<n>]\n");
	return -1;
}

static int load_trace(const char *name, struct trace *t)
{
	struct kfile_data f;
	if (file_data_get("replay", name, &f)) return -1;
	struct trace_error err;
	int rc = trace_parse(f.data, f.size, TRACE_AUTO, &kvm_allocator, t, &err);
	file_data_release(&f);
	if (rc == -MM_EINVAL) {
		kprintf("replay: %s: %s; nothing replayed\n", name, err.msg);
		return -1;
	}
	if (rc) {
		kprintf("replay: %s: out of memory reading the trace\n", name);
		return -1;
	}
	return 0;
}

static int replay_with(struct trace *t, const struct replay_opts *o, uint32_t *index, uint32_t npages)
{
	static struct vmpool vp;
	struct pool_config cfg = { (uint32_t)o->frames, o->policy, o->seed, (uint32_t)o->tick };
	int rc = vmpool_init(&vp, &kvm, &kswap, &cfg);
	if (rc) {
		kprintf("replay: cannot make a pool of %u frames: %s\n", (unsigned)o->frames, mm_strerror(rc));
		return 1;
	}
	if (pool_plan_future(&vp.pool, t->refs, t->nrefs, &kvm_allocator)) {
		kprintf("replay: out of memory for the future of %s\n", o->policy->name);
		vmpool_fini(&vp);
		return 1;
	}
	struct vm_space *s = vm_space_create(&kvm);
	if (!s || vmpool_attach(&vp, s) || vm_region_add(s, REPLAY_BASE, npages, VM_READ | VM_WRITE)) {
		kprintf("replay: out of memory for the address space\n");
		if (s) { vmpool_detach(&vp, s); vm_space_destroy(s); }
		vmpool_fini(&vp);
		return 1;
	}
	kpool_register(&vp);
	struct replay_job job = { t, index, &vp, s, 0 };
	struct guard_report rep;
	int stopped = guard_run_in(s, replay_run, &job, &rep);
	if (stopped)
		kprintf("replay: stopped at reference %u of %u: %s at 0x%08x (%s)\n", (unsigned)job.done + 1,
			(unsigned)t->nrefs, rep.reason, rep.addr, vp.last_error ? vp.last_error : "");
	pool_format_stats(&vp.pool, &console_sink);
	kprintf("\n");
	int bad = vmpool_check(&vp, &console_sink);
	kpool_unregister(&vp);
	vmpool_detach(&vp, s);
	vm_space_destroy(s);
	vmpool_fini(&vp);
	return stopped || bad;
}

static int cmd_replay(int argc, char **argv)
{
	struct replay_opts o;
	if (argc < 3 || parse_opts(argc, argv, &o)) {
		if (argc < 3) kprintf("usage: replay <file> frames=<n> policy=<name|number> [seed=<n>] [tick=<n>]\n");
		return 1;
	}
	if (!kswap_ready) {
		kprintf("replay: no swap device\n");
		return 1;
	}
	struct trace t;
	if (load_trace(argv[1], &t)) return 1;
	uint32_t *index, npages;
	if (dense_pages(&t, &index, &npages)) {
		kprintf("replay: out of memory\n");
		trace_free(&t, &kvm_allocator);
		return 1;
	}
	int rc;
	if (npages > REPLAY_MAX_PAGES) {
		kprintf("replay: %u distinct pages do not fit in %u\n", npages, (unsigned)REPLAY_MAX_PAGES);
		rc = 1;
	} else {
		rc = replay_with(&t, &o, index, npages);
	}
	kvfree(index);
	trace_free(&t, &kvm_allocator);
	return rc;
}
SHELL_COMMAND_DOC(replay, "", "replay a page trace on the MMU: replay <file> frames=<n> policy=<name>",
		  "replay <file> frames=<n> policy=<name|number> [seed=<n>] [tick=<n>]",
		  "replay ps.trace frames=64 policy=lru",
		  "the page faults and hit rate of the trace under the policy",
		  cmd_replay);
