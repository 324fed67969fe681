/*
 * syscall.c - the system calls of ulib.h: int $0x80 with the number in eax
 * and the arguments in ebx, ecx, edx, esi, edi, ebp (Linux i386). Each
 * wrapper returns eax as it came back: a negative errno on failure.
 */
#include "ulib.h"

/* Linux i386 system-call numbers (asm/unistd_32.h). */
enum {
	NR_exit = 1, NR_fork = 2, NR_read = 3, NR_write = 4, NR_waitpid = 7,
	NR_execve = 11, NR_time = 13, NR_getpid = 20, NR_kill = 37, NR_brk = 45,
	NR_ioctl = 54, NR_getppid = 64, NR_gettimeofday = 78, NR_munmap = 91,
	NR_wait4 = 114, NR_uname = 122, NR_mprotect = 125, NR_writev = 146,
	NR_sched_yield = 158, NR_nanosleep = 162, NR_mremap = 163, NR_mmap2 = 192,
	NR_madvise = 219, NR_exit_group = 252, NR_clock_gettime = 265,
	NR_getrandom = 355, NR_open = 5, NR_close = 6, NR_lseek = 19, NR_access = 33,
	NR_dup = 41, NR_dup2 = 63, NR_llseek = 140, NR_pread64 = 180, NR_getcwd = 183,
	NR_stat64 = 195, NR_fstat64 = 197, NR_getdents64 = 220, NR_fcntl64 = 221,
	NR_openat = 295, NR_dup3 = 330, NR_rt_sigaction = 174, NR_rt_sigprocmask = 175,
	NR_rt_sigpending = 176, NR_rt_sigsuspend = 179, NR_pause = 29, NR_sigaltstack = 186,
};

static inline long sc0(long n)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n) : "memory");
	return r;
}

static inline long sc1(long n, long a)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a) : "memory");
	return r;
}

static inline long sc2(long n, long a, long b)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b) : "memory");
	return r;
}

static inline long sc3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static inline long sc4(long n, long a, long b, long c, long d)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d)
			 : "memory");
	return r;
}

static inline long sc5(long n, long a, long b, long c, long d, long e)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r)
			 : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
	return r;
}

/* The sixth argument goes in ebp, which gcc will not take as an operand:
 * ebx points at {a, f}; ebp is saved, loaded from there, then ebx. */
static inline long sc6(long n, long a, long b, long c, long d, long e, long f)
{
	long r, af[2] = { a, f };
	long *p = af;
	__asm__ volatile("push %%ebp\n\t"
			 "movl 4(%%ebx), %%ebp\n\t"
			 "movl 0(%%ebx), %%ebx\n\t"
			 "int $0x80\n\t"
			 "pop %%ebp"
			 : "=a"(r), "+b"(p)
			 : "a"(n), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
	return r;
}

#define L(x) ((long)(x))

void exit(int code)
{
	for (;;) sc1(NR_exit, code);
}

void exit_group(int code)
{
	for (;;) sc1(NR_exit_group, code);
}

int fork(void) { return sc0(NR_fork); }
long read(int fd, void *buf, size_t n) { return sc3(NR_read, fd, L(buf), L(n)); }
long write(int fd, const void *buf, size_t n) { return sc3(NR_write, fd, L(buf), L(n)); }
long writev(int fd, const struct iovec *iov, int niov) { return sc3(NR_writev, fd, L(iov), niov); }
int waitpid(int pid, int *status, int opt) { return sc3(NR_waitpid, pid, L(status), opt); }

int wait4(int pid, int *status, int opt, void *rusage)
{
	return sc4(NR_wait4, pid, L(status), opt, L(rusage));
}

int getpid(void) { return sc0(NR_getpid); }
int getppid(void) { return sc0(NR_getppid); }
unsigned long brk(unsigned long addr) { return (unsigned long)sc1(NR_brk, L(addr)); }

void *mmap2(void *addr, size_t len, int prot, int flags, int fd, unsigned long pgoff)
{
	return (void *)sc6(NR_mmap2, L(addr), L(len), prot, flags, fd, L(pgoff));
}

int munmap(void *addr, size_t len) { return sc2(NR_munmap, L(addr), L(len)); }
int mprotect(void *addr, size_t len, int prot) { return sc3(NR_mprotect, L(addr), L(len), prot); }
int madvise(void *addr, size_t len, int adv) { return sc3(NR_madvise, L(addr), L(len), adv); }

void *mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
	return (void *)sc5(NR_mremap, L(old), L(old_len), L(new_len), flags, L(new_addr));
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	return sc2(NR_nanosleep, L(req), L(rem));
}

