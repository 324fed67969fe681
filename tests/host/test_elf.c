/*
 * test_elf.c - mm/exec/elf.c, checking static ELF32 i386 executables.
 *
 * Oracles: ELF files written here byte by byte from a description (the
 * header and program header layouts of the System V gABI, "ELF Header" and
 * "Program Header"), whose expected reading is the description itself;
 * one file per reason to refuse, checked for the refusal and for a message
 * naming the problem; every truncation and every single-byte change of the
 * headers, with the accepted results checked against the rules elf.h
 * promises; and, where the host can build them, real programs from
 * `gcc -m32 -static` (and a dynamic and a PIE one), whose segments and
 * entry point are compared with what `readelf` prints. Files sit in
 * buffers of exactly their size, so AddressSanitizer catches a read past
 * the end.
 */
#include <stdlib.h>
#include <unistd.h>
#include "elf.h"
#include "host_file.h"
#include "htest.h"

#define USER_TOP 0xC0000000u

/* Values from the gABI and the i386 supplement, spelt out here rather
 * than taken from elf.c. */
enum { T_PT_NULL = 0, T_PT_LOAD = 1, T_PT_DYNAMIC = 2, T_PT_INTERP = 3, T_PT_NOTE = 4,
       T_PT_PHDR = 6, T_PT_TLS = 7 };
#define T_PT_GNU_STACK 0x6474e551u
#define T_PF_X 1u
#define T_PF_W 2u
#define T_PF_R 4u

/* ---- an ELF writer ----------------------------------------------------- */

struct tph {
	uint32_t type, offset, vaddr, filesz, memsz, flags, align;
};

struct tspec {
	uint8_t ident[16];
	uint16_t type, machine, phentsize;
	uint32_t version, entry, phoff;
	uint32_t nph;
	int32_t phnum;  /* e_phnum as written; -1: nph */
	struct tph ph[24];
	int64_t size;   /* the file's length; -1: headers and every segment's data */
};

static struct tph load(uint32_t offset, uint32_t vaddr, uint32_t filesz, uint32_t memsz, uint32_t flags)
{
	return (struct tph){ T_PT_LOAD, offset, vaddr, filesz, memsz, flags, 0x1000 };
}

/*
 * A program like a small static one: text (R X) holding the headers, data
 * (R W) with .bss, a TLS block inside the data, a note and GNU_STACK.
 *   text: file [0, 0x1234)      -> [0x08048000, 0x08049234)
 *   data: file [0x1234, 0x1334) -> [0x0804a234, 0x0804d234), 0x100 of file
 */
static struct tspec good_spec(void)
{
	struct tspec s = {
		.ident = { 0x7f, 'E', 'L', 'F', 1, 1, 1, 0 },
		.type = 2, .machine = 3, .phentsize = 32, .version = 1,
		.entry = 0x080481a0u, .phoff = 52, .nph = 5, .phnum = -1, .size = -1,
	};
	s.ph[0] = load(0, 0x08048000u, 0x1234, 0x1234, T_PF_R | T_PF_X);
	s.ph[1] = load(0x1234, 0x0804a234u, 0x100, 0x3000, T_PF_R | T_PF_W);
	s.ph[2] = (struct tph){ T_PT_TLS, 0x1234, 0x0804a234u, 0x10, 0x30, T_PF_R, 4 };
	s.ph[3] = (struct tph){ T_PT_GNU_STACK, 0, 0, 0, 0, T_PF_R | T_PF_W, 16 };
	s.ph[4] = (struct tph){ T_PT_NOTE, 0x100, 0x08048100u, 0x20, 0x20, T_PF_R, 4 };
	return s;
}

static void put16(uint8_t *b, size_t n, uint64_t off, uint32_t v)
{
	for (unsigned i = 0; i < 2; i++)
		if (off + i < n) b[off + i] = (uint8_t)(v >> (8 * i));
}

static void put32(uint8_t *b, size_t n, uint64_t off, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		if (off + i < n) b[off + i] = (uint8_t)(v >> (8 * i));
}

static size_t spec_size(const struct tspec *s)
{
	uint64_t end = 52;
	if ((uint64_t)s->phoff + s->nph * 32u > end) end = (uint64_t)s->phoff + s->nph * 32u;
	for (uint32_t i = 0; i < s->nph; i++) {
		uint64_t e = (uint64_t)s->ph[i].offset + s->ph[i].filesz;
		if (s->ph[i].type != T_PT_GNU_STACK && e > end && e < (1u << 24)) end = e;
	}
	return s->size >= 0 ? (size_t)s->size : (size_t)end;
}

/* The file s describes, in a buffer of exactly *n bytes placed at pad bytes
 * into its allocation (to test unaligned data); free with free(p - pad). */
