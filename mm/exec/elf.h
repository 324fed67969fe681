/*
 * elf.h - checking a static ELF32 i386 executable held in memory (a boot
 * module) and describing how to load it.
 *
 * Format: the System V ABI's ELF, as its Generic ABI chapters "Object Files"
 * (ELF Header, ELF Identification) and "Program Loading and Dynamic Linking"
 * (Program Header, Segment Permissions) define it, for the Intel386
 * processor supplement (ELFCLASS32, ELFDATA2LSB, EM_386). Only what runs
 * without a dynamic loader is accepted: ET_EXEC with no PT_INTERP.
 *
 * elf_parse only reads the file and answers; it maps nothing. The loader
 * then maps each segment as a region (see elf_seg_page_start and friends
 * for the page-aligned view a file-backed region wants), starts the heap at
 * img.end and builds the initial stack (ustack.h) with img's AT_PHDR,
 * AT_PHENT, AT_PHNUM and AT_ENTRY.
 *
 * Typical use:
 *
 *     struct elf_image img;
 *     struct elf_error e;
 *     if (elf_parse(mod, mod_len, 0xC0000000u, &img, &e) < 0)
 *             printf("%s: %s\n", name, e.msg);
 */
#ifndef MM_EXEC_ELF_H
#define MM_EXEC_ELF_H

#include "mm_types.h"

#define ELF_MAX_SEGS 16u /* PT_LOAD segments with memory, at most */

/* Segment permissions: the values of p_flags' PF_R, PF_W, PF_X. */
#define ELF_PROT_X 0x1u
#define ELF_PROT_W 0x2u
#define ELF_PROT_R 0x4u

/* One PT_LOAD segment with memory (p_memsz > 0). Bytes
 * [vaddr, vaddr + filesz) hold file bytes [offset, offset + filesz); the
 * rest up to vaddr + memsz is zero (.bss). */
struct elf_seg {
	uint32_t vaddr, memsz;   /* where it goes */
	uint32_t offset, filesz; /* what of the file it holds */
	uint32_t prot;           /* ELF_PROT_R | ELF_PROT_W | ELF_PROT_X */
	uint32_t index;          /* its program header's index (readelf's segment number) */
};

/* What elf_parse found. Every field is 0 when the file has none. */
struct elf_image {
	uint32_t entry;      /* e_entry, inside an executable segment */
	uint32_t phdr_vaddr; /* where the program headers are in memory (AT_PHDR): PT_PHDR's
	                        p_vaddr, else the PT_LOAD whose file bytes hold them; 0 if none */
	uint32_t phnum;      /* e_phnum (AT_PHNUM) */
	uint32_t phent;      /* e_phentsize (AT_PHENT): 32 */
	uint32_t nseg;
	struct elf_seg seg[ELF_MAX_SEGS]; /* sorted by vaddr; no two share a page */
	uint32_t end;        /* page-rounded end of the highest segment: where brk starts */
	uint32_t tls_vaddr, tls_filesz, tls_memsz, tls_align; /* PT_TLS */
};

/* Why elf_parse refused a file: one line naming the problem, e.g. "not an
 * ELF file (bad magic)" or "segments 2 and 3 share a page" (segments are
 * numbered by program header index, as readelf numbers them). */
struct elf_error {
	char msg[96];
};

/*
 * Check the ELF file data[0..size) and describe it in *img. Every segment
 * must lie inside the file and in the user pages [PAGE_SIZE, user_top):
 * page 0 stays unmapped, user_top (page-aligned) is where the kernel half
 * begins. data needs no alignment. Returns 0, or -MM_ENOEXEC with err->msg
 * set when the file is not one this kernel can run (then *img holds nothing
 * useful), or -MM_EINVAL when user_top is not a page-aligned address above
 * page 0.
 */
int elf_parse(const void *data, size_t size, uint32_t user_top, struct elf_image *img,
	      struct elf_error *err);

/* ---- a segment seen in whole pages, as a file-backed region wants it ---- */

/* The first page of the segment. */
static inline uint32_t elf_seg_page_start(const struct elf_seg *s) { return s->vaddr & ~PAGE_MASK; }

/* How many pages it covers. */
static inline uint32_t elf_seg_npages(const struct elf_seg *s)
{
	return (uint32_t)(((uint64_t)(s->vaddr & PAGE_MASK) + s->memsz + PAGE_MASK) >> PAGE_SHIFT);
}

/* The file offset where its first page starts (vaddr and offset share their
 * page offset), and how many file bytes follow from there before the zeros:
 * the region's page i starts as file[file_start + i * PAGE_SIZE ...], and
 * anything past file_len reads as zero. */
static inline uint32_t elf_seg_file_start(const struct elf_seg *s) { return s->offset & ~PAGE_MASK; }
static inline uint32_t elf_seg_file_len(const struct elf_seg *s) { return (s->vaddr & PAGE_MASK) + s->filesz; }

#endif
