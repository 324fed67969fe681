/*
 * fmt.c - a small freestanding printf engine (see fmt.h for the conversions).
 *
 * Algorithm: one pass over the format; each conversion is parsed into a spec
 * (flags, width, size), the argument is rendered right-to-left into a local
 * buffer, then padded into the sink. Output is staged in a small buffer on
 * the stack and handed to the sink in runs of up to 128 bytes, so a sink
 * sees few calls per format. No allocation, no globals.
 */
#include "fmt.h"

struct spec {
	bool left, zero, plus, space;
	int width;
	int size; /* 0 int, 1 long, 2 long long, 3 size_t */
};

#define STAGE 128

struct out { /* the sink and what waits for it */
	struct mm_sink *sink;
	size_t n;
	char buf[STAGE];
};

static void out_flush(struct out *o)
{
	if (o->n) o->sink->put(o->sink->ctx, o->buf, o->n);
	o->n = 0;
}

static void emit(struct out *s, const char *p, size_t n, int *count)
{
	*count += (int)n;
	if (n > STAGE - s->n) {
		out_flush(s);
		if (n >= STAGE) { /* a long run goes straight through */
			s->sink->put(s->sink->ctx, p, n);
			return;
		}
	}
	for (size_t i = 0; i < n; i++) s->buf[s->n + i] = p[i];
	s->n += n;
}

static void pad(struct out *s, char c, int n, int *count)
{
	while (n-- > 0) emit(s, &c, 1, count);
}

/* Render v in base into the end of buf; returns the start. Powers of two
 * take shifts, and decimal digits 32-bit division once v fits in 32 bits:
 * a 32-bit CPU has no 64-bit divide, so each 64-bit one is a library call. */
static char *utoa_rev(char *end, unsigned long long v, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;
	if ((base & (base - 1)) == 0) {
		unsigned shift = base == 16 ? 4 : base == 8 ? 3 : 1;
		do {
			*--p = digits[v & (base - 1)];
			v >>= shift;
		} while (v);
		return p;
	}
	while (v > 0xFFFFFFFFull) {
		*--p = digits[v % base];
		v /= base;
	}
	uint32_t w = (uint32_t)v;
	do {
		*--p = digits[w % base];
		w /= base;
	} while (w);
	return p;
}

static void put_number(struct out *s, const struct spec *sp, unsigned long long v,
		       bool neg, unsigned base, bool upper, const char *prefix, int *count)
{
	char buf[72];
	char *end = buf + sizeof(buf);
	char *p = utoa_rev(end, v, base, upper);
	char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
	int body = (int)(end - p) + (sign ? 1 : 0);
	int plen = 0;
	while (prefix && prefix[plen]) plen++;
	body += plen;
	int fill = sp->width > body ? sp->width - body : 0;
	if (!sp->left && !sp->zero) pad(s, ' ', fill, count);
	if (sign) emit(s, &sign, 1, count);
	if (plen) emit(s, prefix, (size_t)plen, count);
	if (!sp->left && sp->zero) pad(s, '0', fill, count);
	emit(s, p, (size_t)(end - p), count);
	if (sp->left) pad(s, ' ', fill, count);
}

static void put_string(struct out *s, const struct spec *sp, const char *str, int *count)
{
	size_t n = 0;
	if (!str) str = "(null)";
	while (str[n]) n++;
	int fill = sp->width > (int)n ? sp->width - (int)n : 0;
	if (!sp->left) pad(s, ' ', fill, count);
	emit(s, str, n, count);
	if (sp->left) pad(s, ' ', fill, count);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	for (;; f++) {
		if (*f == '-') sp->left = true;
		else if (*f == '0') sp->zero = true;
		else if (*f == '+') sp->plus = true;
		else if (*f == ' ') sp->space = true;
		else break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) { sp->left = true; sp->width = -sp->width; }
		f++;
	}
	while (*f >= '0' && *f <= '9') sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == 'l') { sp->size = 1; f++; if (*f == 'l') { sp->size = 2; f++; } }
	else if (*f == 'z') { sp->size = 3; f++; }
	return f;
}

