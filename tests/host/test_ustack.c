/*
 * test_ustack.c - mm/exec/ustack.c, the i386 System V initial process stack.
 *
 * Oracle: the stack is read back the way a program's start-up code reads
 * it (Intel386 psABI, "Process Initialization"): argc at esp, then argv[]
 * and NULL, envp[] and NULL, auxv pairs up to AT_NULL, every pointer
 * followed to its string inside [esp, top). What is found is compared with
 * the test's own inputs. Every byte of [esp, top) must be one of those
 * objects or zero padding, and no byte of the buffer below esp may be
 * written; buffers are allocated at exactly their size so AddressSanitizer
 * catches a write past them. Sizes are checked against a count made here
 * from the layout ustack.h draws.
 */
#include <stdlib.h>
#include "htest.h"
#include "ustack.h"

#define TOP 0xC0000000u
#define JUNK 0xa5 /* what the buffer holds before ustack_build */

/* The caller's entries of issue 11, with values that are easy to tell apart. */
static const struct ustack_auxv std_aux[] = {
	{ 3, 0x08048034u },  /* AT_PHDR */
	{ 4, 32 },           /* AT_PHENT */
	{ 5, 8 },            /* AT_PHNUM */
	{ 6, 4096 },         /* AT_PAGESZ */
	{ 9, 0x08049570u },  /* AT_ENTRY */
	{ 11, 1000 },        /* AT_UID */
	{ 12, 1001 },        /* AT_EUID */
	{ 13, 1002 },        /* AT_GID */
	{ 14, 1003 },        /* AT_EGID */
	{ 16, 0x178bfbffu }, /* AT_HWCAP */
	{ 17, 100 },         /* AT_CLKTCK */
	{ 23, 0 },           /* AT_SECURE */
};
#define NSTD_AUX ((uint32_t)MM_ARRAY_SIZE(std_aux))

static const uint8_t rnd[16] = { 0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
				 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f };

/* ---- reading a built stack back --------------------------------------- */

struct view {
	const uint8_t *buf;
	uint32_t base, top, esp;
	uint8_t *covered; /* per byte of [base, top): part of an object read */
	int bad;
	int line;         /* the caller's, for messages */
};

#define CHECK(v, cond)                                                                   \
	do {                                                                             \
		if (!(cond)) {                                                           \
			(v)->bad++;                                                      \
			htest_fail(__FILE__, (v)->line, "stack check '%s' failed (line %d)", #cond, __LINE__); \
		}                                                                        \
	} while (0)

static bool in_stack(const struct view *v, uint32_t ua, uint32_t n)
{
	return ua >= v->esp && (uint64_t)ua + n <= v->top;
}

static void cover(struct view *v, uint32_t ua, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		CHECK(v, !v->covered[ua + i - v->base]); /* two objects never overlap */
		v->covered[ua + i - v->base] = 1;
	}
}

