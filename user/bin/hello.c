/*
 * hello - prints its arguments, its environment and the auxiliary vector
 * the kernel left above them, then exits 0: the first program to run on a
 * new kernel, and a check of its initial stack.
 */
#include "ulib.h"

static const char *aux_name(uint32_t type)
{
	switch (type) {
	case AT_PHDR: return "AT_PHDR";
	case AT_PHENT: return "AT_PHENT";
	case AT_PHNUM: return "AT_PHNUM";
	case AT_PAGESZ: return "AT_PAGESZ";
	case AT_ENTRY: return "AT_ENTRY";
	case AT_UID: return "AT_UID";
	case AT_EUID: return "AT_EUID";
	case AT_GID: return "AT_GID";
	case AT_EGID: return "AT_EGID";
	case AT_RANDOM: return "AT_RANDOM";
	default: return "";
	}
}

int main(int argc, char **argv, char **envp)
{
	printf("hello from pid %d: argc %d\n", getpid(), argc);
	for (int i = 0; i < argc; i++) printf("argv[%d] = \"%s\"\n", i, argv[i]);
	for (int i = 0; envp[i]; i++) printf("envp[%d] = \"%s\"\n", i, envp[i]);
	for (struct auxv_entry *a = auxv; a->type != AT_NULL; a++)
		printf("auxv %2u %-9s 0x%x\n", a->type, aux_name(a->type), a->value);
	return 0;
}
