/*
 * test_inflate.c - mm/lib/inflate.c, the gzip decompressor.
 *
 * Oracles: `gzip -dc` for every .gz under tests/data/traces/ and for data
 * that `gzip -c -N -1/-6/-9` compressed here; streams built by hand in this
 * file (stored blocks, fixed-Huffman blocks, dynamic blocks with chosen code
 * lengths) whose expected output is known by construction; a bit-at-a-time
 * CRC-32; and reasoning about what must fail (every truncation, flipped bits,
 * an output buffer one byte short). Inputs and outputs are placed in buffers
 * of exactly their size, so AddressSanitizer catches any access past them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "htest.h"
#include "inflate.h"

/* ---- helpers ----------------------------------------------------------- */

struct bytes {
	uint8_t *p;
	size_t n, cap;
};

static void bytes_put(struct bytes *b, const void *s, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void bytes_byte(struct bytes *b, unsigned v)
{
	uint8_t c = (uint8_t)v;
	bytes_put(b, &c, 1);
}

/* Everything a shell command writes to its standard output. */
static struct bytes run_cmd(const char *cmd)
{
	struct bytes b = { 0, 0, 0 };
	char chunk[65536];
	size_t r;
	FILE *f = popen(cmd, "r");
	if (!f) return b;
	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0) bytes_put(&b, chunk, r);
	pclose(f);
	return b;
}

/* CRC-32 one bit at a time, straight from the definition (reflected
 * polynomial 0xedb88320, initial and final complement). */
static uint32_t model_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

/* Run gz_inflate with the input and the output each in a heap block of
 * exactly their size. The output (cap bytes) is returned in *out. */
static int inflate_exact(const uint8_t *src, size_t n, size_t cap, uint8_t **out,
			 size_t *out_len, struct gz_error *err)
{
	uint8_t *in = malloc(n ? n : 1);
	uint8_t *dst = malloc(cap ? cap : 1);
	memcpy(in, src, n);
	int rc = gz_inflate(n ? in : in + 1, n, cap ? dst : NULL, cap, out_len, err);
	free(in);
	if (out) *out = dst;
	else free(dst);
	return rc;
}

/* Does src decompress to exactly want[0..wn) (with a buffer of exactly wn)? */
static int inflates_to(const uint8_t *src, size_t n, const uint8_t *want, size_t wn)
{
	uint8_t *out;
	size_t got = 0;
	struct gz_error e;
	int rc = inflate_exact(src, n, wn, &out, &got, &e);
	int ok = rc == 0 && got == wn && memcmp(out, want, wn) == 0;
	if (!ok) printf("# inflate rc %d (%s), %zu bytes, want %zu\n", rc, rc ? e.msg : "", got, wn);
	free(out);
	return ok;
}

/* Does src fail with a message that contains what? */
static int fails_with(const uint8_t *src, size_t n, size_t cap, const char *what)
{
	struct gz_error e;
	size_t got = 0;
	int rc = inflate_exact(src, n, cap, NULL, &got, &e);
	int ok = rc == -MM_EINVAL && strstr(e.msg, what) && got <= cap;
	if (!ok) printf("# rc %d, message \"%s\", wanted \"%s\"\n", rc, rc ? e.msg : "", what);
	return ok;
}

/* A deterministic generator (64-bit LCG, high bits). */
static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* Compressible but varied data: words, numbers, long and short copies of
 * earlier bytes (distances up to 40000), runs and noise. */
static struct bytes make_data(size_t n, uint64_t seed)
{
	static const char *words[] = { "page ", "frame ", "fault ", "swap ", "0x", "\n",
				       "evict ", "lru ", "clock ", "tlb " };
	struct bytes b = { 0, 0, 0 };
	while (b.n < n) {
		uint32_t r = rnd(&seed) % 100;
		if (r < 40) {
			const char *w = words[rnd(&seed) % 10];
			bytes_put(&b, w, strlen(w));
		} else if (r < 60) {
			char num[16];
			int k = snprintf(num, sizeof num, "%u ", rnd(&seed) % 100000);
			bytes_put(&b, num, (size_t)k);
		} else if (r < 80 && b.n > 10) {
			size_t dist = 1 + rnd(&seed) % (b.n < 40000 ? b.n : 40000);
			size_t len = 3 + rnd(&seed) % 300;
			for (size_t i = 0; i < len; i++) bytes_byte(&b, b.p[b.n - dist]);
		} else if (r < 85) {
			unsigned c = rnd(&seed) & 0xff, len = rnd(&seed) % 400;
			for (unsigned i = 0; i < len; i++) bytes_byte(&b, c);
		} else {
			unsigned len = rnd(&seed) % 64;
			for (unsigned i = 0; i < len; i++) bytes_byte(&b, rnd(&seed) & 0xff);
		}
	}
	b.n = n;
	return b;
}

/* Compress data with `gzip -c -N -<level>` from a file (so the header
 * carries its name). */
static struct bytes gzip_data(const uint8_t *data, size_t n, int level)
{
	char path[] = "build/host/inflate-test-XXXXXX", cmd[128];
	struct bytes z = { 0, 0, 0 };
	int fd = mkstemp(path);
	if (fd < 0) return z;
	if (write(fd, data, n) != (ssize_t)n) n = 0;
	close(fd);
	snprintf(cmd, sizeof cmd, "gzip -c -N -%d %s", level, path);
	if (n || !data) z = run_cmd(cmd);
	unlink(path);
	return z;
}

