/*
 * vma_cmd.h - the command language of the arena ("virtual memory allocator",
 * mm/sim/FORMATS.md §4) as a push parser: bytes go in as they arrive (from a UART,
 * a file, a test), in chunks of any size, and the replies go to a sink,
 * byte for byte what the original program printed.
 *
 * Commands, one per line: ALLOC_ARENA <size>, DEALLOC_ARENA,
 * ALLOC_BLOCK <addr> <size>, FREE_BLOCK <addr>, READ <addr> <size>,
 * WRITE <addr> <size> <data>, PMAP, MPROTECT <addr> <perm>[ | <perm>...].
 *
 * Choices made where the original's behaviour is not pinned down:
 *  - Words are separated by spaces, tabs, VT and FF; a line ends at CR, LF
 *    or CR LF (one line end, not two: a terminal sends CR for Enter).
 *    A line whose first word is not a command, or whose command has the
 *    wrong number of words, prints "Invalid command. Please try again." once
 *    per word of the line. Empty lines print nothing.
 *  - Numbers are read the way strtoul(word, NULL, 10) reads them (the
 *    original scanned its words with the C library): an optional sign, then
 *    the leading decimal digits; a word with no leading digits reads as 0,
 *    a value past 2^64 - 1 reads as 2^64 - 1, "-1" reads as 2^64 - 1. Extra
 *    characters after the digits are ignored ("12ab" is 12).
 *  - WRITE's data starts right after the one character that ends <size>
 *    (usually a space; the line end if <size> ends the line, both bytes of
 *    a CR LF) and is exactly <size> bytes, CRs and LFs included. Whatever
 *    follows the data on its last line is read as a new line (so a CR, LF or
 *    CR LF right after the data ends the WRITE line; a CR that is data
 *    never pairs with the LF after it). Only the bytes that can land in the block
 *    are kept (a buffer of at most min(size, room to the block's end), taken
 *    from the allocator); the rest are counted and dropped. If that buffer
 *    cannot be had the bytes are still consumed and the reply says so.
 *  - MPROTECT's permissions are PROT_NONE/READ/WRITE/EXEC joined by '|'
 *    (with or without spaces around it); they are OR-ed together. Any other
 *    word there makes the line an invalid command.
 *  - Commands other than ALLOC_ARENA and DEALLOC_ARENA given while there is
 *    no arena are invalid commands (one message per word). ALLOC_ARENA when
 *    an arena exists replaces it with a new, empty one. DEALLOC_ARENA frees
 *    everything and ends the session: later input is ignored.
 *  - At the end of input a last line without a newline is still executed;
 *    an unfinished WRITE writes the data received so far (as if <size> had
 *    been the number of bytes received).
 *  - Messages of mmk's own, for what the original could not meet: running
 *    out of memory for a miniblock or for WRITE's data, and ALLOC_BLOCK with
 *    a size of 0.
 *
 * Memory: the parser keeps a fixed amount of state per line (the command
 * word, two numbers, the permission being read), so lines of any length are
 * fine; only WRITE's data takes memory, as above.
 */
#ifndef MM_VMA_CMD_H
#define MM_VMA_CMD_H

#include "mm_types.h"
#include "mm_alloc.h"
#include "fmt.h"
#include "arena.h"

#define VMA_NAME_MAX 15 /* the longest command word is 13 characters */
#define VMA_PERM_MAX 15 /* the longest permission word is 10 characters */

/* A number being read a character at a time, as strtoul does. */
struct vma_num {
	uint64_t val;
	uint8_t state;          /* VMA_NUM_* in vma_cmd.c */
	bool neg, overflow;
};

struct vma_cmd {
	struct mm_allocator alloc;
	struct mm_sink *out;
	struct arena arena;
	bool have_arena;
	bool done;              /* DEALLOC_ARENA seen: ignore the rest */
	bool finished;          /* vma_cmd_finish called */
	bool after_cr;          /* the last byte was a CR line end: skip an LF */

	/* The line being read. */
	bool in_word;
	uint64_t nwords;        /* words so far (including one in progress) */
	int cmd;                /* VMA_CMD_* of the first word, once it ended */
	char name[VMA_NAME_MAX + 1];
	size_t name_len;
	bool name_long;         /* the first word did not fit: not a command */
	struct vma_num num[2];  /* the second and third words as numbers */

	/* MPROTECT's permissions, from the third word on. */
	char perm[VMA_PERM_MAX + 1];
	size_t perm_len;
	bool perm_long, perm_bad;
	unsigned prot;
	uint64_t nperms;

	/* WRITE's data, once the header has been read. */
	bool in_data;
	uint64_t w_addr, w_size, w_got; /* w_got of w_size bytes received */
	uint64_t w_keep;        /* bytes of the data that are kept */
	uint8_t *w_buf;         /* w_keep bytes, or NULL */
	bool w_nomem;           /* w_buf could not be allocated */
};

/* Set up an interpreter writing its replies to out. Takes no memory yet. */
void vma_cmd_init(struct vma_cmd *vc, const struct mm_allocator *a, struct mm_sink *out);
/* Hand over the next n bytes of input (any chunking gives the same output). */
void vma_cmd_feed(struct vma_cmd *vc, const char *buf, size_t n);
/* End of input: execute a last line without newline or an unfinished WRITE. */
void vma_cmd_finish(struct vma_cmd *vc);
/* True once DEALLOC_ARENA has run: later input is ignored. */
bool vma_cmd_done(const struct vma_cmd *vc);
/* Free the arena and any buffer; vc may be initialised again afterwards. */
void vma_cmd_destroy(struct vma_cmd *vc);
/* Check the interpreter's state and its arena (see arena_check). */
int vma_cmd_check(const struct vma_cmd *vc, struct mm_sink *report);

#endif
