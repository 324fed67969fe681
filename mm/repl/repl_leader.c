/*
 * repl_leader.c - "leader": an IRG and an LRU shadow run side by side, and
 * the frames follow whichever of the two has been missing less lately,
 * changing sides only on a clear lead.
 *
 * IRG (repl_irg.c) predicts each page's next reference from its gaps and is
 * near OPT on loops and on most of the LIRS traces; LRU wins where the gaps
 * say little and recency says more (file-system traces such as sprite at
 * large sizes). This is the "multiple experts" scheme of adaptive caching
 * (Ari et al., "ACME", 2002; LeCaR, Vietri et al., HotStorage 2018) in its
 * simplest form, the one repl_duel.c uses for LIRS and LRU: each expert is
 * an unmodified registry policy driven as a SHADOW cache of the same size
 * over "virtual slots", holding only page numbers. A decayed miss count per
 * shadow (each miss adds 1 << LEADER_SCALE, each reference takes away
 * 1 / 2^LEADER_DECAY_SHIFT of the count: the last few thousand references)
 * elects the leader, which changes only when another expert's count is
 * below LEADER_KEEP_PERCENT of the leader's: switching costs misses while
 * the frames converge, so a small lead is not worth one.
 *
 * The real frames converge to the leader's contents: for every expert the
 * policy keeps the list of real slots whose page that shadow has evicted
 * ("outsiders", oldest first). The victim is the leader's oldest outsider;
 * when there is none the frames hold exactly the leader's pages, and the
 * victim is the leader's own choice (IRG and LRU choose without side
 * effects, so asking ahead does not disturb them). O(log n) per reference
 * (IRG's heaps).
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

#define LEADER_NEXPERTS 2u
#define LEADER_SCALE 12u
#ifndef LEADER_DECAY_SHIFT
#define LEADER_DECAY_SHIFT 10u
#endif
#ifndef LEADER_KEEP_PERCENT
#define LEADER_KEEP_PERCENT 95u
#endif

static const struct repl_ops *const leader_experts[LEADER_NEXPERTS] = { &repl_irg_ops, &repl_lru_ops };

struct shadow {
	const struct repl_ops *ops;
	void *state;
	uint64_t *vpage;       /* per virtual slot: its page */
	uint32_t nused;        /* virtual slots filled so far (0..nused-1) */
	struct repl_map map;   /* page -> virtual slot */
	struct repl_dlist out; /* real slots whose page this shadow dropped */
	uint32_t score;        /* decayed misses */
};

struct leader {
	uint32_t nframes, nresident, leader;
	uint64_t *page;      /* per real slot */
	uint8_t *used;       /* per real slot */
	struct repl_map map; /* page -> real slot */
	struct shadow sh[LEADER_NEXPERTS];
};

struct leader_layout {
	size_t page, used, map, end;
	size_t state[LEADER_NEXPERTS], vpage[LEADER_NEXPERTS], smap[LEADER_NEXPERTS];
	size_t out_next[LEADER_NEXPERTS], out_prev[LEADER_NEXPERTS];
};

static void leader_layout(uint32_t n, struct leader_layout *l)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct leader));
	l->page = mm_take(&end, (size_t)n * 8);
	l->used = mm_take(&end, n);
	l->map = mm_take(&end, repl_map_bytes(n));
	for (uint32_t e = 0; e < LEADER_NEXPERTS; e++) {
		l->state[e] = mm_take(&end, leader_experts[e]->state_size(n));
		l->vpage[e] = mm_take(&end, (size_t)n * 8);
		l->smap[e] = mm_take(&end, repl_map_bytes(n));
		l->out_next[e] = mm_take(&end, (size_t)n * 4);
		l->out_prev[e] = mm_take(&end, (size_t)n * 4);
	}
	l->end = end;
}

static size_t leader_state_size(uint32_t n)
{
	struct leader_layout l;
	leader_layout(n, &l);
	return l.end;
}

static int leader_init(void *state, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > REPL_MAX_FRAMES / 5) return -MM_EINVAL;
	struct leader *s = state;
	struct leader_layout l;
	char *base = state;
	leader_layout(n, &l);
	s->nframes = n;
	s->nresident = 0;
	s->leader = 0;
	s->page = (uint64_t *)(base + l.page);
	s->used = (uint8_t *)(base + l.used);
	for (uint32_t i = 0; i < n; i++) s->used[i] = 0;
	repl_map_init(&s->map, base + l.map, n);
	for (uint32_t e = 0; e < LEADER_NEXPERTS; e++) {
		struct shadow *sh = &s->sh[e];
		sh->ops = leader_experts[e];
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
static bool shadow_access(struct leader *s, struct shadow *sh, uint64_t x, bool is_write)
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
static void leader_access(struct leader *s, uint64_t x, bool is_write)
{
	for (uint32_t e = 0; e < LEADER_NEXPERTS; e++) {
		struct shadow *sh = &s->sh[e];
		bool miss = shadow_access(s, sh, x, is_write);
		sh->score -= sh->score >> LEADER_DECAY_SHIFT;
		if (miss) sh->score += 1u << LEADER_SCALE;
	}
	uint32_t best = s->leader;
	for (uint32_t e = 0; e < LEADER_NEXPERTS; e++)
		if (s->sh[e].score < s->sh[best].score) best = e;
	if ((uint64_t)s->sh[best].score * 100 < (uint64_t)s->sh[s->leader].score * LEADER_KEEP_PERCENT)
		s->leader = best;
}

static void leader_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct leader *s = state;
	MM_ASSERT(slot < s->nframes && !s->used[slot], "leader: page_in(%u)", slot);
	s->used[slot] = 1;
	s->page[slot] = page;
	s->nresident++;
	repl_map_put(&s->map, page, slot);
	leader_access(s, page, is_write);
}

