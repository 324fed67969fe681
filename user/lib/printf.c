/*
 * printf.c - a small printf to a file descriptor: %d %i %u %x %X %s %c %p
 * %%, a width, flags '-' and '0', size 'l' (long is int on i386).
 *
 * Output collects in a 256-byte buffer on the stack that goes out with one
 * write() when full and at the end of the call, so one short printf is one
 * write and lines of processes that share the console stay whole. For
 * vsnprintf the buffer goes into the caller's memory instead.
 */
#include "ulib.h"

struct obuf {
	int fd, count;
	char *mem;          /* vsnprintf: the caller's buffer, else NULL */
	size_t memcap, memlen;
	size_t n;
	char buf[256];
};

static void flush(struct obuf *o)
{
	size_t off = 0;
	if (o->mem) {
		for (; off < o->n && o->memlen + 1 < o->memcap; off++) o->mem[o->memlen++] = o->buf[off];
		o->n = 0;
		return;
	}
	while (off < o->n) {
		long w = write(o->fd, o->buf + off, o->n - off);
		if (w <= 0) break;
		off += (size_t)w;
	}
	o->n = 0;
}

static void put(struct obuf *o, char c)
{
	if (o->n == sizeof o->buf) flush(o);
	o->buf[o->n++] = c;
	o->count++;
}

/* s (n bytes) padded to width: spaces on the left unless left, zeros when
 * zero (after a leading '-'). */
static void put_field(struct obuf *o, const char *s, int n, int width, int left, int zero)
{
	int padn = width > n ? width - n : 0;
	if (zero && !left && n && *s == '-') {
		put(o, *s++);
		n--;
	}
	if (!left)
		while (padn-- > 0) put(o, zero ? '0' : ' ');
	while (n-- > 0) put(o, *s++);
	while (padn-- > 0) put(o, ' ');
}

/* v in base into the end of buf[32]; returns the first digit. */
static char *utoa(char *end, unsigned long v, unsigned base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	do {
		*--end = digits[v % base];
		v /= base;
	} while (v);
	return end;
}

/* One conversion c with its argument; returns 0 for an unknown one. */
static int convert(struct obuf *o, char c, va_list *ap, int width, int left, int zero)
{
	char tmp[34], *end = tmp + sizeof tmp, *s;
	long v;
	switch (c) {
	case 'd': case 'i':
		v = va_arg(*ap, long);
		s = utoa(end, v < 0 ? 0ul - (unsigned long)v : (unsigned long)v, 10, 0);
		if (v < 0) *--s = '-';
		break;
	case 'u': s = utoa(end, va_arg(*ap, unsigned long), 10, 0); break;
	case 'x': s = utoa(end, va_arg(*ap, unsigned long), 16, 0); break;
	case 'X': s = utoa(end, va_arg(*ap, unsigned long), 16, 1); break;
	case 'p':
		s = utoa(end, (unsigned long)va_arg(*ap, void *), 16, 0);
		*--s = 'x';
		*--s = '0';
		break;
	case 'c': tmp[0] = (char)va_arg(*ap, int); s = tmp; end = tmp + 1; break;
	case 's':
		s = va_arg(*ap, char *);
		if (!s) s = "(null)";
		end = s + strlen(s);
		break;
	default: return 0;
	}
	put_field(o, s, (int)(end - s), width, left, zero);
	return 1;
}

static void format(struct obuf *o, const char *fmt, va_list ap)
{
	va_list args;
	va_copy(args, ap);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(o, *p);
			continue;
		}
		const char *start = p++;
		int left = 0, zero = 0, width = 0;
		for (; *p == '-' || *p == '0'; p++) *p == '-' ? (left = 1) : (zero = 1);
		for (; *p >= '0' && *p <= '9'; p++) width = width * 10 + (*p - '0');
		while (*p == 'l') p++;
		if (*p == '%') put(o, '%');
		else if (!*p || !convert(o, *p, &args, width, left, zero)) {
			while (start < p) put(o, *start++); /* shown as written */
			if (!*p) break;
			put(o, *p);
		}
	}
	va_end(args);
	flush(o);
}

int vdprintf(int fd, const char *fmt, va_list ap)
{
	struct obuf o = { .fd = fd };
	format(&o, fmt, ap);
	return o.count;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct obuf o = { .fd = -1, .mem = buf, .memcap = n };
	format(&o, fmt, ap);
	if (n) buf[o.memlen] = 0;
	return o.count;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}

int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vdprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vdprintf(1, fmt, ap);
	va_end(ap);
	return n;
}

int puts_raw(const char *s)
{
	return (int)write(1, s, strlen(s));
}
