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
};

static struct mm_reg_names policy_names(size_t i)
{
	const struct repl_ops *p = registry[i];
	return (struct mm_reg_names){ p->name, p->aliases, p->memman, p->summary };
}

static const struct mm_registry policies = { MM_ARRAY_SIZE(registry), policy_names };

size_t repl_count(void)
{
	return policies.count;
}

const struct repl_ops *repl_at(size_t i)
{
	return i < policies.count ? registry[i] : NULL;
}

const struct repl_ops *repl_by_memman(int number)
{
	return repl_at(mm_reg_by_number(&policies, number));
}

const struct repl_ops *repl_lookup(const char *name)
{
	return repl_at(mm_reg_lookup(&policies, name));
}

void repl_list(struct mm_sink *out)
{
	mm_reg_list(&policies, out);
}

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

int repl_bad(struct mm_sink *err, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		mm_vformat(err, fmt, ap);
		va_end(ap);
		mm_format(err, "\n");
	}
	return -MM_EINVAL;
}
