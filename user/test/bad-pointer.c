/*
 * bad-pointer - system calls given bad user pointers must return -EFAULT
 * (-14) and leave the process running: write() from NULL, from the kernel
 * half (0xC0000000), from an unmapped page; writev() with a bad iovec
 * array and with a bad buffer inside one; read() into a read-only page.
 * The kernel must check the buffer before it waits for input.
 */
#include "utest.h"

const char test_name[] = "bad-pointer";

static void expect_efault(long got, const char *what)
{
	if (got != -EFAULT) fail("%s returned %ld, not -EFAULT (-14)", what, got);
}

int main(void)
{
	char *gone = map_anon(PAGE_SIZE);
	char *ro = map_anon(PAGE_SIZE);
	if (is_err(gone) || is_err(ro)) fail("mmap2 failed");
	if (munmap(gone, PAGE_SIZE) != 0) fail("munmap failed");
	if (mprotect(ro, PAGE_SIZE, PROT_READ) != 0) fail("mprotect failed");

	expect_efault(write(1, NULL, 10), "write(1, NULL, 10)");
	expect_efault(write(1, (void *)0xC0000000, 10), "write(1, 0xC0000000, 10)");
	expect_efault(write(1, (void *)0xFFFFF000, 16), "write(1, 0xFFFFF000, 16)");
	expect_efault(write(1, gone, 10), "write from an unmapped page");
	expect_efault(writev(1, NULL, 1), "writev(1, NULL, 1)");
	struct iovec iov = { NULL, 5 };
	expect_efault(writev(1, &iov, 1), "writev of a NULL buffer");
	expect_efault(read(0, ro, 16), "read into a read-only page");
	if (write(1, "", 0) != 0) fail("an empty write after the bad ones failed");
	pass();
}
