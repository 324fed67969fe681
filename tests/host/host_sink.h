/*
 * host_sink.h - mm_sinks that collect text for host tests to look at: a
 * growing buffer (struct tbuf, start it as { 0 }; free(b.s) when done;
 * tbuf_text gives its text, "" before anything arrived) and a fixed 8 KiB one
 * (struct strsink, truncating).
 */
#ifndef HOST_SINK_H
#define HOST_SINK_H

#include <stdlib.h>
#include <string.h>
#include "fmt.h"

struct tbuf {
	char *s;
	size_t len, cap;
};

static inline void tbuf_put(void *ctx, const char *s, size_t n)
{
	struct tbuf *b = ctx;
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static inline void tbuf_puts(struct tbuf *b, const char *s) { tbuf_put(b, s, strlen(s)); }

static inline struct mm_sink tbuf_sink(struct tbuf *b)
{
	struct mm_sink s = { tbuf_put, b };
	return s;
}

/* The text so far, never NULL: an empty buffer gets its terminating byte
 * (malloc'ed like the rest, so the caller may keep it and free it). */
static inline char *tbuf_text(struct tbuf *b)
{
	if (!b->s) tbuf_put(b, "", 0);
	return b->s;
}

static inline void tbuf_reset(struct tbuf *b)
{
	b->len = 0;
	if (b->s) b->s[0] = 0;
}

struct strsink {
	struct mm_sink sink;
	char buf[8192];
	size_t len;
};

static inline void strsink_put(void *ctx, const char *s, size_t n)
{
	struct strsink *ss = ctx;
	for (size_t i = 0; i < n && ss->len + 1 < sizeof ss->buf; i++) ss->buf[ss->len++] = s[i];
	ss->buf[ss->len] = 0;
}

static inline void strsink_init(struct strsink *ss)
{
	ss->sink.put = strsink_put;
	ss->sink.ctx = ss;
	ss->len = 0;
	ss->buf[0] = 0;
}

#endif
