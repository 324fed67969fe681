/*
 * cowfork - copy-on-write seen from both sides. The parent writes a line
 * into a page and forks: the child reads the shared page, writes its own
 * line (the write fault gives it a copy) and exits; then the parent, which
 * waited, shows that its page still holds its own line.
 */
#include "ulib.h"

static char page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void set_text(const char *s)
{
	memcpy(page, s, strlen(s) + 1);
}

int main(void)
{
	set_text("written by the parent before fork");
	printf("cowfork: parent %d sees \"%s\"\n", getpid(), page);
	int pid = fork();
	if (pid < 0) {
		printf("cowfork: fork failed: %d\n", pid);
		return 1;
	}
	if (pid == 0) {
		printf("cowfork: child %d sees \"%s\" (shared)\n", getpid(), page);
		set_text("written by the child after fork");
		printf("cowfork: child %d wrote, now sees \"%s\" (its copy)\n", getpid(), page);
		return 0;
	}
	int status = 0;
	waitpid(pid, &status, 0);
	printf("cowfork: parent %d, child done, sees \"%s\" (unchanged)\n", getpid(), page);
	return status == 0 ? 0 : 1;
}
