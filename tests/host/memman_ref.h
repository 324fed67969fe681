/*
 * memman_ref.h - an independent, naive model of the memman simulation, used
 * only to check mm/sim/memman_sim.c, mm/sim/memman_trace.c and mm/fit*.c (through
 * tests/host/test_memman.c and tests/host/bin/memman_ref.c).
 *
 * It shares no code with mm/ and is written the plain way on purpose:
 * the C library's strtoul for parsing, the virtual memory as an array with
 * the owner of every page (holes are found by scanning it, so coalescing
 * is implicit), the physical memory as arrays indexed by frame that are
 * scanned end to end for a free frame or a victim, OPT looking ahead in the
 * reference string by a linear search. Times are visited in increasing
 * order over the sorted set of times the trace mentions.
 *
 * The rules it implements are those of mm/sim/memman_sim.h; the placement rules
 * of the fit policies those documented in mm/fit/fit_*.c:
 *   first  lowest hole that fits;
 *   next   from the hole containing the rover (or the first above it),
 *          round once; rover = end of the new segment (0 at the end);
 *   quick  exact size n (n <= 16), then sizes n+1..16, then the lowest
 *          hole of more than 16 units that fits; lowest address in each;
 *   best   smallest that fits, lowest address among equals;
 *   worst  largest, lowest address among equals.
 * Replacement: FIFO (oldest load), LRU (oldest use), Second-Chance (oldest
 * in a queue ordered by load or by second chance; R set on load and use),
 * OPT (the page used furthest ahead; never again counts as furthest).
 */
#ifndef MEMMAN_REF_H
#define MEMMAN_REF_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MREF_MAX_PAIRS 4096

struct mref_proc {
	char name[64];
	long t0, tf, b, npages;
	long nacc;
	long *pos, *time;
};

struct mref_trace {
	long total, virt;
	long nprocs;
	struct mref_proc *procs;
};

/* ---- parsing (trusting: the traces given to it are valid) -------------- */

static inline void mref_free(struct mref_trace *t)
{
	for (long i = 0; i < t->nprocs; i++) {
		free(t->procs[i].pos);
		free(t->procs[i].time);
	}
	free(t->procs);
	memset(t, 0, sizeof *t);
}

/* Parse one process line into *p; 0 or -1. */
static inline int mref_parse_proc(char *line, struct mref_proc *p)
{
	char *tok[2 * MREF_MAX_PAIRS + 4];
	int n = 0;
	for (char *w = strtok(line, " \t\r\n"); w && n < (int)(sizeof tok / sizeof *tok);
	     w = strtok(NULL, " \t\r\n"))
		tok[n++] = w;
	if (n < 6 || (n - 4) % 2) return -1;
	memset(p, 0, sizeof *p);
	p->t0 = strtol(tok[0], NULL, 10);
	snprintf(p->name, sizeof p->name, "%s", tok[1]);
	p->tf = strtol(tok[2], NULL, 10);
	p->b = strtol(tok[3], NULL, 10);
	p->npages = (p->b + 15) / 16;
	p->nacc = (n - 4) / 2;
	p->pos = malloc(sizeof(long) * (size_t)p->nacc);
	p->time = malloc(sizeof(long) * (size_t)p->nacc);
	for (long i = 0; i < p->nacc; i++) {
		p->pos[i] = strtol(tok[4 + 2 * i], NULL, 10);
		p->time[i] = strtol(tok[5 + 2 * i], NULL, 10);
	}
	return 0;
}

static inline int mref_is_blank(const char *s)
{
	while (*s && isspace((unsigned char)*s)) s++;
	return *s == 0;
}

/* Parse a whole trace from a string; 0 or -1. */
static inline int mref_parse(const char *text, struct mref_trace *t)
{
	char *copy = strdup(text), *save = NULL;
	int header = 0, err = 0;
	memset(t, 0, sizeof *t);
	for (char *line = strtok_r(copy, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save)) {
		if (mref_is_blank(line)) continue;
		if (!header) {
			header = sscanf(line, "%ld %ld", &t->total, &t->virt) == 2;
			err = !header;
			continue;
		}
		t->procs = realloc(t->procs, sizeof *t->procs * (size_t)(t->nprocs + 1));
		err = mref_parse_proc(line, &t->procs[t->nprocs]) != 0;
		if (!err) t->nprocs++;
	}
	free(copy);
	if (!header) err = 1;
	if (err) mref_free(t);
	return err ? -1 : 0;
}

