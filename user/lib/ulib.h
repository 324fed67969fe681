/*
 * ulib.h - the user runtime of mmk: what a program built with
 * `gcc -m32 -static -nostdlib` needs to run on the Linux i386 system-call
 * ABI (int $0x80), on mmk or on Linux.
 *
 * Every system-call wrapper returns what the kernel put in eax: a value, or
 * a negative errno (-EFAULT, -ENOMEM, ...) on failure. There is no errno
 * variable. Calls that return an address (mmap2, mremap) return a pointer
 * that is_err() recognises; brk returns the new break (the old one when
 * the kernel refused to move it).
 *
 * crt0.S gives main(argc, argv, envp) and exits with its result; environ
 * and auxv are kept for programs that want them.
 */
#ifndef ULIB_H
#define ULIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- constants (Linux i386 values) ---- */

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define ENOTTY 25
#define ENOSYS 38
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EMFILE 24
#define ESPIPE 29
#define EROFS 30
#define EEXIST 17
#define EACCES 13
#define ERANGE 34

#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_DIRECTORY 0200000
#define O_CLOEXEC 02000000
#define AT_FDCWD (-100)
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1
#define S_IFMT 0170000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define DT_DIR 4
#define DT_REG 8
#define R_OK 4
#define W_OK 2
#define X_OK 1

/* Same text as mm/mm_types.h, so a file may include both. */
#define PAGE_SHIFT 12u
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define MIB (1024u * 1024u)

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MREMAP_MAYMOVE 1
#define MADV_DONTNEED 4

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1

#define SIGINT 2
#define SIGILL 4
#define SIGTRAP 5
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGTERM 15
#define SIGCHLD 17
#define SIG_DFL ((void *)0)
#define SIG_IGN ((void *)1)
#define SA_SIGINFO 4ul
#define SA_RESTORER 0x04000000ul
#define SA_NODEFER 0x40000000ul
#define SA_ONSTACK 0x08000000ul
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SA_RESETHAND 0x80000000ul
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define SIGBIT(s) (1ull << ((s) - 1))

#define WNOHANG 1

/* Linux's wait status: exit code in bits 8..15, or the signal in 0..6. */
#define WIFEXITED(s) (((s) & 0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WIFSIGNALED(s) (((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define WTERMSIG(s) ((s) & 0x7f)

/* auxiliary vector types (elf.h) */
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_RANDOM 25

/* ---- kernel structures (32-bit layout) ---- */

struct timespec { long tv_sec; long tv_nsec; };
struct timeval { long tv_sec; long tv_usec; };
struct iovec { void *iov_base; size_t iov_len; };
struct utsname { /* the kernel's new_utsname */
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};
struct auxv_entry { uint32_t type, value; };
struct stat64 { /* i386 struct stat64, 96 bytes */
	uint64_t st_dev;
	uint32_t pad0, st_ino32, st_mode, st_nlink, st_uid, st_gid;
	uint64_t st_rdev;
	uint32_t pad3;
	int64_t st_size;
	uint32_t st_blksize;
	uint64_t st_blocks;
	uint32_t st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
	uint64_t st_ino;
} __attribute__((packed));
typedef struct {
	int si_signo, si_errno, si_code;
	union {
		struct { int si_pid; unsigned si_uid; };
		void *si_addr;
		int pad[29];
	};
} siginfo_t;
typedef struct { void *ss_sp; int ss_flags; size_t ss_size; } stack_t;
/* The kernel's struct sigaction (rt_sigaction): handler, flags, restorer, mask. */
struct k_sigaction {
	void *handler;
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};
struct dirent64 { uint64_t d_ino; int64_t d_off; uint16_t d_reclen; uint8_t d_type; char d_name[]; } __attribute__((packed));

extern char **environ;
extern struct auxv_entry *auxv; /* ends with type AT_NULL */

/* ---- system calls (syscall.c) ---- */

void exit(int code) __attribute__((noreturn));
void exit_group(int code) __attribute__((noreturn));
int fork(void);
long read(int fd, void *buf, size_t n);
long write(int fd, const void *buf, size_t n);
long writev(int fd, const struct iovec *iov, int niov);
int waitpid(int pid, int *status, int options);
int wait4(int pid, int *status, int options, void *rusage);
int getpid(void);
int getppid(void);
unsigned long brk(unsigned long addr);
void *mmap2(void *addr, size_t len, int prot, int flags, int fd, unsigned long pgoff);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);
int madvise(void *addr, size_t len, int advice);
void *mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr);
int nanosleep(const struct timespec *req, struct timespec *rem);
int sched_yield(void);
int gettimeofday(struct timeval *tv, void *tz);
int clock_gettime(int clock, struct timespec *ts);
long time(long *t);
int uname(struct utsname *u);
long getrandom(void *buf, size_t n, unsigned flags);
int kill(int pid, int sig);
int execve(const char *path, char *const argv[], char *const envp[]);
int ioctl(int fd, unsigned long req, unsigned long arg);
int open(const char *path, int flags);
int openat(int dirfd, const char *path, int flags);
int close(int fd);
long lseek(int fd, long off, int whence);
int llseek(int fd, int64_t off, int64_t *result, int whence); /* _llseek */
long pread64(int fd, void *buf, size_t n, int64_t off);
int dup(int fd);
int dup2(int from, int to);
int dup3(int from, int to, int flags);
int fcntl(int fd, int cmd, long arg); /* fcntl64 */
int access(const char *path, int mode);
int stat64(const char *path, struct stat64 *st);
int fstat64(int fd, struct stat64 *st);
long getdents64(int fd, void *buf, size_t n);
long getcwd(char *buf, size_t n);
/* rt_sigaction with ulib's restorer added (SA_RESTORER) for a handler;
 * sigaction_raw passes act as it is (no restorer: the frame's own code). */
int sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old);
int sigaction_raw(int sig, const struct k_sigaction *act, struct k_sigaction *old);
int sigprocmask(int how, const uint64_t *set, uint64_t *old); /* rt_sigprocmask */
int sigpending(uint64_t *set);                                 /* rt_sigpending */
int sigsuspend(const uint64_t *mask);                          /* rt_sigsuspend */
int pause(void);
int sigaltstack(const stack_t *ss, stack_t *old);

/* A result of mmap2/mremap that is a negative errno, not an address. */
static inline int is_err(const void *p) { return (unsigned long)p >= (unsigned long)-4095; }

/* Anonymous private read-write memory of nbytes: the address or an is_err(). */
void *map_anon(size_t nbytes);

/* Sleep about ms milliseconds (nanosleep). */
void sleep_ms(unsigned ms);

/* ---- strings and memory (string.c) ---- */

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
/* The decimal number at the start of s (0 if none); for argv. */
unsigned long atou(const char *s);

/* ---- formatted output (printf.c) ----
 * %d %i %u %x %X %s %c %p %%, width, flags '-' and '0', size 'l' (a no-op
 * on i386). Each call writes its output with one write() per 256 bytes, so
 * lines from different processes do not interleave. Returns the bytes
 * formatted. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vdprintf(int fd, const char *fmt, va_list ap);
/* Into buf (always NUL-terminated when n > 0); returns the full length. */
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
/* Write s to fd 1. */
int puts_raw(const char *s);

#endif