int sched_yield(void) { return sc0(NR_sched_yield); }
int gettimeofday(struct timeval *tv, void *tz) { return sc2(NR_gettimeofday, L(tv), L(tz)); }
int clock_gettime(int clock, struct timespec *ts) { return sc2(NR_clock_gettime, clock, L(ts)); }
long time(long *t) { return sc1(NR_time, L(t)); }
int uname(struct utsname *u) { return sc1(NR_uname, L(u)); }
long getrandom(void *buf, size_t n, unsigned fl) { return sc3(NR_getrandom, L(buf), L(n), fl); }
int kill(int pid, int sig) { return sc2(NR_kill, pid, sig); }

int execve(const char *path, char *const argv[], char *const envp[])
{
	return sc3(NR_execve, L(path), L(argv), L(envp));
}

int ioctl(int fd, unsigned long req, unsigned long arg) { return sc3(NR_ioctl, fd, L(req), L(arg)); }

int open(const char *path, int flags) { return sc3(NR_open, L(path), flags, 0); }
int openat(int dirfd, const char *path, int flags) { return sc4(NR_openat, dirfd, L(path), flags, 0); }
int close(int fd) { return sc1(NR_close, fd); }
long lseek(int fd, long off, int whence) { return sc3(NR_lseek, fd, off, whence); }
int llseek(int fd, int64_t off, int64_t *result, int whence)
{
	return sc5(NR_llseek, fd, (long)(off >> 32), (long)(uint32_t)off, L(result), whence);
}
long pread64(int fd, void *buf, size_t n, int64_t off)
{
	return sc5(NR_pread64, fd, L(buf), L(n), (long)(uint32_t)off, (long)(off >> 32));
}
int dup(int fd) { return sc1(NR_dup, fd); }
int dup2(int from, int to) { return sc2(NR_dup2, from, to); }
int dup3(int from, int to, int flags) { return sc3(NR_dup3, from, to, flags); }
int fcntl(int fd, int cmd, long arg) { return sc3(NR_fcntl64, fd, cmd, arg); }
int access(const char *path, int mode) { return sc2(NR_access, L(path), mode); }
int stat64(const char *path, struct stat64 *st) { return sc2(NR_stat64, L(path), L(st)); }
int fstat64(int fd, struct stat64 *st) { return sc2(NR_fstat64, fd, L(st)); }
long getdents64(int fd, void *buf, size_t n) { return sc3(NR_getdents64, fd, L(buf), L(n)); }
long getcwd(char *buf, size_t n) { return sc2(NR_getcwd, L(buf), L(n)); }

/* The return from a handler, as glibc's: rt_sigreturn for SA_SIGINFO
 * frames, sigreturn (after popping the signal number) for the others. */
void ulib_restore_rt(void);
void ulib_restore(void);
__asm__(".text\n.globl ulib_restore_rt\nulib_restore_rt:\n\tmovl $173, %eax\n\tint $0x80\n"
	".globl ulib_restore\nulib_restore:\n\tpopl %eax\n\tmovl $119, %eax\n\tint $0x80\n");

int sigaction_raw(int sig, const struct k_sigaction *act, struct k_sigaction *old)
{
	return sc4(NR_rt_sigaction, sig, L(act), L(old), 8);
}

int sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old)
{
	if (!act || (act->flags & SA_RESTORER) || act->handler == SIG_DFL || act->handler == SIG_IGN)
		return sigaction_raw(sig, act, old);
	struct k_sigaction k = *act;
	k.flags |= SA_RESTORER;
	k.restorer = (k.flags & SA_SIGINFO) ? ulib_restore_rt : ulib_restore;
	return sigaction_raw(sig, &k, old);
}

int sigprocmask(int how, const uint64_t *set, uint64_t *old) { return sc4(NR_rt_sigprocmask, how, L(set), L(old), 8); }
int sigpending(uint64_t *set) { return sc2(NR_rt_sigpending, L(set), 8); }
int sigsuspend(const uint64_t *mask) { return sc2(NR_rt_sigsuspend, L(mask), 8); }
int pause(void) { return sc0(NR_pause); }
int sigaltstack(const stack_t *ss, stack_t *old) { return sc2(NR_sigaltstack, L(ss), L(old)); }

void *map_anon(size_t nbytes)
{
	return mmap2(NULL, nbytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

void sleep_ms(unsigned ms)
{
	struct timespec ts = { (long)(ms / 1000), (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}