/* ---- virtual memory: an owner per page ------------------------------------ */

struct mref_virt {
	long n;
	long *owner; /* process index, or -1 */
	long rover;  /* next fit */
};

/* The hole starting at or after u: its start (or -1) and length. */
static inline long mref_hole_at(const struct mref_virt *v, long u, long *len)
{
	while (u < v->n && v->owner[u] != -1) u++;
	if (u >= v->n) return -1;
	long e = u;
	while (e < v->n && v->owner[e] == -1) e++;
	*len = e - u;
	return u;
}

static inline long mref_fit_first(const struct mref_virt *v, long n)
{
	long len;
	for (long h = mref_hole_at(v, 0, &len); h >= 0; h = mref_hole_at(v, h + len, &len))
		if (len >= n) return h;
	return -1;
}

static inline long mref_fit_next(struct mref_virt *v, long n)
{
	long *starts = malloc(sizeof(long) * (size_t)(v->n + 1)), *lens = malloc(sizeof(long) * (size_t)(v->n + 1));
	long k = 0, len, first = -1, pick = -1;
	for (long h = mref_hole_at(v, 0, &len); h >= 0; h = mref_hole_at(v, h + len, &len)) {
		starts[k] = h;
		lens[k] = len;
		if (first < 0 && h + len > v->rover) first = k;
		k++;
	}
	if (first < 0) first = 0;
	for (long i = 0; i < k && pick < 0; i++) {
		long j = (first + i) % k;
		if (lens[j] >= n) pick = starts[j];
	}
	if (pick >= 0) v->rover = pick + n == v->n ? 0 : pick + n;
	free(starts);
	free(lens);
	return pick;
}

/* Lowest hole whose length is in [lo, hi] and at least n. */
static inline long mref_lowest_sized(const struct mref_virt *v, long n, long lo, long hi)
{
	long len;
	for (long h = mref_hole_at(v, 0, &len); h >= 0; h = mref_hole_at(v, h + len, &len))
		if (len >= lo && len <= hi && len >= n) return h;
	return -1;
}

static inline long mref_fit_quick(const struct mref_virt *v, long n)
{
	for (long k = n; k <= 16; k++) {
		long h = mref_lowest_sized(v, n, k, k);
		if (h >= 0) return h;
	}
	return mref_lowest_sized(v, n, 17, v->n);
}

/* best (sign 1) or worst (sign -1) */
static inline long mref_fit_extreme(const struct mref_virt *v, long n, int sign)
{
	long len, pick = -1, pick_len = 0;
	for (long h = mref_hole_at(v, 0, &len); h >= 0; h = mref_hole_at(v, h + len, &len)) {
		if (sign > 0 && len >= n && (pick < 0 || len < pick_len)) pick = h, pick_len = len;
		if (sign < 0 && (pick < 0 || len > pick_len)) pick = h, pick_len = len;
	}
	return pick >= 0 && pick_len >= n ? pick : -1;
}

/* Place a segment of n pages with the named policy; its base or -1. */
static inline long mref_place(struct mref_virt *v, const char *fit, long n)
{
	if (n <= 0 || n > v->n) return -1;
	if (!strcmp(fit, "first")) return mref_fit_first(v, n);
	if (!strcmp(fit, "next")) return mref_fit_next(v, n);
	if (!strcmp(fit, "quick")) return mref_fit_quick(v, n);
	if (!strcmp(fit, "best")) return mref_fit_extreme(v, n, 1);
	if (!strcmp(fit, "worst")) return mref_fit_extreme(v, n, -1);
	fprintf(stderr, "memman_ref: unknown fit %s\n", fit);
	abort();
}

/* ---- physical memory: arrays per frame -------------------------------------- */

