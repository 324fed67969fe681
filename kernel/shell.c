/*
 * shell.c - the [mm] prompt on COM1: a line editor (echo, backspace, Ctrl-U
 * erases the line, Ctrl-C cancels it, Ctrl-L redraws it, up/down walk the
 * history, left/right move the cursor, Tab completes a command name) and the
 * dispatch of a line to the command registry (shell.h). Over-long lines and
 * lines with other control or non-ASCII bytes are refused with a message.
 */
#include "console.h"
#include "kernel.h"
#include "mmlib.h"
#include "names.h"
#include "shell.h"

extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];

#define HISTORY 16
#define HELP_INDENT 28 /* where the listing's wrapped help continues */
static char history[HISTORY][SHELL_LINE_MAX];
static int history_len;
bool shell_echo = true;

const struct shell_cmd *shell_find(const char *word)
{
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		if (mm_name_is(c->name, c->aliases, word)) return c;
	return 0;
}

int shell_exec(char *line)
{
	char *argv[SHELL_MAX_ARGS];
	int argc = mm_split(line, argv, SHELL_MAX_ARGS);
	if (argc == 0) return 0;
	const struct shell_cmd *c = shell_find(argv[0]);
	if (!c) {
		kprintf("%s: unknown command (type help)\n", argv[0]);
		return 1;
	}
	return c->fn(argc, argv);
}

static void echo(const char *s)
{
	if (shell_echo) kputs(s);
}

static void echo_n(const char *s, int n)
{
	if (shell_echo && n > 0) kwrite(s, (size_t)n);
}

static void back(int n)
{
	while (n-- > 0) echo("\b");
}

static void erase_chars(int n)
{
	while (n-- > 0) echo("\b \b");
}

static void history_add(const char *line)
{
	if (!*line) return;
	if (history_len && mm_strcmp(history[(history_len - 1) % HISTORY], line) == 0) return;
	mm_strncpy0(history[history_len % HISTORY], line, SHELL_LINE_MAX);
	history_len++;
}

struct editor {
	char *buf;
	int cap, len;
	int pos;      /* the cursor: 0..len */
	bool too_long, garbage;
	bool complete; /* Tab completes command names */
	int hist_pos; /* index into history while browsing */
	int esc;      /* escape-sequence state: 0 none, 1 ESC, 2 ESC [ */
	const char *prompt;
};

/* Show buf[from..len), blank out `blanks` stale characters after it and
 * bring the terminal's cursor back to pos. */
static void redraw_tail(struct editor *ed, int from, int blanks)
{
	echo_n(ed->buf + from, ed->len - from);
	for (int i = 0; i < blanks; i++) echo(" ");
	back(ed->len + blanks - ed->pos);
}

/* The prompt and the line again on a fresh line (Ctrl-L, after a Tab list). */
static void redraw(struct editor *ed)
{
	echo("\n");
	echo(ed->prompt);
	echo_n(ed->buf, ed->len);
	back(ed->len - ed->pos);
}

static void erase_line(struct editor *ed)
{
	echo_n(ed->buf + ed->pos, ed->len - ed->pos);
	erase_chars(ed->len);
	ed->len = ed->pos = 0;
}

static void replace_line(struct editor *ed, const char *text)
{
	erase_line(ed);
	mm_strncpy0(ed->buf, text, (size_t)ed->cap);
	ed->len = ed->pos = (int)mm_strlen(ed->buf);
	echo(ed->buf);
}

static void history_step(struct editor *ed, int dir)
{
	int oldest = history_len > HISTORY ? history_len - HISTORY : 0;
	int pos = ed->hist_pos + dir;
	if (pos < oldest || pos > history_len) return;
	ed->hist_pos = pos;
	replace_line(ed, pos == history_len ? "" : history[pos % HISTORY]);
}

