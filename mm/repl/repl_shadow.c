/*
 * repl_shadow.c - adaptive replacement from two experts: two registry
 * policies run side by side as SHADOW caches of the same size (each sees
 * every reference, makes its own misses and evictions over "virtual
 * slots", and holds only page numbers), and the real frames follow
 * whichever has been missing less lately. This is the "multiple experts"
 * scheme of adaptive caching (Ari et al., "ACME", 2002; LeCaR, Vietri et
 * al., HotStorage 2018) in its simplest form; repl_duel.c (LIRS and LRU)
 * and repl_leader.c (IRG and LRU) are two of them (see repl.h).
 *
 * A decayed miss count per shadow (each miss adds 1 << SHADOW_SCALE, every
 * reference takes away 1 / 2^SHADOW_DECAY_SHIFT of the count, so the count
 * follows the last few thousand references) elects the leader, which
 * changes only when another expert's count is below keep_percent of the
 * leader's (100: whenever it is lower).
 *
 * The real frames converge to the leader's contents: for every expert the
 * policy keeps the list of real slots whose page that shadow has evicted
 * ("outsiders", oldest first). The victim is the leader's oldest outsider;
 * when there is none the frames hold exactly the leader's pages, and the
 * victim is the leader's own choice (the experts must choose without side
 * effects when full, so asking ahead does not disturb them). Per
 * reference: the experts' own costs, twice.
 *
 * With free slots present (victims taken ahead by the page-out daemon or
 * isolated for write-back, pages released by their owner) the frames may
 * hold fewer pages than the leader: no outsider, and the leader's own
 * choice may be a page no frame holds (the daemon's second call finds the
 * first victim still in the shadow). Then the victim is the least recently
 * used real page (a recency list over the real slots, which hear the same
 * references as the shadows). The leader is asked only when its shadow is
 * full, as it always is when every frame is resident, so nothing changes
 * then: its choice is resident, every real page being one of its pages.
 */
#include "repl.h"
#include "mmlib.h"
#include "mm_env.h"
#include "check.h"

#define SHADOW_SCALE 12u
#define SHADOW_DECAY_SHIFT 10u

struct shadow {
	const struct repl_ops *ops;
	void *state;
	uint64_t *vpage;       /* per virtual slot: its page */
	uint32_t nused;        /* virtual slots filled so far (0..nused-1) */
	struct repl_map map;   /* page -> virtual slot */
	struct repl_dlist out; /* real slots whose page this shadow dropped */
	uint32_t score;        /* decayed misses */
};

struct shadows {
	const struct repl_shadow_cfg *cfg;
	uint32_t nframes, nresident, leader;
	uint64_t *page;      /* per real slot */
	uint8_t *used;       /* per real slot */
	struct repl_dlist recency; /* the used real slots, most recently used first */
	struct repl_map map; /* page -> real slot */
	struct shadow sh[REPL_SHADOW_EXPERTS];
};

struct shadows_layout {
	size_t page, used, map, r_next, r_prev, end;
	size_t state[REPL_SHADOW_EXPERTS], vpage[REPL_SHADOW_EXPERTS], smap[REPL_SHADOW_EXPERTS];
	size_t out_next[REPL_SHADOW_EXPERTS], out_prev[REPL_SHADOW_EXPERTS];
};

static void shadows_layout(const struct repl_shadow_cfg *c, uint32_t n, struct shadows_layout *l)
{
	size_t end = 0;
	mm_take(&end, sizeof(struct shadows));
	l->page = mm_take(&end, (size_t)n * 8);
	l->used = mm_take(&end, n);
	l->map = mm_take(&end, repl_map_bytes(n));
	l->r_next = mm_take(&end, (size_t)n * 4);
	l->r_prev = mm_take(&end, (size_t)n * 4);
	for (uint32_t e = 0; e < REPL_SHADOW_EXPERTS; e++) {
		l->state[e] = mm_take(&end, c->expert[e]->state_size(n));
		l->vpage[e] = mm_take(&end, (size_t)n * 8);
		l->smap[e] = mm_take(&end, repl_map_bytes(n));
		l->out_next[e] = mm_take(&end, (size_t)n * 4);
		l->out_prev[e] = mm_take(&end, (size_t)n * 4);
	}
	l->end = end;
}

