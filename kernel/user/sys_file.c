/*
 * sys_file.c - system calls that take a path, and the stat family. The
 * file system is one read-only directory, "/" (also "." and the working
 * directory, which never changes), whose entries are the boot modules
 * (ufd.h): open and openat open one for reading (a write, O_CREAT or
 * O_TRUNC of it is -EROFS), getdents64 lists them, access answers, and
 * stat64, lstat64, fstat64, fstatat64 and statx describe a module (a
 * regular file, mode 0555 for an ELF program and 0444 for other files),
 * the directory or the console (a character device, a terminal).
 */
#include "kernel.h"
#include "mmlib.h"
#include "syscall.h"
#include "uaccess.h"
#include "uproc.h"

#define PATH_LEN 256
#define AT_FDCWD (-100)
#define AT_EMPTY_PATH 0x1000u
#define W_OK 2u
#define S_IFCHR 0020000u
#define S_IFDIR 0040000u
#define S_IFREG 0100000u
#define DT_DIR 4
#define DT_REG 8
#define INO_ROOT 2u
#define INO_CONSOLE 3u
#define INO_MODULE0 16u

static struct ufd_table *fds(void) { return &uproc_current()->fds; }

/* What stat tells of a file. */
struct ustat {
	uint32_t mode, nlink, blksize, rdev_major, rdev_minor;
	uint64_t ino, size;
};

/* The index of module k among the boot modules (its inode is made of it). */
static uint32_t module_index(const struct kfile *k)
{
	struct kfile m;
	for (int i = 0; file_at(i, &m) == 0; i++)
		if (m.data == k->data && m.size == k->size) return (uint32_t)i;
	return 0;
}

static bool is_elf(const struct kfile *k)
{
	return k->size >= 4 && mm_memcmp(k->data, "\177ELF", 4) == 0;
}

/* k a module, or the root directory when k->name is NULL. */
static struct ustat stat_of_entry(const struct kfile *k)
{
	if (!k->name) return (struct ustat){ S_IFDIR | 0555, 2, 4096, 0, 0, INO_ROOT, 4096 };
	uint32_t perm = is_elf(k) ? 0555 : 0444;
	return (struct ustat){ S_IFREG | perm, 1, 4096, 0, 0, INO_MODULE0 + module_index(k), k->size };
}

static struct ustat stat_of_file(const struct ufile *f)
{
	if (f->kind == UF_CONSOLE) /* a pseudo-terminal, as Linux numbers them */
		return (struct ustat){ S_IFCHR | 0620, 1, 1024, 136, 0, INO_CONSOLE, 0 };
	struct kfile root = { 0, 0, 0 };
	return stat_of_entry(f->kind == UF_ROOT ? &root : &f->file);
}

/* i386 struct stat64 (96 bytes). */
static int32_t put_stat64(uint32_t to, const struct ustat *s)
{
	uint8_t st[96] = { 0 };
	uint32_t ino32 = (uint32_t)s->ino;
	uint64_t rdev = s->rdev_major << 8 | s->rdev_minor, blocks = (s->size + 511) / 512;
	mm_memcpy(st + 12, &ino32, 4);
	mm_memcpy(st + 16, &s->mode, 4);
	mm_memcpy(st + 20, &s->nlink, 4);
	mm_memcpy(st + 32, &rdev, 8);
	mm_memcpy(st + 44, &s->size, 8);
	mm_memcpy(st + 52, &s->blksize, 4);
	mm_memcpy(st + 56, &blocks, 8);
	mm_memcpy(st + 88, &s->ino, 8);
	return copy_to_user(to, st, sizeof st);
}

/* struct statx (256 bytes). */
static int32_t put_statx(uint32_t to, const struct ustat *s)
{
	uint8_t sx[256] = { 0 };
	uint32_t mask = 0x7ff; /* STATX_BASIC_STATS */
	uint16_t mode = (uint16_t)s->mode;
	uint64_t blocks = (s->size + 511) / 512;
	mm_memcpy(sx, &mask, 4);
	mm_memcpy(sx + 4, &s->blksize, 4);
	mm_memcpy(sx + 16, &s->nlink, 4);
	mm_memcpy(sx + 28, &mode, 2);
	mm_memcpy(sx + 32, &s->ino, 8);
	mm_memcpy(sx + 40, &s->size, 8);
	mm_memcpy(sx + 48, &blocks, 8);
	mm_memcpy(sx + 128, &s->rdev_major, 4);
	mm_memcpy(sx + 132, &s->rdev_minor, 4);
	return copy_to_user(to, sx, sizeof sx);
}