/* The type of the first deflate block of a gzip member with a plain or
 * FNAME header (0 stored, 1 fixed, 2 dynamic). */
static int first_block_type(const struct bytes *z)
{
	size_t i = 10;
	if (z->n < 12) return -1;
	if (z->p[3] & 0x08)
		while (i < z->n && z->p[i++]) {}
	return i < z->n ? (z->p[i] >> 1) & 3 : -1;
}

/* ---- a bit writer and gzip framing for hand-built streams -------------- */

struct bw {
	struct bytes b;
	uint32_t acc;
	int nacc;
};

/* v's k low bits, least significant first (how DEFLATE packs numbers). */
static void bw_bits(struct bw *w, uint32_t v, int k)
{
	for (int i = 0; i < k; i++) {
		w->acc |= ((v >> i) & 1u) << w->nacc;
		if (++w->nacc == 8) {
			bytes_byte(&w->b, w->acc);
			w->acc = 0;
			w->nacc = 0;
		}
	}
}

/* A Huffman code of len bits, most significant bit first. */
static void bw_code(struct bw *w, uint32_t code, int len)
{
	for (int i = len - 1; i >= 0; i--) bw_bits(w, (code >> i) & 1u, 1);
}

static void bw_align(struct bw *w)
{
	if (w->nacc) bw_bits(w, 0, 8 - w->nacc);
}

static void bw_le(struct bw *w, uint32_t v, int nbytes)
{
	for (int i = 0; i < nbytes; i++, v >>= 8) bw_bits(w, v & 0xff, 8);
}

/* A member header with the given flags (FEXTRA/FNAME/FCOMMENT/FHCRC get
 * contents made up here). */
static void gz_header(struct bw *w, unsigned flg)
{
	size_t start = w->b.n;
	uint8_t h[10] = { 0x1f, 0x8b, 8, (uint8_t)flg, 1, 2, 3, 4, 0, 3 };
	bytes_put(&w->b, h, 10);
	if (flg & 0x04) {
		bw_le(w, 6, 2);
		bytes_put(&w->b, "AB\2\0xy", 6);
	}
	if (flg & 0x08) bytes_put(&w->b, "name.trace", 11);
	if (flg & 0x10) bytes_put(&w->b, "a comment", 10);
	if (flg & 0x02) bw_le(w, model_crc32(w->b.p + start, w->b.n - start) & 0xffff, 2);
}

static void gz_trailer(struct bw *w, const uint8_t *data, size_t n)
{
	bw_align(w);
	bw_le(w, model_crc32(data, n), 4);
	bw_le(w, (uint32_t)n, 4);
}

/* A stored block of data[0..n) (n < 65536). */
static void put_stored(struct bw *w, bool last, const uint8_t *data, size_t n)
{
	bw_bits(w, last, 1);
	bw_bits(w, 0, 2);
	bw_align(w);
	bw_le(w, (uint32_t)n, 2);
	bw_le(w, (uint32_t)~n & 0xffff, 2);
	bytes_put(&w->b, data, n);
}

/* Length and distance codes, derived from RFC 1951 3.2.5's rule rather than
 * copied: lengths 257..264 carry no extra bits, then each group of four
 * codes one more (up to 5), 285 is 258; distances 0..3 none, then each pair
 * one more. */
struct lcode {
	unsigned sym, extra, base;
};

static struct lcode length_code(unsigned len)
{
	struct lcode c = { 285, 0, 258 };
	if (len == 258) return c;
	for (unsigned sym = 257, base = 3; sym < 285; sym++) {
		unsigned extra = sym < 265 ? 0 : (sym - 261) / 4;
		if (len < base + (1u << extra)) {
			c.sym = sym, c.extra = extra, c.base = base;
			return c;
		}
		base += 1u << extra;
	}
	return c;
}

static struct lcode dist_code(unsigned dist)
{
	struct lcode c = { 0, 0, 1 };
	for (unsigned sym = 0, base = 1; sym < 30; sym++) {
		unsigned extra = sym < 4 ? 0 : (sym - 2) / 2;
		if (dist < base + (1u << extra)) {
			c.sym = sym, c.extra = extra, c.base = base;
			return c;
		}
		base += 1u << extra;
	}
	return c;
}

/* The fixed literal/length code (RFC 1951 3.2.6). */
static void fixed_sym(struct bw *w, unsigned s)
{
	if (s < 144) bw_code(w, 0x30 + s, 8);
	else if (s < 256) bw_code(w, 0x190 + s - 144, 9);
	else if (s < 280) bw_code(w, s - 256, 7);
	else bw_code(w, 0xc0 + s - 280, 8);
}

static void fixed_lit(struct bw *w, struct bytes *model, unsigned c)
{
	fixed_sym(w, c);
	bytes_byte(model, c);
}

static void fixed_match(struct bw *w, struct bytes *model, unsigned len, unsigned dist)
{
	struct lcode l = length_code(len), d = dist_code(dist);
	fixed_sym(w, l.sym);
	bw_bits(w, len - l.base, (int)l.extra);
	bw_code(w, d.sym, 5);
	bw_bits(w, dist - d.base, (int)d.extra);
	for (unsigned i = 0; i < len; i++) /* (a bad distance gets zeros) */
		bytes_byte(model, dist <= model->n ? model->p[model->n - dist] : 0);
}