struct mref_phys {
	long n;
	long *proc, *page; /* -1 when free */
	long *loaded;      /* FIFO: when loaded */
	long *used;        /* LRU: when last used */
	long *seq;         /* Second-Chance: queue position */
	int *r;            /* Second-Chance: R bit */
	long clock;
};

/* The reference string, to look ahead for OPT. */
struct mref_refs {
	long n;
	long *proc, *page;
};

static inline long mref_next_use(const struct mref_refs *rs, long now, long proc, long page)
{
	for (long i = now + 1; i < rs->n; i++)
		if (rs->proc[i] == proc && rs->page[i] == page) return i;
	return rs->n + 1; /* never: later than anything */
}

static inline long mref_argmin(const long *a, long n)
{
	long best = 0;
	for (long f = 1; f < n; f++)
		if (a[f] < a[best]) best = f;
	return best;
}

static inline long mref_victim(struct mref_phys *m, const char *policy, const struct mref_refs *rs, long now)
{
	if (!strcmp(policy, "fifo")) return mref_argmin(m->loaded, m->n);
	if (!strcmp(policy, "lru")) return mref_argmin(m->used, m->n);
	if (!strcmp(policy, "sc")) {
		for (;;) {
			long f = mref_argmin(m->seq, m->n);
			if (!m->r[f]) return f;
			m->r[f] = 0;
			m->seq[f] = ++m->clock;
		}
	}
	if (!strcmp(policy, "opt")) {
		long best = 0, best_next = -1;
		for (long f = 0; f < m->n; f++) {
			long nu = mref_next_use(rs, now, m->proc[f], m->page[f]);
			if (nu > best_next) best = f, best_next = nu;
		}
		return best;
	}
	fprintf(stderr, "memman_ref: unknown policy %s\n", policy);
	abort();
}

/* Access (proc, page), reference number now; returns 1 on a fault. */
static inline int mref_access(struct mref_phys *m, const char *policy, const struct mref_refs *rs,
			      long now, long proc, long page)
{
	long f;
	m->clock++;
	for (f = 0; f < m->n; f++)
		if (m->proc[f] == proc && m->page[f] == page) break;
	if (f < m->n) {
		m->used[f] = m->clock;
		m->r[f] = 1;
		return 0;
	}
	for (f = 0; f < m->n && m->proc[f] != -1; f++)
		;
	if (f == m->n) f = mref_victim(m, policy, rs, now);
	m->clock++;
	m->proc[f] = proc;
	m->page[f] = page;
	m->loaded[f] = m->used[f] = m->seq[f] = m->clock;
	m->r[f] = 1;
	return 1;
}

/* ---- the simulation ----------------------------------------------------------- */

struct mref_result {
	long faults;
	long *proc_faults; /* per process */
	int *rejected;     /* per process */
	long nrefs;
};

/* Called at the end of every time the trace mentions: the frames (proc and
 * page per frame, -1 when free) and the owner of every virtual page. */
typedef void (*mref_observer)(void *ctx, long t, const struct mref_phys *m, const struct mref_virt *v);

static int mref_cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

/* Every time the trace mentions, sorted, without repeats; returns the count. */
static inline long mref_times(const struct mref_trace *t, long **out)
{
	long n = 0, cap = 16;
	long *ts = malloc(sizeof *ts * (size_t)cap);
	for (long i = 0; i < t->nprocs; i++) {
		const struct mref_proc *p = &t->procs[i];
		if (n + p->nacc + 2 > cap) ts = realloc(ts, sizeof *ts * (size_t)(cap = 2 * (n + p->nacc + 2)));
		ts[n++] = p->t0;
		ts[n++] = p->tf;
		for (long j = 0; j < p->nacc; j++) ts[n++] = p->time[j];
	}
	qsort(ts, (size_t)n, sizeof *ts, mref_cmp_long);
	long k = 0;
	for (long i = 0; i < n; i++)
		if (k == 0 || ts[k - 1] != ts[i]) ts[k++] = ts[i];
	*out = ts;
	return k;
}

/*
 * One run. With rs == NULL it only plays the virtual side and records the
 * reference string into *rec (for OPT's look-ahead); otherwise it plays
 * both sides with rs as the future.
 */
