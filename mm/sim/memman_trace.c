/*
 * memman_trace.c - parsing and validation of memman trace files (format and
 * rules in memman_trace.h).
 *
 * Algorithm: two passes over the bytes with the same line parser. The first
 * validates every line and counts processes and accesses; only when all of
 * it is good are the two arrays allocated, and the second pass fills them.
 * So a bad trace costs no allocation and never yields a partial result.
 */
#include "memman_trace.h"
#include "fmt.h"
#include "mmlib.h"
#include "mm_env.h"

struct span {
	const char *s;
	size_t n;
};

struct cursor {
	const char *buf;
	size_t n, pos;
	uint32_t lineno;
};

/* The next line (without its newline and a CR before it); false at the end. */
static bool next_line(struct cursor *c, struct span *line)
{
	if (c->pos >= c->n) return false;
	size_t start = c->pos, end = start;
	while (end < c->n && c->buf[end] != '\n') end++;
	c->pos = end < c->n ? end + 1 : end;
	c->lineno++;
	if (end > start && c->buf[end - 1] == '\r') end--;
	line->s = c->buf + start;
	line->n = end - start;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next blank-separated word of *rest, consuming it; false when none. */
static bool next_word(struct span *rest, struct span *word)
{
	size_t i = 0;
	while (i < rest->n && is_blank(rest->s[i])) i++;
	size_t start = i;
	while (i < rest->n && !is_blank(rest->s[i])) i++;
	word->s = rest->s + start;
	word->n = i - start;
	rest->s += i;
	rest->n -= i;
	return word->n > 0;
}

static uint32_t count_words(struct span line)
{
	struct span w;
	uint32_t n = 0;
	while (next_word(&line, &w)) n++;
	return n;
}

static int fail(struct memman_error *err, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct memman_error *err, uint32_t line, const char *fmt, ...)
{
	if (!err) return -MM_EINVAL;
	va_list ap;
	va_start(ap, fmt);
	int n = line ? mm_snprintf(err->msg, sizeof err->msg, "line %u: ", line) : 0;
	mm_vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
	va_end(ap);
	err->line = line;
	return -MM_EINVAL;
}

/* 0, or the first byte that may not appear in a line (+1, so 0 means none). */
static int bad_byte(struct span line)
{
	for (size_t i = 0; i < line.n; i++) {
		unsigned char c = (unsigned char)line.s[i];
		if (!is_blank((char)c) && (c < 0x21 || c > 0x7e)) return c + 1;
	}
	return 0;
}

/* Copy a word into a small buffer for a message, cut short if long. */
static const char *shown(struct span w, char *buf, size_t cap)
{
	size_t n = w.n < cap - 4 ? w.n : cap - 4;
	mm_memcpy(buf, w.s, n);
	if (n < w.n) {
		mm_memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = 0;
	return buf;
}

/* A decimal number below 2^32, or an error naming the field. */
static int number(struct span w, uint32_t line, const char *what, uint32_t *out,
		  struct memman_error *err)
{
	uint64_t v;
	char buf[24];
	if (mm_parse_u64(w.s, w.n, 10, &v) != 0 || v > UINT32_MAX)
		return fail(err, line, "%s '%s' is not a number (decimal, below 2^32)", what,
			    shown(w, buf, sizeof buf));
	*out = (uint32_t)v;
	return 0;
}

static int mem_size(struct span w, uint32_t line, const char *what, unsigned flags,
		    uint32_t *out, struct memman_error *err)
{
	int e = number(w, line, what, out, err);
	if (e) return e;
	if (*out > MEMMAN_MAX_BYTES)
		return fail(err, line, "%s %u is too big (at most %u)", what, *out, MEMMAN_MAX_BYTES);
	if ((flags & MEMMAN_TRACE_ROUND) && *out < MEMMAN_PAGE_BYTES)
		return fail(err, line, "%s %u is less than one page of 16 bytes", what, *out);
	if (!(flags & MEMMAN_TRACE_ROUND) && (*out == 0 || *out % MEMMAN_PAGE_BYTES))
		return fail(err, line, "%s %u is not a positive multiple of 16", what, *out);
	return 0;
}

static int parse_header(struct span line, uint32_t lineno, unsigned flags,
			struct memman_trace *t, struct memman_error *err)
{
	struct span w[2];
	if (count_words(line) != 2)
		return fail(err, lineno, "expected 'total_mem virtual_mem', found %u fields",
			    count_words(line));
	next_word(&line, &w[0]);
	next_word(&line, &w[1]);
	int e = mem_size(w[0], lineno, "total_mem", flags, &t->total_mem, err);
	if (!e) e = mem_size(w[1], lineno, "virtual_mem", flags, &t->virtual_mem, err);
	if (e) return e;
	t->nframes = t->total_mem / MEMMAN_PAGE_BYTES;
	t->nvpages = t->virtual_mem / MEMMAN_PAGE_BYTES;
	return 0;
}

/* t0, name, tf and b of a process line (the words are there). */
static int parse_head_fields(struct span *rest, uint32_t lineno, struct memman_proc *p,
			     struct memman_error *err)
{
	struct span w;
	char buf[24];
	next_word(rest, &w);
	int e = number(w, lineno, "t0", &p->t0, err);
	if (e) return e;
	next_word(rest, &w);
	if (w.n > MEMMAN_NAME_MAX)
		return fail(err, lineno, "name '%s' is longer than %u characters",
			    shown(w, buf, sizeof buf), MEMMAN_NAME_MAX);
	mm_memcpy(p->name, w.s, w.n);
	p->name[w.n] = 0;
	next_word(rest, &w);
	e = number(w, lineno, "tf", &p->tf, err);
	if (e) return e;
	if (p->tf < p->t0) return fail(err, lineno, "tf %u is before t0 %u", p->tf, p->t0);
	next_word(rest, &w);
	e = number(w, lineno, "b", &p->nbytes, err);
	if (e) return e;
	if (p->nbytes == 0) return fail(err, lineno, "b is 0: a process needs at least one byte");
	p->npages = p->nbytes / MEMMAN_PAGE_BYTES + (p->nbytes % MEMMAN_PAGE_BYTES != 0);
	return 0;
}

/* One "p t" pair of process p. */
static int parse_access(struct span *rest, uint32_t lineno, const struct memman_proc *p,
			struct memman_access *acc, struct memman_error *err)
{
	struct span w;
	next_word(rest, &w);
	int e = number(w, lineno, "access position", &acc->pos, err);
	if (e) return e;
	if (acc->pos >= p->nbytes)
		return fail(err, lineno, "access position %u outside [0, %u)", acc->pos, p->nbytes);
	next_word(rest, &w);
	e = number(w, lineno, "access time", &acc->time, err);
	if (e) return e;
	if (acc->time < p->t0 || acc->time > p->tf)
		return fail(err, lineno, "access time %u outside [%u, %u]", acc->time, p->t0, p->tf);
	return 0;
}

/* A process line into *p; its accesses go to acc[] unless acc is NULL (the
 * counting pass). Returns the number of accesses or an error. */
static int64_t parse_proc(struct span line, uint32_t lineno, struct memman_proc *p,
			  struct memman_access *acc, struct memman_error *err)
{
	uint32_t nw = count_words(line);
	if (nw < 6)
		return fail(err, lineno, "expected 't0 name tf b p1 t1 [p2 t2 ...]', found %u fields", nw);
	if ((nw - 4) % 2)
		return fail(err, lineno, "odd number of p/t fields: an access position without its time");
	int e = parse_head_fields(&line, lineno, p, err);
	if (e) return e;
	struct memman_access scratch;
	for (uint32_t i = 0; i < (nw - 4) / 2; i++) {
		e = parse_access(&line, lineno, p, acc ? &acc[i] : &scratch, err);
		if (e) return e;
	}
	p->naccesses = (nw - 4) / 2;
	p->line = lineno;
	return p->naccesses;
}

/* Check one line's bytes; a blank line is reported through *blank. */
static int line_ok(struct span line, uint32_t lineno, bool *blank, struct memman_error *err)
{
	int c = bad_byte(line);
	if (c) return fail(err, lineno, "unexpected byte 0x%02x", c - 1);
	*blank = count_words(line) == 0;
	return 0;
}

/* One pass over the file. With t->procs NULL it only validates and counts;
 * otherwise it fills the arrays (sized by the counting pass). */
static int scan(const char *buf, size_t nbytes, unsigned flags, struct memman_trace *t,
		struct memman_error *err)
{
	struct cursor c = { buf, nbytes, 0, 0 };
	struct span line;
	bool header = false, blank = false;
	uint32_t nprocs = 0, naccesses = 0;
	while (next_line(&c, &line)) {
		int e = line_ok(line, c.lineno, &blank, err);
		if (e) return e;
		if (blank) continue;
		if (!header) {
			e = parse_header(line, c.lineno, flags, t, err);
			if (e) return e;
			header = true;
			continue;
		}
		if (nprocs == MEMMAN_MAX_PROCS)
			return fail(err, c.lineno, "more than %u processes (ids must fit in a byte)",
				    MEMMAN_MAX_PROCS);
		struct memman_proc scratch, *p = t->procs ? &t->procs[nprocs] : &scratch;
		mm_memset(p, 0, sizeof *p);
		int64_t n = parse_proc(line, c.lineno, p, t->procs ? t->accesses + naccesses : NULL, err);
		if (n < 0) return (int)n;
		if ((uint64_t)naccesses + (uint64_t)n > MEMMAN_MAX_ACCESSES)
			return fail(err, c.lineno, "more than %u accesses", MEMMAN_MAX_ACCESSES);
		p->id = nprocs++;
		p->first = naccesses;
		naccesses += (uint32_t)n;
	}
	if (!header) return fail(err, 0, "empty trace: expected 'total_mem virtual_mem'");
	t->nprocs = nprocs;
	t->naccesses = naccesses;
	return 0;
}

int memman_trace_parse(const char *buf, size_t nbytes, unsigned flags,
		       const struct mm_allocator *a, struct memman_trace *out,
		       struct memman_error *err)
{
	struct memman_trace t;
	mm_memset(&t, 0, sizeof t);
	mm_memset(out, 0, sizeof *out);
	if (err) {
		err->line = 0;
		err->msg[0] = 0;
	}
	int e = scan(buf, nbytes, flags, &t, err);
	if (e) return e;
	uint32_t nprocs = t.nprocs, naccesses = t.naccesses;
	if (nprocs) t.procs = mm_alloc(a, (size_t)nprocs * sizeof *t.procs);
	if (naccesses) t.accesses = mm_alloc(a, (size_t)naccesses * sizeof *t.accesses);
	if ((nprocs && !t.procs) || (naccesses && !t.accesses)) {
		memman_trace_free(&t, a);
		if (err) mm_snprintf(err->msg, sizeof err->msg, "out of memory for %u processes", nprocs);
		return -MM_ENOMEM;
	}
	if (nprocs) {
		e = scan(buf, nbytes, flags, &t, err);
		MM_ASSERT(e == 0 && t.nprocs == nprocs && t.naccesses == naccesses,
			  "memman: second pass disagrees (%d)", e);
	}
	*out = t;
	return 0;
}

void memman_trace_free(struct memman_trace *t, const struct mm_allocator *a)
{
	mm_free(a, t->procs);
	mm_free(a, t->accesses);
	t->procs = NULL;
	t->accesses = NULL;
	t->nprocs = t->naccesses = 0;
}