/* Canonical codes from code lengths (RFC 1951 3.2.2). */
static void canonical(const uint8_t *lens, unsigned n, uint32_t *codes)
{
	unsigned count[16] = { 0 }, next[16];
	for (unsigned i = 0; i < n; i++) count[lens[i]]++;
	count[0] = 0;
	unsigned code = 0;
	for (unsigned b = 1; b < 16; b++) {
		code = (code + count[b - 1]) << 1;
		next[b] = code;
	}
	for (unsigned i = 0; i < n; i++)
		if (lens[i]) codes[i] = next[lens[i]]++;
}

/* A dynamic block header for the given lengths, sending each length as a
 * code-length symbol (no repeats) under a code where 0..15 are 4 bits. */
struct dyn {
	uint8_t lens[320];
	uint32_t codes[320];
	unsigned nlit, ndist;
};

static void put_dynamic_header(struct bw *w, bool last, struct dyn *d)
{
	static const uint8_t order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
					   11, 4, 12, 3, 13, 2, 14, 1, 15 };
	uint8_t cl[19] = { 0 };
	uint32_t clc[19];
	for (int i = 0; i < 16; i++) cl[i] = 4;
	canonical(cl, 19, clc);
	bw_bits(w, last, 1);
	bw_bits(w, 2, 2);
	bw_bits(w, d->nlit - 257, 5);
	bw_bits(w, d->ndist - 1, 5);
	bw_bits(w, 19 - 4, 4);
	for (int i = 0; i < 19; i++) bw_bits(w, cl[order[i]], 3);
	for (unsigned i = 0; i < d->nlit + d->ndist; i++) bw_code(w, clc[d->lens[i]], 4);
	canonical(d->lens, d->nlit, d->codes);
	canonical(d->lens + d->nlit, d->ndist, d->codes + d->nlit);
}

static void dyn_sym(struct bw *w, const struct dyn *d, unsigned s)
{
	bw_code(w, d->codes[s], d->lens[s]);
}

static uint8_t *dup_bytes(const struct bytes *b)
{
	uint8_t *p = malloc(b->n ? b->n : 1);
	memcpy(p, b->p, b->n);
	return p;
}

/* ---- tests -------------------------------------------------------------- */

HTEST(inflate_crc32_matches_bitwise_model)
{
	uint8_t buf[1000];
	uint64_t s = 7;
	for (size_t i = 0; i < sizeof buf; i++) buf[i] = rnd(&s) & 0xff;
	EXPECT_EQ(gz_crc32(0, "123456789", 9), 0xcbf43926u); /* the standard check value */
	EXPECT_EQ(gz_crc32(0, "", 0), 0);
	for (size_t off = 0; off < 5; off++)
		for (size_t n = 0; n + off <= sizeof buf; n += 1 + n / 3)
			EXPECT_EQ(gz_crc32(0, buf + off, n), model_crc32(buf + off, n));
	uint32_t c = gz_crc32(gz_crc32(0, buf, 333), buf + 333, 667);
	EXPECT_EQ(c, model_crc32(buf, 1000));
}

HTEST(inflate_traces_match_gzip)
{
	struct bytes list = run_cmd("find tests/data/traces -name '*.gz' | sort");
	int files = 0;
	bytes_byte(&list, 0);
	for (char *path = strtok((char *)list.p, "\n"); path; path = strtok(NULL, "\n")) {
		char cmd[512];
		snprintf(cmd, sizeof cmd, "cat '%s'", path);
		struct bytes gz = run_cmd(cmd);
		snprintf(cmd, sizeof cmd, "gzip -dc '%s'", path);
		struct bytes ref = run_cmd(cmd);
		uint32_t isize = 0;
		ASSERT_TRUE(gz.n > 0 && ref.n > 0);
		EXPECT_TRUE(gz_is_gzip(gz.p, gz.n));
		EXPECT_EQ(gz_peek_size(gz.p, gz.n, &isize), 0);
		EXPECT_EQ(isize, (uint32_t)ref.n);

		uint8_t *out = malloc(ref.n);
		size_t got = 0;
		struct gz_error e = { "" };
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int rc = gz_inflate(gz.p, gz.n, out, ref.n, &got, &e);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (rc) printf("# %s: %s\n", path, e.msg);
		EXPECT_EQ(rc, 0);
		EXPECT_EQ(got, ref.n);
		EXPECT_TRUE(got == ref.n && memcmp(out, ref.p, ref.n) == 0);
		if (strstr(path, "mcf.trace.gz")) {
			double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
			printf("# %s: %zu -> %zu bytes, %.1f MB/s of output (sanitized test build)\n",
			       path, gz.n, got, (double)got / secs / 1e6);
		}
		free(out);
		free(gz.p);
		free(ref.p);
		files++;
	}
	free(list.p);
	EXPECT_GE(files, 18);
}

