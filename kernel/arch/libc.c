/*
 * libc.c - the freestanding C library symbols the compiler may emit calls to
 * (memset, memcpy, ...) and libgcc's 64-bit division helpers, so the kernel
 * links without any host library. Division is binary long division.
 */
#include "kernel.h"
#include "mmlib.h"

void *memset(void *d, int c, size_t n) { return mm_memset(d, c, n); }
void *memcpy(void *d, const void *s, size_t n) { return mm_memcpy(d, s, n); }
void *memmove(void *d, const void *s, size_t n) { return mm_memmove(d, s, n); }
int memcmp(const void *a, const void *b, size_t n) { return mm_memcmp(a, b, n); }
size_t strlen(const char *s) { return mm_strlen(s); }

static uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
	if (d == 0) KPANIC("64-bit division by zero");
	uint64_t q = 0, r = 0;
	if ((n >> 32) == 0 && (d >> 32) == 0) {
		uint32_t n32 = (uint32_t)n, d32 = (uint32_t)d;
		if (rem) *rem = n32 % d32;
		return n32 / d32;
	}
	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << i;
		}
	}
	if (rem) *rem = r;
	return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

uint64_t __udivdi3(uint64_t n, uint64_t d) { return udivmod64(n, d, 0); }

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;
	udivmod64(n, d, &r);
	return r;
}

int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t un = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
	uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
	uint64_t q = udivmod64(un, ud, 0);
	return ((n < 0) != (d < 0)) ? -(int64_t)q : (int64_t)q;
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t un = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
	uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
	uint64_t r;
	udivmod64(un, ud, &r);
	return n < 0 ? -(int64_t)r : (int64_t)r;
}

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem) { return udivmod64(n, d, rem); }
