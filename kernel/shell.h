/*
 * shell.h - the command registry of the [mm] shell. A file adds a command with
 * SHELL_COMMAND(name, aliases, help, handler); the linker gathers them into
 * the .shell_cmds section. Aliases are space-separated. A handler gets
 * argc/argv (words of the line) and returns 0 on success.
 */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H

struct shell_cmd {
	const char *name;
	const char *aliases;
	const char *help;
	int (*fn)(int argc, char **argv);
};

#define SHELL_COMMAND(nm, al, hlp, fnc)                                        \
	static const struct shell_cmd shell_cmd_##nm                           \
		__attribute__((used, section(".shell_cmds"), aligned(4))) = {  \
			#nm, al, hlp, fnc }

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