HTEST(inflate_gzip_levels_roundtrip)
{
	struct bytes data = make_data(300000, 42);
	int types_seen = 0;
	for (int level = 1; level <= 9; level += (level == 1 ? 5 : 3)) {
		struct bytes z = gzip_data(data.p, data.n, level);
		ASSERT_TRUE(z.n > 20);
		EXPECT_TRUE(z.p[3] & 0x08); /* -N stored the name */
		types_seen |= 1 << first_block_type(&z);
		EXPECT_TRUE(inflates_to(z.p, z.n, data.p, data.n));
		free(z.p);
	}
	EXPECT_EQ(types_seen, 1 << 2); /* dynamic blocks */

	/* Noise does not compress: gzip stores it. */
	struct bytes noise = { 0, 0, 0 };
	uint64_t s = 99;
	for (int i = 0; i < 100000; i++) bytes_byte(&noise, rnd(&s) & 0xff);
	struct bytes z = gzip_data(noise.p, noise.n, 6);
	EXPECT_EQ(first_block_type(&z), 0);
	EXPECT_TRUE(inflates_to(z.p, z.n, noise.p, noise.n));
	free(z.p);

	/* A short text gets the fixed code. */
	const char *text = "page fault at 0x1000, page fault at 0x2000, page fault at 0x3000\n";
	z = gzip_data((const uint8_t *)text, strlen(text), 9);
	EXPECT_EQ(first_block_type(&z), 1);
	EXPECT_TRUE(inflates_to(z.p, z.n, (const uint8_t *)text, strlen(text)));
	free(z.p);

	/* And an empty file. */
	z = gzip_data(NULL, 0, 6);
	EXPECT_TRUE(z.n >= 20);
	EXPECT_TRUE(inflates_to(z.p, z.n, (const uint8_t *)"", 0));
	free(z.p);
	free(noise.p);
	free(data.p);
}

HTEST(inflate_stored_blocks_by_hand)
{
	struct bytes data = make_data(70000 + 1000 + 7 + 1, 5);
	/* Every header option; blocks of 0, 1, 65535, 1000 and (last) 7 bytes. */
	struct bw w = { { 0, 0, 0 }, 0, 0 };
	gz_header(&w, 0x1f);
	size_t sizes[] = { 0, 1, 65535, 1000, 7 }, at = 0;
	for (int i = 0; i < 5; i++) {
		put_stored(&w, i == 4, data.p + at, sizes[i]);
		at += sizes[i];
	}
	gz_trailer(&w, data.p, at);
	EXPECT_TRUE(inflates_to(w.b.p, w.b.n, data.p, at));

	/* A header CRC that does not match. */
	uint8_t *bad = dup_bytes(&w.b);
	size_t hcrc_at = 10 + 2 + 6 + 11 + 10;
	bad[hcrc_at] ^= 1;
	EXPECT_TRUE(fails_with(bad, w.b.n, at, "header CRC mismatch"));
	/* NLEN that is not ~LEN (first block's LEN is at hcrc_at + 3). */
	memcpy(bad, w.b.p, w.b.n);
	bad[hcrc_at + 2 + 1 + 2] ^= 0x10;
	EXPECT_TRUE(fails_with(bad, w.b.n, at, "stored block length check failed"));
	free(bad);
	free(w.b.p);

	/* A stored block after a fixed block ends mid-byte: the stored block's
	 * LEN starts on the next byte boundary. */
	struct bytes model = { 0, 0, 0 };
	struct bw v = { { 0, 0, 0 }, 0, 0 };
	gz_header(&v, 0);
	bw_bits(&v, 0, 1);
	bw_bits(&v, 1, 2);
	fixed_lit(&v, &model, 'x');
	fixed_lit(&v, &model, 'y');
	fixed_sym(&v, 256);
	put_stored(&v, false, (const uint8_t *)"stored", 6);
	bytes_put(&model, "stored", 6);
	put_stored(&v, true, (const uint8_t *)"", 0);
	gz_trailer(&v, model.p, model.n);
	EXPECT_TRUE(inflates_to(v.b.p, v.b.n, model.p, model.n));
	free(v.b.p);
	free(model.p);

	/* Nothing but an empty stored block, into no buffer at all (dst NULL,
	 * cap 0): a case the fuzzer found. */
	struct bw e = { { 0, 0, 0 }, 0, 0 };
	gz_header(&e, 0);
	put_stored(&e, true, (const uint8_t *)"", 0);
	gz_trailer(&e, NULL, 0);
	EXPECT_TRUE(inflates_to(e.b.p, e.b.n, (const uint8_t *)"", 0));
	free(e.b.p);
	free(data.p);
}

HTEST(inflate_fixed_huffman_by_hand)
{
	/* Literals, then a match of every length 3..258 and one at every
	 * distance code (each code's smallest and largest distance), including
	 * overlapping runs at distances 1, 2 and 3. */
	struct bytes model = { 0, 0, 0 };
	struct bw w = { { 0, 0, 0 }, 0, 0 };
	uint64_t s = 3;
	gz_header(&w, 0x08);
	bw_bits(&w, 1, 1);
	bw_bits(&w, 1, 2);
	for (int i = 0; i < 33000; i++) fixed_lit(&w, &model, rnd(&s) & 0xff);
	for (unsigned len = 3; len <= 258; len++)
		fixed_match(&w, &model, len, 1 + rnd(&s) % 32768);
	for (unsigned d = 1; d <= 32768;) {
		struct lcode c = dist_code(d);
		fixed_match(&w, &model, 3 + rnd(&s) % 256, d);
		unsigned top = c.base + (1u << c.extra) - 1;
		if (top != d) fixed_match(&w, &model, 3 + rnd(&s) % 256, top);
		d = top + 1;
	}
	fixed_match(&w, &model, 258, 1);
	fixed_match(&w, &model, 100, 2);
	fixed_match(&w, &model, 31, 3);
	fixed_sym(&w, 256);
	gz_trailer(&w, model.p, model.n);
	EXPECT_TRUE(inflates_to(w.b.p, w.b.n, model.p, model.n));
	free(w.b.p);
	free(model.p);
}