static inline void mref_pass(const struct mref_trace *t, const char *fit, const char *policy,
			     const struct mref_refs *rs, struct mref_refs *rec,
			     struct mref_result *res, mref_observer obs, void *ctx)
{
	struct mref_virt v = { t->virt / 16, calloc((size_t)(t->virt / 16 + 1), sizeof(long)), 0 };
	long nf = t->total / 16;
	struct mref_phys m = { nf, malloc(sizeof(long) * nf), malloc(sizeof(long) * nf),
			       calloc(nf, sizeof(long)), calloc(nf, sizeof(long)),
			       calloc(nf, sizeof(long)), calloc(nf, sizeof(int)), 0 };
	long *base = malloc(sizeof(long) * (size_t)(t->nprocs + 1)), *times, now = 0;
	for (long u = 0; u < v.n; u++) v.owner[u] = -1;
	for (long f = 0; f < nf; f++) m.proc[f] = m.page[f] = -1;
	long ntimes = mref_times(t, &times);
	for (long k = 0; k < ntimes; k++) {
		long tm = times[k];
		for (long i = 0; i < t->nprocs; i++) {
			const struct mref_proc *p = &t->procs[i];
			if (p->t0 != tm) continue;
			base[i] = mref_place(&v, fit, p->npages);
			res->rejected[i] = base[i] < 0;
			for (long u = 0; u < p->npages && base[i] >= 0; u++) v.owner[base[i] + u] = i;
		}
		for (long i = 0; i < t->nprocs; i++) {
			const struct mref_proc *p = &t->procs[i];
			for (long j = 0; j < p->nacc; j++) {
				if (p->time[j] != tm || res->rejected[i]) continue;
				if (rec) {
					rec->proc[rec->n] = i;
					rec->page[rec->n++] = p->pos[j] / 16;
				} else if (mref_access(&m, policy, rs, now++, i, p->pos[j] / 16)) {
					res->faults++;
					res->proc_faults[i]++;
				}
			}
		}
		for (long i = 0; i < t->nprocs; i++) {
			const struct mref_proc *p = &t->procs[i];
			if (p->tf != tm || res->rejected[i]) continue;
			for (long u = 0; u < p->npages; u++) v.owner[base[i] + u] = -1;
			for (long f = 0; f < nf; f++)
				if (m.proc[f] == i) m.proc[f] = m.page[f] = -1;
		}
		if (obs) obs(ctx, tm, &m, &v);
	}
	res->nrefs = rs ? now : rec->n;
	free(times);
	free(base);
	free(v.owner);
	free(m.proc), free(m.page), free(m.loaded), free(m.used), free(m.seq), free(m.r);
}

/* Run trace t with a fit ("first", "next", "quick", "best", "worst") and a
 * policy ("fifo", "lru", "sc", "opt"). res->proc_faults and res->rejected
 * are allocated here (mref_result_free). obs, if not NULL, sees the state at
 * the end of every time the trace mentions. */
static inline void mref_run(const struct mref_trace *t, const char *fit, const char *policy,
			    struct mref_result *res, mref_observer obs, void *ctx)
{
	long total = 0;
	for (long i = 0; i < t->nprocs; i++) total += t->procs[i].nacc;
	struct mref_refs rs = { 0, malloc(sizeof(long) * (size_t)(total + 1)),
				malloc(sizeof(long) * (size_t)(total + 1)) };
	memset(res, 0, sizeof *res);
	res->proc_faults = calloc((size_t)t->nprocs + 1, sizeof(long));
	res->rejected = calloc((size_t)t->nprocs + 1, sizeof(int));
	mref_pass(t, fit, policy, NULL, &rs, res, NULL, NULL);
	mref_pass(t, fit, policy, &rs, NULL, res, obs, ctx);
	free(rs.proc);
	free(rs.page);
}

static inline void mref_result_free(struct mref_result *res)
{
	free(res->proc_faults);
	free(res->rejected);
	res->proc_faults = NULL;
	res->rejected = NULL;
}

#endif
