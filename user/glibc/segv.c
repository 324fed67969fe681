/*
 * segv.c (glibc-segv) - paging at user level with Debian's static glibc:
 * a region mapped PROT_NONE, a SIGSEGV handler (sigaction, SA_SIGINFO)
 * that opens each page on its first touch (mprotect) and counts it, then
 * every page written and read back; and raise(SIGUSR1) with a handler set
 * by signal(). Prints what it counted; status 0 if every count and byte
 * is as it must be, else 1.
 *
 *   exec glibc-segv [pages]
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char *base;
static size_t npages, pagesz;
static volatile size_t faults, wrong;
static volatile sig_atomic_t usr1;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	char *at = si->si_addr;
	if (sig != SIGSEGV || si->si_code != SEGV_ACCERR || at < base || at >= base + npages * pagesz) {
		wrong++;
		_exit(2); /* a fault that is not ours: nothing to open */
	}
	faults++;
	char *page = base + (size_t)(at - base) / pagesz * pagesz;
	if (mprotect(page, pagesz, PROT_READ | PROT_WRITE)) _exit(3);
}

static void on_usr1(int sig) { usr1 = sig; }

int main(int argc, char **argv)
{
	npages = argc > 1 ? strtoul(argv[1], 0, 10) : 64;
	pagesz = (size_t)sysconf(_SC_PAGESIZE);
	base = mmap(0, npages * pagesz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) return 1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, 0)) return 1;
	for (size_t i = 0; i < npages; i++) /* backwards and by halves: every page once */
		((volatile char *)base)[(npages - 1 - i) * pagesz + i % pagesz] = (char)(i * 7 + 1);
	size_t bad = 0;
	for (size_t i = 0; i < npages; i++)
		bad += base[(npages - 1 - i) * pagesz + i % pagesz] != (char)(i * 7 + 1);
	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	printf("glibc-segv: %zu pages, %zu first-touch faults, %zu wrong bytes, SIGUSR1 %s\n", npages,
	       (size_t)faults, bad, usr1 == SIGUSR1 ? "handled" : "missed");
	return faults == npages && !bad && !wrong && usr1 == SIGUSR1 ? 0 : 1;
}
