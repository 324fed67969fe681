/*
 * sys-uname - uname fills struct new_utsname: sysname, nodename, release,
 * version and machine are non-empty and each field (domainname too) is
 * NUL-terminated inside its 65 bytes; uname(NULL) returns -EFAULT.
 */
#include "utest.h"

const char test_name[] = "sys-uname";

static int terminated(const char *f)
{
	for (int i = 0; i < 65; i++)
		if (f[i] == 0) return 1;
	return 0;
}

static void check_field(const char *f, const char *name, int may_be_empty)
{
	if (!terminated(f)) fail("%s is not NUL-terminated in 65 bytes", name);
	if (!may_be_empty && f[0] == 0) fail("%s is empty", name);
}

int main(void)
{
	struct utsname u;
	memset(&u, 0xff, sizeof u);
	int rc = uname(&u);
	if (rc != 0) fail("uname returned %d", rc);
	check_field(u.sysname, "sysname", 0);
	check_field(u.nodename, "nodename", 0);
	check_field(u.release, "release", 0);
	check_field(u.version, "version", 0);
	check_field(u.machine, "machine", 0);
	check_field(u.domainname, "domainname", 1);
	rc = uname(NULL);
	if (rc != -EFAULT) fail("uname(NULL) returned %d, not -EFAULT", rc);
	pass();
}