/* A fixed block holding "abc" and then one bad thing; the message wanted. */
static int fixed_error(unsigned bad_sym, unsigned bad_dist, unsigned dist_sym,
		       const char *what)
{
	struct bytes model = { 0, 0, 0 };
	struct bw w = { { 0, 0, 0 }, 0, 0 };
	gz_header(&w, 0);
	bw_bits(&w, 1, 1);
	bw_bits(&w, 1, 2);
	fixed_lit(&w, &model, 'a');
	fixed_lit(&w, &model, 'b');
	fixed_lit(&w, &model, 'c');
	if (bad_sym) {
		fixed_sym(&w, bad_sym);
	} else {
		fixed_sym(&w, 257); /* length 3 */
		bw_code(&w, dist_sym, 5);
		bw_bits(&w, bad_dist - dist_code(bad_dist).base, (int)dist_code(bad_dist).extra);
	}
	for (int i = 0; i < 8; i++) fixed_lit(&w, &model, 'z');
	fixed_sym(&w, 256);
	gz_trailer(&w, model.p, model.n);
	int ok = fails_with(w.b.p, w.b.n, 1000, what);
	free(w.b.p);
	free(model.p);
	return ok;
}

HTEST(inflate_bad_codes_rejected)
{
	EXPECT_TRUE(fixed_error(286, 0, 0, "bad literal/length code"));
	EXPECT_TRUE(fixed_error(287, 0, 0, "bad literal/length code"));
	EXPECT_TRUE(fixed_error(0, 4, 3, "distance 4 too far back"));
	EXPECT_TRUE(fixed_error(0, 0, 30, "bad distance code"));
	EXPECT_TRUE(fixed_error(0, 0, 31, "bad distance code"));

	/* Block type 3: the header is 10 bytes, so the block starts at byte 10. */
	struct bw w = { { 0, 0, 0 }, 0, 0 };
	gz_header(&w, 0);
	bw_bits(&w, 1, 1);
	bw_bits(&w, 3, 2);
	gz_trailer(&w, NULL, 0);
	EXPECT_TRUE(fails_with(w.b.p, w.b.n, 100, "bad block type 3 at byte 10"));
	free(w.b.p);
}

/* A dynamic block over lit lengths lens[0..nlit) and dist lengths
 * dl[0..ndist), then a body written by body(); decompressed with cap. */
static struct bytes dyn_stream(const uint8_t *ll, unsigned nlit, const uint8_t *dl,
			       unsigned ndist, void (*body)(struct bw *, struct dyn *))
{
	struct bw w = { { 0, 0, 0 }, 0, 0 };
	struct dyn d;
	memset(&d, 0, sizeof d);
	memcpy(d.lens, ll, nlit);
	memcpy(d.lens + nlit, dl, ndist);
	d.nlit = nlit;
	d.ndist = ndist;
	gz_header(&w, 0);
	put_dynamic_header(&w, true, &d);
	body(&w, &d);
	dyn_sym(&w, &d, 256);
	bw_align(&w);
	return w.b;
}

/* "abcdefgh" + 10 copies of 'h' (a match at distance 1) when 264 has a code. */
static void body_letters(struct bw *w, struct dyn *d)
{
	for (unsigned c = 'a'; c <= 'h'; c++) dyn_sym(w, d, c);
	if (d->nlit > 264 && d->lens[264]) {
		dyn_sym(w, d, 264); /* length 10, no extra bits */
		if (d->lens[d->nlit]) dyn_sym(w, d, d->nlit + 0); /* distance code 0 */
	}
}

static void finish(struct bytes *b, const char *want)
{
	struct bw w = { *b, 0, 0 };
	gz_trailer(&w, (const uint8_t *)want, strlen(want));
	*b = w.b;
}

HTEST(inflate_dynamic_by_hand)
{
	uint8_t ll[286] = { 0 }, dl[30] = { 0 };
	/* 'a'..'g' 3 bits, 'h' and end-of-block 4 bits: complete; no distance
	 * codes at all (one zero length), which is allowed. */
	for (int c = 'a'; c <= 'g'; c++) ll[c] = 3;
	ll['h'] = 4;
	ll[256] = 4;
	struct bytes b = dyn_stream(ll, 257, dl, 1, body_letters);
	finish(&b, "abcdefgh");
	EXPECT_TRUE(inflates_to(b.p, b.n, (const uint8_t *)"abcdefgh", 8));
	free(b.p);

	/* One distance code of one bit (an incomplete code, allowed) and a
	 * length-10 match at distance 1. */
	ll[256] = 5;
	ll[264] = 5;
	dl[0] = 1;
	b = dyn_stream(ll, 265, dl, 1, body_letters);
	finish(&b, "abcdefghhhhhhhhhhh");
	EXPECT_TRUE(inflates_to(b.p, b.n, (const uint8_t *)"abcdefghhhhhhhhhhh", 18));
	free(b.p);

	/* Two distance codes of 2 bits: incomplete, rejected. */
	dl[0] = 2;
	dl[1] = 2;
	b = dyn_stream(ll, 265, dl, 2, body_letters);
	EXPECT_TRUE(fails_with(b.p, b.n, 100, "bad distance code lengths"));
	free(b.p);
	dl[1] = 0;

	/* Over-subscribed literal code: one more 3-bit code. */
	ll['i'] = 3;
	b = dyn_stream(ll, 265, dl, 1, body_letters);
	EXPECT_TRUE(fails_with(b.p, b.n, 100, "bad literal/length code lengths"));
	free(b.p);
	ll['i'] = 0;

	/* Incomplete literal code with several codes: 'h' lengthened. */
	ll['h'] = 6;
	b = dyn_stream(ll, 265, dl, 1, body_letters);
	EXPECT_TRUE(fails_with(b.p, b.n, 100, "bad literal/length code lengths"));
	free(b.p);
	ll['h'] = 4;

	/* No end-of-block code. */
	ll[256] = 0;
	ll['i'] = 5;
	b = dyn_stream(ll, 265, dl, 1, body_letters);
	EXPECT_TRUE(fails_with(b.p, b.n, 100, "no end-of-block code"));
	free(b.p);
}

