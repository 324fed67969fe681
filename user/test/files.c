/*
 * files - the read-only files of the boot modules through descriptors:
 * open finds this program's own module by name (and as "/name" and
 * "./name"), it reads as an ELF file of fstat's size in any chunks, pread
 * agrees with read, a bad buffer is -EFAULT with the offset kept, dup and
 * fork share the offset, write and ioctl are refused, every way of asking
 * to write or create is -EROFS (or -EEXIST, -ENOTDIR, -EISDIR), close,
 * dup2, dup3 and fcntl follow POSIX, the 65th descriptor is -EMFILE, and
 * "/" lists ".", ".." and this program among entries that all stat; mmap2
 * of it shows its bytes from the page asked for (zeros past its end), a
 * private writable copy changes nothing of the file, a shared mapping is
 * read-only for good (-EACCES), and a mapping outlives its descriptor;
 * across execve (this program run again as "files after-exec K G") a
 * descriptor stays with its offset and one opened O_CLOEXEC is gone.
 */
#include "utest.h"

const char test_name[] = "files";

#define TCGETS 0x5401

static long offset_of(int fd) { return lseek(fd, 0, SEEK_CUR); }

static void check_header_and_size(int fd, struct stat64 *st)
{
	char magic[4];
	long n = read(fd, magic, 4);
	if (n != 4 || memcmp(magic, "\177ELF", 4)) fail("the first 4 bytes read %ld and are not ELF's", n);
	if (fstat64(fd, st)) fail("fstat64 of an open module failed");
	if ((st->st_mode & S_IFMT) != S_IFREG) fail("mode 0x%x is not a regular file's", (unsigned)st->st_mode);
	if (st->st_size < 4096) fail("size %ld is too small for this program", (long)st->st_size);
	if (lseek(fd, 0, SEEK_END) != (long)st->st_size) fail("SEEK_END is not at fstat's size");
	if (read(fd, magic, 4) != 0) fail("a read at the end did not return 0");
}

/* The whole file read in chunks of chunk bytes equals what pread gives. */
static void check_chunks(int fd, size_t size, size_t chunk)
{
	char *all = map_anon(size + PAGE_SIZE), *one = map_anon(PAGE_SIZE);
	if (is_err(all) || is_err(one)) fail("no memory");
	if (lseek(fd, 0, SEEK_SET) != 0) fail("SEEK_SET 0 failed");
	size_t got = 0;
	for (long n; (n = read(fd, all + got, chunk)) != 0; got += (size_t)n)
		if (n < 0 || (size_t)n > chunk) fail("read of %lu returned %ld", (unsigned long)chunk, n);
	if (got != size) fail("chunks of %lu read %lu bytes, not %lu", (unsigned long)chunk, (unsigned long)got, (unsigned long)size);
	for (size_t at = 0; at < size; at += size / 7 + 1) {
		long n = pread64(fd, one, 100, (int64_t)at);
		long want = size - at < 100 ? (long)(size - at) : 100;
		if (n != want || memcmp(one, all + at, (size_t)n)) fail("pread at %lu differs from read", (unsigned long)at);
	}
	if (offset_of(fd) != (long)size) fail("pread moved the offset");
	munmap(all, size + PAGE_SIZE);
	munmap(one, PAGE_SIZE);
}

static int child_reads_20(void *arg)
{
	char buf[20];
	return read(*(int *)arg, buf, 20) == 20 ? 0 : 1;
}

static void check_sharing(int fd)
{
	char buf[10];
	lseek(fd, 100, SEEK_SET);
	if (read(fd, (void *)16, 10) != -EFAULT) fail("a read into page 0 was not -EFAULT");
	if (offset_of(fd) != 100) fail("a failed read moved the offset");
	int fd2 = dup(fd);
	if (fd2 != fd + 1) fail("dup returned %d, not the lowest free %d", fd2, fd + 1);
	if (read(fd2, buf, 10) != 10 || offset_of(fd) != 110) fail("dup does not share the offset");
	int status = run_child(child_reads_20, &fd);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) fail("the child could not read: %s", status_text(status));
	if (offset_of(fd2) != 130) fail("after the child's read the offset is %ld, not 130", offset_of(fd2));
	if (close(fd2) || close(fd2) != -EBADF || close(1000) != -EBADF) fail("close of a closed descriptor");
}

