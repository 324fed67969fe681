/*
 * mmlib.c - freestanding memory/string helpers, number parsing and the PRNG
 * (xorshift64* by Marsaglia/Vigna) used across mm/. See mmlib.h.
 */
#include "mmlib.h"

/* Machine words that may alias anything: the bulk of an aligned copy or
 * fill moves a word at a time, the rest a byte at a time. */
typedef size_t __attribute__((may_alias)) mm_word;
#define WORD_MASK (sizeof(mm_word) - 1)

void *mm_memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	if (!((uintptr_t)d & WORD_MASK) && n >= sizeof(mm_word)) {
		mm_word w = (unsigned char)c;
		w *= (mm_word)-1 / 255; /* the byte in every byte of the word */
		for (; n >= sizeof(mm_word); n -= sizeof(mm_word), d += sizeof(mm_word)) *(mm_word *)d = w;
	}
	while (n--) *d++ = (unsigned char)c;
	return dst;
}

void *mm_memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (!(((uintptr_t)d | (uintptr_t)s) & WORD_MASK))
		for (; n >= sizeof(mm_word); n -= sizeof(mm_word), d += sizeof(mm_word), s += sizeof(mm_word))
			*(mm_word *)d = *(const mm_word *)s;
	while (n--) *d++ = *s++;
	return dst;
}

void *mm_memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d < s) {
		while (n--) *d++ = *s++;
	} else if (d > s) {
		while (n--) d[n] = s[n];
	}
	return dst;
}

int mm_memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t mm_strlen(const char *s)
{
	size_t n = 0;
	while (s[n]) n++;
	return n;
}

int mm_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int mm_strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i] || !a[i]) return (unsigned char)a[i] - (unsigned char)b[i];
	}
	return 0;
}

char *mm_strncpy0(char *dst, const char *src, size_t cap)
{
	size_t i = 0;
	if (!cap) return dst;
	for (; i + 1 < cap && src[i]; i++) dst[i] = src[i];
	dst[i] = 0;
	return dst;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return 99;
}

int mm_parse_u64(const char *s, size_t n, unsigned base, uint64_t *out)
{
	size_t i = 0;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && (base == 0 || base == 16)) {
		base = 16;
		i = 2;
	} else if (base == 0) {
		base = 10;
	}
	if (i == n) return -MM_EINVAL;
	uint64_t v = 0;
	for (; i < n; i++) {
		int d = digit_value(s[i]);
		if (d >= (int)base) return -MM_EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / base) return -MM_EINVAL;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

int mm_parse_u64z(const char *s, unsigned base, uint64_t *out)
{
	return mm_parse_u64(s, mm_strlen(s), base, out);
}

int mm_parse_size(const char *s, uint64_t *out)
{
	size_t n = mm_strlen(s);
	unsigned shift = 0;
	if (n > 1) {
		char c = s[n - 1];
		if (c == 'K' || c == 'k') shift = 10;
		else if (c == 'M' || c == 'm') shift = 20;
		else if (c == 'G' || c == 'g') shift = 30;
		if (shift) n--;
	}
	uint64_t v;
	int err = mm_parse_u64(s, n, 0, &v);
	if (err) return err;
	if (shift && v > (UINT64_MAX >> shift)) return -MM_EINVAL;
	*out = v << shift;
	return 0;
}

int mm_split(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;
	while (*p && n < max) {
		while (mm_isspace(*p)) p++;
		if (!*p) break;
		words[n++] = p;
		if (n == max) break;
		while (*p && !mm_isspace(*p)) p++;
		if (*p) *p++ = 0;
	}
	if (n == max) { /* trim trailing space of the last word */
		size_t len = mm_strlen(words[n - 1]);
		while (len && mm_isspace(words[n - 1][len - 1])) words[n - 1][--len] = 0;
	}
	return n;
}

void mm_rng_seed(struct mm_rng *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9E3779B97F4A7C15ull;
}

uint64_t mm_rng_next(struct mm_rng *r)
{
	uint64_t x = r->s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

uint32_t mm_rng_below(struct mm_rng *r, uint32_t bound)
{
	if (bound == 0) return 0;
	return (uint32_t)((mm_rng_next(r) >> 32) % bound);
}

const char *mm_strerror(int err)
{
	if (err < 0) err = -err;
	switch (err) {
	case MM_OK: return "success";
	case MM_ENOMEM: return "out of memory";
	case MM_EINVAL: return "invalid argument";
	case MM_EEXIST: return "already exists";
	case MM_ENOENT: return "not found";
	case MM_EFAULT: return "bad access";
	case MM_ENOSPC: return "no space left";
	case MM_EIO: return "device error";
	case MM_E2BIG: return "argument list too long";
	case MM_ENOEXEC: return "not an executable";
	case MM_EAGAIN: return "busy, try again";
	case MM_EACCES: return "permission denied";
	default: return "unknown error";
	}
}
