/*
 * ucons.c - the console as the processes' terminal. While a foreground
 * process runs, the shell moves what is typed into its input buffer, as a
 * terminal's line discipline would: CR and CR LF become LF (a terminal's
 * Enter), Ctrl-C kills the foreground process (SIGINT), Ctrl-D is an end of
 * file for the read in progress. A process reads the buffer through
 * read(0); a background process reads end of file. What the process did
 * not read goes back to the shell when it ends.
 */
#include "console.h"
#include "io.h"
#include "kernel.h"
#include "mmlib.h"
#include "uproc.h"

#define STDIN_CAP CONSOLE_UNREAD_MAX

static char in_buf[STDIN_CAP];
static uint32_t in_head, in_len;
static bool in_eof, last_cr;
static struct wait_queue in_q;
extern struct uproc *uproc_shell_fg;

void uproc_stdin_wake(void);
void uproc_stdin_wake(void) { wait_wake_all(&in_q); }

static bool can_read_console(const struct uproc *p) { return p && p->foreground; }

size_t uproc_stdin_read(char *buf, size_t cap)
{
	struct uproc *p = uproc_current();
	if (!can_read_console(p)) return 0;
	uint32_t f = irq_save();
	while (!in_len && !in_eof && !uproc_interrupted(p)) wait_block(&in_q);
	size_t n = 0;
	while (n < cap && in_len) {
		char c = in_buf[in_head];
		in_head = (in_head + 1) % STDIN_CAP;
		in_len--;
		buf[n++] = c;
		if (c == '\n') break; /* a read returns at most one line, as a terminal's */
	}
	if (!n) in_eof = false; /* the end of file is read once */
	irq_restore(f);
	return n;
}

static void push(char c)
{
	if (in_len == STDIN_CAP) return; /* full: typed-ahead bytes are dropped, as a terminal's */
	in_buf[(in_head + in_len) % STDIN_CAP] = c;
	in_len++;
}

/* One byte typed while p runs in the foreground. */
static void feed(struct uproc *p, int c)
{
	bool cr = last_cr;
	last_cr = c == '\r';
	if (c == 3) {
		kprintf("^C\n");
		uproc_kill(p->pid, SIGINT, "interrupted by Ctrl-C");
		return;
	}
	uint32_t f = irq_save();
	if (c == 4) in_eof = true;
	else if (c == '\r') push('\n');
	else if (!(c == '\n' && cr)) push((char)c);
	irq_restore(f);
	wait_wake_all(&in_q);
}

/* Give what the process left unread back to the shell. */
static void hand_back(void)
{
	char rest[STDIN_CAP];
	uint32_t f = irq_save();
	uint32_t n = in_len;
	for (uint32_t i = 0; i < n; i++) rest[i] = in_buf[(in_head + i) % STDIN_CAP];
	in_head = in_len = 0;
	in_eof = last_cr = false;
	irq_restore(f);
	if (n) console_unread(rest, n);
}

int uproc_run_foreground(struct uproc *p, char *end, size_t cap)
{
	int status = 0, pid = p->pid;
	uproc_shell_fg = p;
	while (p->state != UP_ZOMBIE) {
		int c;
		while (in_len < STDIN_CAP && (c = console_trygetc()) >= 0) feed(p, c);
		thread_sleep_ticks(1);
	}
	hand_back();
	uproc_describe_end(p, end, cap);
	uproc_wait(0, pid, &status, false);
	uproc_shell_fg = 0;
	return status;
}
