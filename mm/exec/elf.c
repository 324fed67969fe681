/*
 * elf.c - elf_parse(): checking a static ELF32 i386 executable and
 * describing its segments (see elf.h).
 *
 * Format: System V ABI, Generic ABI "Object Files: ELF Header" and "Program
 * Loading: Program Header", with the Intel386 supplement. Algorithm: check
 * the header; scan the program header table once for PT_INTERP (a
 * dynamically linked program gets that answer whatever else is wrong with
 * it); scan it again checking each PT_LOAD on its own and collecting it,
 * PT_PHDR and PT_TLS; sort the segments by address and check what concerns
 * them together (shared pages, the entry point, where the program headers
 * and the TLS image are in memory).
 *
 * The file may sit at any address and the host may be 64-bit, so every
 * field is read byte by byte, little-endian, never through a struct cast.
 * Every sum of two file fields is formed in 64 bits before it is compared,
 * so no input can wrap an addition.
 */
#include <stdarg.h>
#include "elf.h"
#include "fmt.h"
#include "mmlib.h"

/*
 * ELF header (Elf32_Ehdr), 52 bytes:
 *
 *    0    1    2    3    4       5      6         7       8          16
 *   +----+----+----+----+-------+------+---------+-------+----------+
 *   | 7f | 'E'| 'L'| 'F'| class | data | version | osabi | pad      |  e_ident
 *   +----+----+----+----+-------+------+---------+-------+----------+
 *
 *   offset size field        accepted
 *     4     1   EI_CLASS     1 ELFCLASS32
 *     5     1   EI_DATA      1 ELFDATA2LSB (little-endian)
 *     6     1   EI_VERSION   1 EV_CURRENT
 *     7     9   EI_OSABI...  anything (SYSV 0 and GNU 3 are both seen)
 *    16     2   e_type       2 ET_EXEC
 *    18     2   e_machine    3 EM_386
 *    20     4   e_version    1 EV_CURRENT
 *    24     4   e_entry      inside an executable segment
 *    28     4   e_phoff      the program header table, inside the file
 *    32    10   e_shoff, e_flags, e_ehsize      unused: loading needs no sections
 *    42     2   e_phentsize  32
 *    44     2   e_phnum
 *    46     6   e_shentsize, e_shnum, e_shstrndx unused
 */
#define EH_SIZE 52u
#define EH_CLASS 4
#define EH_DATA 5
#define EH_IVERSION 6
#define EH_TYPE 16
#define EH_MACHINE 18
#define EH_VERSION 20
#define EH_ENTRY 24
#define EH_PHOFF 28
#define EH_PHENTSIZE 42
#define EH_PHNUM 44

#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define ET_DYN 3
#define EM_386 3

/*
 * Program header (Elf32_Phdr), 32 bytes, e_phnum of them at e_phoff:
 *
 *    0        4          8         12        16         20        24        28       32
 *   +--------+----------+---------+---------+----------+---------+---------+--------+
 *   | p_type | p_offset | p_vaddr | p_paddr | p_filesz | p_memsz | p_flags | p_align|
 *   +--------+----------+---------+---------+----------+---------+---------+--------+
 *
 * p_flags: PF_X 1, PF_W 2, PF_R 4 (the ELF_PROT_* values). p_paddr is unused.
 */
#define PH_SIZE 32u
#define PH_TYPE 0
#define PH_OFFSET 4
#define PH_VADDR 8
#define PH_FILESZ 16
#define PH_MEMSZ 20
#define PH_FLAGS 24
#define PH_ALIGN 28

#define PT_LOAD 1u
#define PT_INTERP 3u
#define PT_PHDR 6u
#define PT_TLS 7u

struct phdr {
	uint32_t type, offset, vaddr, filesz, memsz, flags, align;
};

/* A parse in progress: the file, the limits and the answer being built. */
struct parse {
	const uint8_t *d;
	uint64_t size;
	uint32_t user_top;
	uint32_t phoff;
	bool have_phdr, have_tls;
	struct elf_image *img;
	struct elf_error *err;
};

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static struct phdr phdr_read(const struct parse *p, uint32_t i)
{
	const uint8_t *h = p->d + p->phoff + i * PH_SIZE;
	return (struct phdr){
		.type = get32(h + PH_TYPE),
		.offset = get32(h + PH_OFFSET),
		.vaddr = get32(h + PH_VADDR),
		.filesz = get32(h + PH_FILESZ),
		.memsz = get32(h + PH_MEMSZ),
		.flags = get32(h + PH_FLAGS),
		.align = get32(h + PH_ALIGN),
	};
}

