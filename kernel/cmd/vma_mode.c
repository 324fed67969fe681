/*
 * vma_mode.c - the arena's checker mode: COM1 input is the arena command
 * language and COM1 output is exactly what the original program printed: no
 * prompt, no echo, no log lines. Entered with `vma` on the kernel command
 * line (tools/vma boots that way) or with the shell's `vma` command. Input
 * ends with an EOT byte (0x04, which tools/vma sends after its standard
 * input) or, in the shell, after DEALLOC_ARENA; the kernel then exits (boot
 * mode) or returns to the prompt.
 */
#include "console.h"
#include "kernel.h"
#include "kmain.h"
#include "layout.h"
#include "mem.h"
#include "shell.h"
#include "vma_cmd.h"
#include "kwin.h"

#define EOT 0x04

/* Miniblocks of any size: the kernel heap for small ones, the kernel
 * window (page by page) for those larger than its biggest block. */
static void *arena_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return n <= (1u << 20) ? kmalloc(&kheap, n) : kvmalloc(n);
}

static void arena_free(void *ctx, void *p)
{
	(void)ctx;
	uint32_t a = (uint32_t)(uintptr_t)p;
	if (a >= KWIN_BASE && a < KWIN_END) kvfree(p);
	else kfree(&kheap, p);
}

static const struct mm_allocator arena_allocator = { arena_alloc, arena_free, 0 };

/* The end of the line starting at buf[i]: past its CR, LF or CR LF (a
 * terminal sends CR), or n. WRITE's data may be cut anywhere: the parser
 * does not mind how its input is chunked. */
static size_t line_end(const char *buf, size_t i, size_t n)
{
	while (i < n && buf[i] != '\n' && buf[i] != '\r') i++;
	if (i < n && buf[i++] == '\r' && i < n && buf[i] == '\n') i++;
	return i;
}

/* Feed whole lines until DEALLOC_ARENA has run; returns the bytes used. */
static size_t feed_lines(struct vma_cmd *vc, const char *buf, size_t n)
{
	size_t used = 0;
	while (used < n && !vma_cmd_done(vc)) {
		size_t k = line_end(buf, used, n);
		vma_cmd_feed(vc, buf + used, k - used);
		used = k;
	}
	return used;
}

/* Run a session; returns when EOT arrives (or, if stop_when_done, after
 * DEALLOC_ARENA). */
static void vma_session(bool stop_when_done)
{
	static struct vma_cmd vc;
	static char buf[4096];
	vma_cmd_init(&vc, &arena_allocator, &console_sink);
	for (;;) {
		size_t n = console_read(buf, sizeof buf), k = 0;
		while (k < n && buf[k] != EOT) k++;
		/* From the shell, feed line by line: what follows DEALLOC_ARENA
		 * or EOT is the shell's again. */
		size_t used = stop_when_done ? feed_lines(&vc, buf, k) : (vma_cmd_feed(&vc, buf, k), k);
		bool eot = used == k && k < n;
		if (eot) used++; /* the EOT itself is taken */
		if (stop_when_done && used < n) console_unread(buf + used, n - used);
		if (eot || (stop_when_done && vma_cmd_done(&vc))) break;
	}
	vma_cmd_finish(&vc);
	vma_cmd_destroy(&vc);
}

static void vma_boot_mode(void)
{
	vma_session(false);
	kernel_exit(EXIT_PASS);
}
BOOT_MODE(vma, "vma", vma_boot_mode);

static int cmd_vma(int argc, char **argv)
{
	if (argc > 1) {
		kprintf("vma: takes no arguments\n");
		return 1;
	}
	extern bool shell_echo;
	bool echo = shell_echo;
	kprintf("arena checker mode: type commands; DEALLOC_ARENA or Ctrl-D (EOT) returns\n");
	shell_echo = false;
	vma_session(true);
	shell_echo = echo;
	return 0;
}
SHELL_COMMAND_DOC(vma, "arena", "the arena (virtual memory allocator) command language",
		  "vma   (then arena commands, one a line)",
		  "vma",
		  "the result of each arena command; DEALLOC_ARENA or Ctrl-D returns",
		  cmd_vma);
