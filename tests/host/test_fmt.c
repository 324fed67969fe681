/*
 * test_fmt.c - mm/lib/fmt.c against the C library's snprintf on the same formats,
 * and mm/lib/mmlib.c's parsers on good and bad input.
 */
#include <stdio.h>
#include "htest.h"
#include "fmt.h"
#include "mmlib.h"

#define SAME_AS_LIBC(...)                                                      \
	do {                                                                   \
		char a_[128], b_[128];                                         \
		int na_ = mm_snprintf(a_, sizeof a_, __VA_ARGS__);             \
		int nb_ = snprintf(b_, sizeof b_, __VA_ARGS__);                \
		EXPECT_STREQ(a_, b_);                                          \
		EXPECT_EQ(na_, nb_);                                           \
	} while (0)

HTEST(fmt_matches_libc)
{
	SAME_AS_LIBC("%d %i %u", -42, 7, 4000000000u);
	SAME_AS_LIBC("%x %X %o", 0xbeefu, 0xbeefu, 8u);
	SAME_AS_LIBC("[%5d] [%-5d] [%05d] [%-5d]", 42, 42, -42, 7);
	SAME_AS_LIBC("%ld %lu %lx", -5L, 99UL, 0xffffffffUL);
	SAME_AS_LIBC("%lld %llu %llX", -1234567890123LL, 18446744073709551615ULL, 0x123456789abcULL);
	SAME_AS_LIBC("%s|%10s|%-10s|", "abc", "right", "left");
	SAME_AS_LIBC("%c%c%3c", 'a', 'b', 'c');
	SAME_AS_LIBC("%% %+d % d %zu", 5, 6, (size_t)77);
	SAME_AS_LIBC("%*d|%-*d|", 6, 1, 6, 2);
	SAME_AS_LIBC("%08x", 0x1234u);
}

HTEST(fmt_binary_pointer_truncation)
{
	char buf[64];
	const char *bin_fmt = "%b %08b"; /* %b is mmk's own: not a literal, so the printf checker stays quiet */
	mm_snprintf(buf, sizeof buf, bin_fmt, 10u, 5u);
	EXPECT_STREQ(buf, "1010 00000101");
	mm_snprintf(buf, sizeof buf, "%p", (void *)0x1000);
	EXPECT_STREQ(buf, "0x1000");
	int n = mm_snprintf(buf, 4, "abcdef");
	EXPECT_EQ(n, 6);
	EXPECT_STREQ(buf, "abc");
}

HTEST(parse_numbers)
{
	uint64_t v = 0;
	EXPECT_EQ(mm_parse_u64z("123", 0, &v), 0);
	EXPECT_EQ(v, 123);
	EXPECT_EQ(mm_parse_u64z("0x1F", 0, &v), 0);
	EXPECT_EQ(v, 31);
	EXPECT_EQ(mm_parse_u64z("0C10", 16, &v), 0);
	EXPECT_EQ(v, 0xC10);
	EXPECT_EQ(mm_parse_u64z("18446744073709551615", 10, &v), 0);
	EXPECT_TRUE(v == UINT64_MAX);
	EXPECT_EQ(mm_parse_u64z("18446744073709551616", 10, &v), -MM_EINVAL);
	EXPECT_EQ(mm_parse_u64z("12a", 10, &v), -MM_EINVAL);
	EXPECT_EQ(mm_parse_u64z("", 10, &v), -MM_EINVAL);
	EXPECT_EQ(mm_parse_u64z("0x", 0, &v), -MM_EINVAL);
	EXPECT_EQ(mm_parse_size("16M", &v), 0);
	EXPECT_EQ(v, 16u << 20);
	EXPECT_EQ(mm_parse_size("4k", &v), 0);
	EXPECT_EQ(v, 4096);
	EXPECT_EQ(mm_parse_size("M", &v), -MM_EINVAL);
}

HTEST(split_words)
{
	char line[] = "  carrega   file.txt  extra ";
	char *w[2];
	EXPECT_EQ(mm_split(line, w, 2), 2);
	EXPECT_STREQ(w[0], "carrega");
	EXPECT_STREQ(w[1], "file.txt  extra");
	char line2[] = "a b c";
	char *w2[8];
	EXPECT_EQ(mm_split(line2, w2, 8), 3);
	EXPECT_STREQ(w2[2], "c");
}
