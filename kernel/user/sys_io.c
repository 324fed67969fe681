/*
 * sys_io.c - system calls on file descriptors. A process has three, 0, 1
 * and 2, all the console (a terminal): read takes what the shell feeds the
 * foreground process (ucons.c), write and writev print, ioctl answers the
 * terminal questions isatty and line editors ask (TCGETS, TIOCGWINSZ),
 * fstat64/fstatat64/statx describe a character device. There is no file
 * system: open says so (ENOENT).
 */
#include "kernel.h"
#include "mmlib.h"
#include "syscall.h"
#include "uaccess.h"
#include "uproc.h"

#define CHUNK 512
#define S_IFCHR 0020000u
#define AT_EMPTY_PATH 0x1000u
#define TCGETS 0x5401u
#define TCSETS 0x5402u
#define TCSETSW 0x5403u
#define TCSETSF 0x5404u
#define TIOCGPGRP 0x540Fu
#define TIOCGWINSZ 0x5413u

static bool is_console(uint32_t fd) { return fd < 3; }

static int32_t sys_read(struct sys_args *a)
{
	uint32_t fd = a->a[0], buf = a->a[1], n = a->a[2];
	if (!is_console(fd)) return -EBADF;
	if (uaccess_ok(buf, n, true)) return -EFAULT;
	if (!n) return 0;
	char tmp[CHUNK];
	size_t got = uproc_stdin_read(tmp, n < CHUNK ? n : CHUNK);
	if (!got && uproc_current()->kill_sig) return -EINTR;
	return copy_to_user(buf, tmp, (uint32_t)got) ? -EFAULT : (int32_t)got;
}
SYSCALL(3, read, sys_read);

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

static int32_t sys_write(struct sys_args *a)
{
	if (!is_console(a->a[0])) return -EBADF;
	if ((int32_t)a->a[2] < 0) return -EINVAL;
	return put_user_bytes(a->a[1], a->a[2]);
}
SYSCALL(4, write, sys_write);

struct iovec32 { uint32_t base, len; };

static int32_t sys_writev(struct sys_args *a)
{
	uint32_t fd = a->a[0], iov = a->a[1], cnt = a->a[2];
	if (!is_console(fd)) return -EBADF;
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

static int32_t sys_readv(struct sys_args *a)
{
	uint32_t fd = a->a[0], iov = a->a[1], cnt = a->a[2];
	struct iovec32 v;
	if (!is_console(fd)) return -EBADF;
	for (uint32_t i = 0; i < cnt; i++) { /* the first non-empty buffer gets the line */
		if (copy_from_user(&v, iov + i * sizeof v, sizeof v)) return -EFAULT;
		if (!v.len) continue;
		struct sys_args r = { a->tf, { fd, v.base, v.len, 0, 0, 0 } };
		return sys_read(&r);
	}
	return 0;
}
SYSCALL(145, readv, sys_readv);

static int32_t sys_close(struct sys_args *a) { return is_console(a->a[0]) ? 0 : -EBADF; }
SYSCALL(6, close, sys_close);

static int32_t sys_no_file(struct sys_args *a) { return -ENOENT; } /* there is no file system */
SYSCALL(5, open, sys_no_file);
SYSCALL(295, openat, sys_no_file);
SYSCALL(33, access, sys_no_file);
SYSCALL(85, readlink, sys_no_file);

static int32_t sys_seek(struct sys_args *a) { return is_console(a->a[0]) ? -ESPIPE : -EBADF; }
SYSCALL(19, lseek, sys_seek);
SYSCALL(140, _llseek, sys_seek);

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
	uint32_t fd = a->a[0], req = a->a[1], arg = a->a[2];
	if (!is_console(fd)) return -EBADF;
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

/* i386 struct stat64 (96 bytes) of the console. */
static int32_t put_stat64(uint32_t to)
{
	uint8_t st[96] = { 0 };
	uint32_t mode = S_IFCHR | 0620, nlink = 1, blksize = 1024, ino = 3;
	uint64_t rdev = (136u << 8) | 0; /* a pseudo-terminal, as Linux numbers them */
	mm_memcpy(st + 12, &ino, 4);
	mm_memcpy(st + 16, &mode, 4);
	mm_memcpy(st + 20, &nlink, 4);
	mm_memcpy(st + 32, &rdev, 8);
	mm_memcpy(st + 52, &blksize, 4);
	mm_memcpy(st + 88, &ino, 4);
	return copy_to_user(to, st, sizeof st);
}

static int32_t sys_fstat64(struct sys_args *a) { return is_console(a->a[0]) ? put_stat64(a->a[1]) : -EBADF; }
SYSCALL(197, fstat64, sys_fstat64);

/* An empty path with AT_EMPTY_PATH names the descriptor itself. */
static int32_t empty_path(uint32_t fd, uint32_t upath, uint32_t flags)
{
	char c;
	if (copy_from_user(&c, upath, 1)) return -EFAULT;
	if (c || !(flags & AT_EMPTY_PATH)) return -ENOENT;
	return is_console(fd) ? 0 : -EBADF;
}

static int32_t sys_fstatat64(struct sys_args *a)
{
	int32_t err = empty_path(a->a[0], a->a[1], a->a[3]);
	return err ? err : put_stat64(a->a[2]);
}
SYSCALL(300, fstatat64, sys_fstatat64);

static int32_t sys_statx(struct sys_args *a)
{
	int32_t err = empty_path(a->a[0], a->a[1], a->a[2]);
	if (err) return err;
	uint8_t sx[256] = { 0 };
	uint32_t mask = 0x7ff /* STATX_BASIC_STATS */, blksize = 1024, nlink = 1, major = 136;
	uint16_t mode = S_IFCHR | 0620;
	uint64_t ino = 3;
	mm_memcpy(sx, &mask, 4);
	mm_memcpy(sx + 4, &blksize, 4);
	mm_memcpy(sx + 16, &nlink, 4);
	mm_memcpy(sx + 28, &mode, 2);
	mm_memcpy(sx + 32, &ino, 8);
	mm_memcpy(sx + 128, &major, 4);
	return copy_to_user(a->a[4], sx, sizeof sx);
}
SYSCALL(383, statx, sys_statx);