static void check_refusals(int fd)
{
	char path[64];
	if (write(fd, "x", 1) != -EBADF) fail("write to a module was not -EBADF");
	if (ioctl(fd, TCGETS, 0) != -ENOTTY) fail("TCGETS on a module was not -ENOTTY");
	if (open("no-such-module", O_RDONLY) != -ENOENT) fail("a missing name was not -ENOENT");
	if (open("", O_RDONLY) != -ENOENT) fail("an empty path was not -ENOENT");
	if (open(test_name, O_WRONLY) != -EROFS) fail("O_WRONLY was not -EROFS");
	if (open(test_name, O_RDWR | O_CREAT) != -EROFS) fail("O_RDWR|O_CREAT was not -EROFS");
	if (open(test_name, O_RDONLY | O_TRUNC) != -EROFS) fail("O_TRUNC was not -EROFS");
	if (open(test_name, O_CREAT | O_EXCL) != -EEXIST) fail("O_CREAT|O_EXCL of a module was not -EEXIST");
	if (open("brand-new", O_CREAT | O_WRONLY) != -EROFS) fail("creating a file was not -EROFS");
	if (open(test_name, O_DIRECTORY) != -ENOTDIR) fail("O_DIRECTORY of a module was not -ENOTDIR");
	if (open("/", O_WRONLY) != -EISDIR) fail("writing / was not -EISDIR");
	snprintf(path, sizeof path, "%s/x", test_name);
	if (open(path, O_RDONLY) != -ENOTDIR) fail("%s was not -ENOTDIR", path);
	if (lseek(fd, -1, SEEK_SET) != -EINVAL) fail("a negative offset was not -EINVAL");
	if (lseek(fd, 0, 7) != -EINVAL) fail("whence 7 was not -EINVAL");
	if (lseek(0, 0, SEEK_CUR) != -ESPIPE) fail("seeking the console was not -ESPIPE");
	if (access(test_name, R_OK) || access(test_name, X_OK)) fail("access R_OK/X_OK of this program");
	if (access(test_name, W_OK) != -EROFS) fail("access W_OK was not -EROFS");
}

static void check_names(int fd, const struct stat64 *st)
{
	static const char *const forms[] = { "/%s", "./%s", "//%s", "/./%s" };
	for (int i = 0; i < 4; i++) {
		char path[64];
		struct stat64 s;
		snprintf(path, sizeof path, forms[i], test_name);
		int f = open(path, O_RDONLY);
		if (f < 0) fail("open %s returned %d", path, f);
		if (fstat64(f, &s) || s.st_ino != st->st_ino || stat64(path, &s) || s.st_size != st->st_size)
			fail("%s is not the same file", path);
		close(f);
	}
	struct stat64 s;
	if (stat64("/", &s) || (s.st_mode & S_IFMT) != S_IFDIR) fail("/ is not a directory");
	if (fstat64(1, &s) || (s.st_mode & S_IFMT) != S_IFCHR) fail("descriptor 1 is not a character device");
	if (stat64("no-such-module", &s) != -ENOENT) fail("stat of a missing name was not -ENOENT");
	int64_t r = -1;
	if (llseek(fd, 5, &r, SEEK_SET) || r != 5 || offset_of(fd) != 5) fail("_llseek to 5");
}

