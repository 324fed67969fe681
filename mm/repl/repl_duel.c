/*
 * repl_duel.c - "duel": LIRS and LRU run side by side as shadows, and the
 * frames follow whichever of the two has been missing less lately.
 *
 * LIRS wins on loops and scans, where LRU misses on nearly every reference;
 * LRU wins on back-and-forth sweeps and on some mixes where LIRS keeps the
 * wrong pages. Neither needs to be right everywhere if an adaptive policy
 * listens to both (the "multiple experts" idea of adaptive caching).
 *
 * Each expert is an unmodified registry policy (repl_lirs.c, repl_lru.c)
 * driven as a SHADOW cache of the same size: it sees every reference, makes
 * its own misses and evictions over "virtual slots", and holds only page
 * numbers. A decayed miss count per shadow (each miss adds 1 << DUEL_SCALE,
 * every reference takes away 1 / 2^DUEL_DECAY_SHIFT of the count, so the
 * count follows the last few thousand references) elects the leader, which
 * changes only when the other expert is strictly better.
 *
 * The real frames converge to the leader's contents: for every expert the
 * policy keeps the list of real slots whose page that shadow has evicted
 * ("outsiders", oldest first). The victim is the leader's oldest outsider;
 * when there is none the frames hold exactly the leader's pages, and the
 * victim is the leader's own choice (LIRS and LRU choose without side
 * effects, so asking ahead does not disturb them). O(1) per reference.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

#define DUEL_NEXPERTS 2u
#define DUEL_SCALE 12u
#ifndef DUEL_DECAY_SHIFT
#define DUEL_DECAY_SHIFT 10u
#endif

static const struct repl_ops *const duel_experts[DUEL_NEXPERTS] = { &repl_lirs_ops, &repl_lru_ops };

struct shadow {
	const struct repl_ops *ops;
	void *state;
	uint64_t *vpage;       /* per virtual slot: its page */
	uint32_t nused;        /* virtual slots filled so far (0..nused-1) */
	struct repl_map map;   /* page -> virtual slot */
	struct repl_dlist out; /* real slots whose page this shadow dropped */
	uint32_t score;        /* decayed misses */
};

struct duel {
	uint32_t nframes, nresident, leader;
	uint64_t *page;      /* per real slot */
	uint8_t *used;       /* per real slot */
	struct repl_map map; /* page -> real slot */
	struct shadow sh[DUEL_NEXPERTS];
};

struct duel_layout {
	size_t page, used, map, end;
	size_t state[DUEL_NEXPERTS], vpage[DUEL_NEXPERTS], smap[DUEL_NEXPERTS];
	size_t out_next[DUEL_NEXPERTS], out_prev[DUEL_NEXPERTS];
};

static void duel_layout(uint32_t n, struct duel_layout *l)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct duel));
	l->page = mm_take(&end, (size_t)n * 8);
	l->used = mm_take(&end, n);
	l->map = mm_take(&end, repl_map_bytes(n));
	for (uint32_t e = 0; e < DUEL_NEXPERTS; e++) {
		l->state[e] = mm_take(&end, duel_experts[e]->state_size(n));
		l->vpage[e] = mm_take(&end, (size_t)n * 8);
		l->smap[e] = mm_take(&end, repl_map_bytes(n));
		l->out_next[e] = mm_take(&end, (size_t)n * 4);
		l->out_prev[e] = mm_take(&end, (size_t)n * 4);
	}
	l->end = end;
}

static size_t duel_state_size(uint32_t n)
{
	struct duel_layout l;
	duel_layout(n, &l);
	return l.end;
}

static int duel_init(void *state, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > REPL_MAX_FRAMES / 4) return -MM_EINVAL;
	struct duel *s = state;
	struct duel_layout l;
	char *base = state;
	duel_layout(n, &l);
	s->nframes = n;
	s->nresident = 0;
	s->leader = 0;
	s->page = (uint64_t *)(base + l.page);
	s->used = (uint8_t *)(base + l.used);
	for (uint32_t i = 0; i < n; i++) s->used[i] = 0;
	repl_map_init(&s->map, base + l.map, n);
	for (uint32_t e = 0; e < DUEL_NEXPERTS; e++) {
		struct shadow *sh = &s->sh[e];
		sh->ops = duel_experts[e];
		sh->state = base + l.state[e];
		int err = sh->ops->init(sh->state, n, seed);
		if (err) return err;
		sh->vpage = (uint64_t *)(base + l.vpage[e]);
		sh->nused = 0;
		repl_map_init(&sh->map, base + l.smap[e], n);
		repl_dlist_init(&sh->out, (uint32_t *)(base + l.out_next[e]),
				(uint32_t *)(base + l.out_prev[e]), n);
		sh->score = 0;
	}
	return 0;
}

/* Feed one reference to page x into a shadow; returns true on a miss. */
static bool shadow_access(struct duel *s, struct shadow *sh, uint64_t x, bool is_write)
{
	uint32_t v = repl_map_get(&sh->map, x);
	if (v != REPL_MAP_NONE) {
		sh->ops->referenced(sh->state, v, true, is_write);
		return false;
	}
	if (sh->nused < s->nframes) {
		v = sh->nused++;
	} else {
		v = sh->ops->select_victim(sh->state);
		uint64_t gone = sh->vpage[v];
		sh->ops->page_out(sh->state, v);
		repl_map_del(&sh->map, gone);
		uint32_t real = repl_map_get(&s->map, gone);
		if (real != REPL_MAP_NONE) repl_dlist_push_back(&sh->out, real);
	}
	sh->vpage[v] = x;
	repl_map_put(&sh->map, x, v);
	sh->ops->page_in(sh->state, v, x, is_write);
	uint32_t real = repl_map_get(&s->map, x);
	if (real != REPL_MAP_NONE && repl_dlist_has(&sh->out, real)) repl_dlist_remove(&sh->out, real);
	return true;
}