/* Say why the file is refused; returns -MM_ENOEXEC. */
static int refuse(const struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(const struct parse *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mm_vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
	va_end(ap);
	return -MM_ENOEXEC;
}

static uint64_t page_up64(uint64_t v) { return (v + PAGE_MASK) & ~(uint64_t)PAGE_MASK; }

static uint32_t seg_end(const struct elf_seg *s) { return s->vaddr + s->memsz; }

/* ---- the header ---- */

static int check_ident(const struct parse *p)
{
	const uint8_t *d = p->d;
	if (p->size < EH_SIZE) return refuse(p, "file shorter than the ELF header (%u bytes)", EH_SIZE);
	if (d[0] != 0x7f || d[1] != 'E' || d[2] != 'L' || d[3] != 'F')
		return refuse(p, "not an ELF file (bad magic)");
	if (d[EH_CLASS] == ELFCLASS64) return refuse(p, "64-bit ELF (ELFCLASS64): only ELFCLASS32 i386 runs");
	if (d[EH_CLASS] != ELFCLASS32) return refuse(p, "not ELFCLASS32 (bad class %u)", d[EH_CLASS]);
	if (d[EH_DATA] != ELFDATA2LSB) return refuse(p, "not little-endian (EI_DATA %u, want ELFDATA2LSB)", d[EH_DATA]);
	if (d[EH_IVERSION] != EV_CURRENT || get32(d + EH_VERSION) != EV_CURRENT)
		return refuse(p, "bad ELF version (want EV_CURRENT 1)");
	return 0;
}

static int check_header(struct parse *p)
{
	const uint8_t *d = p->d;
	int err = check_ident(p);
	if (err) return err;
	uint16_t type = get16(d + EH_TYPE), machine = get16(d + EH_MACHINE);
	if (type == ET_DYN)
		return refuse(p, "ET_DYN: PIE and shared objects are not supported (link with -static -no-pie)");
	if (type != ET_EXEC) return refuse(p, "not an executable (e_type %u, want ET_EXEC)", type);
	if (machine != EM_386) return refuse(p, "not an i386 program (e_machine %u, want EM_386)", machine);
	uint16_t phent = get16(d + EH_PHENTSIZE);
	if (phent != PH_SIZE) return refuse(p, "bad program header size (e_phentsize %u, want 32)", phent);
	p->phoff = get32(d + EH_PHOFF);
	p->img->phnum = get16(d + EH_PHNUM);
	p->img->phent = phent;
	p->img->entry = get32(d + EH_ENTRY);
	if ((uint64_t)p->phoff + (uint64_t)p->img->phnum * PH_SIZE > p->size)
		return refuse(p, "program headers outside the file");
	return 0;
}

/* ---- one program header at a time ---- */

static int add_load(struct parse *p, const struct phdr *ph, uint32_t i)
{
	struct elf_image *img = p->img;
	if (ph->filesz > ph->memsz)
		return refuse(p, "segment %u: file size above memory size (p_filesz > p_memsz)", i);
	if (ph->memsz == 0) return 0; /* occupies nothing */
	if ((uint64_t)ph->offset + ph->filesz > p->size)
		return refuse(p, "segment %u: data outside the file (p_offset + p_filesz)", i);
	if ((ph->vaddr & PAGE_MASK) != (ph->offset & PAGE_MASK))
		return refuse(p, "segment %u: p_vaddr and p_offset differ modulo the page size", i);
	if (ph->vaddr < PAGE_SIZE) return refuse(p, "segment %u maps page 0 (p_vaddr below 4096)", i);
	if ((uint64_t)ph->vaddr + ph->memsz > p->user_top)
		return refuse(p, "segment %u overlaps the kernel (ends past 0x%x)", i, p->user_top);
	if (img->nseg == ELF_MAX_SEGS) return refuse(p, "more than %u PT_LOAD segments", ELF_MAX_SEGS);
	img->seg[img->nseg++] = (struct elf_seg){
		.vaddr = ph->vaddr,
		.memsz = ph->memsz,
		.offset = ph->offset,
		.filesz = ph->filesz,
		.prot = ph->flags & (ELF_PROT_R | ELF_PROT_W | ELF_PROT_X),
		.index = i,
	};
	return 0;
}

static int add_tls(struct parse *p, const struct phdr *ph)
{
	if (p->have_tls) return refuse(p, "more than one PT_TLS");
	if (ph->filesz > ph->memsz) return refuse(p, "PT_TLS: file size above memory size (p_filesz > p_memsz)");
	if ((uint64_t)ph->offset + ph->filesz > p->size) return refuse(p, "PT_TLS: data outside the file");
	if (ph->align & (ph->align - 1u)) return refuse(p, "PT_TLS: alignment %u is not a power of two", ph->align);
	p->have_tls = true;
	p->img->tls_vaddr = ph->vaddr;
	p->img->tls_filesz = ph->filesz;
	p->img->tls_memsz = ph->memsz;
	p->img->tls_align = ph->align;
	return 0;
}

static int add_phdr(struct parse *p, const struct phdr *ph)
{
	if (p->have_phdr) return refuse(p, "more than one PT_PHDR");
	p->have_phdr = true;
	p->img->phdr_vaddr = ph->vaddr;
	return 0;
}

static int find_interp(const struct parse *p)
{
	for (uint32_t i = 0; i < p->img->phnum; i++)
		if (phdr_read(p, i).type == PT_INTERP)
			return refuse(p, "dynamically linked (PT_INTERP): needs a dynamic loader; build with -static");
	return 0;
}

static int read_phdrs(struct parse *p)
{
	for (uint32_t i = 0; i < p->img->phnum; i++) {
		struct phdr ph = phdr_read(p, i);
		int err = 0;
		if (ph.type == PT_LOAD) err = add_load(p, &ph, i);
		else if (ph.type == PT_TLS) err = add_tls(p, &ph);
		else if (ph.type == PT_PHDR) err = add_phdr(p, &ph);
		if (err) return err;
	}
	if (!p->img->nseg) return refuse(p, "no PT_LOAD segment");
	return 0;
}

/* ---- the segments together ---- */

static void sort_segs(struct elf_image *img)
{
	for (uint32_t i = 1; i < img->nseg; i++) {
		struct elf_seg s = img->seg[i];
		uint32_t j = i;
		for (; j > 0 && img->seg[j - 1].vaddr > s.vaddr; j--) img->seg[j] = img->seg[j - 1];
		img->seg[j] = s;
	}
}

/* Sorted by start, a segment that shares a page with any later one shares
 * one with its successor, so neighbours are all there is to compare. */
static int check_shared_pages(const struct parse *p)
{
	const struct elf_image *img = p->img;
	for (uint32_t i = 1; i < img->nseg; i++) {
		const struct elf_seg *a = &img->seg[i - 1], *b = &img->seg[i];
		if (page_up64(seg_end(a)) > elf_seg_page_start(b)) {
			bool in_order = a->index < b->index;
			return refuse(p, "segments %u and %u share a page", in_order ? a->index : b->index,
				      in_order ? b->index : a->index);
		}
	}
	return 0;
}

/* Is [va, va + len) inside the memory of one segment with (at least) prot? */
static bool in_segment(const struct elf_image *img, uint32_t va, uint32_t len, uint32_t prot)
{
	for (uint32_t i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		if ((s->prot & prot) == prot && va >= s->vaddr && (uint64_t)va + len <= seg_end(s))
			return true;
	}
	return false;
}

/* AT_PHDR without PT_PHDR: the segment whose file bytes hold the table. */
static uint32_t phdrs_in_memory(const struct parse *p)
{
	const struct elf_image *img = p->img;
	uint64_t len = (uint64_t)img->phnum * PH_SIZE;
	for (uint32_t i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		if (s->offset <= p->phoff && p->phoff + len <= (uint64_t)s->offset + s->filesz)
			return s->vaddr + (p->phoff - s->offset);
	}
	return 0;
}

static int check_layout(struct parse *p)
{
	struct elf_image *img = p->img;
	sort_segs(img);
	int err = check_shared_pages(p);
	if (err) return err;
	img->end = (uint32_t)page_up64(seg_end(&img->seg[img->nseg - 1]));
	if (!in_segment(img, img->entry, 1, ELF_PROT_X))
		return refuse(p, "entry point 0x%x is not in an executable segment", img->entry);
	if (!p->have_phdr) img->phdr_vaddr = phdrs_in_memory(p);
	else if (!in_segment(img, img->phdr_vaddr, img->phnum * PH_SIZE, 0))
		return refuse(p, "PT_PHDR: program headers not inside a PT_LOAD segment");
	if (img->tls_filesz && !in_segment(img, img->tls_vaddr, img->tls_filesz, 0))
		return refuse(p, "PT_TLS: initial data not inside a PT_LOAD segment");
	return 0;
}

int elf_parse(const void *data, size_t size, uint32_t user_top, struct elf_image *img,
	      struct elf_error *err)
{
	mm_memset(img, 0, sizeof *img);
	mm_memset(err, 0, sizeof *err);
	if ((user_top & PAGE_MASK) || user_top < 2 * PAGE_SIZE) {
		mm_strncpy0(err->msg, "user_top is not a page-aligned address above page 0", sizeof err->msg);
		return -MM_EINVAL;
	}
	struct parse p = { .d = data, .size = size, .user_top = user_top, .img = img, .err = err };
	int e = check_header(&p);
	if (!e) e = find_interp(&p);
	if (!e) e = read_phdrs(&p);
	if (!e) e = check_layout(&p);
	if (e) mm_memset(img, 0, sizeof *img);
	return e;
}
