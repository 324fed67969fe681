/*
 * ucmds.c - the shell's commands for user processes: exec (foreground, or
 * in the background with a final &), ps, kill, and upool (the pool's
 * state and its consistency check). A foreground process gets what is
 * typed (Ctrl-C kills it); the prompt comes back when it ends, with
 * "process <pid> exited: status <n>" or "process <pid> killed: <reason>".
 */
#include "io.h"
#include "kernel.h"
#include "kmain.h"
#include "mem.h"
#include "mmlib.h"
#include "shell.h"
#include "upool.h"
#include "uproc.h"

static int cmd_exec(int argc, char **argv)
{
	bool background = argc > 1 && mm_strcmp(argv[argc - 1], "&") == 0;
	if (background) argv[--argc] = 0;
	if (argc < 2) {
		kprintf("usage: exec <program> [arguments...] [&]   (programs: ls)\n");
		return 1;
	}
	char *args[SHELL_MAX_ARGS + 1];
	for (int i = 1; i < argc; i++) args[i - 1] = argv[i];
	args[argc - 1] = 0; /* the vector a program gets ends with NULL */
	struct uproc *p = uproc_exec(argv[1], argc - 1, args, !background);
	if (!p) return 1;
	if (background) {
		kprintf("process %d started in the background\n", p->pid);
		return 0;
	}
	char end[128];
	int pid = p->pid;
	int status = uproc_run_foreground(p, end, sizeof end);
	kprintf("process %d %s\n", pid, end);
	return status == 0 ? 0 : 1;
}
SHELL_COMMAND_DOC(exec, "", "run a user program (an ELF boot module) in ring 3",
		  "exec <program> [arguments...] [&]",
		  "exec hello a b",
		  "what the program prints, then 'process <pid> exited: status <n>' or 'process <pid> killed: <reason>'; with &, the prompt at once and the end line later",
		  cmd_exec);

static void ps_line(struct uproc *p, void *arg)
{
	uint32_t present = 0, swapped = 0;
	if (p->space) {
		uint32_t f = irq_save();
		vm_space_count(p->space, &present, &swapped);
		irq_restore(f);
	}
	kprintf("%5d %5d  %-7s %8u %8u  %s\n", p->pid, p->parent ? p->parent->pid : 0,
		p->state == UP_ZOMBIE ? "zombie" : p->kill_sig ? "killing" : "running", present, swapped, p->name);
}

static int cmd_ps(int argc, char **argv)
{
	uproc_reap_shell();
	kprintf("  pid  ppid  state   resident  swapped  program\n");
	uproc_each(ps_line, 0);
	return 0;
}
SHELL_COMMAND_DOC(ps, "", "list the user processes with their resident and swapped pages",
		  "ps",
		  "ps",
		  "one line per process: pid, parent (0: the shell), state, pages in RAM and in swap, program",
		  cmd_ps);

static int cmd_kill(int argc, char **argv)
{
	uint64_t pid;
	if (argc != 2 || mm_parse_u64z(argv[1], 10, &pid) || pid == 0 || pid > 0x7fffffff) {
		kprintf("usage: kill <pid>   (see ps)\n");
		return 1;
	}
	if (uproc_kill((int)pid, SIGKILL, "killed from the shell")) {
		kprintf("kill: no running process %u\n", (unsigned)pid);
		return 1;
	}
	thread_sleep_ticks(2); /* let it go, so that ps after this no longer shows it running */
	uproc_reap_shell();
	return 0;
}
SHELL_COMMAND_DOC(kill, "", "kill a user process (SIGKILL)",
		  "kill <pid>",
		  "kill 3",
		  "nothing, or 'process <pid> killed: signal 9' when the shell started it",
		  cmd_kill);

static void ucmds_boot(void) { shell_prompt_hook = uproc_reap_shell; }
BOOT_HOOK(ucmds, ucmds_boot, 40);

static int cmd_upool(int argc, char **argv)
{
	struct anon_pool *u = upool_peek();
	if (!u) {
		kprintf("no user pool yet (it is made by the first exec)\n");
		return 0;
	}
	anon_print(u, &console_sink);
	int bad = anon_check(u, &console_sink);
	kprintf("address-space frames in use: %u (the pools' frames, page tables, other pages)\n", kvm_frames_in_use);
	kprintf("user pool check: %s\n", bad ? "FAILED" : "consistent");
	return bad ? 1 : 0;
}
SHELL_COMMAND_DOC(upool, "", "the frame pool of user processes: frames, policy, counts, check",
		  "upool",
		  "upool",
		  "the pool's size and policy, its fault, eviction and copy-on-write counts, and its consistency check",
		  cmd_upool);
