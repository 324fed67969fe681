/*
 * fuzz_inflate.c - a coverage-guided fuzzing harness (LLVMFuzzerTestOneInput)
 * for the gzip decompressor (mm/lib/inflate.c).
 *
 * Input layout: byte 0 picks the mode, bytes 1-2 the output capacity (up to
 * 64 KiB), the rest is the stream. Mode bit 0 set: the stream is the body of
 * a member behind a fixed valid gzip header, so the fuzzer spends its time
 * in the DEFLATE decoder rather than in finding the magic. Input and output
 * sit in heap blocks of exactly their size, so AddressSanitizer sees any
 * access outside them. Checked for every input:
 *   - the result is 0 or -MM_EINVAL, *out_len <= cap, an error has a
 *     NUL-terminated message;
 *   - on success, decompressing again into a buffer of exactly *out_len
 *     bytes gives the same bytes, and one byte less fails with "output
 *     larger than the buffer";
 *   - gz_is_gzip / gz_peek_size never read out of bounds.
 *
 *     tools/fuzz tests/fuzz/fuzz_inflate.c 60    (builds it with clang and runs it)
 *
 * or simply: tools/fuzz tests/fuzz/fuzz_inflate.c 60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "inflate.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_inflate: %s\n", what);
		abort();
	}
}

/* Decompress src[0..n) into a fresh heap block of exactly cap bytes. */
static int run(const uint8_t *src, size_t n, size_t cap, uint8_t **out, size_t *out_len,
	       struct gz_error *err)
{
	uint8_t *dst = malloc(cap ? cap : 1);
	memset(err->msg, 'X', sizeof err->msg);
	*out_len = (size_t)-1;
	int rc = gz_inflate(src, n, cap ? dst : NULL, cap, out_len, err);
	check(rc == 0 || rc == -MM_EINVAL, "unexpected return code");
	check(*out_len <= cap, "out_len beyond the buffer");
	if (rc) check(memchr(err->msg, 0, sizeof err->msg) && err->msg[0], "no error message");
	*out = dst;
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	if (size < 3) return 0;
	unsigned mode = data[0];
	size_t cap = (size_t)data[1] << 8 | data[2];
	data += 3;
	size -= 3;

	size_t n = size + ((mode & 1) ? sizeof header : 0);
	uint8_t *src = malloc(n ? n : 1);
	if (mode & 1) {
		memcpy(src, header, sizeof header);
		memcpy(src + sizeof header, data, size);
	} else {
		memcpy(src, data, size);
	}

	uint32_t isize;
	if (gz_is_gzip(src, n)) check(gz_peek_size(src, n, &isize) == 0, "peek refused a gzip");
	else check(gz_peek_size(src, n, &isize) == -MM_EINVAL, "peek took a non-gzip");

	struct gz_error err;
	size_t len;
	uint8_t *out;
	int rc = run(src, n, cap, &out, &len, &err);
	if (rc == 0) {
		struct gz_error err2;
		size_t len2;
		uint8_t *out2;
		int rc2 = run(src, n, len, &out2, &len2, &err2);
		check(rc2 == 0 && len2 == len && memcmp(out, out2, len) == 0,
		      "not the same result with an exact buffer");
		free(out2);
		if (len > 0) {
			rc2 = run(src, n, len - 1, &out2, &len2, &err2);
			check(rc2 == -MM_EINVAL && strstr(err2.msg, "output larger than the buffer"),
			      "a buffer one byte short was not reported");
			check(memcmp(out, out2, len2) == 0, "a short buffer got different bytes");
			free(out2);
		}
	}
	free(out);
	free(src);
	return 0;
}
