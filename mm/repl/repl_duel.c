/*
 * repl_duel.c - "duel": LIRS and LRU run side by side as shadows, and the
 * frames follow whichever of the two has been missing less lately (the
 * two-expert mechanism of repl_shadow.c, switching on any lead).
 *
 * LIRS wins on loops and scans, where LRU misses on nearly every reference;
 * LRU wins on back-and-forth sweeps and on some mixes where LIRS keeps the
 * wrong pages. Neither needs to be right everywhere if an adaptive policy
 * listens to both. O(1) per reference.
 */
#include "repl.h"

static const struct repl_shadow_cfg duel = {
	.name = "duel", .expert = { &repl_lirs_ops, &repl_lru_ops }, .keep_percent = 100,
	.max_frames = REPL_MAX_FRAMES / 4,
};

static size_t duel_state_size(uint32_t n) { return repl_shadow_state_size(&duel, n); }
static int duel_init(void *state, uint32_t n, uint64_t seed) { return repl_shadow_init(state, &duel, n, seed); }

const struct repl_ops repl_duel_ops = {
	.name = "duel",
	.aliases = "lirs-lru adaptive",
	.memman = 0,
	.summary = "Duel: follows whichever of a LIRS and an LRU shadow missed less lately",
	.state_size = duel_state_size,
	.init = duel_init,
	REPL_SHADOW_OPS,
};
