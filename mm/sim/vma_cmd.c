/*
 * vma_cmd.c - the arena's command interpreter as a push parser (the language
 * and the choices made for its corners are described in vma_cmd.h).
 *
 * Algorithm: a byte-at-a-time state machine with two modes. In line mode
 * each byte updates the words of the current line: the first word is kept
 * as text (to name the command), the next two are converted to numbers as
 * they arrive, MPROTECT's permission words are matched as they end, and
 * further words are only counted; at the newline the line is executed. As
 * soon as WRITE's <size> word ends, the parser switches to data mode and
 * takes exactly <size> bytes, then goes back to line mode. Since the state
 * only depends on the bytes seen, not on how they were chunked, any chunking
 * gives the same output.
 *
 * Line ends: CR, LF and CR LF each end a line (a terminal sends CR for
 * Enter); after_cr remembers a CR that ended a line (or WRITE's <size>) so
 * that an LF right after it is taken as part of the same line end. In
 * WRITE's data every byte is data, CR and LF included; a CR that is the
 * last data byte ends nothing, so an LF after it ends the WRITE line, and a
 * CR or CR LF right after the last data byte is the one line end of the
 * WRITE line, exactly as an LF there. When <size> itself ends with CR, an LF
 * right after that CR belongs to the line end and the data begins after it.
 */
#include "vma_cmd.h"
#include "mm_env.h"
#include "mmlib.h"

enum {
	VMA_CMD_NONE,
	VMA_CMD_ALLOC_ARENA,
	VMA_CMD_DEALLOC_ARENA,
	VMA_CMD_ALLOC_BLOCK,
	VMA_CMD_FREE_BLOCK,
	VMA_CMD_READ,
	VMA_CMD_WRITE,
	VMA_CMD_PMAP,
	VMA_CMD_MPROTECT,
};

static const struct {
	const char *name;
	int cmd;
	int nwords;             /* words of a well-formed line (MPROTECT: at least;
				   WRITE: its data begins after the third) */
} commands[] = {
	{ "ALLOC_ARENA", VMA_CMD_ALLOC_ARENA, 2 },
	{ "DEALLOC_ARENA", VMA_CMD_DEALLOC_ARENA, 1 },
	{ "ALLOC_BLOCK", VMA_CMD_ALLOC_BLOCK, 3 },
	{ "FREE_BLOCK", VMA_CMD_FREE_BLOCK, 2 },
	{ "READ", VMA_CMD_READ, 3 },
	{ "WRITE", VMA_CMD_WRITE, 3 },
	{ "PMAP", VMA_CMD_PMAP, 1 },
	{ "MPROTECT", VMA_CMD_MPROTECT, 3 },
};

static const struct {
	const char *name;
	unsigned bits;
} perms[] = {
	{ "PROT_NONE", ARENA_PROT_NONE },
	{ "PROT_READ", ARENA_PROT_READ },
	{ "PROT_WRITE", ARENA_PROT_WRITE },
	{ "PROT_EXEC", ARENA_PROT_EXEC },
};

enum { VMA_NUM_START, VMA_NUM_SIGN, VMA_NUM_DIGITS, VMA_NUM_STOP };

#define READ_CHUNK 256 /* READ copies out through a buffer of this size */

/* ---- output ------------------------------------------------------------ */

static void say(struct vma_cmd *vc, const char *line)
{
	mm_format(vc->out, "%s\n", line);
}

static void say_invalid(struct vma_cmd *vc, uint64_t times)
{
	while (times--) say(vc, "Invalid command. Please try again.");
}

/* ---- words ------------------------------------------------------------- */

static void num_char(struct vma_num *n, char c)
{
	bool digit = mm_isdigit(c);
	if (n->state == VMA_NUM_START && (c == '+' || c == '-')) {
		n->neg = c == '-';
		n->state = VMA_NUM_SIGN;
	} else if (n->state != VMA_NUM_STOP && digit) {
		uint64_t d = (uint64_t)(c - '0');
		if (n->val > (UINT64_MAX - d) / 10) n->overflow = true;
		else n->val = n->val * 10 + d;
		n->state = VMA_NUM_DIGITS;
	} else {
		n->state = VMA_NUM_STOP;
	}
}

/* The number as strtoul(word, NULL, 10) would return it. */
static uint64_t num_value(const struct vma_num *n)
{
	if (n->overflow) return UINT64_MAX;
	return n->neg ? 0 - n->val : n->val;
}

static void perm_end(struct vma_cmd *vc)
{
	if (vc->perm_len == 0 && !vc->perm_long) return; /* between two '|' */
	bool known = false;
	for (size_t i = 0; !vc->perm_long && i < MM_ARRAY_SIZE(perms); i++) {
		if (mm_strcmp(vc->perm, perms[i].name) == 0) {
			vc->prot |= perms[i].bits;
			known = true;
		}
	}
	if (!known) vc->perm_bad = true;
	vc->nperms++;
	vc->perm_len = 0;
	vc->perm_long = false;
	vc->perm[0] = 0;
}