static unsigned long long get_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->size) {
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static long long get_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->size) {
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return (long long)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

static void convert(struct out *s, char c, struct spec *sp, va_list *ap, int *count)
{
	switch (c) {
	case 'd': case 'i': {
		long long v = get_signed(sp, ap);
		unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
		put_number(s, sp, mag, v < 0, 10, false, 0, count);
		break;
	}
	case 'u': put_number(s, sp, get_unsigned(sp, ap), false, 10, false, 0, count); break;
	case 'x': put_number(s, sp, get_unsigned(sp, ap), false, 16, false, 0, count); break;
	case 'X': put_number(s, sp, get_unsigned(sp, ap), false, 16, true, 0, count); break;
	case 'o': put_number(s, sp, get_unsigned(sp, ap), false, 8, false, 0, count); break;
	case 'b': put_number(s, sp, get_unsigned(sp, ap), false, 2, false, 0, count); break;
	case 'p': {
		uintptr_t v = (uintptr_t)va_arg(*ap, void *);
		sp->plus = sp->space = false;
		put_number(s, sp, v, false, 16, false, "0x", count);
		break;
	}
	case 'c': {
		char ch = (char)va_arg(*ap, int);
		char one[2] = { ch, 0 };
		if (ch == 0) { /* a NUL character is still one character */
			int fill = sp->width > 1 ? sp->width - 1 : 0;
			if (!sp->left) pad(s, ' ', fill, count);
			emit(s, one, 1, count);
			if (sp->left) pad(s, ' ', fill, count);
		} else {
			put_string(s, sp, one, count);
		}
		break;
	}
	case 's': put_string(s, sp, va_arg(*ap, const char *), count); break;
	case '%': emit(s, "%", 1, count); break;
	default: /* unknown conversion: print it as written */
		emit(s, "%", 1, count);
		if (c) emit(s, &c, 1, count);
		break;
	}
}

int mm_vformat(struct mm_sink *sink, const char *fmt, va_list ap0)
{
	int count = 0;
	struct out o;
	o.sink = sink;
	o.n = 0;
	struct out *s = &o;
	va_list ap;
	va_copy(ap, ap0);
	while (*fmt) {
		const char *lit = fmt;
		while (*fmt && *fmt != '%') fmt++;
		emit(s, lit, (size_t)(fmt - lit), &count);
		if (!*fmt) break;
		struct spec sp = { 0 };
		fmt = parse_spec(fmt + 1, &sp, &ap);
		if (!*fmt) { emit(s, "%", 1, &count); break; }
		convert(s, *fmt++, &sp, &ap, &count);
	}
	va_end(ap);
	out_flush(s);
	return count;
}

int mm_format(struct mm_sink *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = mm_vformat(s, fmt, ap);
	va_end(ap);
	return n;
}

struct bufsink {
	char *buf;
	size_t cap, len;
};

static void buf_put(void *ctx, const char *p, size_t n)
{
	struct bufsink *b = ctx;
	for (size_t i = 0; i < n; i++, b->len++)
		if (b->len + 1 < b->cap) b->buf[b->len] = p[i];
}

int mm_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct bufsink b = { buf, n, 0 };
	struct mm_sink s = { buf_put, &b };
	int len = mm_vformat(&s, fmt, ap);
	if (n) buf[b.len < n ? b.len : n - 1] = 0;
	return len;
}

int mm_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = mm_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}

/* Length of the word at s (up to a space or the end). */
static int word_len(const char *s)
{
	int n = 0;
	while (s[n] && s[n] != ' ') n++;
	return n;
}

void mm_wrap(struct mm_sink *out, const char *text, int col, int indent, int width)
{
	bool first = true; /* no word yet on this line */
	for (const char *p = text ? text : ""; *p;) {
		while (*p == ' ') p++;
		int n = word_len(p);
		if (!n) break;
		if (!first && col + 1 + n > width) {
			mm_format(out, "\n%*s", indent, "");
			col = indent;
			first = true;
		}
		if (!first) {
			out->put(out->ctx, " ", 1);
			col++;
		}
		out->put(out->ctx, p, (size_t)n);
		col += n;
		first = false;
		p += n;
	}
	mm_format(out, "\n");
}
