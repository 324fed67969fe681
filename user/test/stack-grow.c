/*
 * stack-grow - recursion 1024 frames deep, each with a 1 KiB array on the
 * stack filled with a pattern of its depth: about 1 MiB of stack, far more
 * than a program starts with, so the stack region must grow down on faults.
 * On the way back every frame checks its array.
 */
#include "utest.h"

const char test_name[] = "stack-grow";

#define DEPTH 1024
#define FRAME_WORDS 256

static uintptr_t lowest; /* where the deepest frame's array is */

/* Returns the depth of the first frame whose array changed, or -1. */
static int __attribute__((noinline)) descend(int depth)
{
	volatile uint32_t words[FRAME_WORDS];
	for (int i = 0; i < FRAME_WORDS; i++) words[i] = pattern_word((uint32_t)depth, (uint32_t)i, 7);
	if (depth + 1 < DEPTH) {
		int bad = descend(depth + 1);
		if (bad >= 0) return bad;
	} else {
		lowest = (uintptr_t)words;
	}
	for (int i = 0; i < FRAME_WORDS; i++)
		if (words[i] != pattern_word((uint32_t)depth, (uint32_t)i, 7)) return depth;
	return -1;
}

int main(void)
{
	char top;
	int bad = descend(0);
	if (bad >= 0) fail("frame %d lost its array", bad);
	unsigned long used = (unsigned long)((uintptr_t)&top - lowest);
	if (used < DEPTH * FRAME_WORDS * 4) fail("only %lu bytes of stack used", used);
	pass();
}
