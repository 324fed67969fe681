/*
 * files.c - multiboot modules as named read-only files, with the shell's
 * `ls` and `cat`. A module outside the direct map cannot be read and is
 * reported as such rather than touched.
 */
#include "files.h"
#include "inflate.h"
#include "mem.h"
#include "kernel.h"
#include "layout.h"
#include "mmlib.h"
#include "multiboot.h"
#include "shell.h"
#include "kwin.h"

int files_count(void) { return boot_info.nmodules; }

int file_at(int i, struct kfile *out)
{
	if (i < 0 || i >= boot_info.nmodules) return -1;
	const struct boot_module *m = &boot_info.modules[i];
	if (m->end > DIRECT_MAP_MAX || m->end < m->start) return -1;
	out->name = m->name;
	out->data = phys_to_kvirt(paddr_make(m->start));
	out->size = m->end - m->start;
	return 0;
}

int file_find(const char *name, struct kfile *out)
{
	for (int i = 0; i < boot_info.nmodules; i++)
		if (mm_strcmp(boot_info.modules[i].name, name) == 0) return file_at(i, out);
	return -1;
}

int file_data_get(const char *who, const char *name, struct kfile_data *out)
{
	struct kfile f;
	*out = (struct kfile_data){ 0, 0, 0 };
	if (file_find(name, &f)) {
		kprintf("%s: %s: no such file (try ls)\n", who, name);
		return -1;
	}
	if (!gz_is_gzip(f.data, f.size)) {
		out->data = f.data;
		out->size = f.size;
		return 0;
	}
	uint32_t isize;
	struct gz_error err;
	size_t len;
	if (gz_peek_size(f.data, f.size, &isize)) isize = 0;
	/* the trailer gives the last member's size; several members need more room */
	for (size_t cap = (size_t)isize + 1;; cap *= 2) {
		void *buf = kvmalloc(cap);
		if (!buf) {
			kprintf("%s: %s: no memory to inflate %u bytes\n", who, name, (unsigned)cap);
			return -1;
		}
		if (gz_inflate(f.data, f.size, buf, cap, &len, &err) == 0) {
			*out = (struct kfile_data){ buf, len, buf };
			return 0;
		}
		kvfree(buf);
		if (mm_strncmp(err.msg, "output larger", 13) != 0 || cap > (128u << 20)) {
			kprintf("%s: %s: not a valid gzip file: %s\n", who, name, err.msg);
			return -1;
		}
	}
}

void file_data_release(struct kfile_data *d)
{
	kvfree(d->owned);
	*d = (struct kfile_data){ 0, 0, 0 };
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
		uint32_t isize;
		if (file_at(i, &f) != 0) {
			kprintf("       ?  %s (outside the direct map, unreadable)\n", boot_info.modules[i].name);
			continue;
		}
		kprintf("%8u  %s", (unsigned)f.size, f.name);
		if (gz_is_gzip(f.data, f.size) && gz_peek_size(f.data, f.size, &isize) == 0)
			kprintf("  (gzip, %u bytes inflated)", isize);
		kprintf("\n");
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
