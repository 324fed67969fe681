/*
 * ufd.h - a process's file descriptors and the open files they name.
 *
 * As in Unix, a descriptor is an index into the process's table, and names
 * an open file (struct ufile) that dup and fork share: the read offset and
 * the status flags belong to the open file, the close-on-exec flag to the
 * descriptor. There are three kinds of open file: the console (a terminal,
 * kernel/user/ucons.c), a boot module opened by name (read-only, its bytes
 * as stored: a gzip module reads compressed, as a .gz file does), and the
 * root directory "/", which lists the modules. A new process from the shell
 * has 0, 1 and 2 on the console; fork copies the table; execve closes the
 * descriptors marked close-on-exec; exit closes them all.
 */
#ifndef KERNEL_UFD_H
#define KERNEL_UFD_H

#include <stdbool.h>
#include <stdint.h>
#include "files.h"

#define UFD_MAX 64 /* descriptors a process may hold (RLIMIT_NOFILE) */

/* Linux's open flags (asm-generic/fcntl.h), as open, fcntl and F_GETFL
 * speak them. */
#define O_ACCMODE 3u
#define O_WRONLY 1u
#define O_CREAT 0100u
#define O_EXCL 0200u
#define O_TRUNC 01000u
#define O_DIRECTORY 0200000u
#define O_CLOEXEC 02000000u

enum ufile_kind { UF_CONSOLE, UF_MODULE, UF_ROOT };

struct ufile {
	enum ufile_kind kind;
	uint32_t refs;   /* descriptors naming it, in every process */
	uint32_t flags;  /* open's flags, as F_GETFL answers */
	uint64_t pos;    /* module: the read offset; root: the next module's index */
	struct kfile file; /* module: its name, bytes and size */
};

struct ufd_table {
	struct ufile *fd[UFD_MAX];
	uint64_t cloexec; /* bit n: descriptor n closes on execve */
};

/* 0, 1 and 2 on the console. */
void ufd_init_console(struct ufd_table *t);
/* dst (empty) gets src's descriptors, naming the same open files. */
void ufd_fork(struct ufd_table *dst, const struct ufd_table *src);
/* Close the descriptors marked close-on-exec. */
void ufd_exec(struct ufd_table *t);
/* Close every descriptor. */
void ufd_close_all(struct ufd_table *t);

/* The open file of descriptor fd, or NULL if fd names none. */
struct ufile *ufd_get(const struct ufd_table *t, int32_t fd);
/* Put f (a reference the caller holds, which the table takes over) at the
 * lowest free descriptor >= min: the descriptor, or -EMFILE (then the
 * reference is dropped) or -EINVAL (min out of range). */
int32_t ufd_install(struct ufd_table *t, struct ufile *f, int32_t min, bool cloexec);
/* Descriptor to = a copy of from (closing what to named): to, or -EBADF. */
int32_t ufd_dup_to(struct ufd_table *t, int32_t from, int32_t to, bool cloexec);
int32_t ufd_close(struct ufd_table *t, int32_t fd);
int32_t ufd_set_cloexec(struct ufd_table *t, int32_t fd, bool on);
bool ufd_cloexec(const struct ufd_table *t, int32_t fd);

/* Open path for reading with open's flags: a new reference, or NULL with
 * -errno in *err (ENOENT: no such module; EROFS: a write was asked for;
 * ENOTDIR, EISDIR, ENAMETOOLONG). */
struct ufile *ufile_open(const char *path, uint32_t flags, int32_t *err);
/* The module or directory path names: 0 and *out (out->name NULL for the
 * root directory), or -ENOENT / -ENOTDIR. */
int32_t ufile_lookup(const char *path, struct kfile *out);
struct ufile *ufile_ref(struct ufile *f);
void ufile_put(struct ufile *f);

#endif
