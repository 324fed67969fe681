/*
 * ufd.c - descriptor tables and open files (see ufd.h): the lowest free
 * descriptor on open and dup, open files counted by the descriptors that
 * name them and freed with the last, and path look-up in the one
 * directory there is, "/", whose entries are the boot modules.
 */
#include "mem.h"
#include "mm_env.h"
#include "mmlib.h"
#include "uerrno.h"
#include "ufd.h"

/* The console's open file: shared by every process, never freed. */
static struct ufile console = { UF_CONSOLE, 1, 2 /* O_RDWR */, 0, { 0, 0, 0 } };

struct ufile *ufile_ref(struct ufile *f)
{
	f->refs++;
	return f;
}

void ufile_put(struct ufile *f)
{
	MM_ASSERT(f->refs > 0, "open file put once too often");
	if (--f->refs == 0 && f != &console) kfree(&kheap, f);
}

void ufd_init_console(struct ufd_table *t)
{
	mm_memset(t, 0, sizeof *t);
	for (int i = 0; i < 3; i++) t->fd[i] = ufile_ref(&console);
}

void ufd_fork(struct ufd_table *dst, const struct ufd_table *src)
{
	*dst = *src;
	for (int i = 0; i < UFD_MAX; i++)
		if (dst->fd[i]) ufile_ref(dst->fd[i]);
}

void ufd_exec(struct ufd_table *t)
{
	for (int i = 0; i < UFD_MAX; i++)
		if (t->cloexec >> i & 1) ufd_close(t, i);
}

void ufd_close_all(struct ufd_table *t)
{
	for (int i = 0; i < UFD_MAX; i++) ufd_close(t, i);
}

static bool fd_ok(int32_t fd) { return fd >= 0 && fd < UFD_MAX; }

struct ufile *ufd_get(const struct ufd_table *t, int32_t fd)
{
	return fd_ok(fd) ? t->fd[fd] : 0;
}

static void set_fd(struct ufd_table *t, int32_t fd, struct ufile *f, bool cloexec)
{
	t->fd[fd] = f;
	t->cloexec = (t->cloexec & ~(1ull << fd)) | (uint64_t)cloexec << fd;
}

int32_t ufd_install(struct ufd_table *t, struct ufile *f, int32_t min, bool cloexec)
{
	if (!fd_ok(min)) {
		ufile_put(f);
		return -EINVAL;
	}
	for (int32_t fd = min; fd < UFD_MAX; fd++)
		if (!t->fd[fd]) {
			set_fd(t, fd, f, cloexec);
			return fd;
		}
	ufile_put(f);
	return -EMFILE;
}

int32_t ufd_dup_to(struct ufd_table *t, int32_t from, int32_t to, bool cloexec)
{
	struct ufile *f = ufd_get(t, from);
	if (!f || !fd_ok(to)) return -EBADF;
	ufile_ref(f); /* first: from and to may be the same */
	if (t->fd[to]) ufile_put(t->fd[to]);
	set_fd(t, to, f, cloexec);
	return to;
}

int32_t ufd_close(struct ufd_table *t, int32_t fd)
{
	struct ufile *f = ufd_get(t, fd);
	if (!f) return -EBADF;
	set_fd(t, fd, 0, false);
	ufile_put(f);
	return 0;
}

int32_t ufd_set_cloexec(struct ufd_table *t, int32_t fd, bool on)
{
	struct ufile *f = ufd_get(t, fd);
	if (!f) return -EBADF;
	set_fd(t, fd, f, on);
	return 0;
}

bool ufd_cloexec(const struct ufd_table *t, int32_t fd)
{
	return fd_ok(fd) && (t->cloexec >> fd & 1);
}

/* ---- paths ---- */

int32_t ufile_lookup(const char *path, struct kfile *out)
{
	if (!*path) return -ENOENT;
	/* "/", "." and ".." lead to the root (the root's parent is itself),
	 * however many and however separated */
	for (;;) {
		if (path[0] == '/') path++;
		else if (path[0] == '.' && (path[1] == '/' || !path[1])) path++;
		else if (path[0] == '.' && path[1] == '.' && (path[2] == '/' || !path[2])) path += 2;
		else break;
	}
	if (!*path) {
		*out = (struct kfile){ 0, 0, 0 };
		return 0;
	}
	const char *slash = path;
	while (*slash && *slash != '/') slash++;
	if (!*slash) return file_find(path, out) ? -ENOENT : 0;
	/* "name/..." or "name/": a directory only if name is one, and no
	 * module is */
	char head[64];
	size_t n = (size_t)(slash - path);
	if (n >= sizeof head) return -ENOENT;
	mm_memcpy(head, path, n);
	head[n] = 0;
	return file_find(head, out) ? -ENOENT : -ENOTDIR;
}

struct ufile *ufile_open(const char *path, uint32_t flags, int32_t *err)
{
	struct kfile k;
	int32_t e = ufile_lookup(path, &k);
	bool write = (flags & O_ACCMODE) != 0;
	if (e == -ENOENT && (flags & O_CREAT)) e = -EROFS; /* nothing can be made here */
	else if (!e && (flags & O_CREAT) && (flags & O_EXCL)) e = -EEXIST;
	else if (!e && !k.name && write) e = -EISDIR;
	else if (!e && write) e = -EROFS;
	else if (!e && k.name && (flags & O_DIRECTORY)) e = -ENOTDIR;
	if (e) {
		*err = e;
		return 0;
	}
	struct ufile *f = kzalloc(&kheap, sizeof *f);
	if (!f) {
		*err = -ENOMEM;
		return 0;
	}
	f->kind = k.name ? UF_MODULE : UF_ROOT;
	f->refs = 1;
	f->flags = flags & ~(O_CREAT | O_EXCL);
	f->file = k;
	*err = 0;
	return f;
}
