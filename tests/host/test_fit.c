/*
 * test_fit.c - the free-space policies (mm/fit*.c).
 *
 * - the registry: names, aliases, case, memman numbers, the list;
 * - hand-derived placements for every policy on small scripted layouts
 *   (First Fit's lowest hole, Next Fit's roving start and its wrap, Quick
 *   Fit's exact lists, smallest listed size and general list, Best and
 *   Worst Fit), coalescing on free with a hole on either side, rejection
 *   when full, the printed map;
 * - thousands of random allocations and frees per policy against the
 *   naive owner-array model of tests/host/memman_ref.h: same bases, same
 *   holes, and check() passes after every step;
 * - check() finds planted corruption; a bad free panics (in a child).
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "htest.h"
#include "host_alloc.h"
#include "memman_ref.h"
#include "fit.h"
#include "mmlib.h"

static void fit_buf_put(void *ctx, const char *s, size_t n)
{
	strncat(ctx, s, n);
}

static struct fit make_fit(const char *name, uint32_t n)
{
	struct fit f = { 0 };
	const struct fit_ops *ops = fit_lookup(name);
	if (!ops || fit_create(&f, ops, n, &host_malloc) != 0) f.state = NULL;
	return f;
}

static void drop_fit(struct fit *f)
{
	fit_destroy(f, &host_malloc);
}

HTEST(fit_registry)
{
	EXPECT_EQ(fit_count(), 5);
	EXPECT_TRUE(fit_lookup("first") == &fit_first_ops);
	EXPECT_TRUE(fit_lookup("FIRST") == &fit_first_ops);
	EXPECT_TRUE(fit_lookup("Next-Fit") == &fit_next_ops);
	EXPECT_TRUE(fit_lookup("qf") == &fit_quick_ops);
	EXPECT_TRUE(fit_lookup("best") == &fit_best_ops);
	EXPECT_TRUE(fit_lookup("worst_fit") == &fit_worst_ops);
	EXPECT_TRUE(fit_lookup("1") == &fit_first_ops);
	EXPECT_TRUE(fit_lookup("2") == &fit_next_ops);
	EXPECT_TRUE(fit_lookup("3") == &fit_quick_ops);
	EXPECT_TRUE(fit_lookup("0") == NULL);
	EXPECT_TRUE(fit_lookup("4") == NULL);
	EXPECT_TRUE(fit_lookup("") == NULL);
	EXPECT_TRUE(fit_lookup("firs") == NULL);
	EXPECT_TRUE(fit_lookup("first fit") == NULL);
	EXPECT_TRUE(fit_by_memman(3) == &fit_quick_ops);
	EXPECT_TRUE(fit_by_memman(0) == NULL);
	for (size_t i = 0; i < fit_count(); i++) EXPECT_TRUE(fit_lookup(fit_at(i)->name) == fit_at(i));
	EXPECT_TRUE(fit_at(fit_count()) == NULL);
	char out[2048] = "";
	struct mm_sink sink = { fit_buf_put, out };
	fit_list(&sink);
	EXPECT_TRUE(strstr(out, "  1: first ") != NULL);
	EXPECT_TRUE(strstr(out, "  2: next ") != NULL);
	EXPECT_TRUE(strstr(out, "  3: quick ") != NULL);
	EXPECT_TRUE(strstr(out, "     best ") != NULL);
	EXPECT_TRUE(strstr(out, "     worst ") != NULL);
}

/*
 * A layout of 20 units used by several tests: segments A=5@0, B=3@5, C=4@8,
 * then B freed: holes [5,8) (3 units) and [12,20) (8 units).
 */
static void layout_a(struct fit *f)
{
	EXPECT_EQ(fit_alloc(f, 5), 0);
	EXPECT_EQ(fit_alloc(f, 3), 5);
	EXPECT_EQ(fit_alloc(f, 4), 8);
	fit_free(f, 5, 3);
}

