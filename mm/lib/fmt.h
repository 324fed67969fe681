/*
 * fmt.h - printf-style formatting into a sink, shared by the kernel console,
 * the kernel log and every mm/ report (MeMS stats, PMAP, memman maps).
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %b (binary) %%, sizes l and ll
 * (and z), width (or *), flags '-' (left), '0' (zero pad), '+' and ' '.
 */
#ifndef MM_FMT_H
#define MM_FMT_H

#include <stdarg.h>
#include "mm_types.h"

/* Where formatted characters go. */
struct mm_sink {
	void (*put)(void *ctx, const char *s, size_t n);
	void *ctx;
};

int mm_vformat(struct mm_sink *sink, const char *fmt, va_list ap);
int mm_format(struct mm_sink *sink, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Bounded formatting into a buffer; always NUL-terminates when n > 0.
 * Returns the length the full output would have had. */
int mm_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int mm_snprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The console's width: what is meant for a person fits these columns. */
#define MM_COLUMNS 80

/* Print text (then a newline) as if it began at column col, breaking at
 * spaces so that no line passes width; a continuation line starts with
 * indent spaces. A word longer than a whole line is printed unbroken. */
void mm_wrap(struct mm_sink *out, const char *text, int col, int indent, int width);

#endif
