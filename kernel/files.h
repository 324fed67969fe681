/*
 * files.h - the kernel's read-only files: the multiboot modules (GRUB
 * `module` lines or QEMU `-initrd a,b`), found by name.
 */
#ifndef KERNEL_FILES_H
#define KERNEL_FILES_H

#include <stddef.h>

struct kfile {
	const char *name;
	const char *data; /* kernel virtual address, read-only by convention */
	size_t size;
};

/* A file's contents for a reader: gzip-compressed modules are inflated into
 * a buffer of their own (kvmalloc), others are the module's bytes. */
struct kfile_data {
	const char *data;
	size_t size;
	void *owned; /* the inflated buffer, freed by file_data_release */
};

int files_count(void);
int file_at(int i, struct kfile *out);                 /* 0 or -1 */
int file_find(const char *name, struct kfile *out);    /* 0 or -1 */

/* Open name for reading (inflating a gzip module). 0, or -1 after printing
 * why on the console (prefixed with who). */
int file_data_get(const char *who, const char *name, struct kfile_data *out);
void file_data_release(struct kfile_data *d);

#endif