/* Hand-written dynamic headers that break the code-length rules. */
HTEST(inflate_dynamic_header_errors)
{
	struct bw w = { { 0, 0, 0 }, 0, 0 };
	/* HLIT = 30 -> 287 lengths: too many. */
	gz_header(&w, 0);
	bw_bits(&w, 1, 1);
	bw_bits(&w, 2, 2);
	bw_bits(&w, 30, 5);
	bw_bits(&w, 0, 5);
	bw_bits(&w, 0, 4);
	bw_le(&w, 0, 12);
	EXPECT_TRUE(fails_with(w.b.p, w.b.n, 100, "too many length or distance codes"));
	free(w.b.p);

	/* A repeat-previous (16) as the very first length. Code-length code:
	 * symbols 16 and 0 of one bit each (16 sent first, 0 fourth). */
	memset(&w, 0, sizeof w);
	gz_header(&w, 0);
	bw_bits(&w, 1, 1);
	bw_bits(&w, 2, 2);
	bw_bits(&w, 0, 5);
	bw_bits(&w, 0, 5);
	bw_bits(&w, 0, 4);             /* 4 code-length lengths: 16, 17, 18, 0 */
	bw_bits(&w, 1, 3);
	bw_bits(&w, 0, 3);
	bw_bits(&w, 0, 3);
	bw_bits(&w, 1, 3);
	bw_code(&w, 1, 1);             /* canonical: 0 -> "0", 16 -> "1" */
	bw_bits(&w, 0, 2);
	bw_le(&w, 0, 16);
	EXPECT_TRUE(fails_with(w.b.p, w.b.n, 100, "length repeat with no previous length"));
	free(w.b.p);

	/* Zeros (17, up to 10) run past HLIT + HDIST = 258. Code-length code:
	 * 17 and 0 one bit each: 0 -> "0", 17 -> "1". */
	memset(&w, 0, sizeof w);
	gz_header(&w, 0);
	bw_bits(&w, 1, 1);
	bw_bits(&w, 2, 2);
	bw_bits(&w, 0, 5);
	bw_bits(&w, 0, 5);
	bw_bits(&w, 0, 4);
	bw_bits(&w, 0, 3);
	bw_bits(&w, 1, 3);
	bw_bits(&w, 0, 3);
	bw_bits(&w, 1, 3);
	for (int i = 0; i < 25; i++) {  /* 250 zeros */
		bw_code(&w, 1, 1);
		bw_bits(&w, 7, 3);
	}
	bw_code(&w, 1, 1);              /* 10 more: 260 > 258 */
	bw_bits(&w, 7, 3);
	bw_le(&w, 0, 16);
	EXPECT_TRUE(fails_with(w.b.p, w.b.n, 100, "code lengths run past the end"));
	free(w.b.p);

	/* A code-length code that is incomplete (a single symbol). */
	memset(&w, 0, sizeof w);
	gz_header(&w, 0);
	bw_bits(&w, 1, 1);
	bw_bits(&w, 2, 2);
	bw_bits(&w, 0, 5);
	bw_bits(&w, 0, 5);
	bw_bits(&w, 0, 4);
	bw_bits(&w, 0, 3);
	bw_bits(&w, 0, 3);
	bw_bits(&w, 0, 3);
	bw_bits(&w, 1, 3);
	bw_le(&w, 0, 16);
	EXPECT_TRUE(fails_with(w.b.p, w.b.n, 100, "bad code-length code"));
	free(w.b.p);
}

