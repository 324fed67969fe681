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

int files_count(void);
int file_at(int i, struct kfile *out);                 /* 0 or -1 */
int file_find(const char *name, struct kfile *out);    /* 0 or -1 */

#endif