HTEST(fit_first_places_lowest)
{
	struct fit f = make_fit("first", 20);
	ASSERT_TRUE(f.state != NULL);
	layout_a(&f);
	EXPECT_EQ(fit_alloc(&f, 4), 12); /* [5,8) too small */
	EXPECT_EQ(fit_alloc(&f, 2), 5);  /* lowest that fits */
	EXPECT_EQ(fit_alloc(&f, 1), 7);
	EXPECT_EQ(fit_alloc(&f, 4), 16);
	EXPECT_EQ(fit_alloc(&f, 1), FIT_NONE); /* full */
	EXPECT_EQ(fit_space(&f)->free_units, 0);
	EXPECT_EQ(fit_check(&f, NULL), 0);
	drop_fit(&f);
}

HTEST(fit_best_and_worst)
{
	struct fit b = make_fit("best", 20), w = make_fit("worst", 20);
	ASSERT_TRUE(b.state != NULL && w.state != NULL);
	layout_a(&b);
	layout_a(&w);
	EXPECT_EQ(fit_alloc(&b, 2), 5);  /* the 3-unit hole is the smallest fit */
	EXPECT_EQ(fit_alloc(&w, 2), 12); /* the 8-unit hole is the largest */
	EXPECT_EQ(fit_alloc(&b, 1), 7);  /* exact 1-unit leftover */
	EXPECT_EQ(fit_alloc(&w, 1), 14); /* [14,20) still larger than [5,8) */
	EXPECT_EQ(fit_alloc(&w, 9), FIT_NONE);
	EXPECT_EQ(fit_alloc(&w, 3), 15); /* holes [5,8)=3, [15,20)=5 -> 15 */
	EXPECT_EQ(fit_alloc(&w, 2), 5);  /* [5,8)=3 vs [18,20)=2 -> 5 */
	EXPECT_EQ(fit_check(&b, NULL), 0);
	EXPECT_EQ(fit_check(&w, NULL), 0);
	drop_fit(&b);
	drop_fit(&w);
}

HTEST(fit_next_roving_start)
{
	struct fit f = make_fit("next", 20);
	ASSERT_TRUE(f.state != NULL);
	layout_a(&f); /* rover = 12 after C */
	EXPECT_EQ(fit_alloc(&f, 2), 12);       /* from the rover, not the hole at 5 */
	EXPECT_EQ(fit_alloc(&f, 7), FIT_NONE); /* [14,20)=6 and [5,8)=3: none */
	EXPECT_EQ(fit_alloc(&f, 3), 14);       /* failure left the rover at 14 */
	EXPECT_EQ(fit_alloc(&f, 3), 17);       /* ends at 20: rover wraps to 0 */
	EXPECT_EQ(fit_alloc(&f, 1), 5);        /* first hole at or above 0 */
	EXPECT_EQ(fit_alloc(&f, 1), 6);        /* rover 6 inside [6,8) */
	fit_free(&f, 0, 5);                    /* hole [0,5); rover 7 in [7,8) */
	EXPECT_EQ(fit_alloc(&f, 2), 0);        /* [7,8) too small, wrap: [0,5) */
	EXPECT_EQ(fit_check(&f, NULL), 0);
	drop_fit(&f);
}

HTEST(fit_next_rover_inside_grown_hole)
{
	struct fit f = make_fit("next", 10);
	ASSERT_TRUE(f.state != NULL);
	EXPECT_EQ(fit_alloc(&f, 2), 0);
	EXPECT_EQ(fit_alloc(&f, 2), 2); /* rover 4 */
	fit_free(&f, 2, 2);             /* hole [2,10) contains the rover */
	EXPECT_EQ(fit_alloc(&f, 1), 2); /* the start of the hole, below the rover */
	EXPECT_EQ(fit_check(&f, NULL), 0);
	drop_fit(&f);
}

/*
 * Quick Fit on 64 units: segments 3@0 2@3 2@5 1@7 20@8 1@28 18@29 1@47,
 * then free 3@0 (hole of 3), 2@5 (hole of 2), 20@8 (hole of 20), 18@29
 * (hole of 18). Holes: 3@0, 2@5, 20@8, 18@29, 16@48.
 */
static void layout_q(struct fit *f)
{
	static const uint32_t sizes[] = { 3, 2, 2, 1, 20, 1, 18, 1 };
	uint32_t base = 0;
	for (size_t i = 0; i < MM_ARRAY_SIZE(sizes); base += sizes[i++]) EXPECT_EQ(fit_alloc(f, sizes[i]), base);
	fit_free(f, 0, 3);
	fit_free(f, 5, 2);
	fit_free(f, 8, 20);
	fit_free(f, 29, 18);
}