HTEST(inflate_multi_member)
{
	struct bytes a = make_data(50000, 1), b = make_data(20000, 2);
	struct bytes za = gzip_data(a.p, a.n, 6), zb = gzip_data(b.p, b.n, 1);
	struct bytes ze = gzip_data(NULL, 0, 6);
	struct bytes cat = { 0, 0, 0 }, want = { 0, 0, 0 };
	bytes_put(&cat, za.p, za.n);
	bytes_put(&cat, ze.p, ze.n);
	bytes_put(&cat, zb.p, zb.n);
	bytes_put(&want, a.p, a.n);
	bytes_put(&want, b.p, b.n);
	EXPECT_TRUE(inflates_to(cat.p, cat.n, want.p, want.n));

	/* The same through `gzip -dc` of the concatenation, as a cross-check
	 * that gzip too sees the two members' data. */
	uint32_t isize = 0;
	EXPECT_EQ(gz_peek_size(cat.p, cat.n, &isize), 0);
	EXPECT_EQ(isize, (uint32_t)b.n); /* the last member's */

	/* Zero padding after the last member is ignored; other bytes are not. */
	size_t n0 = cat.n;
	for (int i = 0; i < 100; i++) bytes_byte(&cat, 0);
	EXPECT_TRUE(inflates_to(cat.p, cat.n, want.p, want.n));
	cat.p[cat.n - 1] = 'x';
	EXPECT_TRUE(fails_with(cat.p, cat.n, want.n, "trailing garbage at byte"));
	cat.n = n0 + 1;
	cat.p[n0] = 0x1f; /* the start of a member, cut short */
	EXPECT_TRUE(fails_with(cat.p, cat.n, want.n, "truncated stream"));

	/* A second member may not refer back into the first. */
	struct bw w = { { 0, 0, 0 }, 0, 0 };
	struct bytes m1 = { 0, 0, 0 }, m2 = { 0, 0, 0 };
	gz_header(&w, 0);
	put_stored(&w, true, (const uint8_t *)"hello", 5);
	bytes_put(&m1, "hello", 5);
	gz_trailer(&w, m1.p, m1.n);
	gz_header(&w, 0);
	bw_bits(&w, 1, 1);
	bw_bits(&w, 1, 2);
	fixed_lit(&w, &m2, '!');
	fixed_match(&w, &m2, 3, 2); /* reaches the 'o' of "hello" */
	fixed_sym(&w, 256);
	gz_trailer(&w, m2.p, m2.n);
	EXPECT_TRUE(fails_with(w.b.p, w.b.n, 100, "distance 2 too far back"));
	free(w.b.p);
	free(m1.p);
	free(m2.p);
	free(cat.p);
	free(want.p);
	free(za.p);
	free(zb.p);
	free(ze.p);
	free(a.p);
	free(b.p);
}

/* Every proper prefix of a valid file must fail; once it starts with the
 * magic's first byte the only honest message is "truncated stream". What was
 * written before the end was noticed must be the start of the real data:
 * nothing is decoded from beyond the input. */
static void check_prefixes(const struct bytes *z, const struct bytes *data)
{
	int wrong = 0;
	for (size_t k = 0; k < z->n; k++) {
		struct gz_error e = { "" };
		size_t got = 0;
		uint8_t *out;
		int rc = inflate_exact(z->p, k, data->n, &out, &got, &e);
		const char *want = k == 0 ? "not a gzip stream" : "truncated stream";
		if (rc != -MM_EINVAL || strncmp(e.msg, want, strlen(want)) != 0 || got > data->n ||
		    memcmp(out, data->p, got) != 0) {
			if (wrong++ < 5) printf("# prefix %zu: rc %d \"%s\", %zu bytes out\n", k, rc, e.msg, got);
		}
		free(out);
	}
	EXPECT_EQ(wrong, 0);
	EXPECT_TRUE(inflates_to(z->p, z->n, data->p, data->n));
}

HTEST(inflate_truncated_at_every_offset)
{
	/* A gzip -9 file with dynamic blocks, a stored one (noise) and a
	 * hand-made one with every header field and all three block types. */
	struct bytes data = make_data(6000, 11);
	struct bytes z = gzip_data(data.p, data.n, 9);
	check_prefixes(&z, &data);
	free(z.p);

	struct bytes noise = { 0, 0, 0 };
	uint64_t s = 5;
	for (int i = 0; i < 600; i++) bytes_byte(&noise, rnd(&s) & 0xff);
	z = gzip_data(noise.p, noise.n, 6);
	check_prefixes(&z, &noise);
	free(z.p);

	struct bytes model = { 0, 0, 0 };
	struct bw w = { { 0, 0, 0 }, 0, 0 };
	gz_header(&w, 0x1e);
	put_stored(&w, false, (const uint8_t *)"stored ", 7);
	bytes_put(&model, "stored ", 7);
	bw_bits(&w, 0, 1);
	bw_bits(&w, 1, 2);
	for (int i = 0; i < 40; i++) fixed_lit(&w, &model, "fixed "[i % 6]);
	fixed_match(&w, &model, 30, 6);
	fixed_sym(&w, 256);
	uint8_t ll[286] = { 0 }, dl[30] = { 0 };
	for (int c = 'a'; c <= 'g'; c++) ll[c] = 3;
	ll['h'] = 4;
	ll[256] = 5;
	ll[264] = 5;
	dl[0] = 1;
	struct dyn d;
	memset(&d, 0, sizeof d);
	memcpy(d.lens, ll, 265);
	memcpy(d.lens + 265, dl, 1);
	d.nlit = 265;
	d.ndist = 1;
	put_dynamic_header(&w, true, &d);
	body_letters(&w, &d);
	dyn_sym(&w, &d, 256);
	bytes_put(&model, "abcdefghhhhhhhhhhh", 18);
	gz_trailer(&w, model.p, model.n);
	check_prefixes(&w.b, &model);
	free(w.b.p);
	free(model.p);
	free(noise.p);
	free(data.p);
}

