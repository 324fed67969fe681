/*
 * cat.c (glibc-cat) - cat(1) with Debian's static glibc for i386: each
 * FILE named is read with stdio (fopen, fread: glibc's openat, fstat and
 * read under it) and written to stdout; `-l DIR` lists a directory with
 * opendir/readdir (getdents64), one name a line with its type and size
 * from stat. A file that cannot be opened is named with strerror's reason
 * on stderr, and the status is 1.
 *
 *   exec glibc-cat demo.trace
 *   exec glibc-cat -l /
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int cat(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "glibc-cat: %s: %s\n", path, strerror(errno));
		return 1;
	}
	char buf[3000]; /* not a multiple of the block size: reads straddle blocks */
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
	int bad = ferror(f);
	fclose(f);
	if (bad) fprintf(stderr, "glibc-cat: %s: read error\n", path);
	return bad;
}

static int list(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "glibc-cat: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		char path[512];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st)) {
			fprintf(stderr, "glibc-cat: %s: %s\n", path, strerror(errno));
			closedir(d);
			return 1;
		}
		printf("%s %s %lld\n", S_ISDIR(st.st_mode) ? "dir " : "file", e->d_name, (long long)st.st_size);
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-l") && i + 1 < argc) status |= list(argv[++i]);
		else status |= cat(argv[i]);
	}
	fflush(stdout);
	return status;
}
