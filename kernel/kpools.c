/*
 * kpools.c - the list of live frame pools (for swapinfo and gdb).
 */
#include "kernel.h"
#include "swapdev.h"

struct vmpool *kpools[KPOOLS_MAX];

void kpool_register(struct vmpool *vp)
{
	for (int i = 0; i < KPOOLS_MAX; i++)
		if (!kpools[i]) {
			kpools[i] = vp;
			return;
		}
}

void kpool_unregister(struct vmpool *vp)
{
	for (int i = 0; i < KPOOLS_MAX; i++)
		if (kpools[i] == vp) kpools[i] = 0;
}

void kpools_print(struct mm_sink *out)
{
	int n = 0;
	for (int i = 0; i < KPOOLS_MAX; i++)
		if (kpools[i]) {
			mm_format(out, "[%d] ", i);
			vmpool_print(kpools[i], out);
			n++;
		}
	if (!n) mm_format(out, "no frame pools in use\n");
}