HTEST(fit_quick_lists)
{
	struct fit f = make_fit("quick", 64);
	ASSERT_TRUE(f.state != NULL);
	layout_q(&f);
	EXPECT_EQ(fit_space(&f)->nholes, 5);
	EXPECT_EQ(fit_alloc(&f, 2), 5);   /* exact list 2 (First Fit would take 0) */
	EXPECT_EQ(fit_alloc(&f, 16), 48); /* exact list 16, though 20@8 comes first */
	EXPECT_EQ(fit_alloc(&f, 1), 0);   /* lists 1, 2 empty: list 3 -> 0, leaves 2@1 */
	EXPECT_EQ(fit_alloc(&f, 2), 1);   /* the leftover joined list 2 */
	EXPECT_EQ(fit_alloc(&f, 4), 8);   /* no small list: general, lowest address */
	EXPECT_EQ(fit_alloc(&f, 17), 29); /* general: 16@12 too small, 18@29 fits */
	EXPECT_EQ(fit_alloc(&f, 16), 12); /* the 16 left at 12 is on list 16 now */
	EXPECT_EQ(fit_alloc(&f, 1), 46);  /* list 1: the leftover of 18@29 */
	EXPECT_EQ(fit_alloc(&f, 1), FIT_NONE);
	EXPECT_EQ(fit_check(&f, NULL), 0);
	drop_fit(&f);
}

HTEST(fit_quick_versus_others_on_same_layout)
{
	/* 17 units on holes 3@0 2@5 20@8 18@29 16@48: one answer per policy. */
	static const struct { const char *name; uint32_t want; } cases[] = {
		{ "first", 8 },  /* the lowest hole that fits */
		{ "best", 29 },  /* 18 is the smallest that fits */
		{ "worst", 8 },  /* 20 is the largest */
		{ "quick", 8 },  /* general list (20@8, 18@29): lowest address */
		{ "next", 8 },   /* rover 48: 16@48 too small, wrap to 3@0, 2@5, 20@8 */
	};
	for (size_t i = 0; i < MM_ARRAY_SIZE(cases); i++) {
		struct fit f = make_fit(cases[i].name, 64);
		ASSERT_TRUE(f.state != NULL);
		layout_q(&f);
		EXPECT_EQ(fit_alloc(&f, 17), cases[i].want);
		EXPECT_EQ(fit_check(&f, NULL), 0);
		drop_fit(&f);
	}
}

HTEST(fit_ties_go_to_lowest_address)
{
	/* On 10 units: holes 3@0, 3@4, 2@8 (segments 1@3 and 1@7). */
	static const char *const names[] = { "best", "worst", "quick", "first" };
	for (size_t i = 0; i < MM_ARRAY_SIZE(names); i++) {
		struct fit f = make_fit(names[i], 10);
		ASSERT_TRUE(f.state != NULL);
		EXPECT_EQ(fit_alloc(&f, 3), 0);
		EXPECT_EQ(fit_alloc(&f, 1), 3);
		EXPECT_EQ(fit_alloc(&f, 3), 4);
		EXPECT_EQ(fit_alloc(&f, 1), 7);
		fit_free(&f, 0, 3);
		fit_free(&f, 4, 3);
		EXPECT_EQ(fit_alloc(&f, 3), 0); /* two 3-unit holes: the lower */
		EXPECT_EQ(fit_alloc(&f, 3), 4);
		drop_fit(&f);
	}
}

