/*
 * trace_load.h - host-side helper for tests and host programs: read a trace
 * file into memory, decompressing it with `gzip -dc` when its name ends in
 * ".gz" ("-" reads standard input), then parse it with mm/sim/trace.c (the
 * trace's arrays come from host_malloc: free it with trace_free(t, &host_malloc)).
 */
#ifndef TRACE_LOAD_H
#define TRACE_LOAD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "host_alloc.h"
#include "trace.h"

/* Read all of f; returns a malloc'd buffer (NUL-terminated) or NULL. */
static inline char *trace_load_stream(FILE *f, size_t *nbytes)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	if (!buf) return NULL;
	for (;;) {
		if (len + 1 >= cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger) { free(buf); return NULL; }
			buf = bigger;
		}
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		if (got == 0) break;
		len += got;
	}
	buf[len] = 0;
	*nbytes = len;
	return buf;
}

static inline bool trace_load_is_gz(const char *path)
{
	size_t n = strlen(path);
	return n > 3 && strcmp(path + n - 3, ".gz") == 0;
}

/* The bytes of the file at path, decompressed; NULL (and a message on
 * stderr) if it cannot be read. */
static inline char *trace_load_file(const char *path, size_t *nbytes)
{
	char *buf;
	if (strcmp(path, "-") == 0) return trace_load_stream(stdin, nbytes);
	if (trace_load_is_gz(path)) {
		char cmd[4200];
		if (strlen(path) > 4000 || strchr(path, '\'')) {
			fprintf(stderr, "%s: unsupported file name\n", path);
			return NULL;
		}
		snprintf(cmd, sizeof cmd, "gzip -dc '%s'", path);
		FILE *f = popen(cmd, "r");
		if (!f) { perror("popen"); return NULL; }
		buf = trace_load_stream(f, nbytes);
		if (pclose(f) != 0) {
			fprintf(stderr, "%s: gzip -dc failed\n", path);
			free(buf);
			return NULL;
		}
		return buf;
	}
	FILE *f = fopen(path, "rb");
	if (!f) { perror(path); return NULL; }
	buf = trace_load_stream(f, nbytes);
	fclose(f);
	return buf;
}


/* Load and parse a trace; 0, or -1 after a message on stderr. */
static inline int trace_load(const char *path, struct trace *t)
{
	size_t n;
	char *buf = trace_load_file(path, &n);
	if (!buf) return -1;
	struct trace_error err;
	int e = trace_parse(buf, n, TRACE_AUTO, &host_malloc, t, &err);
	free(buf);
	if (e) {
		fprintf(stderr, "%s: %s\n", path, err.msg[0] ? err.msg : mm_strerror(e));
		return -1;
	}
	return 0;
}

#endif