static void check_descriptors(int fd)
{
	if (dup2(fd, 10) != 10 || fcntl(10, F_GETFD, 0) != 0) fail("dup2 to 10");
	if (dup2(fd, fd) != fd || dup2(fd, 5000) != -EBADF || dup2(77, 11) != -EBADF) fail("dup2 edge cases");
	if (dup3(fd, fd, 0) != -EINVAL || dup3(fd, 12, 1) != -EINVAL) fail("dup3 edge cases");
	if (dup3(fd, 12, O_CLOEXEC) != 12 || fcntl(12, F_GETFD, 0) != FD_CLOEXEC) fail("dup3 with O_CLOEXEC");
	if (fcntl(fd, F_DUPFD_CLOEXEC, 20) != 20 || fcntl(20, F_GETFD, 0) != FD_CLOEXEC) fail("F_DUPFD_CLOEXEC");
	if (fcntl(20, F_SETFD, 0) || fcntl(20, F_GETFD, 0) != 0) fail("F_SETFD");
	if (fcntl(fd, F_GETFL, 0) != O_RDONLY || fcntl(1, F_GETFL, 0) != O_RDWR) fail("F_GETFL");
	if (close(10) || close(12) || close(20)) fail("closing the copies");
	int opened = 0, last = 0;
	for (;;) {
		int f = open(test_name, O_RDONLY);
		if (f < 0) {
			last = f;
			break;
		}
		if (++opened > 100) fail("more than 100 descriptors open at once");
	}
	if (last != -EMFILE || opened + 4 != 64) fail("%d more opened (want 60), then %d (want -EMFILE)", opened, last);
	for (int f = fd + 1; f < 64; f++)
		if (close(f)) fail("close %d", f);
}

static void check_directory(int fd)
{
	int d = open("/", O_RDONLY | O_DIRECTORY);
	char buf[300], seen_self = 0, seen_dot = 0, seen_dotdot = 0;
	int entries = 0;
	if (d < 0) fail("open / returned %d", d);
	if (read(d, buf, 10) != -EISDIR) fail("read of / was not -EISDIR");
	if (getdents64(fd, buf, sizeof buf) != -ENOTDIR) fail("getdents64 of a module was not -ENOTDIR");
	if (getdents64(d, buf, 10) != -EINVAL) fail("a buffer too small for one entry was not -EINVAL");
	for (long n; (n = getdents64(d, buf, sizeof buf)) != 0;) {
		if (n < 0) fail("getdents64 returned %ld", n);
		for (long at = 0; at < n;) {
			struct dirent64 *e = (struct dirent64 *)(buf + at);
			struct stat64 s;
			if (e->d_reclen < 20 || e->d_reclen % 8 || at + e->d_reclen > n) fail("a bad record length");
			if (!strcmp(e->d_name, ".")) seen_dot++;
			else if (!strcmp(e->d_name, "..")) seen_dotdot++;
			else if (e->d_type != DT_REG || stat64(e->d_name, &s) || s.st_ino != e->d_ino)
				fail("entry %s is not a regular file of its inode", e->d_name);
			if (!strcmp(e->d_name, test_name)) seen_self++;
			entries++;
			at += e->d_reclen;
		}
	}
	if (seen_dot != 1 || seen_dotdot != 1 || seen_self != 1 || entries < 3)
		fail("/ listed . %d, .. %d, %s %d times in %d entries", seen_dot, seen_dotdot, test_name,
		     seen_self, entries);
	if (close(d)) fail("close of /");
}

static int child_reads_map(void *arg)
{
	const char *m = arg;
	return memcmp(m, "\177ELF", 4) ? 1 : 0;
}