HTEST(fit_coalesce_both_sides)
{
	for (size_t i = 0; i < fit_count(); i++) {
		struct fit f = make_fit(fit_at(i)->name, 12);
		ASSERT_TRUE(f.state != NULL);
		for (uint32_t k = 0; k < 4; k++) EXPECT_EQ(fit_alloc(&f, 3), 3 * k);
		fit_free(&f, 0, 3);
		fit_free(&f, 6, 3);
		EXPECT_EQ(fit_space(&f)->nholes, 2);
		fit_free(&f, 3, 3); /* joins [0,3) and [6,9) */
		EXPECT_EQ(fit_space(&f)->nholes, 1);
		EXPECT_EQ(fit_space(&f)->hole_len[0], 9);
		EXPECT_EQ(fit_alloc(&f, 9), 0);
		fit_free(&f, 9, 3);
		fit_free(&f, 0, 9);
		EXPECT_EQ(fit_space(&f)->nholes, 1);
		EXPECT_EQ(fit_space(&f)->hole_len[0], 12);
		EXPECT_EQ(fit_space(&f)->nsegs, 0);
		EXPECT_EQ(fit_alloc(&f, 0), FIT_NONE);
		EXPECT_EQ(fit_alloc(&f, 13), FIT_NONE);
		EXPECT_EQ(fit_alloc(&f, 12), 0);
		EXPECT_EQ(fit_alloc(&f, 1), FIT_NONE);
		EXPECT_EQ(fit_check(&f, NULL), 0);
		drop_fit(&f);
	}
}

HTEST(fit_print_map)
{
	struct fit f = make_fit("first", 20);
	ASSERT_TRUE(f.state != NULL);
	layout_a(&f);
	char out[1024] = "";
	struct mm_sink sink = { fit_buf_put, out };
	fit_print(&f, &sink);
	EXPECT_STREQ(out, "first: 20 units, 11 free in 2 holes, 2 segments\n"
			  "  segment  0-4 (5 units)\n"
			  "  hole     5-7 (3 units)\n"
			  "  segment  8-11 (4 units)\n"
			  "  hole     12-19 (8 units)\n");
	drop_fit(&f);
}

HTEST(fit_create_errors)
{
	struct fit f;
	struct host_alloc_ctx none = { 0, 0 };
	struct mm_allocator failing = host_allocator(&none);
	EXPECT_EQ(fit_create(&f, &fit_first_ops, 0, &host_malloc), -MM_EINVAL);
	EXPECT_EQ(fit_create(&f, &fit_first_ops, FIT_MAX_UNITS + 1, &host_malloc), -MM_EINVAL);
	EXPECT_EQ(fit_create(&f, NULL, 10, &host_malloc), -MM_EINVAL);
	EXPECT_EQ(fit_create(&f, &fit_quick_ops, 10, &failing), -MM_ENOMEM);
}

/* ---- check() finds corruption ----------------------------------------------- */

HTEST(fit_check_finds_corruption)
{
	char err[512];
	struct mm_sink sink = { fit_buf_put, err };
	for (size_t i = 0; i < fit_count(); i++) {
		struct fit f = make_fit(fit_at(i)->name, 30);
		ASSERT_TRUE(f.state != NULL);
		EXPECT_EQ(fit_alloc(&f, 4), 0);
		EXPECT_EQ(fit_alloc(&f, 4), 4);
		fit_free(&f, 0, 4);
		struct fit_space *sp = (struct fit_space *)f.state;
		err[0] = 0;
		EXPECT_EQ(fit_check(&f, &sink), 0);
		sp->hole_len[0] = 5; /* the hole now overlaps the segment at 4 */
		EXPECT_EQ(fit_check(&f, &sink), -MM_EINVAL);
		EXPECT_TRUE(strlen(err) > 0);
		sp->hole_len[0] = 4;
		sp->free_units++;
		EXPECT_EQ(fit_check(&f, NULL), -MM_EINVAL);
		sp->free_units--;
		sp->seg_len[4] = 0; /* a unit that starts nothing */
		EXPECT_EQ(fit_check(&f, NULL), -MM_EINVAL);
		sp->seg_len[4] = 4;
		EXPECT_EQ(fit_check(&f, NULL), 0);
		drop_fit(&f);
	}
}

HTEST(fit_quick_check_finds_wrong_list)
{
	struct fit f = make_fit("quick", 40);
	ASSERT_TRUE(f.state != NULL);
	EXPECT_EQ(fit_alloc(&f, 5), 0);
	EXPECT_EQ(fit_alloc(&f, 1), 5);
	fit_free(&f, 0, 5); /* a 5-unit hole on list 5 */
	struct fit_space *sp = (struct fit_space *)f.state;
	EXPECT_EQ(fit_check(&f, NULL), 0);
	sp->hole_len[0] = 4; /* the list no longer matches; the map neither */
	sp->seg_len[4] = 1;
	sp->free_units--;
	sp->nsegs++;
	EXPECT_EQ(fit_space_check(sp, NULL), 0); /* the shared picture is fine... */
	EXPECT_EQ(fit_check(&f, NULL), -MM_EINVAL); /* ...but hole 0 sits on list 5 */
	drop_fit(&f);
}