static void perm_char(struct vma_cmd *vc, char c)
{
	if (c == '|') {
		perm_end(vc);
	} else if (vc->perm_len < VMA_PERM_MAX) {
		vc->perm[vc->perm_len++] = c;
		vc->perm[vc->perm_len] = 0;
	} else {
		vc->perm_long = true;
	}
}

static void name_end(struct vma_cmd *vc)
{
	vc->cmd = VMA_CMD_NONE;
	for (size_t i = 0; !vc->name_long && i < MM_ARRAY_SIZE(commands); i++)
		if (mm_strcmp(vc->name, commands[i].name) == 0) vc->cmd = commands[i].cmd;
}

static void word_char(struct vma_cmd *vc, char c)
{
	uint64_t idx = vc->nwords - 1;
	if (idx == 0) {
		if (vc->name_len < VMA_NAME_MAX) {
			vc->name[vc->name_len++] = c;
			vc->name[vc->name_len] = 0;
		} else {
			vc->name_long = true;
		}
		return;
	}
	if (idx <= 2) num_char(&vc->num[idx - 1], c);
	if (vc->cmd == VMA_CMD_MPROTECT && idx >= 2) perm_char(vc, c);
}

static void line_reset(struct vma_cmd *vc)
{
	vc->in_word = false;
	vc->nwords = 0;
	vc->cmd = VMA_CMD_NONE;
	vc->name[0] = 0;
	vc->name_len = 0;
	vc->name_long = false;
	mm_memset(vc->num, 0, sizeof(vc->num));
	vc->perm[0] = 0;
	vc->perm_len = 0;
	vc->perm_long = false;
	vc->perm_bad = false;
	vc->prot = ARENA_PROT_NONE;
	vc->nperms = 0;
}

/* ---- commands ---------------------------------------------------------- */

static void do_alloc_arena(struct vma_cmd *vc, uint64_t nbytes)
{
	if (vc->have_arena) arena_destroy(&vc->arena);
	arena_init(&vc->arena, &vc->alloc, nbytes);
	vc->have_arena = true;
}

static void do_dealloc_arena(struct vma_cmd *vc)
{
	if (vc->have_arena) arena_destroy(&vc->arena);
	vc->have_arena = false;
	vc->done = true;
}

static void do_alloc_block(struct vma_cmd *vc, uint64_t addr, uint64_t nbytes)
{
	switch (arena_alloc_block(&vc->arena, addr, nbytes)) {
	case 0: break;
	case -MM_EFAULT: say(vc, "The allocated address is outside the size of arena"); break;
	case -MM_ENOSPC: say(vc, "The end address is past the size of the arena"); break;
	case -MM_EEXIST: say(vc, "This zone was already allocated."); break;
	case -MM_EINVAL: say(vc, "The size of a block must be greater than 0."); break;
	default: say(vc, "Out of memory: the block was not allocated."); break;
	}
}

static void do_free_block(struct vma_cmd *vc, uint64_t addr)
{
	if (arena_free_block(&vc->arena, addr) != 0) say(vc, "Invalid address for free.");
}

static void do_mprotect(struct vma_cmd *vc, uint64_t addr, unsigned prot)
{
	if (arena_mprotect(&vc->arena, addr, prot) != 0) say(vc, "Invalid address for mprotect.");
}

/* Print up to n bytes at addr (already checked), stopping at a NUL. */
static void print_bytes(struct vma_cmd *vc, uint64_t addr, uint64_t n)
{
	char chunk[READ_CHUNK];
	for (uint64_t off = 0; off < n;) {
		uint64_t want = n - off < READ_CHUNK ? n - off : READ_CHUNK, got;
		int rc = arena_read(&vc->arena, addr + off, chunk, want, &got);
		MM_ASSERT(rc == 0 && got == want, "checked read failed: %d, %llu of %llu", rc,
			  (unsigned long long)got, (unsigned long long)want);
		size_t len = 0;
		while (len < got && chunk[len]) len++;
		if (len) vc->out->put(vc->out->ctx, chunk, len);
		if (len < got) return;
		off += got;
	}
}

static void do_read(struct vma_cmd *vc, uint64_t addr, uint64_t nbytes)
{
	uint64_t n;
	int rc = arena_access(&vc->arena, addr, nbytes, ARENA_PROT_READ, &n);
	if (rc == -MM_ENOENT) {
		say(vc, "Invalid address for read.");
		return;
	}
	if (rc != 0) {
		say(vc, "Invalid permissions for read.");
		return;
	}
	if (n < nbytes)
		mm_format(vc->out, "Warning: size was bigger than the block size. "
			  "Reading %llu characters.\n", (unsigned long long)n);
	print_bytes(vc, addr, n);
	say(vc, "");
}