/* A path from user memory into buf: 0 or -errno. */
static int32_t get_path(char *buf, uint32_t upath)
{
	int n = strncpy_from_user(buf, upath, PATH_LEN);
	return n < 0 ? n : 0;
}

/* Whether dirfd may start a relative path: the working directory, or a
 * descriptor of the directory (which is the same one). */
static int32_t dir_ok(int32_t dirfd, const char *path)
{
	if (path[0] == '/' || dirfd == AT_FDCWD) return 0;
	struct ufile *f = ufd_get(fds(), dirfd);
	return !f ? -EBADF : f->kind != UF_ROOT ? -ENOTDIR : 0;
}

/* stat of path from dirfd, or (empty path and AT_EMPTY_PATH) of dirfd. */
static int32_t stat_at(int32_t dirfd, uint32_t upath, uint32_t flags, struct ustat *out)
{
	char path[PATH_LEN];
	int32_t err = get_path(path, upath);
	if (err) return err;
	if (!path[0] && (flags & AT_EMPTY_PATH)) {
		struct ufile *f = ufd_get(fds(), dirfd);
		if (!f) return -EBADF;
		*out = stat_of_file(f);
		return 0;
	}
	struct kfile k;
	if ((err = dir_ok(dirfd, path)) || (err = ufile_lookup(path, &k))) return err;
	*out = stat_of_entry(&k);
	return 0;
}

static int32_t sys_fstat64(struct sys_args *a)
{
	struct ufile *f = ufd_get(fds(), (int32_t)a->a[0]);
	if (!f) return -EBADF;
	struct ustat s = stat_of_file(f);
	return put_stat64(a->a[1], &s);
}
SYSCALL(197, fstat64, sys_fstat64);

static int32_t sys_stat64(struct sys_args *a)
{
	struct ustat s;
	int32_t err = stat_at(AT_FDCWD, a->a[0], 0, &s);
	return err ? err : put_stat64(a->a[1], &s);
}
SYSCALL(195, stat64, sys_stat64);
SYSCALL(196, lstat64, sys_stat64); /* there are no links */

static int32_t sys_fstatat64(struct sys_args *a)
{
	struct ustat s;
	int32_t err = stat_at((int32_t)a->a[0], a->a[1], a->a[3], &s);
	return err ? err : put_stat64(a->a[2], &s);
}
SYSCALL(300, fstatat64, sys_fstatat64);

static int32_t sys_statx(struct sys_args *a)
{
	struct ustat s;
	int32_t err = stat_at((int32_t)a->a[0], a->a[1], a->a[2], &s);
	return err ? err : put_statx(a->a[4], &s);
}
SYSCALL(383, statx, sys_statx);

/* open of path from dirfd with flags: a descriptor or -errno. */
static int32_t open_at(int32_t dirfd, uint32_t upath, uint32_t flags)
{
	char path[PATH_LEN];
	int32_t err = get_path(path, upath);
	if (err || (err = dir_ok(dirfd, path))) return err;
	if (flags & O_TRUNC) flags |= O_WRONLY; /* a truncation writes */
	struct ufile *f = ufile_open(path, flags & ~O_CLOEXEC, &err);
	return f ? ufd_install(fds(), f, 0, flags & O_CLOEXEC) : err;
}

static int32_t sys_open(struct sys_args *a) { return open_at(AT_FDCWD, a->a[0], a->a[1]); }
SYSCALL(5, open, sys_open);

static int32_t sys_openat(struct sys_args *a) { return open_at((int32_t)a->a[0], a->a[1], a->a[2]); }
SYSCALL(295, openat, sys_openat);

static int32_t sys_creat(struct sys_args *a) { return open_at(AT_FDCWD, a->a[0], 01101u /* O_CREAT|O_WRONLY|O_TRUNC */); }
SYSCALL(8, creat, sys_creat);

