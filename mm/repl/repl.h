/*
 * repl.h - page-replacement policies: the fixed API every policy implements,
 * the registry that lists them (repl.c), and the helpers they share: a page
 * hash map (repl_map.c) and an index-linked list (repl_dlist.c). A policy
 * lays its state block out with mm_take (mmlib.h).
 *
 * A policy decides WHICH resident page to give up; it never touches a page
 * table. The mechanism (mm/pool.c) owns the frames and tells the policy facts
 * about "frame slots" 0..nframes-1:
 *
 *   page_in(slot, page, is_write)   slot now holds page; this stands for the
 *                                   reference that faulted it in (so it counts
 *                                   as referenced, and written when is_write)
 *   referenced(slot, accessed, dirty)
 *                                   the slot's A/D bits at a sample: after
 *                                   every hit of a replayed trace (accessed=1),
 *                                   and at every tick for each resident slot
 *                                   whose A bit was set. The mechanism has
 *                                   already cleared A in the page table.
 *   tick()                          a periodic sweep (NRU clears R, aging
 *                                   shifts its counters)
 *   select_victim() -> slot         called whenever at least one slot is
 *                                   resident (free slots may be present);
 *                                   must return a resident slot. It may update
 *                                   the policy's own state (a clock hand moves,
 *                                   second chances are given) but the slot
 *                                   stays resident until page_out. It may be
 *                                   called several times in a row with a
 *                                   page_out of each slot returned in between
 *                                   and no page_in (the page-out daemon frees
 *                                   frames ahead of need; a victim is put out
 *                                   before its write-back, and a failed one
 *                                   comes back by page_in(slot, page, false)).
 *                                   With every slot resident it decides as
 *                                   the policy's algorithm does; with free
 *                                   slots, as its file says.
 *   page_out(slot)                  slot no longer holds a page (evicted, or
 *                                   released by its owner); any slot may go.
 *
 * The order of these calls is defined in one place, mm/pool.c (see pool.h).
 *
 * State: a policy instance lives in ONE block of state_size(nframes) bytes
 * that the caller provides (8-byte aligned). init() lays the block out and
 * never allocates; policies keep no globals. A policy needing the future
 * (OPT) says so with needs_future and receives it through set_future().
 *
 * Calling page_in on a resident slot, page_out on a free one, or
 * select_victim with no slot resident is a bug and panics (MM_ASSERT).
 */
#ifndef MM_REPL_H
#define MM_REPL_H

#include "mm_types.h"
#include "mm_alloc.h"
#include "fmt.h"
#include "mm_env.h"

#define REPL_NO_SLOT 0xffffffffu
#define REPL_NEVER 0xffffffffu /* "not referenced again" in a next-use table */

/*
 * The future of a replayed reference string, for policies that need it.
 * next_use[i] is the index of the next reference to the page of reference i
 * (or REPL_NEVER); now is the index of the reference in progress, kept up to
 * date by the pool before every policy call it makes for that reference.
 */
struct repl_future {
	const uint32_t *next_use;
	uint32_t nrefs;
	uint32_t now;
};

struct repl_ops {
	const char *name;    /* canonical, lower case: "lru" */
	const char *aliases; /* other accepted names, space separated, or "" */
	int memman;          /* memman's "substitui" number (1..4), or 0 */
	const char *summary; /* one line for the list of policies */
	bool needs_future;   /* cannot choose a victim without set_future() */

