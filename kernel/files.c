/*
 * files.c - multiboot modules as named read-only files, with the shell's
 * `ls` and `cat`. A module outside the direct map cannot be read and is
 * reported as such rather than touched.
 */
#include "files.h"
#include "kernel.h"
#include "layout.h"
#include "mmlib.h"
#include "multiboot.h"
#include "shell.h"

int files_count(void) { return boot_info.nmodules; }

int file_at(int i, struct kfile *out)
{
	if (i < 0 || i >= boot_info.nmodules) return -1;
	const struct boot_module *m = &boot_info.modules[i];
	if (m->end > DIRECT_MAP_MAX || m->end < m->start) return -1;
	out->name = m->name;
	out->data = phys_to_kvirt(m->start);
	out->size = m->end - m->start;
	return 0;
}

int file_find(const char *name, struct kfile *out)
{
	for (int i = 0; i < boot_info.nmodules; i++)
		if (mm_strcmp(boot_info.modules[i].name, name) == 0) return file_at(i, out);
	return -1;
}

static int cmd_ls(int argc, char **argv)
{
	if (argc > 1) {
		kprintf("ls: takes no arguments\n");
		return 1;
	}
	if (!files_count()) kprintf("no files (pass modules with --module or GRUB module lines)\n");
	for (int i = 0; i < files_count(); i++) {
		struct kfile f;
		if (file_at(i, &f) == 0) kprintf("%8u  %s\n", (unsigned)f.size, f.name);
		else kprintf("       ?  %s (outside the direct map, unreadable)\n", boot_info.modules[i].name);
	}
	return 0;
}
SHELL_COMMAND(ls, "dir", "list the files (boot modules) with their sizes", cmd_ls);

static int cmd_cat(int argc, char **argv)
{
	if (argc < 2) {
		kprintf("usage: cat <file>...\n");
		return 1;
	}
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct kfile f;
		if (file_find(argv[i], &f) != 0) {
			kprintf("cat: %s: no such file (try ls)\n", argv[i]);
			rc = 1;
			continue;
		}
		kwrite(f.data, f.size);
		if (f.size && f.data[f.size - 1] != '\n') kprintf("\n");
	}
	return rc;
}
SHELL_COMMAND(cat, "mostra", "print a file", cmd_cat);
