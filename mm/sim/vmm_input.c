/*
 * vmm_input.c - parsing of the VMM request stream (format in vmm_input.h).
 *
 * Algorithm: two passes with the same line parser, the first to validate
 * and count, the second (only when everything is good) to fill the array
 * allocated in between; a bad input allocates nothing.
 */
#include "vmm_input.h"
#include "fmt.h"
#include "mmlib.h"
#include "mm_env.h"

struct field {
	const char *s;
	size_t n;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static int fail(struct vmm_error *err, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct vmm_error *err, uint32_t line, const char *fmt, ...)
{
	if (!err) return -MM_EINVAL;
	va_list ap;
	va_start(ap, fmt);
	int n = mm_snprintf(err->msg, sizeof err->msg, "line %u: ", line);
	mm_vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
	va_end(ap);
	err->line = line;
	return -MM_EINVAL;
}

/* Split s[0..n) at commas into at most max fields, blanks trimmed; returns
 * the number of fields there are (which may exceed max). */
static uint32_t split_fields(const char *s, size_t n, struct field *f, uint32_t max)
{
	uint32_t count = 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != ',') continue;
		size_t a = start, b = i;
		while (a < b && blank(s[a])) a++;
		while (b > a && blank(s[b - 1])) b--;
		if (count < max) {
			f[count].s = s + a;
			f[count].n = b - a;
		}
		count++;
		start = i + 1;
	}
	return count;
}

/* A field for a message: cut short, non-printable bytes shown as '?'. */
static const char *shown(struct field f, char *buf, size_t cap)
{
	size_t n = f.n < cap - 4 ? f.n : cap - 4, i;
	for (i = 0; i < n; i++) buf[i] = (f.s[i] >= 0x20 && f.s[i] <= 0x7e) ? f.s[i] : '?';
	if (n < f.n) {
		mm_memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = 0;
	return buf;
}

static bool all_digits(struct field f, bool hex)
{
	for (size_t i = 0; i < f.n; i++) {
		char c = f.s[i];
		bool ok = mm_isdigit(c) || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
		if (!ok) return false;
	}
	return f.n > 0;
}

static int parse_fields(const struct field f[3], uint32_t lineno, struct vmm_request *r,
			struct vmm_error *err)
{
	uint64_t v;
	char buf[24];
	if (!all_digits(f[0], false) || mm_parse_u64(f[0].s, f[0].n, 10, &v) || v > UINT32_MAX)
		return fail(err, lineno, "pid '%s' is not a decimal number below 2^32",
			    shown(f[0], buf, sizeof buf));
	r->pid = (uint32_t)v;
	if (f[1].n != 1 || (f[1].s[0] != 'R' && f[1].s[0] != 'W'))
		return fail(err, lineno, "access '%s' is not R or W", shown(f[1], buf, sizeof buf));
	r->write = f[1].s[0] == 'W';
	if (f[2].n > 8 || !all_digits(f[2], true) || mm_parse_u64(f[2].s, f[2].n, 16, &v))
		return fail(err, lineno, "address '%s' is not 1 to 8 hex digits",
			    shown(f[2], buf, sizeof buf));
	r->vaddr = (uint32_t)v; /* beyond 16 bits: the runner's address translation fails */
	r->line = lineno;
	return 0;
}

/* One line (without its newline): 1 if it holds a request (into *r), 0 if
 * blank, or an error. */
static int parse_line(const char *s, size_t n, uint32_t lineno, struct vmm_request *r,
		      struct vmm_error *err)
{
	struct field f[3];
	if (n && s[n - 1] == '\r') n--;
	size_t i = 0;
	while (i < n && blank(s[i])) i++;
	if (i == n) return 0;
	uint32_t count = split_fields(s, n, f, 3);
	if (count != 3)
		return fail(err, lineno, "expected 'pid, R|W, HHHH': found %u comma-separated fields",
			    count);
	int e = parse_fields(f, lineno, r, err);
	return e ? e : 1;
}

/* One pass: count requests (reqs NULL) or fill reqs. */
static int scan(const char *buf, size_t nbytes, struct vmm_request *reqs, size_t *count,
		struct vmm_error *err)
{
	size_t pos = 0, n = 0;
	uint32_t lineno = 0;
	struct vmm_request scratch;
	while (pos < nbytes) {
		size_t end = pos;
		while (end < nbytes && buf[end] != '\n') end++;
		lineno++;
		int r = parse_line(buf + pos, end - pos, lineno, reqs ? &reqs[n] : &scratch, err);
		if (r < 0) return r;
		n += (size_t)r;
		pos = end + 1;
	}
	*count = n;
	return 0;
}

int vmm_input_parse(const char *buf, size_t nbytes, const struct mm_allocator *a,
		    struct vmm_input *out, struct vmm_error *err)
{
	size_t n = 0, again = 0;
	out->reqs = NULL;
	out->nreqs = 0;
	if (err) {
		err->line = 0;
		err->msg[0] = 0;
	}
	int e = scan(buf, nbytes, NULL, &n, err);
	if (e || n == 0) return e;
	struct vmm_request *reqs = mm_alloc(a, n * sizeof *reqs);
	if (!reqs) {
		if (err) mm_snprintf(err->msg, sizeof err->msg, "out of memory for %lu requests",
				     (unsigned long)n);
		return -MM_ENOMEM;
	}
	e = scan(buf, nbytes, reqs, &again, err);
	MM_ASSERT(e == 0 && again == n, "vmm: second pass disagrees (%d, %lu vs %lu)", e,
		  (unsigned long)again, (unsigned long)n);
	out->reqs = reqs;
	out->nreqs = n;
	return 0;
}

void vmm_input_free(struct vmm_input *in, const struct mm_allocator *a)
{
	mm_free(a, in->reqs);
	in->reqs = NULL;
	in->nreqs = 0;
}