static uint8_t *write_elf_at(const struct tspec *s, size_t *n, size_t pad)
{
	size_t len = spec_size(s);
	uint8_t *mem = calloc(1, len + pad > 0 ? len + pad : 1), *b = mem + pad;
	for (size_t i = 0; i < len; i++) b[i] = (uint8_t)(i * 7u + 1u); /* segment bytes */
	for (size_t i = 0; i < 16; i++) if (i < len) b[i] = s->ident[i];
	put16(b, len, 16, s->type);
	put16(b, len, 18, s->machine);
	put32(b, len, 20, s->version);
	put32(b, len, 24, s->entry);
	put32(b, len, 28, s->phoff);
	put32(b, len, 32, 0);  /* e_shoff: no sections */
	put32(b, len, 36, 0);  /* e_flags */
	put16(b, len, 40, 52); /* e_ehsize */
	put16(b, len, 42, s->phentsize);
	put16(b, len, 44, s->phnum >= 0 ? (uint32_t)s->phnum : s->nph);
	put16(b, len, 46, 40);
	put16(b, len, 48, 0);
	put16(b, len, 50, 0);
	for (uint32_t i = 0; i < s->nph; i++) {
		const struct tph *p = &s->ph[i];
		uint64_t at = (uint64_t)s->phoff + i * 32u;
		uint32_t f[8] = { p->type, p->offset, p->vaddr, p->vaddr, p->filesz, p->memsz, p->flags, p->align };
		for (unsigned k = 0; k < 8; k++) put32(b, len, at + 4 * k, f[k]);
	}
	*n = len;
	return b;
}

static uint8_t *write_elf(const struct tspec *s, size_t *n) { return write_elf_at(s, n, 0); }

/* Parse the file s describes; returns elf_parse's answer. */
static int parse_spec(const struct tspec *s, struct elf_image *img, struct elf_error *e)
{
	size_t n;
	uint8_t *b = write_elf(s, &n);
	int r = elf_parse(b, n, USER_TOP, img, e);
	free(b);
	return r;
}

/* s must be refused, with a message containing each of the words. */
#define EXPECT_REFUSED(s, ...) expect_refused(__LINE__, s, (const char *[]){ __VA_ARGS__, NULL })
static void expect_refused(int line, const struct tspec *s, const char **words)
{
	struct elf_image img;
	struct elf_error e;
	int r = parse_spec(s, &img, &e);
	if (r != -MM_ENOEXEC) htest_fail(__FILE__, line, "elf_parse returned %d, want -MM_ENOEXEC", r);
	for (; *words; words++)
		if (!strstr(e.msg, *words))
			htest_fail(__FILE__, line, "message \"%s\" does not name \"%s\"", e.msg, *words);
	if (r == -MM_ENOEXEC && img.nseg != 0) htest_fail(__FILE__, line, "refused, yet nseg %u", img.nseg);
}

static void expect_accepted(int line, const struct tspec *s, struct elf_image *img)
{
	struct elf_error e;
	int r = parse_spec(s, img, &e);
	if (r != 0) htest_fail(__FILE__, line, "refused (%d): %s", r, e.msg);
}
#define EXPECT_ACCEPTED(s, img) expect_accepted(__LINE__, s, img)

/* ---- what elf.h promises of every accepted file ------------------------ */

static uint64_t up(uint64_t v) { return (v + 4095u) & ~(uint64_t)4095u; }

