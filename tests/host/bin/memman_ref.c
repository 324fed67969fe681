/*
 * memman_ref.c - the independent reference model of memman (tests/host/
 * memman_ref.h) as a program: run one trace with one replacement policy
 * and print exactly one line, "page faults: <n>".
 *
 *   build/host/memman_ref TRACE POLICY [FIT]
 *
 * POLICY is fifo, lru, sc or opt; FIT is first (the default), next, quick,
 * best or worst. The model trusts its input: validate traces with mmk's
 * own parser (mm/sim/memman_trace.c) first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../memman_ref.h"
#include "../host_file.h"

static int known(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(name, *names)) return 1;
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const policies[] = { "fifo", "lru", "sc", "opt", NULL };
	static const char *const fits[] = { "first", "next", "quick", "best", "worst", NULL };
	const char *fit = argc > 3 ? argv[3] : "first";
	if (argc < 3 || argc > 4 || !known(argv[2], policies) || !known(fit, fits)) {
		fprintf(stderr, "usage: memman_ref TRACE fifo|lru|sc|opt [first|next|quick|best|worst]\n");
		return 1;
	}
	char *text = host_read_file(argv[1], NULL);
	struct mref_trace t;
	if (!text || mref_parse(text, &t) != 0) {
		fprintf(stderr, "memman_ref: cannot read or parse %s\n", argv[1]);
		free(text);
		return 1;
	}
	struct mref_result res;
	mref_run(&t, fit, argv[2], &res, NULL, NULL);
	printf("page faults: %ld\n", res.faults);
	mref_result_free(&res);
	mref_free(&t);
	free(text);
	return 0;
}