static void check_mmap(int fd, size_t size)
{
	size_t span = (size + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
	char *all = map_anon(span);
	if (is_err(all) || pread64(fd, all, size, 0) != (long)size) fail("pread of the whole file");
	char *m = mmap2(NULL, span, PROT_READ, MAP_PRIVATE, fd, 0);
	if (is_err(m)) fail("mmap2 of this program returned %ld", (long)m);
	if (memcmp(m, all, size) || find_nonzero(m + size, span - size) >= 0) fail("the mapping is not the file");
	char *m1 = mmap2(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 1);
	if (is_err(m1) || memcmp(m1, all + PAGE_SIZE, 64)) fail("the mapping of page 1 is not the file's page 1");
	m1[0] ^= 0x55; /* a private copy */
	char c;
	if (pread64(fd, &c, 1, PAGE_SIZE) != 1 || c != all[PAGE_SIZE] || m1[0] != (char)(all[PAGE_SIZE] ^ 0x55))
		fail("writing a private mapping changed the file, or did not change the copy");
	char *sh = mmap2(NULL, PAGE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (is_err(sh) || memcmp(sh, all, 64)) fail("a shared read-only mapping");
	if (mprotect(sh, PAGE_SIZE, PROT_READ | PROT_WRITE) != -EACCES) fail("mprotect of a shared file mapping");
	if (!is_err(mmap2(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) ||
	    (long)mmap2(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) != -EACCES)
		fail("a shared writable mapping of a read-only file was not -EACCES");
	int d = open("/", O_RDONLY);
	if ((long)mmap2(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 0, 0) != -ENODEV ||
	    (long)mmap2(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE, d, 0) != -ENODEV ||
	    (long)mmap2(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 99, 0) != -EBADF)
		fail("mmap2 of the console, the directory or no descriptor");
	close(d);
	int fd2 = dup(fd);
	char *late = mmap2(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE, fd2, 0);
	close(fd2);
	if (is_err(late) || memcmp(late, "\177ELF", 4)) fail("a mapping after its descriptor closed");
	int status = run_child(child_reads_map, late);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) fail("a child reading the mapping: %s", status_text(status));
	munmap(m, span);
	munmap(m1, PAGE_SIZE);
	munmap(sh, PAGE_SIZE);
	munmap(late, PAGE_SIZE);
	munmap(all, span);
}

/* The child: two descriptors of this program, the second O_CLOEXEC, the
 * first at offset 77, then this program again to look at them. */
static int child_execs(void *arg)
{
	char kept[12], gone[12];
	int k = open(test_name, O_RDONLY), g = open(test_name, O_RDONLY | O_CLOEXEC);
	if (k < 0 || g < 0 || lseek(k, 77, SEEK_SET) != 77) return 10;
	snprintf(kept, sizeof kept, "%d", k);
	snprintf(gone, sizeof gone, "%d", g);
	char *argv[] = { "files", "after-exec", kept, gone, 0 };
	execve("files", argv, environ);
	return 11;
}

/* After the execve: 0 if descriptor kept is open at 77 and gone is closed. */
static int after_exec(const char *kept, const char *gone)
{
	int k = (int)atou(kept), g = (int)atou(gone);
	if (lseek(k, 0, SEEK_CUR) != 77) return 12;
	if (fcntl(g, F_GETFD, 0) != -EBADF) return 13;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "after-exec")) return after_exec(argv[2], argv[3]);
	char cwd[8];
	if (getcwd(cwd, sizeof cwd) != 2 || strcmp(cwd, "/") || getcwd(cwd, 1) != -ERANGE) fail("getcwd");
	int fd = open(test_name, O_RDONLY);
	if (fd != 3) fail("open of this program returned %d, not 3", fd);
	struct stat64 st;
	check_header_and_size(fd, &st);
	check_chunks(fd, (size_t)st.st_size, 1);
	check_chunks(fd, (size_t)st.st_size, 1000);
	check_chunks(fd, (size_t)st.st_size, 65536);
	check_sharing(fd);
	check_refusals(fd);
	check_names(fd, &st);
	check_descriptors(fd);
	check_directory(fd);
	check_mmap(fd, (size_t)st.st_size);
	int status = run_child(child_execs, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("across execve (10 open, 11 execve, 12 kept offset, 13 O_CLOEXEC): %s", status_text(status));
	if (close(fd) || open(test_name, O_RDONLY) != 3) fail("the lowest descriptor is not reused");
	pass();
}
