/*
 * sys_io.c - system calls on file descriptors (ufd.h): read, write and
 * their vector and positioned forms, lseek, close, dup and fcntl, ioctl.
 * The console (0, 1 and 2 to begin with) is a terminal: read takes what
 * the shell feeds the foreground process (ucons.c), write prints, ioctl
 * answers the terminal questions isatty and line editors ask (TCGETS,
 * TIOCGWINSZ). A boot module opened by name reads from its offset and
 * seeks; nothing can be written to it. The stat family and the calls that
 * take a path are in sys_file.c.
 */
#include "kernel.h"
#include "mmlib.h"
#include "syscall.h"
#include "uaccess.h"
#include "uproc.h"

#define CHUNK 512
#define TCGETS 0x5401u
#define TCSETS 0x5402u
#define TCSETSW 0x5403u
#define TCSETSF 0x5404u
#define TIOCGPGRP 0x540Fu
#define TIOCGWINSZ 0x5413u
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1u

static struct ufd_table *fds(void) { return &uproc_current()->fds; }

/* The open file of fd, if it may be read (NULL: -EBADF). */
static struct ufile *readable(uint32_t fd)
{
	struct ufile *f = ufd_get(fds(), (int32_t)fd);
	return f && (f->flags & O_ACCMODE) != O_WRONLY ? f : 0;
}

static int32_t console_read(uint32_t buf, uint32_t n)
{
	if (uaccess_ok(buf, n, true)) return -EFAULT;
	if (!n) return 0;
	char tmp[CHUNK];
	size_t got = uproc_stdin_read(tmp, n < CHUNK ? n : CHUNK);
	if (!got && uproc_interrupted(uproc_current())) return -EINTR;
	return copy_to_user(buf, tmp, (uint32_t)got) ? -EFAULT : (int32_t)got;
}

/* Up to n bytes of module f from offset pos: the count (0 at or past its
 * end), or -EFAULT with nothing copied. */
static int32_t module_read_at(const struct ufile *f, uint64_t pos, uint32_t buf, uint32_t n)
{
	if (n > 0x7fffffffu) n = 0x7fffffffu;
	uint64_t left = pos < f->file.size ? f->file.size - pos : 0;
	uint32_t k = left < n ? (uint32_t)left : n; /* only these bytes must be writable */
	if (uaccess_ok(buf, k, true)) return -EFAULT;
	return copy_to_user(buf, f->file.data + pos, k) ? -EFAULT : (int32_t)k;
}

/* read(2) on open file f. */
static int32_t file_read(struct ufile *f, uint32_t buf, uint32_t n)
{
	switch (f->kind) {
	case UF_CONSOLE: return console_read(buf, n);
	case UF_MODULE: {
		int32_t got = module_read_at(f, f->pos, buf, n);
		if (got > 0) f->pos += (uint32_t)got;
		return got;
	}
	default: return -EISDIR;
	}
}

static int32_t sys_read(struct sys_args *a)
{
	struct ufile *f = readable(a->a[0]);
	return f ? file_read(f, a->a[1], a->a[2]) : -EBADF;
}
SYSCALL(3, read, sys_read);

static int32_t sys_pread64(struct sys_args *a)
{
	struct ufile *f = readable(a->a[0]);
	uint64_t pos = (uint64_t)a->a[4] << 32 | a->a[3];
	if (!f) return -EBADF;
	if (f->kind == UF_CONSOLE) return -ESPIPE;
	if (f->kind == UF_ROOT) return -EISDIR;
	if ((int64_t)pos < 0) return -EINVAL;
	return module_read_at(f, pos, a->a[1], a->a[2]);
}
SYSCALL(180, pread64, sys_pread64);

/* Print n bytes of user memory: the count, or -EFAULT before anything is
 * printed when the range is bad. */
static int32_t put_user_bytes(uint32_t buf, uint32_t n)
{
	if (uaccess_ok(buf, n, false)) return -EFAULT;
	char tmp[CHUNK];
	for (uint32_t done = 0; done < n;) {
		uint32_t k = n - done < CHUNK ? n - done : CHUNK;
		if (copy_from_user(tmp, buf + done, k)) return done ? (int32_t)done : -EFAULT;
		kwrite(tmp, k);
		done += k;
	}
	return (int32_t)n;
}