	size_t (*state_size)(uint32_t nframes);
	/* Returns 0, or -MM_EINVAL (nframes == 0 or too large). */
	int (*init)(void *state, uint32_t nframes, uint64_t seed);
	void (*page_in)(void *state, uint32_t slot, uint64_t page, bool is_write);
	void (*page_out)(void *state, uint32_t slot);
	void (*referenced)(void *state, uint32_t slot, bool accessed, bool dirty);
	void (*tick)(void *state);
	uint32_t (*select_victim)(void *state);
	/* Optional (NULL unless needs_future). The pointer stays valid and its
	 * now field is updated by the caller while the policy is in use. */
	void (*set_future)(void *state, const struct repl_future *future);
	/* Does the policy count slot as resident? (for consistency checks) */
	bool (*tracks)(const void *state, uint32_t slot);
	/* Walk every structure; returns 0, or -MM_EINVAL after describing the
	 * first corruption found into err (which may be NULL). */
	int (*check)(const void *state, struct mm_sink *err);
	/* Optional: the page the next page_in brings in (a miss), told before
	 * the slot is chosen and so before select_victim when one is needed;
	 * maybe more than once for one miss (a fault tried again). A policy
	 * whose REPLACE depends on the missing page (ARC) needs it; without
	 * it such a policy learns the page only at page_in. */
	void (*will_load)(void *state, uint64_t page);
	/* Optional: select_victim and page_out of the slot it chose, in one
	 * call (an eviction then costs one indirect call, not two). It must
	 * decide and leave the state exactly as the two would. */
	uint32_t (*take_victim)(void *state);
};

/* A policy instance: its ops and its state block. */
struct repl {
	const struct repl_ops *ops;
	void *state;
	uint32_t nframes;
};

/* Allocate the state from a and init it. Returns 0, -MM_ENOMEM or -MM_EINVAL. */
int repl_create(struct repl *r, const struct repl_ops *ops, uint32_t nframes,
		uint64_t seed, const struct mm_allocator *a);
void repl_destroy(struct repl *r, const struct mm_allocator *a);

/* ---- registry (repl.c) ------------------------------------------------- */

/* Number of registered policies, and the i-th (NULL past the end). */
size_t repl_count(void);
const struct repl_ops *repl_at(size_t i);
/* By name or alias, case-insensitive; a decimal memman number ("3") is also
 * accepted. NULL when nothing matches. */
const struct repl_ops *repl_lookup(const char *name);
/* By memman number 1..4; NULL otherwise. */
const struct repl_ops *repl_by_memman(int number);
/* One line per policy: "  name  (aliases; memman N)  summary". */
void repl_list(struct mm_sink *out);

/* The policies themselves (mm/repl/repl_<name>.c). */
extern const struct repl_ops repl_nru_ops, repl_fifo_ops, repl_sc_ops,
	repl_clock_ops, repl_lru_ops, repl_aging_ops, repl_opt_ops, repl_lirs_ops,
	repl_duel_ops, repl_arc_ops, repl_clockpro_ops, repl_sieve_ops, repl_irg_ops, repl_leader_ops;

/* ---- two experts as shadows (repl_shadow.c) ---------------------------- */

/* An adaptive policy made of two registry policies run as shadow caches;
 * the frames follow the one missing less lately (repl_shadow.c says how).
 * A policy of this kind (duel, leader) is its configuration and an ops
 * table whose state_size and init pass it on; its other ops are these. */
#define REPL_SHADOW_EXPERTS 2u
struct repl_shadow_cfg {
	const char *name;                                  /* the policy's, for messages */
	const struct repl_ops *expert[REPL_SHADOW_EXPERTS]; /* choose without side effects */
	uint32_t keep_percent; /* change leader only when another scores below this % of it */
	uint32_t max_frames;   /* init refuses more */
};
size_t repl_shadow_state_size(const struct repl_shadow_cfg *c, uint32_t nframes);
int repl_shadow_init(void *state, const struct repl_shadow_cfg *c, uint32_t nframes, uint64_t seed);
void repl_shadow_page_in(void *state, uint32_t slot, uint64_t page, bool is_write);
void repl_shadow_page_out(void *state, uint32_t slot);
void repl_shadow_referenced(void *state, uint32_t slot, bool accessed, bool dirty);
void repl_shadow_tick(void *state);
uint32_t repl_shadow_select_victim(void *state);
bool repl_shadow_tracks(const void *state, uint32_t slot);
int repl_shadow_check(const void *state, struct mm_sink *err);

#define REPL_SHADOW_OPS                                                        \
	.page_in = repl_shadow_page_in, .page_out = repl_shadow_page_out,      \
	.referenced = repl_shadow_referenced, .tick = repl_shadow_tick,        \
	.select_victim = repl_shadow_select_victim, .tracks = repl_shadow_tracks, \
	.check = repl_shadow_check

/* ---- a page -> u32 hash map (repl_map.c) -------------------------------- */

