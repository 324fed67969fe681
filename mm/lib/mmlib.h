/*
 * mmlib.h - the few library routines mm/ needs, freestanding: memory and string
 * helpers, the layout helper that carves state blocks out of one buffer,
 * strict number parsing for commands and trace files, and a seedable PRNG
 * (xorshift64*) for policies that break ties at random.
 */
#ifndef MM_MMLIB_H
#define MM_MMLIB_H

#include "mm_types.h"

void *mm_memset(void *dst, int c, size_t n);
void *mm_memcpy(void *dst, const void *src, size_t n);
void *mm_memmove(void *dst, const void *src, size_t n);
int mm_memcmp(const void *a, const void *b, size_t n);
size_t mm_strlen(const char *s);
int mm_strcmp(const char *a, const char *b);
int mm_strncmp(const char *a, const char *b, size_t n);
char *mm_strncpy0(char *dst, const char *src, size_t cap); /* always terminates */

static inline bool mm_isspace(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
static inline bool mm_isdigit(int c) { return c >= '0' && c <= '9'; }

/*
 * Parse an unsigned number that must make up all of s[0..n): decimal, or hex
 * with 0x, or (when base == 16) bare hex digits. Returns 0 and sets *out, or
 * -MM_EINVAL (not a number, trailing garbage, overflow).
 */
int mm_parse_u64(const char *s, size_t n, unsigned base, uint64_t *out);
/* Same, for a NUL-terminated string. */
int mm_parse_u64z(const char *s, unsigned base, uint64_t *out);
/* A size with an optional K/M/G suffix (powers of 1024), e.g. "16M". */
int mm_parse_size(const char *s, uint64_t *out);

/* Carve a state block out of one caller-given buffer: reserve nbytes at the
 * next 8-byte boundary after *end, move *end past them and return the offset
 * reserved. A layout function calls it once per part, starting from
 * end = 0, and ends with the block's total size in end. */
static inline size_t mm_take(size_t *end, size_t nbytes)
{
	size_t off = (*end + 7u) & ~(size_t)7u;
	*end = off + nbytes;
	return off;
}

/* Split a line in place into whitespace-separated words; returns the count
 * (at most max). Words beyond max are left joined in the last one. */
int mm_split(char *line, char **words, int max);

/* xorshift64* PRNG; a seed of 0 is replaced by a fixed constant. */
struct mm_rng { uint64_t s; };
void mm_rng_seed(struct mm_rng *r, uint64_t seed);
uint64_t mm_rng_next(struct mm_rng *r);
uint32_t mm_rng_below(struct mm_rng *r, uint32_t bound); /* uniform in [0,bound) */

#endif