/* 0 if fd may be written (the console, the one writable kind), else -EBADF. */
static int32_t writable(uint32_t fd)
{
	struct ufile *f = ufd_get(fds(), (int32_t)fd);
	return f && f->kind == UF_CONSOLE && (f->flags & O_ACCMODE) ? 0 : -EBADF;
}

static int32_t sys_write(struct sys_args *a)
{
	if (writable(a->a[0])) return -EBADF;
	if ((int32_t)a->a[2] < 0) return -EINVAL;
	return put_user_bytes(a->a[1], a->a[2]);
}
SYSCALL(4, write, sys_write);

struct iovec32 { uint32_t base, len; };

static int32_t sys_writev(struct sys_args *a)
{
	uint32_t fd = a->a[0], iov = a->a[1], cnt = a->a[2];
	if (writable(fd)) return -EBADF;
	if (cnt > 1024) return -EINVAL;
	struct iovec32 v[16];
	int32_t total = 0;
	for (uint32_t i = 0; i < cnt; i += 16) {
		uint32_t k = cnt - i < 16 ? cnt - i : 16;
		if (copy_from_user(v, iov + i * sizeof v[0], k * sizeof v[0])) return total ? total : -EFAULT;
		for (uint32_t j = 0; j < k; j++) {
			if ((int32_t)v[j].len < 0 || (uint32_t)total + v[j].len > 0x7fffffffu) return -EINVAL;
			int32_t r = put_user_bytes(v[j].base, v[j].len);
			if (r < 0) return total ? total : r;
			total += r;
		}
	}
	return total;
}
SYSCALL(146, writev, sys_writev);

/* readv: the console gives its line to the first non-empty buffer; a
 * module fills the buffers in turn. */
static int32_t sys_readv(struct sys_args *a)
{
	uint32_t iov = a->a[1], cnt = a->a[2];
	struct ufile *f = readable(a->a[0]);
	struct iovec32 v;
	int32_t total = 0;
	if (!f) return -EBADF;
	if (cnt > 1024) return -EINVAL;
	for (uint32_t i = 0; i < cnt; i++) {
		if (copy_from_user(&v, iov + i * sizeof v, sizeof v)) return total ? total : -EFAULT;
		if (!v.len) continue;
		if ((int32_t)v.len < 0 || (uint32_t)total + v.len > 0x7fffffffu) return total ? total : -EINVAL;
		int32_t r = file_read(f, v.base, v.len);
		if (r < 0) return total ? total : r;
		total += r;
		if (f->kind != UF_MODULE || r < (int32_t)v.len) break;
	}
	return total;
}
SYSCALL(145, readv, sys_readv);

static int32_t sys_close(struct sys_args *a) { return ufd_close(fds(), (int32_t)a->a[0]); }
SYSCALL(6, close, sys_close);

/* The offset of f after a seek by off from whence, or -errno. */
static int64_t seek_to(struct ufile *f, int64_t off, uint32_t whence)
{
	if (f->kind == UF_CONSOLE) return -ESPIPE;
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)f->pos :
		       whence == SEEK_END && f->kind == UF_MODULE ? (int64_t)f->file.size : -1;
	if (base < 0) return -EINVAL;
	if (off > INT64_MAX - base || base + off < 0) return -EINVAL;
	return base + off;
}

static int32_t sys_lseek(struct sys_args *a)
{
	struct ufile *f = ufd_get(fds(), (int32_t)a->a[0]);
	if (!f) return -EBADF;
	int64_t to = seek_to(f, (int32_t)a->a[1], a->a[2]);
	if (to < 0) return (int32_t)to;
	if (to > 0x7fffffff) return -EOVERFLOW;
	f->pos = (uint64_t)to;
	return (int32_t)to;
}
SYSCALL(19, lseek, sys_lseek);

/* _llseek(fd, offset_high, offset_low, loff_t *result, whence) */
static int32_t sys_llseek(struct sys_args *a)
{
	struct ufile *f = ufd_get(fds(), (int32_t)a->a[0]);
	if (!f) return -EBADF;
	int64_t to = seek_to(f, (int64_t)((uint64_t)a->a[1] << 32 | a->a[2]), a->a[4]);
	if (to < 0) return (int32_t)to;
	if (copy_to_user(a->a[3], &to, sizeof to)) return -EFAULT;
	f->pos = (uint64_t)to;
	return 0;
}
SYSCALL(140, _llseek, sys_llseek);