/* The rules an accepted image keeps; returns how many it breaks. */
static int check_image(const struct elf_image *img, size_t size, uint32_t user_top)
{
	int bad = 0;
	bad += img->nseg == 0 || img->nseg > ELF_MAX_SEGS;
	bad += img->phent != 32;
	bool entry_ok = false;
	for (uint32_t i = 0; i < img->nseg && i < ELF_MAX_SEGS; i++) {
		const struct elf_seg *s = &img->seg[i];
		bad += s->memsz == 0 || s->filesz > s->memsz;
		bad += (uint64_t)s->offset + s->filesz > size;
		bad += s->vaddr < 4096 || (uint64_t)s->vaddr + s->memsz > user_top;
		bad += s->vaddr % 4096 != s->offset % 4096;
		bad += s->index >= img->phnum;
		bad += (s->prot & ~7u) != 0;
		if (i > 0) bad += up((uint64_t)img->seg[i - 1].vaddr + img->seg[i - 1].memsz) > (s->vaddr & ~4095u);
		if ((s->prot & ELF_PROT_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	bad += !entry_ok;
	if (img->nseg && img->nseg <= ELF_MAX_SEGS) {
		const struct elf_seg *last = &img->seg[img->nseg - 1];
		bad += img->end != up((uint64_t)last->vaddr + last->memsz);
	}
	return bad;
}

/* ---- accepted files ---------------------------------------------------- */

HTEST(elf_accepts_a_static_program)
{
	struct tspec s = good_spec();
	struct elf_image img;
	EXPECT_ACCEPTED(&s, &img);
	EXPECT_EQ(img.entry, s.entry);
	EXPECT_EQ(img.phnum, s.nph);
	EXPECT_EQ(img.phent, 32);
	/* No PT_PHDR: the text segment holds the file's first 0x1234 bytes, the
	 * headers at 52 among them, so they are at its start + 52. */
	EXPECT_EQ(img.phdr_vaddr, 0x08048000u + 52);
	ASSERT_EQ(img.nseg, 2);
	EXPECT_EQ(img.seg[0].vaddr, 0x08048000u);
	EXPECT_EQ(img.seg[0].memsz, 0x1234u);
	EXPECT_EQ(img.seg[0].offset, 0);
	EXPECT_EQ(img.seg[0].filesz, 0x1234u);
	EXPECT_EQ(img.seg[0].prot, ELF_PROT_R | ELF_PROT_X);
	EXPECT_EQ(img.seg[0].index, 0);
	EXPECT_EQ(img.seg[1].vaddr, 0x0804a234u);
	EXPECT_EQ(img.seg[1].memsz, 0x3000u);
	EXPECT_EQ(img.seg[1].offset, 0x1234u);
	EXPECT_EQ(img.seg[1].filesz, 0x100u);
	EXPECT_EQ(img.seg[1].prot, ELF_PROT_R | ELF_PROT_W);
	EXPECT_EQ(img.seg[1].index, 1);
	EXPECT_EQ(img.end, 0x0804e000u); /* 0x0804a234 + 0x3000 = 0x0804d234, rounded up */
	EXPECT_EQ(img.tls_vaddr, 0x0804a234u);
	EXPECT_EQ(img.tls_filesz, 0x10u);
	EXPECT_EQ(img.tls_memsz, 0x30u);
	EXPECT_EQ(img.tls_align, 4u);
	EXPECT_EQ(check_image(&img, spec_size(&s), USER_TOP), 0);
	/* The PROT values are p_flags' PF_* bits. */
	EXPECT_EQ(ELF_PROT_R, T_PF_R);
	EXPECT_EQ(ELF_PROT_W, T_PF_W);
	EXPECT_EQ(ELF_PROT_X, T_PF_X);
}

HTEST(elf_seg_page_view)
{
	struct tspec s = good_spec();
	struct elf_image img;
	EXPECT_ACCEPTED(&s, &img);
	ASSERT_EQ(img.nseg, 2);
	/* Data: [0x0804a234, 0x0804d234) covers pages 0x0804a000..0x0804d000. Its
	 * first page starts at file offset 0x1000, with 0x234 + 0x100 file bytes. */
	const struct elf_seg *d = &img.seg[1];
	EXPECT_EQ(elf_seg_page_start(d), 0x0804a000u);
	EXPECT_EQ(elf_seg_npages(d), 4);
	EXPECT_EQ(elf_seg_file_start(d), 0x1000u);
	EXPECT_EQ(elf_seg_file_len(d), 0x334u);
	EXPECT_EQ(elf_seg_npages(&img.seg[0]), 2); /* 0x1234 bytes from a page start */
	/* A one-byte segment on the last byte of a page takes one page; two bytes there take two. */
	struct elf_seg one = { .vaddr = 0x5fff, .memsz = 1 }, two = { .vaddr = 0x5fff, .memsz = 2 };
	EXPECT_EQ(elf_seg_npages(&one), 1);
	EXPECT_EQ(elf_seg_npages(&two), 2);
	struct elf_seg big = { .vaddr = 0xbffff001u, .memsz = 0xfff };
	EXPECT_EQ(elf_seg_npages(&big), 1);
}

HTEST(elf_reads_unaligned_data)
{
	struct tspec s = good_spec();
	for (size_t pad = 1; pad < 8; pad++) {
		size_t n;
		uint8_t *b = write_elf_at(&s, &n, pad);
		struct elf_image img;
		struct elf_error e;
		EXPECT_EQ(elf_parse(b, n, USER_TOP, &img, &e), 0);
		EXPECT_EQ(img.entry, s.entry);
		EXPECT_EQ(img.nseg, 2);
		EXPECT_EQ(img.seg[1].vaddr, s.ph[1].vaddr);
		EXPECT_EQ(img.seg[1].memsz, s.ph[1].memsz);
		free(b - pad);
	}
}

HTEST(elf_sorts_segments_and_skips_empty_ones)
{
	struct tspec s = good_spec();
	s.nph = 4;
	s.ph[0] = load(0x1234, 0x0804a234u, 0x100, 0x3000, T_PF_R | T_PF_W);
	s.ph[1] = load(0x2000, 0x0804a000u, 0, 0, T_PF_R);  /* memsz 0: nothing, even on data's page */
	s.ph[2] = load(0, 0x08048000u, 0x1234, 0x1234, T_PF_R | T_PF_X);
	s.ph[3] = load(0, 0x10000000u, 0, 0x2000, T_PF_R | T_PF_W); /* all .bss */
	struct elf_image img;
	EXPECT_ACCEPTED(&s, &img);
	ASSERT_EQ(img.nseg, 3);
	EXPECT_EQ(img.seg[0].vaddr, 0x08048000u);
	EXPECT_EQ(img.seg[0].index, 2);
	EXPECT_EQ(img.seg[1].vaddr, 0x0804a234u);
	EXPECT_EQ(img.seg[1].index, 0);
	EXPECT_EQ(img.seg[2].vaddr, 0x10000000u);
	EXPECT_EQ(img.seg[2].filesz, 0);
	EXPECT_EQ(img.seg[2].index, 3);
	EXPECT_EQ(img.end, 0x10002000u);
	EXPECT_EQ(img.phdr_vaddr, 0x08048000u + 52);
	EXPECT_EQ(check_image(&img, spec_size(&s), USER_TOP), 0);
}

HTEST(elf_pt_phdr_names_where_the_headers_are)
{
	struct tspec s = good_spec();
	s.ph[3] = (struct tph){ T_PT_PHDR, 52, 0x08048034u, 5 * 32, 5 * 32, T_PF_R, 4 };
	struct elf_image img;
	EXPECT_ACCEPTED(&s, &img);
	EXPECT_EQ(img.phdr_vaddr, 0x08048034u);
	/* PT_PHDR wins over the file offset even when they disagree. */
	s.ph[3].vaddr = 0x08048200u;
	EXPECT_ACCEPTED(&s, &img);
	EXPECT_EQ(img.phdr_vaddr, 0x08048200u);
}

HTEST(elf_headers_outside_every_segment_give_phdr_0)
{
	struct tspec s = good_spec();
	s.phoff = 0x1400; /* after the data's file bytes: loaded by no segment */
	struct elf_image img;
	EXPECT_ACCEPTED(&s, &img);
	EXPECT_EQ(img.phdr_vaddr, 0);
	/* Half inside the text's file bytes is not inside. */
	s.ph[0].filesz = s.ph[0].memsz = 52 + 32;
	s.phoff = 52;
	s.entry = 0x08048040u;
	s.ph[1] = load(0x1234, 0x0804a234u, 0x100, 0x3000, T_PF_R | T_PF_W);
	EXPECT_ACCEPTED(&s, &img);
	EXPECT_EQ(img.phdr_vaddr, 0);
}

HTEST(elf_sixteen_segments_fit)
{
	struct tspec s = good_spec();
	s.nph = ELF_MAX_SEGS;
	for (uint32_t i = 0; i < s.nph; i++)
		s.ph[i] = load(i * 0x1000u, 0x08048000u + i * 0x1000u, 0x100, 0x800, i ? T_PF_R : T_PF_R | T_PF_X);
	struct elf_image img;
	EXPECT_ACCEPTED(&s, &img);
	EXPECT_EQ(img.nseg, ELF_MAX_SEGS);
	EXPECT_EQ(img.end, 0x08048000u + ELF_MAX_SEGS * 0x1000u);
	EXPECT_EQ(check_image(&img, spec_size(&s), USER_TOP), 0);
}

HTEST(elf_boundaries_that_are_allowed)
{
	struct elf_image img;
	struct tspec s = good_spec();
	s.ph[0].vaddr = 0x1000; /* page 1 is the lowest */
	s.entry = 0x1000;       /* the first byte of the text */
	EXPECT_ACCEPTED(&s, &img);
	s = good_spec();
	s.entry = 0x08048000u + 0x1234 - 1; /* its last byte */
	EXPECT_ACCEPTED(&s, &img);
	s = good_spec();
	s.ph[1].vaddr = USER_TOP - 0x3000 + 0x234; /* data ends at 0xC0000234 - 0x234: user_top exactly */
	s.ph[1].memsz = 0x3000 - 0x234;
	s.ph[2].vaddr = s.ph[1].vaddr; /* the TLS data moves with it */
	EXPECT_ACCEPTED(&s, &img);
	EXPECT_EQ(img.end, USER_TOP);
	s = good_spec();
	s.ph[0].memsz = s.ph[0].filesz = 0x2000; /* text ends at 0x0804a000 exactly, */
	s.ph[1].vaddr = 0x0804a000u + 0x234;     /* data begins on that page */
	s.ph[1].offset = 0x2234;
	s.ph[2].offset = 0x2234;
	EXPECT_ACCEPTED(&s, &img);
	EXPECT_EQ(img.nseg, 2);
}

/* ---- refusals, one reason each ------------------------------------------ */

HTEST(elf_refuses_a_short_file)
{
	struct tspec s = good_spec();
	s.size = 51;
	EXPECT_REFUSED(&s, "shorter than the ELF header");
	s.size = 0;
	EXPECT_REFUSED(&s, "shorter than the ELF header");
}

HTEST(elf_refuses_bad_magic)
{
	for (int i = 0; i < 4; i++) {
		struct tspec s = good_spec();
		s.ident[i] ^= 0x20;
		EXPECT_REFUSED(&s, "not an ELF file", "magic");
	}
}

HTEST(elf_refuses_other_classes)
{
	struct tspec s = good_spec();
	s.ident[4] = 2;
	EXPECT_REFUSED(&s, "ELFCLASS64");
	s.ident[4] = 0;
	EXPECT_REFUSED(&s, "ELFCLASS32");
	s.ident[4] = 3;
	EXPECT_REFUSED(&s, "ELFCLASS32");
}

HTEST(elf_refuses_big_endian)
{
	struct tspec s = good_spec();
	s.ident[5] = 2;
	EXPECT_REFUSED(&s, "little-endian");
	s.ident[5] = 0;
	EXPECT_REFUSED(&s, "little-endian");
}

HTEST(elf_refuses_bad_versions)
{
	struct tspec s = good_spec();
	s.ident[6] = 2;
	EXPECT_REFUSED(&s, "version");
	s = good_spec();
	s.version = 0;
	EXPECT_REFUSED(&s, "version");
}

HTEST(elf_refuses_pie_and_other_types)
{
	struct tspec s = good_spec();
	s.type = 3; /* ET_DYN */
	EXPECT_REFUSED(&s, "ET_DYN", "PIE", "shared", "not supported");
	s.type = 1; /* ET_REL */
	EXPECT_REFUSED(&s, "not an executable", "ET_EXEC");
	s.type = 4; /* ET_CORE */
	EXPECT_REFUSED(&s, "not an executable");
}

HTEST(elf_refuses_other_machines)
{
	struct tspec s = good_spec();
	s.machine = 62; /* EM_X86_64 */
	EXPECT_REFUSED(&s, "EM_386");
	s.machine = 40; /* EM_ARM */
	EXPECT_REFUSED(&s, "i386");
}

HTEST(elf_refuses_other_phentsize)
{
	struct tspec s = good_spec();
	s.phentsize = 56;
	EXPECT_REFUSED(&s, "e_phentsize");
	s.phentsize = 0;
	EXPECT_REFUSED(&s, "e_phentsize");
}

HTEST(elf_refuses_program_headers_outside_the_file)
{
	struct tspec s = good_spec();
	s.size = 52 + 5 * 32 - 1; /* the table's last byte missing (and the segments' data) */
	EXPECT_REFUSED(&s, "program headers outside the file");
	s = good_spec();
	s.phnum = 0xffff; /* the count runs past the end */
	EXPECT_REFUSED(&s, "program headers outside the file");
	s = good_spec();
	s.phoff = 0xffffffe0u; /* phoff + 32 * phnum wraps in 32 bits */
	s.size = 0x2000;
	EXPECT_REFUSED(&s, "program headers outside the file");
}

HTEST(elf_refuses_no_load_segment)
{
	struct tspec s = good_spec();
	s.ph[0].type = T_PT_NULL;
	s.ph[1].type = T_PT_NOTE;
	s.entry = 0;
	EXPECT_REFUSED(&s, "no PT_LOAD");
	s = good_spec();
	s.nph = 0;
	EXPECT_REFUSED(&s, "no PT_LOAD");
	s = good_spec(); /* all empty */
	s.ph[0].filesz = s.ph[0].memsz = 0;
	s.ph[1].filesz = s.ph[1].memsz = 0;
	EXPECT_REFUSED(&s, "no PT_LOAD");
}

HTEST(elf_refuses_too_many_load_segments)
{
	struct tspec s = good_spec();
	s.nph = ELF_MAX_SEGS + 1;
	for (uint32_t i = 0; i < s.nph; i++)
		s.ph[i] = load(i * 0x1000u, 0x08048000u + i * 0x1000u, 0x100, 0x800, T_PF_R | T_PF_X);
	EXPECT_REFUSED(&s, "more than 16 PT_LOAD");
}

HTEST(elf_refuses_dynamic_programs)
{
	struct tspec s = good_spec();
	s.ph[4] = (struct tph){ T_PT_INTERP, 0x100, 0x08048100u, 0x13, 0x13, T_PF_R, 1 };
	EXPECT_REFUSED(&s, "PT_INTERP", "dynamic loader", "-static");
	/* Said first, even when other things are wrong too. */
	s.ph[1].vaddr += 1;
	EXPECT_REFUSED(&s, "PT_INTERP");
}

HTEST(elf_refuses_filesz_above_memsz)
{
	struct tspec s = good_spec();
	s.ph[1].filesz = s.ph[1].memsz + 1;
	EXPECT_REFUSED(&s, "segment 1", "p_filesz > p_memsz");
	s = good_spec();
	s.ph[1].memsz = 0; /* memsz 0 is skipped only when filesz is 0 too */
	EXPECT_REFUSED(&s, "segment 1", "p_filesz > p_memsz");
}

HTEST(elf_refuses_segment_data_outside_the_file)
{
	struct tspec s = good_spec();
	s.size = 0x1334 - 1; /* one byte short of the data segment's file bytes */
	EXPECT_REFUSED(&s, "segment 1", "outside the file");
	s = good_spec();
	s.ph[1].offset = 0xfffff234u; /* offset + filesz wraps in 32 bits */
	s.ph[1].filesz = 0x1000;
	s.ph[1].memsz = 0x3000;
	s.ph[2].offset = 0x1234;
	s.size = 0x2000;
	EXPECT_REFUSED(&s, "segment 1", "outside the file");
}

HTEST(elf_refuses_segments_over_the_kernel)
{
	struct tspec s = good_spec();
	s.ph[1].vaddr = USER_TOP - 0x3000 + 0x234; /* ends one byte into the kernel half */
	s.ph[1].memsz = 0x3000 - 0x234 + 1;
	EXPECT_REFUSED(&s, "segment 1 overlaps the kernel");
	s = good_spec();
	s.ph[1].vaddr = 0xC0000234u; /* wholly in it */
	EXPECT_REFUSED(&s, "segment 1 overlaps the kernel");
	s = good_spec();
	s.ph[1].vaddr = 0xfffff234u; /* vaddr + memsz wraps in 32 bits */
	EXPECT_REFUSED(&s, "segment 1 overlaps the kernel");
	/* The limit is the caller's: the same file fits below 0xC0000000 but not 0x08049000. */
	s = good_spec();
	size_t n;
	uint8_t *b = write_elf(&s, &n);
	struct elf_image img;
	struct elf_error e;
	EXPECT_EQ(elf_parse(b, n, 0x0804a000u, &img, &e), -MM_ENOEXEC);
	EXPECT_TRUE(strstr(e.msg, "segment 1 overlaps the kernel") != NULL);
	free(b);
}

HTEST(elf_refuses_vaddr_offset_mismatch)
{
	struct tspec s = good_spec();
	s.ph[1].vaddr += 4; /* 0x238 in its page, 0x234 in the file's */
	EXPECT_REFUSED(&s, "segment 1", "modulo the page size");
	s = good_spec();
	s.ph[1].offset = 0x2234; /* same page offset, another file page: fine */
	s.ph[2].offset = 0x2234;
	struct elf_image img;
	EXPECT_ACCEPTED(&s, &img);
}

HTEST(elf_refuses_segments_sharing_a_page)
{
	struct tspec s = good_spec();
	s.ph[1].vaddr = 0x08049234u; /* data's first page is text's last */
	s.ph[2].vaddr = 0x08049234u;
	EXPECT_REFUSED(&s, "segments 0 and 1 share a page");
	/* Listed the other way round, still named by their own indices. */
	s = good_spec();
	struct tph t = s.ph[0];
	s.ph[0] = s.ph[1];
	s.ph[1] = t;
	s.ph[0].vaddr = 0x08049234u;
	s.ph[2].vaddr = 0x08049234u;
	EXPECT_REFUSED(&s, "segments 0 and 1 share a page");
	/* Overlapping outright, and a segment inside another. */
	s = good_spec();
	s.ph[1] = load(0x234, 0x08048234u, 0x100, 0x100, T_PF_R | T_PF_W);
	EXPECT_REFUSED(&s, "segments 0 and 1 share a page");
	/* Only .bss reaching into the next segment's page counts too. */
	s = good_spec();
	s.nph = 6;
	s.ph[5] = load(0x1000, 0x0804d000u, 0x100, 0x100, T_PF_R);
	EXPECT_REFUSED(&s, "segments 1 and 5 share a page");
}

HTEST(elf_refuses_page_zero)
{
	struct tspec s = good_spec();
	s.ph[0].vaddr = 0;
	s.entry = 0x1a0;
	EXPECT_REFUSED(&s, "segment 0", "page 0");
	s = good_spec();
	s.nph = 6;
	s.ph[5] = load(0xfff, 0xfff, 1, 1, T_PF_R); /* one byte, the last of page 0 */
	EXPECT_REFUSED(&s, "segment 5", "page 0");
}

HTEST(elf_refuses_entry_outside_executable_code)
{
	struct tspec s = good_spec();
	s.entry = 0x0804a300u; /* in the data segment */
	EXPECT_REFUSED(&s, "entry point", "executable");
	s.entry = 0x08048000u + 0x1234; /* one past the text */
	EXPECT_REFUSED(&s, "entry point");
	s.entry = 0x08047fffu; /* one before it */
	EXPECT_REFUSED(&s, "entry point");
	s.entry = 0;
	EXPECT_REFUSED(&s, "entry point");
	s = good_spec();
	s.ph[0].flags = T_PF_R; /* nothing executable at all */
	EXPECT_REFUSED(&s, "entry point");
}

HTEST(elf_refuses_bad_tls_and_phdr)
{
	struct tspec s = good_spec();
	s.ph[2].filesz = s.ph[2].memsz + 1;
	EXPECT_REFUSED(&s, "PT_TLS", "p_filesz > p_memsz");
	s = good_spec();
	s.ph[2].align = 12;
	EXPECT_REFUSED(&s, "PT_TLS", "power of two");
	s = good_spec();
	s.ph[2].vaddr = 0x20000000u; /* its initial data is loaded by no segment */
	EXPECT_REFUSED(&s, "PT_TLS", "not inside");
	s = good_spec();
	s.ph[2].offset = 0xfffffff8u;
	EXPECT_REFUSED(&s, "PT_TLS", "outside the file");
	s = good_spec();
	s.ph[3] = s.ph[2];
	EXPECT_REFUSED(&s, "more than one PT_TLS");
	s = good_spec();
	s.ph[3] = (struct tph){ T_PT_PHDR, 52, 0x30000000u, 160, 160, T_PF_R, 4 };
	EXPECT_REFUSED(&s, "PT_PHDR", "not inside");
	s.ph[3].vaddr = 0x08048034u;
	s.ph[4] = s.ph[3];
	EXPECT_REFUSED(&s, "more than one PT_PHDR");
}

HTEST(elf_refuses_a_bad_user_top)
{
	struct tspec s = good_spec();
	size_t n;
	uint8_t *b = write_elf(&s, &n);
	struct elf_image img;
	struct elf_error e;
	EXPECT_EQ(elf_parse(b, n, 0xC0000001u, &img, &e), -MM_EINVAL);
	EXPECT_TRUE(strstr(e.msg, "user_top") != NULL);
	EXPECT_EQ(elf_parse(b, n, 0x1000, &img, &e), -MM_EINVAL);
	EXPECT_EQ(elf_parse(b, n, 0, &img, &e), -MM_EINVAL);
	free(b);
}

/* ---- every truncation, every changed byte ------------------------------ */

HTEST(elf_every_truncation_is_refused)
{
	struct tspec s = good_spec();
	size_t n;
	uint8_t *full = write_elf(&s, &n);
	for (size_t len = 0; len < n; len++) {
		uint8_t *b = malloc(len ? len : 1);
		memcpy(b, full, len);
		struct elf_image img;
		struct elf_error e;
		int r = elf_parse(b, len, USER_TOP, &img, &e);
		if (r != -MM_ENOEXEC || !e.msg[0]) htest_fail(__FILE__, __LINE__, "length %zu: %d \"%s\"", len, r, e.msg);
		free(b);
	}
	free(full);
}

/* Each header byte set to values that matter (0, 0xff, +-1, bits): a change
 * is either refused with a message or gives an image keeping the rules. */
HTEST(elf_changed_header_bytes_keep_the_rules)
{
	struct tspec s = good_spec();
	size_t n;
	uint8_t *b = write_elf(&s, &n);
	size_t hdr_end = 52 + s.nph * 32;
	static const int deltas[] = { 1, -1, 0x10, 0x80 };
	int accepted = 0, refused = 0;
	for (size_t at = 0; at < hdr_end; at++) {
		uint8_t old = b[at];
		for (int k = 0; k < 6; k++) {
			b[at] = k < 4 ? (uint8_t)(old + deltas[k]) : k == 4 ? 0 : 0xff;
			struct elf_image img;
			struct elf_error e;
			int r = elf_parse(b, n, USER_TOP, &img, &e);
			if (r == 0) {
				accepted++;
				if (check_image(&img, n, USER_TOP))
					htest_fail(__FILE__, __LINE__, "byte %zu = 0x%02x: accepted image breaks the rules", at, b[at]);
			} else {
				refused++;
				if (r != -MM_ENOEXEC || !e.msg[0])
					htest_fail(__FILE__, __LINE__, "byte %zu: %d with \"%s\"", at, r, e.msg);
			}
		}
		b[at] = old;
	}
	EXPECT_NE(accepted, 0);
	EXPECT_NE(refused, 0);
	free(b);
}

/* ---- real programs ----------------------------------------------------- */

#define TMP_PREFIX "build/host/elf-test-"

/* Every LOAD line of `readelf -lW path` and its entry point; the count, or
 * -1 when readelf fails. */
static int readelf_loads(const char *path, struct tph *out, int max, uint32_t *entry)
{
	char cmd[256], line[512];
	snprintf(cmd, sizeof cmd, "readelf -lW %s 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	if (!p) return -1;
	int n = 0;
	while (fgets(line, sizeof line, p)) {
		unsigned off, va, pa, fs, ms;
		if (sscanf(line, " Entry point 0x%x", &va) == 1) *entry = va;
		if (sscanf(line, " LOAD 0x%x 0x%x 0x%x 0x%x 0x%x", &off, &va, &pa, &fs, &ms) != 5 || n == max) continue;
		char *flags = line;
		for (int field = 0; field < 6; field++) { /* past LOAD and the five numbers */
			while (*flags == ' ') flags++;
			while (*flags && *flags != ' ') flags++;
		}
		uint32_t f = 0;
		for (char *c = flags; *c && !(c[0] == '0' && c[1] == 'x'); c++)
			f |= *c == 'R' ? T_PF_R : *c == 'W' ? T_PF_W : *c == 'E' ? T_PF_X : 0;
		out[n++] = (struct tph){ T_PT_LOAD, off, va, fs, ms, f, 0 };
	}
	return pclose(p) == 0 ? n : -1;
}

/* Compare elf_parse's reading of the file at path with readelf's. */
static void compare_with_readelf(const char *path, const uint8_t *b, size_t n, const struct elf_image *img)
{
	struct tph loads[32];
	uint32_t entry = 0;
	int nl = readelf_loads(path, loads, 32, &entry);
	ASSERT_TRUE(nl > 0);
	EXPECT_EQ(img->entry, entry);
	int k = 0;
	for (int i = 0; i < nl; i++) {
		if (loads[i].memsz == 0) continue;
		ASSERT_TRUE(k < (int)img->nseg);
		const struct elf_seg *s = &img->seg[k++]; /* readelf lists them in file order, ld sorts them */
		EXPECT_EQ(s->offset, loads[i].offset);
		EXPECT_EQ(s->vaddr, loads[i].vaddr);
		EXPECT_EQ(s->filesz, loads[i].filesz);
		EXPECT_EQ(s->memsz, loads[i].memsz);
		EXPECT_EQ(s->prot, loads[i].flags);
	}
	EXPECT_EQ(k, (int)img->nseg);
	EXPECT_EQ(check_image(img, n, USER_TOP), 0);
	(void)b;
}

/* Build C source with gcc -m32 and the flags into a file; its path, or
 * NULL when the host cannot (no 32-bit libc, say). */
static char *build_program(const char *src, const char *flags, char *path, size_t cap)
{
	char cpath[] = TMP_PREFIX "XXXXXX.c";
	int fd = mkstemps(cpath, 2);
	if (fd < 0) return NULL;
	if (write(fd, src, strlen(src)) != (ssize_t)strlen(src)) { close(fd); unlink(cpath); return NULL; }
	close(fd);
	snprintf(path, cap, "%.*s.elf", (int)(strlen(cpath) - 2), cpath);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "gcc -m32 %s -o %s %s >/dev/null 2>&1", flags, path, cpath);
	int r = system(cmd);
	unlink(cpath);
	return r == 0 ? path : NULL;
}

/* The file at path in a buffer of exactly its size. */
static uint8_t *read_exact(const char *path, size_t *n)
{
	char *f = host_read_file(path, n);
	if (!f) return NULL;
	uint8_t *b = malloc(*n ? *n : 1);
	memcpy(b, f, *n);
	free(f);
	return b;
}

static const char hello_src[] =
	"#include <stdio.h>\n"
	"__thread int counter = 5;\n"
	"static char big[100000];\n"
	"int main(int argc, char **argv) { big[argc] = 1; printf(\"hi %d\\n\", counter + big[1]); return 0; }\n";

HTEST(elf_reads_a_real_static_program_as_readelf_does)
{
	if (system("command -v readelf >/dev/null 2>&1") != 0) {
		printf("# readelf not installed: real programs skipped\n");
		return;
	}
	char path[128];
	if (!build_program(hello_src, "-static -no-pie", path, sizeof path)) {
		printf("# gcc -m32 -static cannot build here: real programs skipped\n");
		return;
	}
	size_t n;
	uint8_t *b = read_exact(path, &n);
	ASSERT_TRUE(b != NULL);
	struct elf_image img;
	struct elf_error e;
	int r = elf_parse(b, n, USER_TOP, &img, &e);
	if (r) printf("# %s\n", e.msg);
	EXPECT_EQ(r, 0);
	if (!r) {
		compare_with_readelf(path, b, n, &img);
		EXPECT_NE(img.tls_memsz, 0); /* the __thread variable */
		EXPECT_NE(img.phdr_vaddr, 0); /* static glibc finds PT_TLS through AT_PHDR */
		EXPECT_EQ(img.phnum, (uint32_t)(b[44] | b[45] << 8));
	}
	free(b);
	unlink(path);
}

HTEST(elf_refuses_real_dynamic_and_pie_programs)
{
	char path[128];
	static const struct { const char *flags, *word; } cases[] = {
		{ "-no-pie", "PT_INTERP" },
		{ "-pie -fpie", "ET_DYN" },
		{ "-static-pie -fpie", "ET_DYN" },
	};
	for (size_t i = 0; i < MM_ARRAY_SIZE(cases); i++) {
		if (!build_program(hello_src, cases[i].flags, path, sizeof path)) {
			printf("# gcc -m32 %s cannot build here: skipped\n", cases[i].flags);
			continue;
		}
		size_t n;
		uint8_t *b = read_exact(path, &n);
		ASSERT_TRUE(b != NULL);
		struct elf_image img;
		struct elf_error e;
		EXPECT_EQ(elf_parse(b, n, USER_TOP, &img, &e), -MM_ENOEXEC);
		if (!strstr(e.msg, cases[i].word))
			htest_fail(__FILE__, __LINE__, "%s: \"%s\" does not name %s", cases[i].flags, e.msg, cases[i].word);
		free(b);
		unlink(path);
	}
}

/* The writer above is checked too: readelf reads its good file the same way. */
HTEST(elf_writer_agrees_with_readelf)
{
	if (system("command -v readelf >/dev/null 2>&1") != 0) {
		printf("# readelf not installed: skipped\n");
		return;
	}
	struct tspec s = good_spec();
	size_t n;
	uint8_t *b = write_elf(&s, &n);
	char path[] = TMP_PREFIX "XXXXXX";
	int fd = mkstemp(path);
	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(write(fd, b, n), (ssize_t)n);
	close(fd);
	struct elf_image img;
	struct elf_error e;
	EXPECT_EQ(elf_parse(b, n, USER_TOP, &img, &e), 0);
	compare_with_readelf(path, b, n, &img);
	unlink(path);
	free(b);
}