static void leader_page_out(void *state, uint32_t slot)
{
	struct leader *s = state;
	MM_ASSERT(slot < s->nframes && s->used[slot], "leader: page_out(%u)", slot);
	for (uint32_t e = 0; e < LEADER_NEXPERTS; e++)
		if (repl_dlist_has(&s->sh[e].out, slot)) repl_dlist_remove(&s->sh[e].out, slot);
	repl_map_del(&s->map, s->page[slot]);
	s->used[slot] = 0;
	s->nresident--;
}

static void leader_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct leader *s = state;
	MM_ASSERT(slot < s->nframes && s->used[slot], "leader: referenced(%u)", slot);
	if (accessed) leader_access(s, s->page[slot], dirty);
}

static void leader_tick(void *state)
{
	struct leader *s = state;
	for (uint32_t e = 0; e < LEADER_NEXPERTS; e++) s->sh[e].ops->tick(s->sh[e].state);
}

static uint32_t leader_select_victim(void *state)
{
	struct leader *s = state;
	MM_ASSERT(s->nresident == s->nframes, "leader: victim wanted with %u of %u resident",
		  s->nresident, s->nframes);
	struct shadow *lead = &s->sh[s->leader];
	if (lead->out.count) return lead->out.head;
	/* The frames hold exactly the leader's pages: take its choice. */
	uint32_t v = lead->ops->select_victim(lead->state);
	uint32_t real = repl_map_get(&s->map, lead->vpage[v]);
	MM_ASSERT(real != REPL_MAP_NONE, "leader: %s's victim page %llu is not resident", lead->ops->name,
		  (unsigned long long)lead->vpage[v]);
	return real;
}

static bool leader_tracks(const void *state, uint32_t slot)
{
	const struct leader *s = state;
	return slot < s->nframes && s->used[slot];
}

static int leader_check_shadow(const struct leader *s, const struct shadow *sh, struct mm_sink *err)
{
	int e;
	if ((e = sh->ops->check(sh->state, err)) || (e = repl_map_check(&sh->map, err)) ||
	    (e = repl_dlist_check(&sh->out, s->nframes, "leader outsiders", err)))
		return e;
	if (sh->map.count != sh->nused)
		return mm_bad(err, "leader: %s shadow holds %u pages, %u slots used", sh->ops->name,
				sh->map.count, sh->nused);
	for (uint32_t v = 0; v < sh->nused; v++)
		if (!sh->ops->tracks(sh->state, v) || repl_map_get(&sh->map, sh->vpage[v]) != v)
			return mm_bad(err, "leader: %s shadow slot %u is inconsistent", sh->ops->name, v);
	for (uint32_t i = 0; i < s->nframes; i++) {
		bool outside = s->used[i] && repl_map_get(&sh->map, s->page[i]) == REPL_MAP_NONE;
		if (outside != repl_dlist_has(&sh->out, i))
			return mm_bad(err, "leader: slot %u outside %s's shadow %d, listed %d", i,
					sh->ops->name, outside, repl_dlist_has(&sh->out, i));
	}
	return 0;
}

static int leader_check(const void *state, struct mm_sink *err)
{
	const struct leader *s = state;
	uint32_t n = 0;
	int e = repl_map_check(&s->map, err);
	if (e) return e;
	for (uint32_t i = 0; i < s->nframes; i++) {
		if (!s->used[i]) continue;
		n++;
		if (repl_map_get(&s->map, s->page[i]) != i)
			return mm_bad(err, "leader: slot %u's page is not mapped to it", i);
	}
	if (n != s->nresident || n != s->map.count)
		return mm_bad(err, "leader: %u used slots, count %u, map %u", n, s->nresident, s->map.count);
	if (s->leader >= LEADER_NEXPERTS) return mm_bad(err, "leader: leader %u", s->leader);
	for (uint32_t x = 0; x < LEADER_NEXPERTS; x++)
		if ((e = leader_check_shadow(s, &s->sh[x], err))) return e;
	return 0;
}

const struct repl_ops repl_leader_ops = {
	.name = "leader",
	.aliases = "irg-lru",
	.memman = 0,
	.summary = "Leader: follows whichever of an IRG and an LRU shadow missed less lately (by a 5% lead)",
	.state_size = leader_state_size,
	.init = leader_init,
	.page_in = leader_page_in,
	.page_out = leader_page_out,
	.referenced = leader_referenced,
	.tick = leader_tick,
	.select_victim = leader_select_victim,
	.tracks = leader_tracks,
	.check = leader_check,
};
