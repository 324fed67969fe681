/*
 * ustack.c - ustack_build(): the i386 System V initial process stack (see
 * ustack.h for the layout).
 *
 * Format: Intel386 psABI, "Process Initialization: Process Stack and
 * Registers" and "Auxiliary Vector". Algorithm: measure first (count the
 * strings, bounding every scan), place everything from top downward and
 * check it fits, and only then write: the area [esp, top) is zeroed, each
 * string is copied with its pointer stored in its argv or envp slot, and
 * the auxiliary vector closes the block. Nothing is written before
 * everything is known to fit, so a refusal leaves the buffer as it was.
 */
#include "mmlib.h"
#include "ustack.h"

#define WORD 4u
#define END_MARKER_BYTES 4u
#define RANDOM_BYTES 16u
#define PLATFORM_BYTES (sizeof USTACK_PLATFORM) /* with its NUL */
#define ESP_ALIGN 16u

/* Where each part goes, in user addresses. */
struct layout {
	uint32_t argc, envc;
	uint32_t str_bytes; /* argv and envp strings with their NULs */
	uint32_t strings;   /* the lowest string (argv[0]'s copy) */
	uint32_t platform, random;
	uint32_t esp;
	uint32_t base;      /* the user address of buf[0]: top - cap */
};

/* The length of s, or max if it has no NUL in its first max bytes. */
static uint32_t bounded_len(const char *s, uint32_t max)
{
	uint32_t n = 0;
	while (n < max && s[n]) n++;
	return n;
}

/* Count a NULL-terminated string array and the bytes its strings take. */
static int measure(const char *const *v, uint32_t *n, uint32_t *bytes)
{
	uint32_t i = 0;
	for (; v && v[i]; i++) {
		if (i == USTACK_MAX_ARGS) return -MM_E2BIG;
		uint32_t len = bounded_len(v[i], USTACK_MAX_STRLEN);
		if (len == USTACK_MAX_STRLEN) return -MM_E2BIG;
		*bytes += len + 1u; /* at most 2 * 1024 * 4096: no overflow */
	}
	*n = i;
	return 0;
}

static bool aux_type_reserved(uint32_t type)
{
	return type == AT_NULL || type == AT_RANDOM || type == AT_PLATFORM || type == AT_EXECFN;
}

static int check_args(const uint8_t *buf, uint32_t cap, uint32_t top, const struct ustack_auxv *aux,
		      uint32_t naux, const uint8_t *random16, const uint32_t *esp)
{
	if (!buf || !random16 || !esp || (naux && !aux) || cap > top || naux > USTACK_MAX_AUX)
		return -MM_EINVAL;
	for (uint32_t i = 0; i < naux; i++)
		if (aux_type_reserved(aux[i].type)) return -MM_EINVAL;
	return 0;
}

/* The words from esp up: argc, argv[] and NULL, envp[] and NULL, then the
 * caller's auxv, the ones added here and AT_NULL, two words each. */
static uint32_t block_words(const struct layout *l, uint32_t naux)
{
	uint32_t added = 3u + (l->argc ? 1u : 0u); /* AT_RANDOM, AT_PLATFORM, [AT_EXECFN,] AT_NULL */
	return 1u + l->argc + 1u + l->envc + 1u + 2u * (naux + added);
}

/* Place everything below top; -MM_E2BIG unless it fits in [base, top). */
static int place(struct layout *l, uint32_t cap, uint32_t top, uint32_t naux)
{
	uint64_t above = (uint64_t)END_MARKER_BYTES + l->str_bytes + PLATFORM_BYTES + RANDOM_BYTES;
	uint64_t block = (uint64_t)block_words(l, naux) * WORD;
	if (above + block > cap) return -MM_E2BIG;
	l->base = top - cap;
	l->strings = top - END_MARKER_BYTES - l->str_bytes;
	l->platform = l->strings - (uint32_t)PLATFORM_BYTES;
	l->random = l->platform - RANDOM_BYTES;
	uint32_t esp = l->random - (uint32_t)block; /* >= base: above + block <= cap */
	esp &= ~(ESP_ALIGN - 1u);
	if (esp < l->base) return -MM_E2BIG;
	l->esp = esp;
	return 0;
}

/* ---- writing, in user addresses ---- */

static void put_bytes(uint8_t *buf, const struct layout *l, uint32_t uaddr, const void *src, uint32_t n)
{
	mm_memcpy(buf + (uaddr - l->base), src, n);
}

static void put_word(uint8_t *buf, const struct layout *l, uint32_t uaddr, uint32_t v)
{
	uint8_t b[WORD] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put_bytes(buf, l, uaddr, b, WORD);
}

/* Copy the strings of v from *at upward, storing each one's user address
 * in the pointer slots from slot upward; *at moves past them. */
static void put_strings(uint8_t *buf, const struct layout *l, const char *const *v, uint32_t n,
			uint32_t slot, uint32_t *at)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = (uint32_t)mm_strlen(v[i]) + 1u;
		put_bytes(buf, l, *at, v[i], len);
		put_word(buf, l, slot + i * WORD, *at);
		*at += len;
	}
}

static uint32_t put_aux(uint8_t *buf, const struct layout *l, uint32_t at, uint32_t type, uint32_t value)
{
	put_word(buf, l, at, type);
	put_word(buf, l, at + WORD, value);
	return at + 2u * WORD;
}

static void write_stack(uint8_t *buf, const struct layout *l, uint32_t top, const char *const *argv,
			const char *const *envp, const struct ustack_auxv *aux, uint32_t naux,
			const uint8_t *random16)
{
	mm_memset(buf + (l->esp - l->base), 0, top - l->esp); /* padding, NULLs, end marker */
	uint32_t argv_slot = l->esp + WORD, envp_slot = argv_slot + (l->argc + 1u) * WORD;
	uint32_t at = l->strings;
	put_word(buf, l, l->esp, l->argc);
	put_strings(buf, l, argv, l->argc, argv_slot, &at);
	put_strings(buf, l, envp, l->envc, envp_slot, &at);
	put_bytes(buf, l, l->platform, USTACK_PLATFORM, (uint32_t)PLATFORM_BYTES);
	put_bytes(buf, l, l->random, random16, RANDOM_BYTES);
	uint32_t a = envp_slot + (l->envc + 1u) * WORD;
	for (uint32_t i = 0; i < naux; i++) a = put_aux(buf, l, a, aux[i].type, aux[i].value);
	a = put_aux(buf, l, a, AT_RANDOM, l->random);
	a = put_aux(buf, l, a, AT_PLATFORM, l->platform);
	if (l->argc) a = put_aux(buf, l, a, AT_EXECFN, l->strings);
	put_aux(buf, l, a, AT_NULL, 0);
}

int ustack_build(uint8_t *buf, uint32_t cap, uint32_t top, const char *const *argv,
		 const char *const *envp, const struct ustack_auxv *aux, uint32_t naux,
		 const uint8_t random16[16], uint32_t *esp)
{
	int err = check_args(buf, cap, top, aux, naux, random16, esp);
	if (err) return err;
	struct layout l = { 0 };
	err = measure(argv, &l.argc, &l.str_bytes);
	if (!err) err = measure(envp, &l.envc, &l.str_bytes);
	if (!err) err = place(&l, cap, top, naux);
	if (err) return err;
	write_stack(buf, &l, top, argv, envp, aux, naux, random16);
	*esp = l.esp;
	return 0;
}