/* Execute the WRITE whose data is complete: nbytes of it count. */
static void do_write(struct vma_cmd *vc, uint64_t nbytes)
{
	uint64_t n, done;
	if (!vc->have_arena) {
		say_invalid(vc, 3);
		return;
	}
	int rc = arena_access(&vc->arena, vc->w_addr, nbytes, ARENA_PROT_WRITE, &n);
	if (rc == -MM_ENOENT) {
		say(vc, "Invalid address for write.");
		return;
	}
	if (rc != 0) {
		say(vc, "Invalid permissions for write.");
		return;
	}
	if (n < nbytes)
		mm_format(vc->out, "Warning: size was bigger than the block size. "
			  "Writing %llu characters.\n", (unsigned long long)n);
	if (n == 0) return;
	if (vc->w_nomem) {
		say(vc, "Out of memory: the data was not written.");
		return;
	}
	MM_ASSERT(n <= vc->w_keep && n <= vc->w_got, "write of %llu bytes, %llu kept",
		  (unsigned long long)n, (unsigned long long)vc->w_keep);
	rc = arena_write(&vc->arena, vc->w_addr, vc->w_buf, n, &done);
	if (rc == -MM_ENOMEM) { /* a large miniblock's chunk could not be had */
		say(vc, "Out of memory: the data was not written.");
		return;
	}
	MM_ASSERT(rc == 0 && done == n, "checked write failed: %d", rc);
}

static bool needs_arena(int cmd)
{
	return cmd != VMA_CMD_ALLOC_ARENA && cmd != VMA_CMD_DEALLOC_ARENA;
}

static bool well_formed(const struct vma_cmd *vc)
{
	for (size_t i = 0; i < MM_ARRAY_SIZE(commands); i++) {
		if (commands[i].cmd != vc->cmd) continue;
		if (vc->cmd == VMA_CMD_MPROTECT)
			return vc->nwords >= 3 && vc->nperms > 0 && !vc->perm_bad;
		if (vc->cmd == VMA_CMD_WRITE) return false; /* a line cut before its data */
		return vc->nwords == (uint64_t)commands[i].nwords;
	}
	return false;
}

/* MPROTECT checks its address before its permission words: an address
 * that starts no miniblock is refused whatever words follow. */
static bool mprotect_bad_address(const struct vma_cmd *vc)
{
	if (vc->cmd != VMA_CMD_MPROTECT || !vc->have_arena || vc->nwords < 2) return false;
	if (vc->num[0].state != VMA_NUM_DIGITS) return false; /* not a number: invalid command */
	struct arena_mini_info info;
	uint64_t addr = num_value(&vc->num[0]);
	return !arena_find(&vc->arena, addr, &info) || info.start != addr;
}

/* Execute the line just ended (WRITE never gets here with its data). */
static void line_execute(struct vma_cmd *vc)
{
	if (vc->nwords == 0) return;
	if (mprotect_bad_address(vc)) {
		say(vc, "Invalid address for mprotect.");
		return;
	}
	if (!well_formed(vc) || (needs_arena(vc->cmd) && !vc->have_arena)) {
		say_invalid(vc, vc->nwords);
		return;
	}
	uint64_t a0 = num_value(&vc->num[0]), a1 = num_value(&vc->num[1]);
	switch (vc->cmd) {
	case VMA_CMD_ALLOC_ARENA: do_alloc_arena(vc, a0); break;
	case VMA_CMD_DEALLOC_ARENA: do_dealloc_arena(vc); break;
	case VMA_CMD_ALLOC_BLOCK: do_alloc_block(vc, a0, a1); break;
	case VMA_CMD_FREE_BLOCK: do_free_block(vc, a0); break;
	case VMA_CMD_READ: do_read(vc, a0, a1); break;
	case VMA_CMD_PMAP: arena_pmap(&vc->arena, vc->out); break;
	case VMA_CMD_MPROTECT: do_mprotect(vc, a0, vc->prot); break;
	default: MM_ASSERT(0, "well-formed line with command %d", vc->cmd);
	}
}

/* ---- WRITE's data ------------------------------------------------------ */

static void data_end(struct vma_cmd *vc)
{
	do_write(vc, vc->w_got);
	mm_free(&vc->alloc, vc->w_buf);
	vc->w_buf = NULL;
	vc->w_keep = 0;
	vc->w_nomem = false;
	vc->in_data = false;
	line_reset(vc);
}

