/*
 * repl_map.c - the page -> u32 hash map (see repl.h) shared by the pool, the
 * trace tools and the policies that remember pages (LIRS, Duel).
 *
 * Algorithm: open addressing with linear probing over a power-of-two table
 * kept at most half full; keys are folded to 32 bits and hashed by
 * Fibonacci hashing (multiply by 2^32/phi, keep the high bits); deletion
 * shifts the rest of the cluster back instead of leaving tombstones, so
 * every operation is O(1) on average. Look-up, insertion and the common
 * deletion are inline in repl.h.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

#define MAP_MAX_ENTRIES (1u << 26)

static uint32_t map_capacity(uint32_t max_entries)
{
	uint32_t cap = 8;
	while (cap / 2 < max_entries) cap *= 2;
	return cap;
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
	m->shift = 32u - (uint32_t)__builtin_ctz(cap);
	m->count = 0;
	m->limit = max_entries;
	m->cell_of = 0;
	m->nvalues = 0;
	mm_memset(m->vals, 0xff, cap * sizeof(uint32_t)); /* all REPL_MAP_NONE */
}

void repl_map_index(struct repl_map *m, uint32_t *cell_of, uint32_t nvalues)
{
	MM_ASSERT(m->count == 0, "map: indexed with %u entries", m->count);
	m->cell_of = cell_of;
	m->nvalues = nvalues;
	for (uint32_t v = 0; v < nvalues; v++) cell_of[v] = REPL_MAP_NONE;
}

void repl_map_del_cell(struct repl_map *m, uint32_t hole)
{
	m->vals[hole] = REPL_MAP_NONE;
	m->count--;
	/* Pull back every later entry of the cluster that may live in the hole:
	 * one whose home is no further from it than the hole is. */
	for (uint32_t j = (hole + 1) & m->mask; m->vals[j] != REPL_MAP_NONE; j = (j + 1) & m->mask) {
		uint32_t home = repl_map_home(m, m->keys[j]);
		if (((j - home) & m->mask) >= ((j - hole) & m->mask)) {
			m->keys[hole] = m->keys[j];
			m->vals[hole] = m->vals[j];
			m->vals[j] = REPL_MAP_NONE;
			if (m->cell_of) m->cell_of[m->vals[hole]] = hole;
			hole = j;
		}
	}
}

int repl_map_grow(struct repl_map *m, uint32_t max_entries, const struct mm_allocator *a)
{
	if (max_entries < m->count || max_entries > MAP_MAX_ENTRIES) return -MM_ENOMEM;
	void *mem = mm_alloc(a, repl_map_bytes(max_entries));
	if (!mem) return -MM_ENOMEM;
	struct repl_map bigger;
	repl_map_init(&bigger, mem, max_entries);
	bigger.cell_of = m->cell_of; /* (every value moves: put sets its cell) */
	bigger.nvalues = m->nvalues;
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
		if (repl_map_find(m, m->keys[i]) != i)
			return mm_bad(err, "map: key %llu in cell %u is not reachable from its home %u",
					(unsigned long long)m->keys[i], i, repl_map_home(m, m->keys[i]));
		uint32_t v = m->vals[i];
		if (m->cell_of && (v >= m->nvalues || m->cell_of[v] != i))
			return mm_bad(err, "map: value %u of cell %u is not indexed there (index of %u values)", v, i,
					m->nvalues);
	}
	if (n != m->count) return mm_bad(err, "map: %u entries but count says %u", n, m->count);
	if (n > m->limit) return mm_bad(err, "map: %u entries over the limit %u", n, m->limit);
	return 0;
}