static void cursor_move(struct editor *ed, int dir)
{
	if (dir < 0 && ed->pos > 0) {
		ed->pos--;
		echo("\b");
	} else if (dir > 0 && ed->pos < ed->len) {
		echo_n(ed->buf + ed->pos, 1);
		ed->pos++;
	}
}

/* Returns true when the escape sequence consumed the byte. */
static bool escape_byte(struct editor *ed, int c)
{
	if (ed->esc == 1) {
		ed->esc = c == '[' ? 2 : 0;
		return true;
	}
	if (ed->esc == 2) {
		if (c >= '0' && c <= '9') return true; /* parameters: ignore */
		ed->esc = 0;
		if (c == 'A') history_step(ed, -1);
		else if (c == 'B') history_step(ed, +1);
		else if (c == 'C') cursor_move(ed, +1);
		else if (c == 'D') cursor_move(ed, -1);
		return true;
	}
	if (c == 0x1b) {
		ed->esc = 1;
		return true;
	}
	return false;
}

static void insert_char(struct editor *ed, char c)
{
	if (ed->len >= ed->cap - 1) {
		ed->too_long = true;
		return;
	}
	for (int i = ed->len; i > ed->pos; i--) ed->buf[i] = ed->buf[i - 1];
	ed->buf[ed->pos++] = c;
	ed->len++;
	redraw_tail(ed, ed->pos - 1, 0);
}

static void delete_before_cursor(struct editor *ed)
{
	if (!ed->pos) return;
	for (int i = ed->pos; i < ed->len; i++) ed->buf[i - 1] = ed->buf[i];
	ed->pos--;
	ed->len--;
	echo("\b");
	redraw_tail(ed, ed->pos, 1);
}

/* Tab: the command names that start with the line up to the cursor (the
 * first word). One is completed, with a space after it; several are listed
 * and the line is drawn again. */
static void complete_name(struct editor *ed)
{
	const struct shell_cmd *hit = 0;
	int n = 0;
	for (int i = 0; i < ed->pos; i++)
		if (ed->buf[i] == ' ') return;
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		if (mm_strncmp(c->name, ed->buf, (size_t)ed->pos) == 0) { hit = c; n++; }
	if (n == 1) {
		for (const char *p = hit->name + ed->pos; *p; p++) insert_char(ed, *p);
		if (ed->pos == ed->len || ed->buf[ed->pos] != ' ') insert_char(ed, ' ');
		return;
	}
	if (n == 0) return;
	echo("\n");
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		if (mm_strncmp(c->name, ed->buf, (size_t)ed->pos) == 0) { echo(c->name); echo("  "); }
	redraw(ed);
}

static void other_byte(struct editor *ed, int c)
{
	if (c == '\t' && ed->complete) complete_name(ed);
	else if (c == 0x0c) redraw(ed);
	else if (c < 0x20 || c >= 0x7f) ed->garbage = true;
	else insert_char(ed, (char)c);
}

static void cancel_line(struct editor *ed)
{
	echo("^C\n");
	ed->len = ed->pos = 0;
	ed->too_long = ed->garbage = false;
	kputs(ed->prompt);
}

static bool last_was_cr;

static int read_line(const char *prompt, char *buf, int cap, bool complete)
{
	struct editor ed = { .buf = buf, .cap = cap, .hist_pos = history_len, .prompt = prompt,
			     .complete = complete };
	kputs(prompt);
	for (;;) {
		int c = console_getc();
		bool after_cr = last_was_cr;
		last_was_cr = c == '\r';
		if (c == '\n' && after_cr) continue; /* CR LF is one end of line */
		if (escape_byte(&ed, c)) continue;
		if (c == '\r' || c == '\n') break;
		if (c == 0x08 || c == 0x7f) delete_before_cursor(&ed);
		else if (c == 0x15) erase_line(&ed);
		else if (c == 0x03) cancel_line(&ed);
		else other_byte(&ed, c);
	}
	buf[ed.len] = 0;
	echo_n(buf + ed.pos, ed.len - ed.pos);
	echo("\n");
	if (ed.too_long) {
		kprintf("error: line too long (at most %d characters); ignored\n", cap - 1);
		return -1;
	}
	if (ed.garbage) {
		kprintf("error: line has control or non-ASCII bytes; ignored\n");
		return -1;
	}
	history_add(buf);
	return ed.len;
}