/* One reference to x: every shadow sees it, scores decay, maybe a new leader. */
static void duel_access(struct duel *s, uint64_t x, bool is_write)
{
	for (uint32_t e = 0; e < DUEL_NEXPERTS; e++) {
		struct shadow *sh = &s->sh[e];
		bool miss = shadow_access(s, sh, x, is_write);
		sh->score -= sh->score >> DUEL_DECAY_SHIFT;
		if (miss) sh->score += 1u << DUEL_SCALE;
	}
	for (uint32_t e = 0; e < DUEL_NEXPERTS; e++)
		if (s->sh[e].score < s->sh[s->leader].score) s->leader = e;
}

static void duel_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct duel *s = state;
	MM_ASSERT(slot < s->nframes && !s->used[slot], "duel: page_in(%u)", slot);
	s->used[slot] = 1;
	s->page[slot] = page;
	s->nresident++;
	repl_map_put(&s->map, page, slot);
	duel_access(s, page, is_write);
}

static void duel_page_out(void *state, uint32_t slot)
{
	struct duel *s = state;
	MM_ASSERT(slot < s->nframes && s->used[slot], "duel: page_out(%u)", slot);
	for (uint32_t e = 0; e < DUEL_NEXPERTS; e++)
		if (repl_dlist_has(&s->sh[e].out, slot)) repl_dlist_remove(&s->sh[e].out, slot);
	repl_map_del(&s->map, s->page[slot]);
	s->used[slot] = 0;
	s->nresident--;
}

static void duel_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct duel *s = state;
	MM_ASSERT(slot < s->nframes && s->used[slot], "duel: referenced(%u)", slot);
	if (accessed) duel_access(s, s->page[slot], dirty);
}

static void duel_tick(void *state)
{
	struct duel *s = state;
	for (uint32_t e = 0; e < DUEL_NEXPERTS; e++) s->sh[e].ops->tick(s->sh[e].state);
}

static uint32_t duel_select_victim(void *state)
{
	struct duel *s = state;
	MM_ASSERT(s->nresident == s->nframes, "duel: victim wanted with %u of %u resident",
		  s->nresident, s->nframes);
	struct shadow *lead = &s->sh[s->leader];
	if (lead->out.count) return lead->out.head;
	/* The frames hold exactly the leader's pages: take its choice. */
	uint32_t v = lead->ops->select_victim(lead->state);
	uint32_t real = repl_map_get(&s->map, lead->vpage[v]);
	MM_ASSERT(real != REPL_MAP_NONE, "duel: %s's victim page %llu is not resident", lead->ops->name,
		  (unsigned long long)lead->vpage[v]);
	return real;
}

static bool duel_tracks(const void *state, uint32_t slot)
{
	const struct duel *s = state;
	return slot < s->nframes && s->used[slot];
}

static int duel_check_shadow(const struct duel *s, const struct shadow *sh, struct mm_sink *err)
{
	int e;
	if ((e = sh->ops->check(sh->state, err)) || (e = repl_map_check(&sh->map, err)) ||
	    (e = repl_dlist_check(&sh->out, s->nframes, "duel outsiders", err)))
		return e;
	if (sh->map.count != sh->nused)
		return mm_bad(err, "duel: %s shadow holds %u pages, %u slots used", sh->ops->name,
				sh->map.count, sh->nused);
	for (uint32_t v = 0; v < sh->nused; v++)
		if (!sh->ops->tracks(sh->state, v) || repl_map_get(&sh->map, sh->vpage[v]) != v)
			return mm_bad(err, "duel: %s shadow slot %u is inconsistent", sh->ops->name, v);
	for (uint32_t i = 0; i < s->nframes; i++) {
		bool outside = s->used[i] && repl_map_get(&sh->map, s->page[i]) == REPL_MAP_NONE;
		if (outside != repl_dlist_has(&sh->out, i))
			return mm_bad(err, "duel: slot %u outside %s's shadow %d, listed %d", i,
					sh->ops->name, outside, repl_dlist_has(&sh->out, i));
	}
	return 0;
}

static int duel_check(const void *state, struct mm_sink *err)
{
	const struct duel *s = state;
	uint32_t n = 0;
	int e = repl_map_check(&s->map, err);
	if (e) return e;
	for (uint32_t i = 0; i < s->nframes; i++) {
		if (!s->used[i]) continue;
		n++;
		if (repl_map_get(&s->map, s->page[i]) != i)
			return mm_bad(err, "duel: slot %u's page is not mapped to it", i);
	}
	if (n != s->nresident || n != s->map.count)
		return mm_bad(err, "duel: %u used slots, count %u, map %u", n, s->nresident, s->map.count);
	if (s->leader >= DUEL_NEXPERTS) return mm_bad(err, "duel: leader %u", s->leader);
	for (uint32_t x = 0; x < DUEL_NEXPERTS; x++)
		if ((e = duel_check_shadow(s, &s->sh[x], err))) return e;
	return 0;
}

const struct repl_ops repl_duel_ops = {
	.name = "duel",
	.aliases = "lirs-lru adaptive",
	.memman = 0,
	.summary = "Duel: follows whichever of a LIRS and an LRU shadow missed less lately",
	.state_size = duel_state_size,
	.init = duel_init,
	.page_in = duel_page_in,
	.page_out = duel_page_out,
	.referenced = duel_referenced,
	.tick = duel_tick,
	.select_victim = duel_select_victim,
	.tracks = duel_tracks,
	.check = duel_check,
};