HTEST(fit_bad_free_panics)
{
	for (int which = 0; which < 3; which++) {
		fflush(stdout);
		pid_t pid = fork();
		ASSERT_TRUE(pid >= 0);
		if (pid == 0) {
			freopen("/dev/null", "w", stderr);
			struct fit f = make_fit("first", 10);
			fit_alloc(&f, 4);
			if (which == 0) fit_free(&f, 0, 3); /* wrong length */
			if (which == 1) fit_free(&f, 1, 3); /* not a base */
			if (which == 2) fit_free(&f, 5, 2); /* a hole */
			_exit(0);
		}
		int status = 0;
		waitpid(pid, &status, 0);
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	}
}

/* ---- random operations against the naive model ------------------------------ */

/* The model's holes and the policy's, compared piece by piece. */
static int same_holes(const struct fit_space *sp, const struct mref_virt *v)
{
	long len;
	uint32_t h = sp->first;
	for (long u = mref_hole_at(v, 0, &len); u >= 0; u = mref_hole_at(v, u + len, &len)) {
		if (h == FIT_NONE || h != (uint32_t)u || sp->hole_len[h] != (uint32_t)len) return 0;
		h = sp->next[h];
	}
	return h == FIT_NONE;
}

struct live_seg {
	uint32_t base, n;
};

/* One random run: returns the number of disagreements. */
static int fit_random_run(const char *name, uint32_t nunits, uint64_t seed, int steps)
{
	struct fit f = make_fit(name, nunits);
	struct mref_virt v = { nunits, malloc(sizeof(long) * nunits), 0 };
	struct live_seg *live = malloc(sizeof *live * nunits);
	uint32_t nlive = 0;
	struct mm_rng rng;
	int bad = 0;
	mm_rng_seed(&rng, seed);
	for (uint32_t u = 0; u < nunits; u++) v.owner[u] = -1;
	for (int s = 0; s < steps && !bad && f.state; s++) {
		bool do_alloc = nlive == 0 || mm_rng_below(&rng, 100) < 55;
		if (do_alloc) {
			uint32_t span = mm_rng_below(&rng, 4) ? 8 : nunits / 2 + 1;
			uint32_t n = 1 + mm_rng_below(&rng, span);
			uint32_t got = fit_alloc(&f, n);
			long want = mref_place(&v, name, n);
			if ((want < 0 && got != FIT_NONE) || (want >= 0 && got != (uint32_t)want)) {
				printf("# %s seed %llu step %d: alloc %u gave %u, model %ld\n", name,
				       (unsigned long long)seed, s, n, got, want);
				bad++;
			}
			if (want >= 0) {
				for (uint32_t u = 0; u < n; u++) v.owner[want + u] = 1;
				live[nlive++] = (struct live_seg){ (uint32_t)want, n };
			}
		} else {
			uint32_t k = mm_rng_below(&rng, nlive);
			fit_free(&f, live[k].base, live[k].n);
			for (uint32_t u = 0; u < live[k].n; u++) v.owner[live[k].base + u] = -1;
			live[k] = live[--nlive];
		}
		if (fit_check(&f, NULL) != 0 || !same_holes(fit_space(&f), &v)) {
			printf("# %s seed %llu step %d: structure differs or check fails\n", name,
			       (unsigned long long)seed, s);
			bad++;
		}
	}
	if (!f.state) bad++;
	else drop_fit(&f);
	free(v.owner);
	free(live);
	return bad;
}

HTEST(fit_random_against_model)
{
	static const uint32_t sizes[] = { 1, 2, 7, 16, 17, 40, 100, 333 };
	for (size_t i = 0; i < fit_count(); i++) {
		const char *name = fit_at(i)->name;
		int bad = 0;
		for (uint64_t seed = 1; seed <= 40 && !bad; seed++)
			for (size_t k = 0; k < MM_ARRAY_SIZE(sizes) && !bad; k++)
				bad += fit_random_run(name, sizes[k], seed * 7919 + k, 300);
		EXPECT_EQ(bad, 0);
	}
}