static int32_t access_at(int32_t dirfd, uint32_t upath, uint32_t mode)
{
	char path[PATH_LEN];
	struct kfile k;
	int32_t err = get_path(path, upath);
	if (err || (err = dir_ok(dirfd, path)) || (err = ufile_lookup(path, &k))) return err;
	if (mode & ~7u) return -EINVAL;
	if (mode & W_OK) return -EROFS;
	if ((mode & 1u) && k.name && !is_elf(&k)) return -EACCES; /* X_OK */
	return 0;
}

static int32_t sys_access(struct sys_args *a) { return access_at(AT_FDCWD, a->a[0], a->a[1]); }
SYSCALL(33, access, sys_access);

static int32_t sys_faccessat(struct sys_args *a) { return access_at((int32_t)a->a[0], a->a[1], a->a[2]); }
SYSCALL(307, faccessat, sys_faccessat);

/* There are no symbolic links: an existing path is not one (-EINVAL). */
static int32_t sys_readlink(struct sys_args *a)
{
	char path[PATH_LEN];
	struct kfile k;
	int32_t err = get_path(path, a->a[0]);
	if (err || (err = ufile_lookup(path, &k))) return err;
	return -EINVAL;
}
SYSCALL(85, readlink, sys_readlink);

static int32_t sys_getcwd(struct sys_args *a)
{
	if (a->a[1] < 2) return -ERANGE;
	return copy_to_user(a->a[0], "/", 2) ? -EFAULT : 2;
}
SYSCALL(183, getcwd, sys_getcwd);

static int32_t sys_chdir(struct sys_args *a)
{
	struct ustat s;
	int32_t err = stat_at(AT_FDCWD, a->a[0], 0, &s);
	return err ? err : (s.mode & S_IFDIR) ? 0 : -ENOTDIR;
}
SYSCALL(12, chdir, sys_chdir);

/* One struct linux_dirent64 for entry name into buf at *used (of cap
 * bytes): false if it does not fit. */
static bool put_dirent(uint8_t *buf, uint32_t cap, uint32_t *used, uint64_t ino, int64_t next,
		       uint8_t type, const char *name)
{
	uint32_t len = (uint32_t)mm_strlen(name), rec = (19 + len + 1 + 7) & ~7u;
	if (*used + rec > cap) return false;
	uint8_t *d = buf + *used;
	uint16_t rec16 = (uint16_t)rec;
	mm_memset(d, 0, rec);
	mm_memcpy(d, &ino, 8);
	mm_memcpy(d + 8, &next, 8);
	mm_memcpy(d + 16, &rec16, 2);
	d[18] = type;
	mm_memcpy(d + 19, name, len);
	*used += rec;
	return true;
}

/* getdents64(fd, dirp, count): ".", ".." and a module per entry, from the
 * directory's offset (an entry index). */
static int32_t sys_getdents64(struct sys_args *a)
{
	struct ufile *f = ufd_get(fds(), (int32_t)a->a[0]);
	if (!f) return -EBADF;
	if (f->kind != UF_ROOT) return -ENOTDIR;
	uint8_t buf[1024];
	uint32_t cap = a->a[2] < sizeof buf ? a->a[2] : sizeof buf, used = 0;
	if (uaccess_ok(a->a[1], cap, true)) return -EFAULT; /* before the offset moves */
	for (;; f->pos++) {
		struct kfile k;
		uint64_t i = f->pos;
		bool ok;
		if (i < 2) ok = put_dirent(buf, cap, &used, INO_ROOT, (int64_t)i + 1, DT_DIR, i ? ".." : ".");
		else if (i - 2 < (uint64_t)files_count() && file_at((int)(i - 2), &k) == 0)
			ok = put_dirent(buf, cap, &used, INO_MODULE0 + i - 2, (int64_t)i + 1, DT_REG, k.name);
		else break; /* the end */
		if (!ok) break;
	}
	if (!used && f->pos < 2u + (uint64_t)files_count()) return -EINVAL; /* the next entry does not fit */
	return copy_to_user(a->a[1], buf, used) ? -EFAULT : (int32_t)used;
}
SYSCALL(220, getdents64, sys_getdents64);