/*
 * Keys are any uint64_t (page numbers); values any uint32_t but
 * REPL_MAP_NONE, which marks an empty cell. Deletion shifts the following
 * cluster back (no tombstones), so every operation is O(1) on average at
 * the load factor kept here (at most 1/2). A key is hashed by folding its
 * two halves into 32 bits and Fibonacci hashing them (multiply by 2^32/phi,
 * keep the top bits): two 32-bit multiplies, where i386 would need three
 * for a 64-bit product. Look-up, insertion and deletion are inline: the
 * pool does one insertion and one deletion per fault.
 */
#define REPL_MAP_NONE 0xffffffffu

struct repl_map {
	uint64_t *keys;
	uint32_t *vals;
	uint32_t mask;  /* capacity - 1; capacity is a power of two */
	uint32_t shift; /* 32 - log2(capacity): the hash's top bits index the table */
	uint32_t count;
	uint32_t limit; /* the most entries the map accepts */
	uint32_t *cell_of; /* optional (repl_map_index): per value, the cell holding it */
	uint32_t nvalues;  /* ... and how many values it has room for */
};

/* Bytes of memory a map of up to max_entries needs. */
size_t repl_map_bytes(uint32_t max_entries);
/* Lay a map out over mem (8-byte aligned, repl_map_bytes(max_entries)). */
void repl_map_init(struct repl_map *m, void *mem, uint32_t max_entries);

/* Make m an indexed map: its values are below nvalues, at most one key
 * holds each, and cell_of (nvalues entries, the caller's memory) is kept
 * pointing at the cell of every value present, so repl_map_del_value
 * finds an entry without hashing its key. The map must be empty. */
void repl_map_index(struct repl_map *m, uint32_t *cell_of, uint32_t nvalues);

/* The cell where key's probe sequence starts. */
static inline uint32_t repl_map_home(const struct repl_map *m, uint64_t key)
{
	uint32_t h = (uint32_t)key + (uint32_t)(key >> 32) * 0x85EBCA6Bu;
	return (h * 0x9E3779B9u) >> m->shift;
}
/* The cell holding key, or the empty cell ending its probe sequence. */
static inline uint32_t repl_map_find(const struct repl_map *m, uint64_t key)
{
	uint32_t i = repl_map_home(m, key);
	while (m->vals[i] != REPL_MAP_NONE && m->keys[i] != key) i = (i + 1) & m->mask;
	return i;
}
static inline uint32_t repl_map_get(const struct repl_map *m, uint64_t key)
{
	return m->vals[repl_map_find(m, key)];
}
/* Insert or replace. Returns 0, or -MM_ENOSPC when full. */
static inline int repl_map_put(struct repl_map *m, uint64_t key, uint32_t val)
{
	MM_ASSERT(val != REPL_MAP_NONE, "map value %#x is reserved", val);
	uint32_t i = repl_map_find(m, key);
	if (m->vals[i] == REPL_MAP_NONE) {
		if (m->count >= m->limit) return -MM_ENOSPC;
		m->count++;
		m->keys[i] = key;
	}
	m->vals[i] = val;
	if (m->cell_of) {
		MM_ASSERT(val < m->nvalues, "map: value %u beyond the index's %u", val, m->nvalues);
		m->cell_of[val] = i;
	}
	return 0;
}
/* Empty the cell `hole` (it holds an entry) and pull back every later
 * entry of its cluster that may live there. */
void repl_map_del_cell(struct repl_map *m, uint32_t hole);
static inline void repl_map_del_at(struct repl_map *m, uint32_t i)
{
	if (m->vals[(i + 1) & m->mask] == REPL_MAP_NONE) { /* the cluster ends here: nothing to pull back */
		m->vals[i] = REPL_MAP_NONE;
		m->count--;
	} else {
		repl_map_del_cell(m, i);
	}
}
/* Returns true if key was present. */
static inline bool repl_map_del(struct repl_map *m, uint64_t key)
{
	uint32_t i = repl_map_find(m, key);
	if (m->vals[i] == REPL_MAP_NONE) return false;
	repl_map_del_at(m, i);
	return true;
}
/* An indexed map's entry of value val, which is present, removed; its key
 * is returned. */
