/*
 * files.c - multiboot modules as named read-only files, with the shell's
 * `ls` and `cat` (`cat -z` inflates a gzip module; plain `cat` only names
 * it). A module outside the direct map cannot be read and is reported as
 * such rather than touched.
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
SHELL_COMMAND_DOC(ls, "dir", "list the files (boot modules) with their sizes",
		  "ls",
		  "ls",
		  "each file with its size in bytes",
		  cmd_ls);

static void cat_bytes(const char *data, size_t size)
{
	kwrite(data, size);
	if (size && data[size - 1] != '\n') kprintf("\n");
}

/* One file for cat: a gzip module is inflated with -z (file_data_get, as
 * replay reads it) and otherwise only named, not dumped. */
static int cat_one(const char *name, bool inflate)
{
	struct kfile f;
	struct kfile_data d;
	uint32_t isize;
	if (inflate) {
		if (file_data_get("cat", name, &d)) return 1;
		cat_bytes(d.data, d.size);
		file_data_release(&d);
		return 0;
	}
	if (file_find(name, &f) != 0) {
		kprintf("cat: %s: no such file (try ls)\n", name);
		return 1;
	}
	if (gz_is_gzip(f.data, f.size)) {
		if (gz_peek_size(f.data, f.size, &isize)) isize = 0;
		kprintf("cat: %s: gzip-compressed (%u bytes inflated); use cat -z %s\n", name, (unsigned)isize, name);
		return 1;
	}
	cat_bytes(f.data, f.size);
	return 0;
}

static int cmd_cat(int argc, char **argv)
{
	bool inflate = argc > 1 && mm_strcmp(argv[1], "-z") == 0;
	int first = inflate ? 2 : 1;
	if (argc <= first) {
		kprintf("usage: cat [-z] <file>...   (-z: inflate gzip-compressed files)\n");
		return 1;
	}
	int rc = 0;
	for (int i = first; i < argc; i++) rc |= cat_one(argv[i], inflate);
	return rc;
}
SHELL_COMMAND_DOC(cat, "mostra", "print a file; cat -z inflates a gzip-compressed one",
		  "cat [-z] <file>...   (-z: inflate gzip-compressed files)",
		  "cat -z notes.gz",
		  "the bytes of the files",
		  cmd_cat);