int shell_readline(const char *prompt, char *buf, int cap)
{
	return read_line(prompt, buf, cap, false);
}

void (*shell_prompt_hook)(void);

void shell_run(void)
{
	char line[SHELL_LINE_MAX];
	for (;;) {
		if (shell_prompt_hook) shell_prompt_hook();
		if (read_line("[mm] ", line, sizeof line, true) < 0 || shell_exec(line) != 0)
			console_count_failure();
	}
}

/* "  label:  text", the text wrapped under itself. */
static void help_field(const char *label, const char *text)
{
	kprintf("  %-8s ", label);
	mm_wrap(&console_sink, text, 11, 11, MM_COLUMNS);
}

/* help <command>: what it does, its aliases (if any), how to call it. */
static int help_one(const char *word)
{
	const struct shell_cmd *c = shell_find(word);
	if (!c) {
		kprintf("help: %s: unknown command\n", word);
		return 1;
	}
	kprintf("%s - ", c->name);
	mm_wrap(&console_sink, c->help, (int)mm_strlen(c->name) + 3, 2, MM_COLUMNS);
	if (c->aliases[0]) help_field("aliases:", c->aliases);
	help_field("usage:", c->usage ? c->usage : c->name);
	help_field("example:", c->example ? c->example : c->usage ? c->usage : c->name);
	if (c->prints) help_field("prints:", c->prints);
	return 0;
}

/* One line of the listing: name, aliases, the help wrapped under itself. */
static void help_line(const struct shell_cmd *c)
{
	char head[64];
	int col = mm_snprintf(head, sizeof head, "  %-10s %-14s ", c->name, c->aliases);
	kprintf("%s", head);
	mm_wrap(&console_sink, c->help, col, HELP_INDENT, MM_COLUMNS);
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1) return help_one(argv[1]);
	/* alphabetical: print the smallest name above the one printed last */
	kprintf("commands (aliases in the second column):\n");
	const char *last = "";
	for (;;) {
		const struct shell_cmd *next = 0;
		for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
			if (mm_strcmp(c->name, last) > 0 && (!next || mm_strcmp(c->name, next->name) < 0)) next = c;
		if (!next) return 0;
		help_line(next);
		last = next->name;
	}
}
SHELL_COMMAND_DOC(help, "ajuda ?", "list the commands, or explain one: help <command>",
		  "help [<command>]",
		  "help espaco",
		  "the commands with their aliases; for one command: what it does, its aliases, usage, an example and what it prints",
		  cmd_help);

static int cmd_halt(int argc, char **argv)
{
	kprintf("bye\n");
	kernel_exit(EXIT_PASS);
}
SHELL_COMMAND_DOC(halt, "exit quit sai", "stop mmk and leave QEMU",
		  "halt",
		  "halt",
		  "bye, then QEMU exits",
		  cmd_halt);

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) kprintf("%s%s", argv[i], i + 1 < argc ? " " : "");
	kprintf("\n");
	return 0;
}
SHELL_COMMAND_DOC(echo, "", "print the arguments",
		  "echo [<word>...]",
		  "echo hello world",
		  "the words, separated by one space",
		  cmd_echo);

static int cmd_history(int argc, char **argv)
{
	int oldest = history_len > HISTORY ? history_len - HISTORY : 0;
	for (int i = oldest; i < history_len; i++) kprintf("%4d  %s\n", i + 1, history[i % HISTORY]);
	return 0;
}
SHELL_COMMAND_DOC(history, "", "show the last commands (up/down arrows recall them)",
		  "history",
		  "history",
		  "the last 16 command lines, numbered",
		  cmd_history);
