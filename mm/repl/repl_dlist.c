/*
 * repl_dlist.c - the index-linked list (see repl.h) that policies use to
 * order their slots (FIFO, Second-Chance, LRU) or their own entries (LIRS).
 *
 * Algorithm: a doubly linked list threaded through two caller-given index
 * arrays (next/prev) instead of pointers, REPL_NO_SLOT ending it and
 * REPL_LINK_OUT marking an element that is off the list; push at either
 * end and removal are O(1), the check walks the list once and the arrays
 * once, O(n).
 */
#include "repl.h"
#include "mm_env.h"
#include "check.h"

void repl_dlist_init(struct repl_dlist *l, uint32_t *next, uint32_t *prev, uint32_t n)
{
	l->next = next;
	l->prev = prev;
	l->head = l->tail = REPL_NO_SLOT;
	l->count = 0;
	for (uint32_t i = 0; i < n; i++) next[i] = prev[i] = REPL_LINK_OUT;
}

int repl_dlist_check(const struct repl_dlist *l, uint32_t n, const char *what,
		     struct mm_sink *err)
{
	uint32_t seen = 0, prev = REPL_NO_SLOT;
	for (uint32_t i = l->head; i != REPL_NO_SLOT; i = l->next[i]) {
		if (i >= n) return mm_bad(err, "%s: link to %u, beyond %u elements", what, i, n);
		if (l->prev[i] != prev)
			return mm_bad(err, "%s: element %u has prev %u, expected %u", what, i, l->prev[i], prev);
		if (++seen > l->count)
			return mm_bad(err, "%s: more elements than count %u (a cycle?)", what, l->count);
		prev = i;
	}
	if (prev != l->tail) return mm_bad(err, "%s: tail %u but the walk ends at %u", what, l->tail, prev);
	if (seen != l->count) return mm_bad(err, "%s: walked %u elements, count %u", what, seen, l->count);
	uint32_t marked = 0;
	for (uint32_t i = 0; i < n; i++) marked += repl_dlist_has(l, i);
	if (marked != seen) return mm_bad(err, "%s: %u elements marked on, %u linked", what, marked, seen);
	return 0;
}