size_t repl_shadow_state_size(const struct repl_shadow_cfg *c, uint32_t n)
{
	struct shadows_layout l;
	shadows_layout(c, n, &l);
	return l.end;
}

int repl_shadow_init(void *state, const struct repl_shadow_cfg *c, uint32_t n, uint64_t seed)
{
	if (n == 0 || n > c->max_frames) return -MM_EINVAL;
	struct shadows *s = state;
	struct shadows_layout l;
	char *base = state;
	shadows_layout(c, n, &l);
	s->cfg = c;
	s->nframes = n;
	s->nresident = 0;
	s->leader = 0;
	s->page = (uint64_t *)(base + l.page);
	s->used = (uint8_t *)(base + l.used);
	for (uint32_t i = 0; i < n; i++) s->used[i] = 0;
	repl_map_init(&s->map, base + l.map, n);
	repl_dlist_init(&s->recency, (uint32_t *)(base + l.r_next), (uint32_t *)(base + l.r_prev), n);
	for (uint32_t e = 0; e < REPL_SHADOW_EXPERTS; e++) {
		struct shadow *sh = &s->sh[e];
		sh->ops = c->expert[e];
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
static bool shadow_access(struct shadows *s, struct shadow *sh, uint64_t x, bool is_write)
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
static void shadows_access(struct shadows *s, uint64_t x, bool is_write)
{
	for (uint32_t e = 0; e < REPL_SHADOW_EXPERTS; e++) {
		struct shadow *sh = &s->sh[e];
		bool miss = shadow_access(s, sh, x, is_write);
		sh->score -= sh->score >> SHADOW_DECAY_SHIFT;
		if (miss) sh->score += 1u << SHADOW_SCALE;
	}
	uint32_t best = s->leader;
	for (uint32_t e = 0; e < REPL_SHADOW_EXPERTS; e++)
		if (s->sh[e].score < s->sh[best].score) best = e;
	if ((uint64_t)s->sh[best].score * 100 < (uint64_t)s->sh[s->leader].score * s->cfg->keep_percent)
		s->leader = best;
}

void repl_shadow_page_in(void *state, uint32_t slot, uint64_t page, bool is_write)
{
	struct shadows *s = state;
	MM_ASSERT(slot < s->nframes && !s->used[slot], "%s: page_in(%u)", s->cfg->name, slot);
	s->used[slot] = 1;
	s->page[slot] = page;
	s->nresident++;
	repl_map_put(&s->map, page, slot);
	repl_dlist_push_front(&s->recency, slot);
	shadows_access(s, page, is_write);
}

void repl_shadow_page_out(void *state, uint32_t slot)
{
	struct shadows *s = state;
	MM_ASSERT(slot < s->nframes && s->used[slot], "%s: page_out(%u)", s->cfg->name, slot);
	for (uint32_t e = 0; e < REPL_SHADOW_EXPERTS; e++)
		if (repl_dlist_has(&s->sh[e].out, slot)) repl_dlist_remove(&s->sh[e].out, slot);
	repl_map_del(&s->map, s->page[slot]);
	repl_dlist_remove(&s->recency, slot);
	s->used[slot] = 0;
	s->nresident--;
}

void repl_shadow_referenced(void *state, uint32_t slot, bool accessed, bool dirty)
{
	struct shadows *s = state;
	MM_ASSERT(slot < s->nframes && s->used[slot], "%s: referenced(%u)", s->cfg->name, slot);
	if (!accessed) return;
	repl_dlist_remove(&s->recency, slot);
	repl_dlist_push_front(&s->recency, slot);
	shadows_access(s, s->page[slot], dirty);
}

void repl_shadow_tick(void *state)
{
	struct shadows *s = state;
	for (uint32_t e = 0; e < REPL_SHADOW_EXPERTS; e++) s->sh[e].ops->tick(s->sh[e].state);
}

uint32_t repl_shadow_select_victim(void *state)
{
	struct shadows *s = state;
	MM_ASSERT(s->nresident > 0, "%s: victim wanted with none of %u resident", s->cfg->name, s->nframes);
	struct shadow *lead = &s->sh[s->leader];
	if (lead->out.count) return lead->out.head;
	/* Every real page is one of the leader's: take its choice if a frame
	 * holds it (always, when every frame is resident). */
	if (lead->nused == s->nframes) {
		uint32_t v = lead->ops->select_victim(lead->state);
		uint32_t real = repl_map_get(&s->map, lead->vpage[v]);
		if (real != REPL_MAP_NONE) return real;
		MM_ASSERT(s->nresident < s->nframes, "%s: %s's victim page %llu is not resident", s->cfg->name,
			  lead->ops->name, (unsigned long long)lead->vpage[v]);
	}
	return s->recency.tail;
}

bool repl_shadow_tracks(const void *state, uint32_t slot)
{
	const struct shadows *s = state;
	return slot < s->nframes && s->used[slot];
}

static int check_shadow(const struct shadows *s, const struct shadow *sh, struct mm_sink *err)
{
	int e;
	if ((e = sh->ops->check(sh->state, err)) || (e = repl_map_check(&sh->map, err)) ||
	    (e = repl_dlist_check(&sh->out, s->nframes, "shadow outsiders", err)))
		return e;
	if (sh->map.count != sh->nused)
		return mm_bad(err, "%s: %s shadow holds %u pages, %u slots used", s->cfg->name, sh->ops->name,
				sh->map.count, sh->nused);
	for (uint32_t v = 0; v < sh->nused; v++)
		if (!sh->ops->tracks(sh->state, v) || repl_map_get(&sh->map, sh->vpage[v]) != v)
			return mm_bad(err, "%s: %s shadow slot %u is inconsistent", s->cfg->name, sh->ops->name, v);
	for (uint32_t i = 0; i < s->nframes; i++) {
		bool outside = s->used[i] && repl_map_get(&sh->map, s->page[i]) == REPL_MAP_NONE;
		if (outside != repl_dlist_has(&sh->out, i))
			return mm_bad(err, "%s: slot %u outside %s's shadow %d, listed %d", s->cfg->name, i,
					sh->ops->name, outside, repl_dlist_has(&sh->out, i));
	}
	return 0;
}

int repl_shadow_check(const void *state, struct mm_sink *err)
{
	const struct shadows *s = state;
	uint32_t n = 0;
	int e = repl_map_check(&s->map, err);
	if (e) return e;
	for (uint32_t i = 0; i < s->nframes; i++) {
		if (!s->used[i]) continue;
		n++;
		if (repl_map_get(&s->map, s->page[i]) != i)
			return mm_bad(err, "%s: slot %u's page is not mapped to it", s->cfg->name, i);
	}
	if (n != s->nresident || n != s->map.count)
		return mm_bad(err, "%s: %u used slots, count %u, map %u", s->cfg->name, n, s->nresident, s->map.count);
	if ((e = repl_dlist_check(&s->recency, s->nframes, "shadow recency list", err))) return e;
	for (uint32_t i = 0; i < s->nframes; i++)
		if (repl_dlist_has(&s->recency, i) != (s->used[i] != 0))
			return mm_bad(err, "%s: slot %u used %u, on the recency list %d", s->cfg->name, i, s->used[i],
				      repl_dlist_has(&s->recency, i));
	if (s->leader >= REPL_SHADOW_EXPERTS) return mm_bad(err, "%s: leader %u", s->cfg->name, s->leader);
	for (uint32_t x = 0; x < REPL_SHADOW_EXPERTS; x++)
		if ((e = check_shadow(s, &s->sh[x], err))) return e;
	return 0;
}
