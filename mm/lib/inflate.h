/*
 * inflate.h - a gzip decompressor (RFC 1952 container, RFC 1951 DEFLATE with
 * stored, fixed-Huffman and dynamic-Huffman blocks), so the kernel can read
 * gzip-compressed boot modules such as page traces directly.
 *
 * The whole output lives in the caller's buffer, which doubles as the
 * 32 KiB history window, so nothing is allocated: the decoder state (about
 * 3 KiB of Huffman tables) sits on the caller's stack for one call.
 *
 * Typical use:
 *
 *     uint32_t n;
 *     if (gz_peek_size(buf, len, &n) == 0) {
 *             void *out = alloc(n);
 *             struct gz_error e;
 *             size_t got;
 *             if (gz_inflate(buf, len, out, n, &got, &e) < 0)
 *                     report(e.msg);
 *     }
 */
#ifndef MM_INFLATE_H
#define MM_INFLATE_H

#include "mm_types.h"

/* Why a decompression failed, as one line of text (NUL-terminated), e.g.
 * "bad block type 3 at byte 1234", "CRC mismatch ...", "truncated stream",
 * "output larger than the buffer". */
struct gz_error {
	char msg[96];
};

/* Does buf[0..n) start like a gzip member (magic 1f 8b, method 8 = deflate,
 * no reserved flag bits) and is it long enough to hold a header and a
 * trailer? Says nothing about the rest of the stream. */
bool gz_is_gzip(const void *buf, size_t n);

/*
 * The size of the decompressed data as the gzip trailer records it (ISIZE:
 * the length mod 2^32 of the LAST member only; a file of several members
 * decompresses to the sum of theirs). Returns 0 and sets *isize, or
 * -MM_EINVAL when buf does not look like a gzip stream.
 */
int gz_peek_size(const void *buf, size_t n, uint32_t *isize);

/*
 * Decompress a whole gzip file from src[0..n) into dst[0..cap): one member
 * or several concatenated (as `gzip -dc` accepts), each member's CRC-32 and
 * ISIZE checked. Zero bytes after the last member (padding) are ignored;
 * anything else there is an error.
 *
 * Returns 0 with *out_len = the number of bytes written. On failure returns
 * -MM_EINVAL, writes the reason into *err (when err is not NULL) and sets
 * *out_len to what had been written before the error (not to be trusted).
 * Whatever the input, it never reads outside src[0..n) nor writes outside
 * dst[0..cap).
 */
int gz_inflate(const void *src, size_t n, void *dst, size_t cap, size_t *out_len,
	       struct gz_error *err);

/* CRC-32 of IEEE 802.3 / gzip (reflected polynomial 0xedb88320), continued
 * from crc (start with 0): gz_crc32(gz_crc32(0, a, na), b, nb) is the CRC of
 * a followed by b. */
uint32_t gz_crc32(uint32_t crc, const void *buf, size_t n);

#endif