static int32_t sys_dup(struct sys_args *a)
{
	struct ufile *f = ufd_get(fds(), (int32_t)a->a[0]);
	return f ? ufd_install(fds(), ufile_ref(f), 0, false) : -EBADF;
}
SYSCALL(41, dup, sys_dup);

static int32_t sys_dup2(struct sys_args *a)
{
	int32_t from = (int32_t)a->a[0], to = (int32_t)a->a[1];
	if (from == to) return ufd_get(fds(), from) ? to : -EBADF;
	return ufd_dup_to(fds(), from, to, false);
}
SYSCALL(63, dup2, sys_dup2);

static int32_t sys_dup3(struct sys_args *a)
{
	int32_t from = (int32_t)a->a[0], to = (int32_t)a->a[1];
	if (a->a[2] & ~O_CLOEXEC || from == to) return -EINVAL;
	return ufd_dup_to(fds(), from, to, a->a[2] & O_CLOEXEC);
}
SYSCALL(330, dup3, sys_dup3);

static int32_t sys_fcntl(struct sys_args *a)
{
	int32_t fd = (int32_t)a->a[0];
	uint32_t arg = a->a[2];
	struct ufile *f = ufd_get(fds(), fd);
	if (!f) return -EBADF;
	switch (a->a[1]) {
	case F_DUPFD: return ufd_install(fds(), ufile_ref(f), (int32_t)arg, false);
	case F_DUPFD_CLOEXEC: return ufd_install(fds(), ufile_ref(f), (int32_t)arg, true);
	case F_GETFD: return ufd_cloexec(fds(), fd) ? FD_CLOEXEC : 0;
	case F_SETFD: return ufd_set_cloexec(fds(), fd, arg & FD_CLOEXEC);
	case F_GETFL: return (int32_t)f->flags;
	case F_SETFL: return 0; /* O_APPEND, O_NONBLOCK: nothing here blocks or appends */
	default: return -EINVAL;
	}
}
SYSCALL(55, fcntl, sys_fcntl);
SYSCALL(221, fcntl64, sys_fcntl);

/* The kernel's struct termios (36 bytes): a cooked terminal at 38400 baud. */
static int32_t put_termios(uint32_t to)
{
	uint8_t t[36] = { 0 };
	uint32_t iflag = 0x0500 /* ICRNL | IXON */, oflag = 0x0005 /* OPOST | ONLCR */;
	uint32_t cflag = 0x00bf /* B38400 | CS8 | CREAD */, lflag = 0x8a3b /* ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN */;
	mm_memcpy(t, &iflag, 4);
	mm_memcpy(t + 4, &oflag, 4);
	mm_memcpy(t + 8, &cflag, 4);
	mm_memcpy(t + 12, &lflag, 4);
	t[17 + 0] = 3;   /* VINTR ^C */
	t[17 + 4] = 4;   /* VEOF ^D */
	t[17 + 6] = 1;   /* VMIN */
	return copy_to_user(to, t, sizeof t);
}

static int32_t sys_ioctl(struct sys_args *a)
{
	uint32_t req = a->a[1], arg = a->a[2];
	struct ufile *f = ufd_get(fds(), (int32_t)a->a[0]);
	if (!f) return -EBADF;
	if (f->kind != UF_CONSOLE) return -ENOTTY;
	switch (req) {
	case TCGETS: return put_termios(arg);
	case TCSETS: case TCSETSW: case TCSETSF: return uaccess_ok(arg, 36, false); /* modes stay as they are */
	case TIOCGWINSZ: {
		uint16_t ws[4] = { 24, 80, 0, 0 };
		return copy_to_user(arg, ws, sizeof ws);
	}
	case TIOCGPGRP: {
		int pid = uproc_current()->pid;
		return copy_to_user(arg, &pid, 4);
	}
	default: return -ENOTTY;
	}
}
SYSCALL(54, ioctl, sys_ioctl);

