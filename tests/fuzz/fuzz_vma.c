/*
 * fuzz_vma.c - a libFuzzer harness for the arena's command interpreter
 * (mm/sim/vma_cmd.c over mm/heap/arena.c).
 *
 *   tools/fuzz tests/fuzz/fuzz_vma.c 60    (builds it with clang and runs it)
 *
 * Each input is run twice: once in a single chunk and once in chunks of
 * sizes taken from the input itself. Both runs must produce the same output
 * (compared by a hash: the output is otherwise discarded), the interpreter's
 * check must pass after every chunk, and destroying it must give back every
 * allocation. The allocator refuses single requests over 1 MiB and more than
 * 16 MiB in all, which keeps runs fast and exercises the out-of-memory paths.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mm/sim/vma_cmd.h"

#define FUZZ_MAX_ALLOC (1u << 20)
#define FUZZ_MAX_TOTAL (16u << 20)

struct budget {
	size_t live_bytes;
	long live;
};

/* Each block carries its size in front so that free can give it back. */
static void *budget_alloc(void *ctx, size_t n)
{
	struct budget *b = ctx;
	if (n > FUZZ_MAX_ALLOC || b->live_bytes + n > FUZZ_MAX_TOTAL) return NULL;
	size_t *p = malloc(sizeof(size_t) * 2 + n);
	if (!p) return NULL;
	p[0] = n;
	b->live_bytes += n;
	b->live++;
	return p + 2;
}

static void budget_free(void *ctx, void *q)
{
	struct budget *b = ctx;
	size_t *p = (size_t *)q - 2;
	b->live_bytes -= p[0];
	b->live--;
	free(p);
}

/* The output sink: FNV-1a over everything printed, then dropped. */
static void hash_put(void *ctx, const char *s, size_t n)
{
	uint64_t *h = ctx;
	for (size_t i = 0; i < n; i++) *h = (*h ^ (unsigned char)s[i]) * 0x100000001b3ull;
}

static uint64_t run(const uint8_t *data, size_t size, bool chunked)
{
	struct budget b = { 0, 0 };
	struct mm_allocator al = { budget_alloc, budget_free, &b };
	uint64_t h = 0xcbf29ce484222325ull;
	struct mm_sink out = { hash_put, &h };
	struct vma_cmd vc;
	vma_cmd_init(&vc, &al, &out);
	for (size_t i = 0, k = 0; i < size;) {
		size_t n = chunked ? 1 + (data[k++ % size] % 17) : size;
		if (n > size - i) n = size - i;
		vma_cmd_feed(&vc, (const char *)data + i, n);
		i += n;
		if (vma_cmd_check(&vc, NULL) != 0) abort();
	}
	vma_cmd_finish(&vc);
	if (vma_cmd_check(&vc, NULL) != 0) abort();
	vma_cmd_destroy(&vc);
	if (b.live != 0 || b.live_bytes != 0) abort(); /* leaked */
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (run(data, size, false) != run(data, size, true)) abort();
	return 0;
}
