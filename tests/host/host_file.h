/*
 * host_file.h - read a whole file into memory for host tests and programs:
 * a malloc'd, NUL-terminated copy (NULL when it cannot be opened).
 */
#ifndef TESTS_HOST_FILE_H
#define TESTS_HOST_FILE_H

#include <stdio.h>
#include <stdlib.h>

static inline char *host_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) return NULL;
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger) free(buf);
			buf = bigger;
		}
	}
	fclose(f);
	if (!buf) return NULL;
	buf[n] = 0;
	if (len) *len = n;
	return buf;
}

#endif
