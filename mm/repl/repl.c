/*
 * repl.c - the registry of page-replacement policies (lookup by name, alias
 * or memman number; the list shown when a name is unknown), policy instance
 * creation, and the page hash map shared by the pool, the trace tools and
 * the policies that remember pages (LIRS).
 *
 * The map is open addressing with linear probing over a power-of-two table
 * kept at most half full; keys are hashed by Fibonacci hashing (multiply by
 * 2^64/phi, keep the high bits); deletion shifts the rest of the cluster
 * back instead of leaving tombstones.
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

size_t repl_count(void)
{
	return MM_ARRAY_SIZE(registry);
}

const struct repl_ops *repl_at(size_t i)
{
	return i < MM_ARRAY_SIZE(registry) ? registry[i] : NULL;
}

const struct repl_ops *repl_by_memman(int number)
{
	for (size_t i = 0; i < MM_ARRAY_SIZE(registry); i++)
		if (number > 0 && registry[i]->memman == number) return registry[i];
	return NULL;
}

const struct repl_ops *repl_lookup(const char *name)
{
	uint64_t number;
	if (!name || !*name) return NULL;
	if (mm_parse_u64z(name, 10, &number) == 0)
		return number <= 4 ? repl_by_memman((int)number) : NULL;
	for (size_t i = 0; i < MM_ARRAY_SIZE(registry); i++)
		if (mm_name_is(registry[i]->name, registry[i]->aliases, name)) return registry[i];
	return NULL;
}

void repl_list(struct mm_sink *out)
{
	for (size_t i = 0; i < MM_ARRAY_SIZE(registry); i++)
		mm_name_line(out, registry[i]->name, registry[i]->aliases, registry[i]->memman, registry[i]->summary);
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

/* ---- page hash map ------------------------------------------------------- */

#define MAP_MAX_ENTRIES (1u << 26)

static uint32_t map_capacity(uint32_t max_entries)
{
	uint32_t cap = 8;
	while (cap / 2 < max_entries) cap *= 2;
	return cap;
}

static uint32_t map_home(const struct repl_map *m, uint64_t key)
{
	return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & m->mask;
}

size_t repl_map_bytes(uint32_t max_entries)
{
	MM_ASSERT(max_entries <= MAP_MAX_ENTRIES, "map of %u entries", max_entries);
	size_t cap = map_capacity(max_entries);
	return cap * sizeof(uint64_t) + cap * sizeof(uint32_t);
}

void repl_map_init(struct repl_map *m, void *mem, uint32_t max_entries)
{
	uint32_t cap = map_capacity(max_entries);
	m->keys = mem;
	m->vals = (uint32_t *)(m->keys + cap);
	m->mask = cap - 1;
	m->count = 0;
	m->limit = max_entries;
	mm_memset(m->vals, 0xff, cap * sizeof(uint32_t)); /* all REPL_MAP_NONE */
}

/* The cell holding key, or the empty cell ending its probe sequence. */
static uint32_t map_find(const struct repl_map *m, uint64_t key)
{
	uint32_t i = map_home(m, key);
	while (m->vals[i] != REPL_MAP_NONE && m->keys[i] != key) i = (i + 1) & m->mask;
	return i;
}

uint32_t repl_map_get(const struct repl_map *m, uint64_t key)
{
	return m->vals[map_find(m, key)];
}

int repl_map_put(struct repl_map *m, uint64_t key, uint32_t val)
{
	MM_ASSERT(val != REPL_MAP_NONE, "map value %#x is reserved", val);
	uint32_t i = map_find(m, key);
	if (m->vals[i] == REPL_MAP_NONE) {
		if (m->count >= m->limit) return -MM_ENOSPC;
		m->count++;
		m->keys[i] = key;
	}
	m->vals[i] = val;
	return 0;
}

bool repl_map_del(struct repl_map *m, uint64_t key)
{
	uint32_t hole = map_find(m, key);
	if (m->vals[hole] == REPL_MAP_NONE) return false;
	m->vals[hole] = REPL_MAP_NONE;
	m->count--;
	/* Pull back every later entry of the cluster that may live in the hole:
	 * one whose home is no further from it than the hole is. */
	for (uint32_t j = (hole + 1) & m->mask; m->vals[j] != REPL_MAP_NONE; j = (j + 1) & m->mask) {
		uint32_t home = map_home(m, m->keys[j]);
		if (((j - home) & m->mask) >= ((j - hole) & m->mask)) {
			m->keys[hole] = m->keys[j];
			m->vals[hole] = m->vals[j];
			m->vals[j] = REPL_MAP_NONE;
			hole = j;
		}
	}
	return true;
}

