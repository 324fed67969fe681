/*
 * shell.h - the command registry of the [mm] shell. A file adds a command with
 * SHELL_COMMAND(name, aliases, help, handler), or with SHELL_COMMAND_DOC,
 * which adds what `help <name>` explains: a usage line, an example line and
 * what the command prints. The linker gathers them into the .shell_cmds
 * section. Aliases are space-separated ("" for none). A handler gets
 * argc/argv (words of the line) and returns 0 on success.
 */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H

struct shell_cmd {
	const char *name;
	const char *aliases;
	const char *help;    /* one sentence, for the listing */
	int (*fn)(int argc, char **argv);
	const char *usage;   /* "name <arg> [opt]"; 0: just the name */
	const char *example; /* a line to type; 0: the usage */
	const char *prints;  /* what it prints; 0: not explained */
};

#define SHELL_COMMAND_DOC(nm, al, hlp, use, ex, out, fnc)                      \
	static const struct shell_cmd shell_cmd_##nm                           \
		__attribute__((used, section(".shell_cmds"), aligned(4))) = {  \
			#nm, al, hlp, fnc, use, ex, out }
#define SHELL_COMMAND(nm, al, hlp, fnc) SHELL_COMMAND_DOC(nm, al, hlp, 0, 0, 0, fnc)

/* Called before each prompt (the process layer reports ended background
 * processes there). */
extern void (*shell_prompt_hook)(void);

#define SHELL_LINE_MAX 256
#define SHELL_MAX_ARGS 16

const struct shell_cmd *shell_find(const char *word);
int shell_exec(char *line);   /* run one command line */
void shell_run(void);         /* the interactive loop; halt leaves QEMU */
/* Read one line with editing; returns its length, or -1 if it was rejected
 * (too long, garbage) after telling the user why. Tab completes command
 * names only at the [mm] prompt (shell_run); here it is a control byte. */
int shell_readline(const char *prompt, char *buf, int cap);

#endif
