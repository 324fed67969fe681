/*
 * hello.c (glibc-hello) - an ordinary C program against Debian's static
 * glibc for i386, built with plain `gcc -m32 -static`: it runs only if the
 * kernel gives glibc what its start-up needs (TLS through set_thread_area,
 * brk and mmap2 for malloc, the auxiliary vector, writev or write for
 * stdout). It mallocs blocks of many sizes, fills each with its own
 * pattern, checks them all, frees them, prints one line and exits with
 * status 0, or with the number given as argv[1].
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBLOCKS 100

static unsigned char fill_byte(int block, size_t i)
{
	return (unsigned char)(block * 31 + i * 7 + (i >> 9));
}

/* Sizes from 1 byte to 300 KB: small ones from the heap (brk), the big
 * ones (above 128 KiB) mmap2ed one by one. */
static size_t block_size(int i)
{
	static const size_t sizes[] = { 1, 7, 16, 100, 1000, 4096, 10000, 65536, 200000, 300000 };
	return sizes[i % 10] + (size_t)i;
}

/* Returns the number of bad bytes found. */
static size_t malloc_many(size_t *total)
{
	unsigned char *blocks[NBLOCKS];
	size_t bad = 0;
	*total = 0;
	for (int i = 0; i < NBLOCKS; i++) {
		size_t n = block_size(i);
		blocks[i] = malloc(n);
		if (!blocks[i]) {
			fprintf(stderr, "glibc-hello: malloc(%zu) failed\n", n);
			exit(2);
		}
		for (size_t j = 0; j < n; j++) blocks[i][j] = fill_byte(i, j);
		*total += n;
		if (i % 3 == 2) { /* free some early so later blocks reuse them */
			free(blocks[i - 1]);
			blocks[i - 1] = NULL;
		}
	}
	for (int i = 0; i < NBLOCKS; i++) {
		if (!blocks[i]) continue;
		for (size_t j = 0; j < block_size(i); j++) bad += blocks[i][j] != fill_byte(i, j);
		free(blocks[i]);
	}
	return bad;
}

int main(int argc, char **argv)
{
	int status = argc > 1 ? atoi(argv[1]) : 0;
	size_t total;
	size_t bad = malloc_many(&total);
	char *msg = strdup("hello from glibc");
	printf("%s: %d blocks, %zu bytes malloc'd and checked, %zu bad; exit status %d\n", msg,
	       NBLOCKS, total, bad, status);
	free(msg);
	return bad ? 1 : status;
}