static inline uint64_t repl_map_del_value(struct repl_map *m, uint32_t val)
{
	uint32_t i = m->cell_of[val];
	MM_ASSERT(i <= m->mask && m->vals[i] == val, "map: value %u is not in cell %u", val, i);
	uint64_t key = m->keys[i];
	repl_map_del_at(m, i);
	return key;
}
/* Move the map into a bigger block from a (the old block, which must also
 * have come from a, is freed). Returns 0 or -MM_ENOMEM (map unchanged). */
int repl_map_grow(struct repl_map *m, uint32_t max_entries, const struct mm_allocator *a);
/* Every entry findable from its home cell, count right. 0 or -MM_EINVAL. */
int repl_map_check(const struct repl_map *m, struct mm_sink *err);

/* ---- helpers for policy implementations --------------------------------- */

/* Check functions report a corruption with mm_bad (check.h). */

/* ---- an index-linked list (repl_dlist.c) -------------------------------- */

/*
 * A doubly linked list threaded through two index arrays (next/prev), for
 * policies that order their slots (FIFO, Second-Chance, LRU) or their own
 * entries (LIRS). REPL_NO_SLOT ends the list; an element not on the list has
 * prev == REPL_LINK_OUT. Every operation is O(1).
 */
#define REPL_LINK_OUT 0xfffffffeu

struct repl_dlist {
	uint32_t *next, *prev;
	uint32_t head, tail, count;
};

/* next/prev must have n elements each; all start off the list. */
void repl_dlist_init(struct repl_dlist *l, uint32_t *next, uint32_t *prev, uint32_t n);
static inline bool repl_dlist_has(const struct repl_dlist *l, uint32_t i)
{
	return l->prev[i] != REPL_LINK_OUT;
}
/* Push and remove are inline: a policy's page_in and page_out are little
 * more than one of them, on every fault. */
static inline void repl_dlist_push_back(struct repl_dlist *l, uint32_t i)
{
	MM_ASSERT(!repl_dlist_has(l, i), "element %u is already on the list", i);
	uint32_t t = l->tail;
	l->prev[i] = t;
	l->next[i] = REPL_NO_SLOT;
	if (t != REPL_NO_SLOT) l->next[t] = i;
	else l->head = i;
	l->tail = i;
	l->count++;
}
static inline void repl_dlist_push_front(struct repl_dlist *l, uint32_t i)
{
	MM_ASSERT(!repl_dlist_has(l, i), "element %u is already on the list", i);
	uint32_t h = l->head;
	l->next[i] = h;
	l->prev[i] = REPL_NO_SLOT;
	if (h != REPL_NO_SLOT) l->prev[h] = i;
	else l->tail = i;
	l->head = i;
	l->count++;
}
static inline void repl_dlist_remove(struct repl_dlist *l, uint32_t i)
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
/* Take the first (last) element off a list that is not empty. */
static inline uint32_t repl_dlist_pop_front(struct repl_dlist *l)
{
	MM_ASSERT(l->count > 0, "pop from an empty list");
	uint32_t i = l->head, n = l->next[i];
	l->head = n;
	if (n != REPL_NO_SLOT) l->prev[n] = REPL_NO_SLOT;
	else l->tail = REPL_NO_SLOT;
	l->next[i] = l->prev[i] = REPL_LINK_OUT;
	l->count--;
	return i;
}
static inline uint32_t repl_dlist_pop_back(struct repl_dlist *l)
{
	MM_ASSERT(l->count > 0, "pop from an empty list");
	uint32_t i = l->tail, p = l->prev[i];
	l->tail = p;
	if (p != REPL_NO_SLOT) l->next[p] = REPL_NO_SLOT;
	else l->head = REPL_NO_SLOT;
	l->next[i] = l->prev[i] = REPL_LINK_OUT;
	l->count--;
	return i;
}
/* Links walk both ways, count is right, and every element marked on the
 * list (among the n) is reachable from head. 0 or -MM_EINVAL. */
int repl_dlist_check(const struct repl_dlist *l, uint32_t n, const char *what,
		     struct mm_sink *err);

/* The largest pool any policy accepts (keeps every size computation in 32 bits). */
#define REPL_MAX_FRAMES (1u << 24)

#endif
