/*
 * trace.c - the trace parser and next-use builder (see trace.h).
 *
 * Algorithm: two passes over the buffer. The first checks every line and
 * counts the references; only if all lines are good is the array allocated
 * and the second pass (which cannot fail) fills it. The format is decided by
 * the first significant line. The next-use table is built backwards with a
 * page -> latest index hash (repl_map, doubled as it fills).
 */
#include "trace.h"
#include "repl.h"
#include "fmt.h"
#include "mmlib.h"

struct text {
	const char *p;
	size_t n;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static struct text trim(struct text t)
{
	while (t.n && blank(t.p[0])) t.p++, t.n--;
	while (t.n && blank(t.p[t.n - 1])) t.n--;
	return t;
}

/* The next blank-separated word of *rest (empty when none is left). */
static struct text next_word(struct text *rest)
{
	struct text w = trim(*rest);
	size_t i = 0;
	while (i < w.n && !blank(w.p[i])) i++;
	rest->p = w.p + i;
	rest->n = w.n - i;
	w.n = i;
	return w;
}

static int fail(struct trace_error *err, uint32_t line, struct text t, const char *what)
{
	if (err) {
		err->line = line;
		int shown = t.n > 40 ? 40 : (int)t.n;
		char quoted[48];
		mm_memcpy(quoted, t.p, (size_t)shown);
		quoted[shown] = 0;
		for (int i = 0; i < shown; i++)
			if ((unsigned char)quoted[i] < ' ' || quoted[i] == 127) quoted[i] = '?';
		mm_snprintf(err->msg, sizeof err->msg, "line %u: %s, got '%s%s'", line, what, quoted,
			    t.n > 40 ? "..." : "");
	}
	return -MM_EINVAL;
}

static bool is_access_word(struct text w)
{
	return w.n == 1 && (w.p[0] == 'l' || w.p[0] == 's' || w.p[0] == 'L' || w.p[0] == 'S');
}

static enum trace_format detect(struct text line)
{
	struct text rest = line;
	return is_access_word(next_word(&rest)) ? TRACE_ADDR : TRACE_LIRS;
}

static int parse_lirs(struct text line, uint32_t no, struct trace_ref *ref, struct trace_error *err)
{
	if (mm_parse_u64(line.p, line.n, 10, &ref->page) != 0)
		return fail(err, no, line, "expected a block number");
	ref->is_write = 0;
	return 0;
}

static int parse_addr(struct text line, uint32_t no, struct trace_ref *ref, struct trace_error *err)
{
	struct text rest = line;
	struct text kind = next_word(&rest), addr = next_word(&rest), count = next_word(&rest);
	uint64_t a, ignored;
	if (!is_access_word(kind)) return fail(err, no, line, "expected 'l' or 's' then an address");
	if (!addr.n || mm_parse_u64(addr.p, addr.n, 16, &a) != 0)
		return fail(err, no, line, "expected a hex address after 'l'/'s'");
	if (count.n && mm_parse_u64(count.p, count.n, 10, &ignored) != 0)
		return fail(err, no, line, "expected an instruction count after the address");
	if (trim(rest).n) return fail(err, no, line, "unexpected words after the count");
	ref->page = a >> PAGE_SHIFT;
	ref->is_write = kind.p[0] == 's' || kind.p[0] == 'S';
	return 0;
}

/* One pass over buf: validates every line and, if refs is not NULL, stores
 * the references. Returns the count, or -MM_EINVAL. */
static long long scan(const char *buf, size_t nbytes, enum trace_format *format,
		      struct trace_ref *refs, struct trace_error *err)
{
	size_t pos = 0;
	uint32_t no = 0;
	long long count = 0;
	while (pos < nbytes) {
		size_t end = pos;
		while (end < nbytes && buf[end] != '\n') end++;
		no++;
		struct text line = trim((struct text){ buf + pos, end - pos });
		pos = end + 1;
		if (line.n == 0 || (line.n == 1 && line.p[0] == '*')) continue;
		if (*format == TRACE_AUTO) *format = detect(line);
		struct trace_ref ref;
		int e = *format == TRACE_LIRS ? parse_lirs(line, no, &ref, err)
					      : parse_addr(line, no, &ref, err);
		if (e) return e;
		if ((unsigned long long)count >= TRACE_MAX_REFS)
			return fail(err, no, line, "too many references");
		if (refs) refs[count] = ref;
		count++;
	}
	return count;
}

int trace_parse(const char *buf, size_t nbytes, enum trace_format format,
		const struct mm_allocator *a, struct trace *out, struct trace_error *err)
{
	out->refs = NULL;
	out->nrefs = 0;
	out->format = format;
	if (err) {
		err->line = 0;
		err->msg[0] = 0;
	}
	if (format != TRACE_AUTO && format != TRACE_LIRS && format != TRACE_ADDR) return -MM_EINVAL;
	enum trace_format found = format;
	long long n = scan(buf, nbytes, &found, NULL, err);
	if (n < 0) return (int)n;
	if (n == 0) {
		out->format = found;
		return 0;
	}
	if ((unsigned long long)n > SIZE_MAX / sizeof(struct trace_ref)) return -MM_ENOMEM;
	struct trace_ref *refs = mm_alloc(a, (size_t)n * sizeof *refs);
	if (!refs) {
		if (err) mm_snprintf(err->msg, sizeof err->msg, "no memory for %lld references", n);
		return -MM_ENOMEM;
	}
	found = format;
	scan(buf, nbytes, &found, refs, NULL);
	out->refs = refs;
	out->nrefs = (size_t)n;
	out->format = found;
	return 0;
}

void trace_free(struct trace *t, const struct mm_allocator *a)
{
	mm_free(a, t->refs);
	t->refs = NULL;
	t->nrefs = 0;
}

const char *trace_format_name(enum trace_format format)
{
	switch (format) {
	case TRACE_LIRS: return "lirs";
	case TRACE_ADDR: return "address";
	default: return "auto";
	}
}

int trace_next_use(const struct trace_ref *refs, size_t n, const struct mm_allocator *a,
		   uint32_t **out)
{
	*out = NULL;
	if (n > TRACE_MAX_REFS) return -MM_EINVAL;
	uint32_t *next = mm_alloc(a, (n ? n : 1) * sizeof *next);
	uint32_t start = 1024;
	void *mem = mm_alloc(a, repl_map_bytes(start));
	if (!next || !mem) {
		mm_free(a, next);
		mm_free(a, mem);
		return -MM_ENOMEM;
	}
	struct repl_map last; /* page -> index of its latest reference seen */
	repl_map_init(&last, mem, start);
	for (size_t i = n; i-- > 0;) {
		uint32_t later = repl_map_get(&last, refs[i].page);
		next[i] = later == REPL_MAP_NONE ? REPL_NEVER : later;
		if (later == REPL_MAP_NONE && last.count == last.limit &&
		    repl_map_grow(&last, last.limit * 2, a) < 0) {
			mm_free(a, next);
			mm_free(a, last.keys);
			return -MM_ENOMEM;
		}
		repl_map_put(&last, refs[i].page, (uint32_t)i);
	}
	mm_free(a, last.keys);
	*out = next;
	return 0;
}