/* WRITE's <size> word has just ended: get ready for the data. */
static void data_begin(struct vma_cmd *vc)
{
	uint64_t room = 0;
	vc->w_addr = num_value(&vc->num[0]);
	vc->w_size = num_value(&vc->num[1]);
	vc->w_got = 0;
	vc->in_data = true;
	if (vc->have_arena &&
	    arena_access(&vc->arena, vc->w_addr, vc->w_size, ARENA_PROT_WRITE, &room) != 0)
		room = 0;
	vc->w_keep = room;
	vc->w_buf = NULL;
	vc->w_nomem = false;
	if (room > SIZE_MAX) vc->w_nomem = true;
	else if (room) vc->w_buf = mm_alloc(&vc->alloc, (size_t)room);
	if (room && !vc->w_buf) vc->w_nomem = true;
	if (vc->w_size == 0) data_end(vc);
}

/* Take what belongs to WRITE's data from buf; returns the bytes used. */
static size_t data_feed(struct vma_cmd *vc, const char *buf, size_t n)
{
	if (vc->after_cr) { /* <size> ended with CR: an LF after it is no data */
		vc->after_cr = false;
		if (buf[0] == '\n') return 1;
	}
	uint64_t want = vc->w_size - vc->w_got;
	size_t take = want < n ? (size_t)want : n;
	if (vc->w_buf && vc->w_got < vc->w_keep) {
		uint64_t room = vc->w_keep - vc->w_got;
		size_t keep = room < take ? (size_t)room : take;
		mm_memcpy(vc->w_buf + vc->w_got, buf, keep);
	}
	vc->w_got += take;
	if (vc->w_got == vc->w_size) data_end(vc);
	return take;
}

/* ---- the byte-level machine -------------------------------------------- */

static void word_end(struct vma_cmd *vc)
{
	uint64_t idx = vc->nwords - 1;
	vc->in_word = false;
	if (idx == 0) name_end(vc);
	if (vc->cmd == VMA_CMD_MPROTECT && idx >= 2) perm_end(vc);
	if (vc->cmd == VMA_CMD_WRITE && idx == 2) data_begin(vc);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static bool is_line_end(char c)
{
	return c == '\n' || c == '\r';
}

static void line_char(struct vma_cmd *vc, char c)
{
	bool after_cr = vc->after_cr;
	vc->after_cr = c == '\r';
	if (c == '\n' && after_cr) return; /* the LF of a CR LF pair */
	if (is_line_end(c) || is_blank(c)) {
		if (vc->in_word) {
			word_end(vc);
			if (vc->in_data) return; /* c was the separator before WRITE's data */
		}
		if (is_line_end(c)) {
			line_execute(vc);
			line_reset(vc);
		}
		return;
	}
	if (!vc->in_word) {
		vc->in_word = true;
		vc->nwords++;
	}
	word_char(vc, c);
}

/* ---- interface --------------------------------------------------------- */

void vma_cmd_init(struct vma_cmd *vc, const struct mm_allocator *a, struct mm_sink *out)
{
	mm_memset(vc, 0, sizeof(*vc));
	vc->alloc = *a;
	vc->out = out;
	line_reset(vc);
}

void vma_cmd_feed(struct vma_cmd *vc, const char *buf, size_t n)
{
	size_t i = 0;
	while (i < n && !vc->done && !vc->finished) {
		if (vc->in_data) i += data_feed(vc, buf + i, n - i);
		else line_char(vc, buf[i++]);
	}
}

void vma_cmd_finish(struct vma_cmd *vc)
{
	if (vc->done || vc->finished) {
		vc->finished = true;
		return;
	}
	if (!vc->in_data) line_char(vc, '\n');
	if (vc->in_data && !vc->done) data_end(vc);
	vc->finished = true;
}

bool vma_cmd_done(const struct vma_cmd *vc)
{
	return vc->done;
}

void vma_cmd_destroy(struct vma_cmd *vc)
{
	mm_free(&vc->alloc, vc->w_buf);
	vc->w_buf = NULL;
	vc->in_data = false;
	if (vc->have_arena) arena_destroy(&vc->arena);
	vc->have_arena = false;
}

int vma_cmd_check(const struct vma_cmd *vc, struct mm_sink *report)
{
	int bad = 0;
	if (vc->in_data) {
		if (vc->w_got >= vc->w_size) bad++;
		if (vc->w_keep > vc->w_size) bad++;
		if (!vc->w_nomem && (vc->w_keep != 0) != (vc->w_buf != NULL)) bad++;
	} else if (vc->w_buf) {
		bad++;
	}
	if (vc->name_len > VMA_NAME_MAX || vc->perm_len > VMA_PERM_MAX) bad++;
	if (bad && report) mm_format(report, "vma_cmd: parser state is inconsistent\n");
	if (vc->have_arena && arena_check(&vc->arena, report) != 0) bad++;
	return bad ? -MM_EIO : 0;
}