int repl_map_grow(struct repl_map *m, uint32_t max_entries, const struct mm_allocator *a)
{
	if (max_entries < m->count || max_entries > MAP_MAX_ENTRIES) return -MM_ENOMEM;
	void *mem = mm_alloc(a, repl_map_bytes(max_entries));
	if (!mem) return -MM_ENOMEM;
	struct repl_map bigger;
	repl_map_init(&bigger, mem, max_entries);
	for (uint32_t i = 0; i <= m->mask; i++)
		if (m->vals[i] != REPL_MAP_NONE) repl_map_put(&bigger, m->keys[i], m->vals[i]);
	mm_free(a, m->keys);
	*m = bigger;
	return 0;
}

int repl_map_check(const struct repl_map *m, struct mm_sink *err)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i <= m->mask; i++) {
		if (m->vals[i] == REPL_MAP_NONE) continue;
		n++;
		if (map_find(m, m->keys[i]) != i)
			return repl_bad(err, "map: key %llu in cell %u is not reachable from its home %u",
					(unsigned long long)m->keys[i], i, map_home(m, m->keys[i]));
	}
	if (n != m->count) return repl_bad(err, "map: %u entries but count says %u", n, m->count);
	if (n > m->limit) return repl_bad(err, "map: %u entries over the limit %u", n, m->limit);
	return 0;
}

/* ---- index-linked list ----------------------------------------------------- */

void repl_dlist_init(struct repl_dlist *l, uint32_t *next, uint32_t *prev, uint32_t n)
{
	l->next = next;
	l->prev = prev;
	l->head = l->tail = REPL_NO_SLOT;
	l->count = 0;
	for (uint32_t i = 0; i < n; i++) next[i] = prev[i] = REPL_LINK_OUT;
}

void repl_dlist_push_back(struct repl_dlist *l, uint32_t i)
{
	MM_ASSERT(!repl_dlist_has(l, i), "element %u is already on the list", i);
	l->prev[i] = l->tail;
	l->next[i] = REPL_NO_SLOT;
	if (l->tail != REPL_NO_SLOT) l->next[l->tail] = i;
	else l->head = i;
	l->tail = i;
	l->count++;
}

void repl_dlist_push_front(struct repl_dlist *l, uint32_t i)
{
	MM_ASSERT(!repl_dlist_has(l, i), "element %u is already on the list", i);
	l->next[i] = l->head;
	l->prev[i] = REPL_NO_SLOT;
	if (l->head != REPL_NO_SLOT) l->prev[l->head] = i;
	else l->tail = i;
	l->head = i;
	l->count++;
}

void repl_dlist_remove(struct repl_dlist *l, uint32_t i)
{
	MM_ASSERT(repl_dlist_has(l, i), "element %u is not on the list", i);
	uint32_t p = l->prev[i], n = l->next[i];
	if (p != REPL_NO_SLOT) l->next[p] = n;
	else l->head = n;
	if (n != REPL_NO_SLOT) l->prev[n] = p;
	else l->tail = p;
	l->next[i] = l->prev[i] = REPL_LINK_OUT;
	l->count--;
}

int repl_dlist_check(const struct repl_dlist *l, uint32_t n, const char *what,
		     struct mm_sink *err)
{
	uint32_t seen = 0, prev = REPL_NO_SLOT;
	for (uint32_t i = l->head; i != REPL_NO_SLOT; i = l->next[i]) {
		if (i >= n) return repl_bad(err, "%s: link to %u, beyond %u elements", what, i, n);
		if (l->prev[i] != prev)
			return repl_bad(err, "%s: element %u has prev %u, expected %u", what, i, l->prev[i], prev);
		if (++seen > l->count)
			return repl_bad(err, "%s: more elements than count %u (a cycle?)", what, l->count);
		prev = i;
	}
	if (prev != l->tail) return repl_bad(err, "%s: tail %u but the walk ends at %u", what, l->tail, prev);
	if (seen != l->count) return repl_bad(err, "%s: walked %u elements, count %u", what, seen, l->count);
	uint32_t marked = 0;
	for (uint32_t i = 0; i < n; i++) marked += repl_dlist_has(l, i);
	if (marked != seen) return repl_bad(err, "%s: %u elements marked on, %u linked", what, marked, seen);
	return 0;
}