static uint32_t word(struct view *v, uint32_t ua)
{
	CHECK(v, in_stack(v, ua, 4));
	if (!in_stack(v, ua, 4)) return 0;
	const uint8_t *p = v->buf + (ua - v->base);
	cover(v, ua, 4);
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The string at user address ua, or "" (counted bad) when it is not a
 * NUL-terminated string inside the stack. */
static const char *string(struct view *v, uint32_t ua)
{
	CHECK(v, in_stack(v, ua, 1));
	if (!in_stack(v, ua, 1)) return "";
	const char *s = (const char *)v->buf + (ua - v->base);
	uint32_t n = 0;
	while (ua + n < v->top && s[n]) n++;
	CHECK(v, ua + n < v->top);
	if (ua + n >= v->top) return "";
	cover(v, ua, n + 1);
	return s;
}

static uint32_t count(const char *const *a)
{
	uint32_t n = 0;
	while (a && a[n]) n++;
	return n;
}

/* Read a pointer array of n entries and its NULL from *at, comparing each
 * string with want[i]; returns the user address of the first string. */
static uint32_t read_strings(struct view *v, uint32_t *at, const char *const *want, uint32_t n,
			     uint32_t *lowest)
{
	uint32_t first = 0;
	for (uint32_t i = 0; i < n; i++, *at += 4) {
		uint32_t p = word(v, *at);
		if (i == 0) first = p;
		if (p < *lowest) *lowest = p;
		const char *s = string(v, p);
		CHECK(v, strcmp(s, want[i]) == 0);
	}
	CHECK(v, word(v, *at) == 0);
	*at += 4;
	return first;
}

/* Where the auxv entries ustack_build adds were found. */
struct found {
	uint32_t random, platform, execfn;
	int n_random, n_platform, n_execfn;
	uint32_t aux_end, lowest_string, argv0;
};

static void read_auxv(struct view *v, uint32_t at, const struct ustack_auxv *aux, uint32_t naux,
		      struct found *f)
{
	uint32_t i = 0, type;
	for (;; at += 8) {
		type = word(v, at);
		uint32_t value = word(v, at + 4);
		if (type == AT_NULL || v->bad > 20) {
			CHECK(v, value == 0);
			break;
		}
		if (i < naux) { /* the caller's come first, in order */
			CHECK(v, type == aux[i].type && value == aux[i].value);
			i++;
		} else if (type == AT_RANDOM) f->random = value, f->n_random++;
		else if (type == AT_PLATFORM) f->platform = value, f->n_platform++;
		else if (type == AT_EXECFN) f->execfn = value, f->n_execfn++;
		else CHECK(v, !"an entry nobody gave");
	}
	CHECK(v, i == naux);
	f->aux_end = at + 8;
}

/*
 * Walk the stack built at esp as a loader's reader would and check it
 * against the inputs; returns how many checks failed.
 */
static int walk(int line, const uint8_t *buf, uint32_t cap, uint32_t top, uint32_t esp,
		const char *const *argv, const char *const *envp, const struct ustack_auxv *aux,
		uint32_t naux)
{
	struct view v = { buf, top - cap, top, esp, calloc(1, cap ? cap : 1), 0, line };
	CHECK(&v, esp % 16 == 0);
	CHECK(&v, esp >= v.base && esp < top);
	if (v.bad) { free(v.covered); return v.bad; }
	struct found f = { .lowest_string = top };
	uint32_t at = esp + 4, argc = count(argv);
	CHECK(&v, word(&v, esp) == argc);
	f.argv0 = read_strings(&v, &at, argv, argc, &f.lowest_string);
	read_strings(&v, &at, envp, count(envp), &f.lowest_string);
	read_auxv(&v, at, aux, naux, &f);
	CHECK(&v, f.n_random == 1 && f.n_platform == 1 && f.n_execfn == (argc ? 1 : 0));
	CHECK(&v, in_stack(&v, f.random, 16) && f.random >= f.aux_end);
	if (in_stack(&v, f.random, 16)) {
		CHECK(&v, memcmp(buf + (f.random - v.base), rnd, 16) == 0);
		cover(&v, f.random, 16);
	}
	CHECK(&v, strcmp(string(&v, f.platform), "i686") == 0);
	CHECK(&v, f.platform >= f.aux_end);
	if (argc) CHECK(&v, f.execfn == f.argv0);
	CHECK(&v, f.lowest_string >= f.aux_end); /* strings above the pointer block */
	/* The layout ustack.h draws: a zero word at the top, the strings below
	 * it from argv[0] up, the platform name and the random bytes below them. */
	CHECK(&v, word(&v, top - 4) == 0);
	if (argc) CHECK(&v, f.platform + 5 == f.argv0);
	CHECK(&v, f.random + 16 == f.platform);
	/* Everything else in [esp, top) is zero padding; nothing below esp was written. */
	for (uint32_t ua = v.base; ua < top && v.bad < 20; ua++) {
		uint8_t b = buf[ua - v.base];
		if (ua < esp) CHECK(&v, b == JUNK);
		else if (!v.covered[ua - v.base]) CHECK(&v, b == 0);
	}
	free(v.covered);
	return v.bad;
}

/* ---- building ----------------------------------------------------------- */

struct built {
	uint8_t *buf;
	uint32_t cap, top, esp;
	int r;
};

static struct built build(uint32_t cap, uint32_t top, const char *const *argv, const char *const *envp,
			  const struct ustack_auxv *aux, uint32_t naux)
{
	struct built b = { malloc(cap ? cap : 1), cap, top, 0xdeadbeefu, 0 };
	memset(b.buf, JUNK, cap);
	b.r = ustack_build(b.buf, cap, top, argv, envp, aux, naux, rnd, &b.esp);
	return b;
}

static bool untouched(const struct built *b)
{
	for (uint32_t i = 0; i < b->cap; i++)
		if (b->buf[i] != JUNK) return false;
	return b->esp == 0xdeadbeefu;
}

/* The bytes the layout needs before aligning esp: the words from argc to
 * AT_NULL, the strings, the platform name, the random bytes, the top word. */
static uint32_t layout_bytes(const char *const *argv, const char *const *envp, uint32_t naux)
{
	uint32_t argc = count(argv), envc = count(envp), str = 0;
	for (uint32_t i = 0; i < argc; i++) str += (uint32_t)strlen(argv[i]) + 1;
	for (uint32_t i = 0; i < envc; i++) str += (uint32_t)strlen(envp[i]) + 1;
	uint32_t naux_all = naux + 2 + (argc ? 1 : 0) + 1; /* + RANDOM, PLATFORM, [EXECFN,] NULL */
	return 4 * (1 + argc + 1 + envc + 1 + 2 * naux_all) + str + 5 + 16 + 4;
}

static const char *const prog_argv[] = { "prog", "a", "bc", NULL };
static const char *const prog_envp[] = { "X=1", NULL };

HTEST(ustack_auxv_numbers_are_the_abis)
{
	/* The a_type values of the psABI's "Auxiliary Vector" and Linux's elf.h. */
	EXPECT_EQ(AT_NULL, 0);
	EXPECT_EQ(AT_PHDR, 3);
	EXPECT_EQ(AT_PHENT, 4);
	EXPECT_EQ(AT_PHNUM, 5);
	EXPECT_EQ(AT_PAGESZ, 6);
	EXPECT_EQ(AT_BASE, 7);
	EXPECT_EQ(AT_ENTRY, 9);
	EXPECT_EQ(AT_UID, 11);
	EXPECT_EQ(AT_EUID, 12);
	EXPECT_EQ(AT_GID, 13);
	EXPECT_EQ(AT_EGID, 14);
	EXPECT_EQ(AT_PLATFORM, 15);
	EXPECT_EQ(AT_HWCAP, 16);
	EXPECT_EQ(AT_CLKTCK, 17);
	EXPECT_EQ(AT_SECURE, 23);
	EXPECT_EQ(AT_RANDOM, 25);
	EXPECT_EQ(AT_EXECFN, 31);
	EXPECT_EQ(AT_SYSINFO_EHDR, 33);
}

HTEST(ustack_builds_what_a_loader_reads)
{
	struct built b = build(4096, TOP, prog_argv, prog_envp, std_aux, NSTD_AUX);
	ASSERT_EQ(b.r, 0);
	EXPECT_EQ(walk(__LINE__, b.buf, b.cap, b.top, b.esp, prog_argv, prog_envp, std_aux, NSTD_AUX), 0);
	/* By hand, from esp up: argc 3 and the argv[0] pointer. */
	const uint8_t *p = b.buf + (b.esp - (TOP - 4096));
	EXPECT_EQ(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24, 3);
	uint32_t argv0 = p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24;
	EXPECT_TRUE(argv0 > b.esp && argv0 < TOP);
	if (argv0 > b.esp && argv0 < TOP) EXPECT_STREQ((const char *)b.buf + (argv0 - (TOP - 4096)), "prog");
	/* The size is the layout's, rounded down to 16 at most 15 bytes more. */
	uint32_t used = TOP - b.esp, need = layout_bytes(prog_argv, prog_envp, NSTD_AUX);
	EXPECT_GE(used, need);
	EXPECT_LT(used, need + 16);
	free(b.buf);
}

HTEST(ustack_esp_is_16_aligned_for_every_shape)
{
	static const char *const pool[] = { "", "a", "bb", "ccc", "dddd", "eeeee", "ffffff",
					    "ggggggg", "hhhhhhhhhhhhhhhhh", "PATH=/bin:/usr/bin" };
	int bad = 0;
	for (uint32_t argc = 0; argc <= 6 && !bad; argc++)
		for (uint32_t envc = 0; envc <= 3 && !bad; envc++)
			for (uint32_t naux = 0; naux <= NSTD_AUX && !bad; naux += 3)
				for (uint32_t shift = 0; shift < 20 && !bad; shift++) {
					const char *argv[8] = { 0 }, *envp[4] = { 0 };
					for (uint32_t i = 0; i < argc; i++) argv[i] = pool[(i * 3 + shift) % 10];
					for (uint32_t i = 0; i < envc; i++) envp[i] = pool[(i * 7 + shift + 1) % 10];
					uint32_t top = TOP - 0x1000 - shift; /* tops of every alignment */
					struct built b = build(1024, top, argv, envp, std_aux, naux);
					if (b.r != 0) htest_fail(__FILE__, __LINE__, "argc %u envc %u: %d", argc, envc, b.r), bad++;
					else bad += walk(__LINE__, b.buf, b.cap, top, b.esp, argv, envp, std_aux, naux);
					free(b.buf);
				}
	EXPECT_EQ(bad, 0);
}

HTEST(ustack_without_arguments)
{
	/* NULL argv and envp are empty lists: argc 0, no AT_EXECFN. */
	struct built b = build(512, TOP, NULL, NULL, std_aux, NSTD_AUX);
	ASSERT_EQ(b.r, 0);
	EXPECT_EQ(walk(__LINE__, b.buf, b.cap, TOP, b.esp, NULL, NULL, std_aux, NSTD_AUX), 0);
	free(b.buf);
	static const char *const none[] = { NULL };
	b = build(512, TOP, none, none, NULL, 0);
	ASSERT_EQ(b.r, 0);
	EXPECT_EQ(walk(__LINE__, b.buf, b.cap, TOP, b.esp, none, none, NULL, 0), 0);
	free(b.buf);
}

HTEST(ustack_uses_exactly_its_layout)
{
	/* The smallest buffer that holds the stack is [esp, top): one byte less is too small. */
	struct built b = build(4096, TOP, prog_argv, prog_envp, std_aux, NSTD_AUX);
	ASSERT_EQ(b.r, 0);
	uint32_t used = TOP - b.esp;
	free(b.buf);
	b = build(used, TOP, prog_argv, prog_envp, std_aux, NSTD_AUX);
	EXPECT_EQ(b.r, 0);
	EXPECT_EQ(TOP - b.esp, used);
	EXPECT_EQ(walk(__LINE__, b.buf, b.cap, TOP, b.esp, prog_argv, prog_envp, std_aux, NSTD_AUX), 0);
	free(b.buf);
	b = build(used - 1, TOP, prog_argv, prog_envp, std_aux, NSTD_AUX);
	EXPECT_EQ(b.r, -MM_E2BIG);
	EXPECT_TRUE(untouched(&b));
	free(b.buf);
}

HTEST(ustack_refuses_what_does_not_fit)
{
	struct built b = build(64, TOP, prog_argv, prog_envp, std_aux, NSTD_AUX);
	EXPECT_EQ(b.r, -MM_E2BIG);
	EXPECT_TRUE(untouched(&b));
	free(b.buf);
	b = build(0, TOP, prog_argv, prog_envp, std_aux, NSTD_AUX);
	EXPECT_EQ(b.r, -MM_E2BIG);
	free(b.buf);
	/* A stack that would end below address 0 cannot be: cap = top, small top. */
	b = build(64, 64, prog_argv, prog_envp, std_aux, NSTD_AUX);
	EXPECT_EQ(b.r, -MM_E2BIG);
	EXPECT_TRUE(untouched(&b));
	free(b.buf);
}

/* An array of n copies of s, NULL-terminated. */
static const char **many(uint32_t n, const char *s)
{
	const char **a = calloc(n + 1, sizeof *a);
	for (uint32_t i = 0; i < n; i++) a[i] = s;
	return a;
}

HTEST(ustack_limits_argument_counts)
{
	uint32_t cap = 1u << 20;
	const char **ok = many(USTACK_MAX_ARGS, "arg"), **over = many(USTACK_MAX_ARGS + 1, "arg");
	struct built b = build(cap, TOP, ok, ok, std_aux, NSTD_AUX);
	EXPECT_EQ(b.r, 0);
	if (!b.r) EXPECT_EQ(walk(__LINE__, b.buf, cap, TOP, b.esp, ok, ok, std_aux, NSTD_AUX), 0);
	free(b.buf);
	b = build(cap, TOP, over, prog_envp, std_aux, NSTD_AUX);
	EXPECT_EQ(b.r, -MM_E2BIG);
	EXPECT_TRUE(untouched(&b));
	free(b.buf);
	b = build(cap, TOP, prog_argv, over, std_aux, NSTD_AUX);
	EXPECT_EQ(b.r, -MM_E2BIG);
	EXPECT_TRUE(untouched(&b));
	free(b.buf);
	free(ok);
	free(over);
}

HTEST(ustack_limits_string_lengths)
{
	uint32_t cap = 1u << 16;
	char *longest = malloc(USTACK_MAX_STRLEN), *too_long = malloc(USTACK_MAX_STRLEN + 1);
	memset(longest, 'x', USTACK_MAX_STRLEN - 1);
	longest[USTACK_MAX_STRLEN - 1] = 0;
	memset(too_long, 'y', USTACK_MAX_STRLEN);
	too_long[USTACK_MAX_STRLEN] = 0;
	const char *argv_ok[] = { "prog", longest, NULL }, *argv_bad[] = { "prog", too_long, NULL };
	const char *envp_bad[] = { too_long, NULL };
	struct built b = build(cap, TOP, argv_ok, prog_envp, std_aux, NSTD_AUX);
	EXPECT_EQ(b.r, 0);
	if (!b.r) EXPECT_EQ(walk(__LINE__, b.buf, cap, TOP, b.esp, argv_ok, prog_envp, std_aux, NSTD_AUX), 0);
	free(b.buf);
	b = build(cap, TOP, argv_bad, prog_envp, std_aux, NSTD_AUX);
	EXPECT_EQ(b.r, -MM_E2BIG);
	EXPECT_TRUE(untouched(&b));
	free(b.buf);
	b = build(cap, TOP, prog_argv, envp_bad, std_aux, NSTD_AUX);
	EXPECT_EQ(b.r, -MM_E2BIG);
	free(b.buf);
	free(longest);
	free(too_long);
}

HTEST(ustack_refuses_bad_arguments)
{
	uint32_t esp;
	uint8_t buf[256];
	struct ustack_auxv mine[USTACK_MAX_AUX + 1];
	for (uint32_t i = 0; i <= USTACK_MAX_AUX; i++) mine[i] = (struct ustack_auxv){ AT_UID, i };
	EXPECT_EQ(ustack_build(buf, 256, 128, prog_argv, prog_envp, NULL, 0, rnd, &esp), -MM_EINVAL); /* cap > top */
	EXPECT_EQ(ustack_build(NULL, 256, TOP, prog_argv, prog_envp, NULL, 0, rnd, &esp), -MM_EINVAL);
	EXPECT_EQ(ustack_build(buf, 256, TOP, prog_argv, prog_envp, NULL, 0, NULL, &esp), -MM_EINVAL);
	EXPECT_EQ(ustack_build(buf, 256, TOP, prog_argv, prog_envp, NULL, 0, rnd, NULL), -MM_EINVAL);
	EXPECT_EQ(ustack_build(buf, 256, TOP, prog_argv, prog_envp, NULL, 2, rnd, &esp), -MM_EINVAL);
	struct built b = build(4096, TOP, prog_argv, prog_envp, mine, USTACK_MAX_AUX + 1);
	EXPECT_EQ(b.r, -MM_EINVAL);
	EXPECT_TRUE(untouched(&b));
	free(b.buf);
	b = build(4096, TOP, prog_argv, prog_envp, mine, USTACK_MAX_AUX); /* the most allowed */
	EXPECT_EQ(b.r, 0);
	if (!b.r) EXPECT_EQ(walk(__LINE__, b.buf, 4096, TOP, b.esp, prog_argv, prog_envp, mine, USTACK_MAX_AUX), 0);
	free(b.buf);
	/* The entries ustack_build adds itself are not the caller's to give. */
	static const uint32_t reserved[] = { 0 /* AT_NULL */, 25 /* AT_RANDOM */, 15 /* AT_PLATFORM */, 31 /* AT_EXECFN */ };
	for (size_t i = 0; i < MM_ARRAY_SIZE(reserved); i++) {
		struct ustack_auxv aux[3] = { { AT_PAGESZ, 4096 }, { reserved[i], 1 }, { AT_UID, 0 } };
		b = build(4096, TOP, prog_argv, prog_envp, aux, 3);
		EXPECT_EQ(b.r, -MM_EINVAL);
		EXPECT_TRUE(untouched(&b));
		free(b.buf);
	}
}
