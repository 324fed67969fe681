/*
 * repl.c - the registry of page-replacement policies (lookup by name, alias
 * or memman number; the list shown when a name is unknown), and what every
 * policy instance goes through: creation over its state block, and the
 * report of a failed check.
 *
 * The registry is a fixed table in memman's order; lookup and listing are
 * the shared registry code of names.c (a linear scan), and the functions
 * here only turn its indexes back into policies. The page map a pool and
 * some policies keep is in repl_map.c, the index-linked list in
 * repl_dlist.c.
 */
#include "repl.h"
#include "names.h"
#include "mmlib.h"
#include "mm_env.h"

/* A policy is listed here only once it passes tests/host/test_repl.c's
 * conformance tests. Order: memman's numbering first, then the rest. */
static const struct repl_ops *const registry[] = {
	&repl_nru_ops, &repl_fifo_ops, &repl_sc_ops, &repl_lru_ops,
	&repl_clock_ops, &repl_aging_ops, &repl_opt_ops, &repl_lirs_ops, &repl_duel_ops,
	&repl_arc_ops, &repl_clockpro_ops, &repl_sieve_ops, &repl_irg_ops, &repl_leader_ops,
};

MM_REGISTRY_FRONT(repl, struct repl_ops, registry)

int repl_create(struct repl *r, const struct repl_ops *ops, uint32_t nframes,
		uint64_t seed, const struct mm_allocator *a)
{
	if (!ops || nframes == 0 || nframes > REPL_MAX_FRAMES) return -MM_EINVAL;
	void *state = mm_alloc(a, ops->state_size(nframes));
	if (!state) return -MM_ENOMEM;
	int err = ops->init(state, nframes, seed);
	if (err) {
		mm_free(a, state);
		return err;
	}
	r->ops = ops;
	r->state = state;
	r->nframes = nframes;
	return 0;
}

void repl_destroy(struct repl *r, const struct mm_allocator *a)
{
	if (r->state) {
		mm_memset(r->state, 0x6b, r->ops->state_size(r->nframes)); /* junk */
		mm_free(a, r->state);
	}
	r->state = NULL;
}

