/*
 * repl_leader.c - "leader": an IRG and an LRU shadow run side by side, and
 * the frames follow whichever of the two has been missing less lately,
 * changing sides only on a clear lead (the two-expert mechanism of
 * repl_shadow.c).
 *
 * IRG (repl_irg.c) predicts each page's next reference from its gaps and is
 * near OPT on loops and on most of the LIRS traces; LRU wins where the gaps
 * say little and recency says more (file-system traces such as sprite at
 * large sizes). The leader changes only when the other expert's decayed
 * miss count is below 95% of the leader's: switching costs misses while
 * the frames converge, so a small lead is not worth one. O(log n) per
 * reference (IRG's heaps).
 */
#include "repl.h"

static const struct repl_shadow_cfg leader = {
	.name = "leader", .expert = { &repl_irg_ops, &repl_lru_ops }, .keep_percent = 95,
	.max_frames = REPL_MAX_FRAMES / 5,
};

static size_t leader_state_size(uint32_t n) { return repl_shadow_state_size(&leader, n); }
static int leader_init(void *state, uint32_t n, uint64_t seed) { return repl_shadow_init(state, &leader, n, seed); }

const struct repl_ops repl_leader_ops = {
	.name = "leader",
	.aliases = "irg-lru",
	.memman = 0,
	.summary = "Leader: follows whichever of an IRG and an LRU shadow missed less lately (by a 5% lead)",
	.state_size = leader_state_size,
	.init = leader_init,
	REPL_SHADOW_OPS,
};