HTEST(inflate_flipped_bits)
{
	struct bytes data = make_data(3000, 17);
	struct bytes z = gzip_data(data.p, data.n, 9);
	size_t name_end = 10;
	while (z.p[name_end++]) {}
	int errors = 0, wrong = 0;
	for (size_t bit = 0; bit < z.n * 8; bit++) {
		uint8_t *out;
		size_t got = 0, byte = bit / 8;
		struct gz_error e = { "" };
		z.p[byte] ^= (uint8_t)(1u << (bit % 8));
		int rc = inflate_exact(z.p, z.n, data.n, &out, &got, &e);
		z.p[byte] ^= (uint8_t)(1u << (bit % 8));
		bool same = rc == 0 && got == data.n && memcmp(out, data.p, data.n) == 0;
		free(out);
		/* Accepted only with the very same output. Magic, method and
		 * flags (but FTEXT) and the trailer are always checked; MTIME,
		 * XFL and OS never; a flip in the name may end it early. */
		bool must_fail = byte < 3 || (byte == 3 && bit % 8 != 0) || byte >= z.n - 8;
		bool must_pass = (byte == 3 && bit % 8 == 0) || (byte >= 4 && byte < 10);
		if (rc) errors++;
		if ((rc == 0 && !same) || (must_fail && rc == 0) || (must_pass && !same) ||
		    got > data.n) {
			if (wrong++ < 5) printf("# bit %zu: rc %d \"%s\"\n", bit, rc, e.msg);
		}
	}
	EXPECT_EQ(wrong, 0);
	/* Nearly every flip in the compressed data is caught. */
	EXPECT_GE(errors, (int)((z.n - name_end - 8) * 8 * 9 / 10));
	free(z.p);
	free(data.p);
}

HTEST(inflate_output_buffer_too_small)
{
	struct bytes data = make_data(20000, 23);
	struct bytes z = gzip_data(data.p, data.n, 6);
	size_t caps[] = { 0, 1, data.n / 2, data.n - 1 };
	for (int i = 0; i < 4; i++) {
		struct gz_error e = { "" };
		size_t got = 99999999;
		uint8_t *out;
		int rc = inflate_exact(z.p, z.n, caps[i], &out, &got, &e);
		EXPECT_EQ(rc, -MM_EINVAL);
		EXPECT_TRUE(strstr(e.msg, "output larger than the buffer") != NULL);
		EXPECT_LE(got, caps[i]);
		EXPECT_TRUE(memcmp(out, data.p, got) == 0); /* what was written is right */
		free(out);
	}
	EXPECT_TRUE(inflates_to(z.p, z.n, data.p, data.n));
	size_t got = 0;
	uint8_t *out;
	EXPECT_EQ(inflate_exact(z.p, z.n, data.n + 100, &out, &got, NULL), 0);
	EXPECT_EQ(got, data.n);
	free(out);
	free(z.p);

	/* The same for a stored block. */
	struct bw w = { { 0, 0, 0 }, 0, 0 };
	gz_header(&w, 0);
	put_stored(&w, true, data.p, 1000);
	gz_trailer(&w, data.p, 1000);
	EXPECT_TRUE(fails_with(w.b.p, w.b.n, 999, "output larger than the buffer"));
	EXPECT_TRUE(inflates_to(w.b.p, w.b.n, data.p, 1000));
	free(w.b.p);
	free(data.p);
}

HTEST(inflate_header_checks_and_peek)
{
	struct bw w = { { 0, 0, 0 }, 0, 0 };
	gz_header(&w, 0);
	put_stored(&w, true, (const uint8_t *)"abc", 3);
	gz_trailer(&w, (const uint8_t *)"abc", 3);
	uint8_t *p = w.b.p;
	size_t n = w.b.n;
	uint32_t isize = 0;

	EXPECT_TRUE(gz_is_gzip(p, n));
	EXPECT_EQ(gz_peek_size(p, n, &isize), 0);
	EXPECT_EQ(isize, 3);
	EXPECT_FALSE(gz_is_gzip(p, 17));
	EXPECT_EQ(gz_peek_size(p, 17, &isize), -MM_EINVAL);
	EXPECT_FALSE(gz_is_gzip(NULL, 0));
	EXPECT_FALSE(gz_is_gzip("hello, this is not gzip", 23));

	p[2] = 7;
	EXPECT_FALSE(gz_is_gzip(p, n));
	EXPECT_TRUE(fails_with(p, n, 10, "unknown compression method 7"));
	p[2] = 8;
	p[3] = 0x20;
	EXPECT_FALSE(gz_is_gzip(p, n));
	EXPECT_TRUE(fails_with(p, n, 10, "reserved gzip header flags"));
	p[3] = 0;
	p[0] = 0x1e;
	EXPECT_TRUE(fails_with(p, n, 10, "not a gzip stream"));
	p[0] = 0x1f;
	EXPECT_TRUE(fails_with(p, 0, 10, "not a gzip stream"));
	p[n - 4] = 4; /* ISIZE */
	EXPECT_TRUE(fails_with(p, n, 10, "length mismatch"));
	p[n - 4] = 3;
	p[n - 8] ^= 0xff; /* CRC */
	EXPECT_TRUE(fails_with(p, n, 10, "CRC mismatch"));
	p[n - 8] ^= 0xff;
	EXPECT_TRUE(inflates_to(p, n, (const uint8_t *)"abc", 3));

	/* Bad arguments are refused, not dereferenced; err may be NULL. */
	size_t got = 1;
	EXPECT_EQ(gz_inflate(NULL, 10, NULL, 0, &got, NULL), -MM_EINVAL);
	EXPECT_EQ(got, 0);
	free(p);
}
