/*
 * uexec.c - loading a program into a new address space: exec from the
 * shell and the execve system call. Algorithm: validate the whole ELF file
 * first (mm/exec/elf.c), build the new space beside the old one (regions
 * for the PT_LOAD segments, backed by the module's bytes and read on first
 * touch, .bss zero; a stack that grows down; the i386 System V initial
 * stack of mm/exec/ustack.c), and only then start it or swap it in: a
 * refused file leaves the caller exactly as it was.
 */
#include "elf.h"
#include "files.h"
#include "inflate.h"
#include "kwin.h"
#include "guard.h"
#include "io.h"
#include "kernel.h"
#include "mem.h"
#include "mmlib.h"
#include "uerrno.h"
#include "upool.h"
#include "uproc.h"
#include "ustack.h"
#include "usermode.h"

#define STACK_BUF (64u * 1024) /* room for argv, envp and the vectors */

struct uproc *uproc_start(const char *name, struct uproc *parent, struct vm_space *space,
			  const struct user_frame *start, uint64_t tls);
void uproc_release_space(struct vm_space *s);
void urandom_fill(void *buf, uint32_t n);

struct image {
	struct elf_image elf;
	struct elf_error err; /* why it was refused */
	struct vm_space *space;
	struct user_frame start;
	uint32_t brk;
};

static int add_segment(struct vm_space *s, const uint8_t *file, const struct elf_seg *g)
{
	struct vm_region d = {
		.start = vaddr_make(elf_seg_page_start(g)), .npages = elf_seg_npages(g),
		.prot = VM_USER | VM_READ | ((g->prot & ELF_PROT_W) ? VM_WRITE : 0),
		.kind = VM_FILE, .file = file + elf_seg_file_start(g), .file_len = elf_seg_file_len(g),
	};
	return vm_region_add_desc(s, &d);
}

static int refuse(struct image *im, int err, const char *why)
{
	mm_strncpy0(im->err.msg, why, sizeof im->err.msg);
	return err;
}

struct stack_copy { uint32_t esp; const uint8_t *from; uint32_t n; };

static void copy_stack(void *arg)
{
	struct stack_copy *c = arg;
	mm_memcpy((void *)(uintptr_t)c->esp, c->from, c->n);
}

/* CPUID leaf 1's EDX: the feature bits Linux gives as AT_HWCAP on i386. */
static uint32_t cpu_features(void)
{
	uint32_t a = 1, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d;
}

/* The stack region and the initial stack in it; *esp where argc is. */
static int make_stack(struct image *im, char *const *argv, char *const *envp)
{
	struct vm_region d = { .start = vaddr_make(USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE),
			       .npages = USER_STACK_PAGES, .prot = VM_USER | VM_READ | VM_WRITE,
			       .flags = VM_GROWSDOWN };
	if (vm_region_add_desc(im->space, &d)) return refuse(im, -ENOMEM, "no memory for the stack");
	const struct elf_image *e = &im->elf;
	struct ustack_auxv aux[] = {
		{ AT_PHDR, e->phdr_vaddr }, { AT_PHENT, e->phent }, { AT_PHNUM, e->phnum },
		{ AT_PAGESZ, PAGE_SIZE }, { AT_ENTRY, e->entry }, { AT_UID, 0 }, { AT_EUID, 0 },
		{ AT_GID, 0 }, { AT_EGID, 0 }, { AT_HWCAP, cpu_features() }, { AT_CLKTCK, 100 }, { AT_SECURE, 0 },
	};
	uint8_t rnd[16];
	urandom_fill(rnd, sizeof rnd);
	uint8_t *buf = kvmalloc(STACK_BUF);
	if (!buf) return refuse(im, -ENOMEM, "no memory for the arguments");
	uint32_t esp;
	int err = ustack_build(buf, STACK_BUF, USER_STACK_TOP, (const char *const *)argv,
			       (const char *const *)envp, aux, sizeof aux / sizeof aux[0], rnd, &esp);
	if (err) {
		kvfree(buf);
		return refuse(im, -E2BIG, "arguments too long");
	}
	uint32_t n = USER_STACK_TOP - esp;
	struct stack_copy c = { esp, buf + STACK_BUF - n, n };
	struct guard_report rep;
	int stopped = guard_run_in(im->space, copy_stack, &c, &rep);
	kvfree(buf);
	if (stopped) return refuse(im, -ENOMEM, "no memory for the stack");
	im->start.user_esp = esp;
	return 0;
}

static void first_registers(struct user_frame *f, uint32_t entry, uint32_t esp)
{
	mm_memset(f, 0, sizeof(*f));
	f->tf.gs = f->tf.fs = f->tf.es = f->tf.ds = 0x23;
	f->tf.eip = entry;
	f->tf.cs = 0x1B;
	f->tf.eflags = 0x202; /* IF */
	f->user_esp = esp;
	f->user_ss = 0x23;
}

/* Build im from file; 0, or -errno with im->err. Nothing is kept on error. */
static int load(struct image *im, const char *file, char *const *argv, char *const *envp)
{
	struct kfile f;
	mm_memset(im, 0, sizeof(*im));
	if (file_find(file, &f) || !f.data) return refuse(im, -ENOENT, "no such file (try ls)");
	if (gz_is_gzip(f.data, f.size)) return refuse(im, -ENOEXEC, "a compressed module: give the program uncompressed");
	int err = elf_parse(f.data, f.size, USER_STACK_TOP - VM_STACK_MAX_PAGES * PAGE_SIZE, &im->elf, &im->err);
	if (err) return -ENOEXEC;
	struct anon_pool *pool = upool_get();
	im->space = pool ? vm_space_create(&kvm_irqsafe) : 0;
	if (!im->space) return refuse(im, -ENOMEM, "no memory for an address space");
	uint32_t f2 = irq_save();
	anon_attach(pool, im->space);
	irq_restore(f2);
	for (uint32_t i = 0; i < im->elf.nseg && !err; i++)
		if (add_segment(im->space, (const uint8_t *)f.data, &im->elf.seg[i]))
			err = refuse(im, -ENOMEM, "no memory for its segments");
	if (!err) err = make_stack(im, argv, envp);
	if (err) {
		uproc_release_space(im->space);
		return err;
	}
	first_registers(&im->start, im->elf.entry, im->start.user_esp);
	im->brk = im->elf.end;
	return 0;
}

static const char *basename_of(const char *path)
{
	const char *b = path;
	for (const char *c = path; *c; c++)
		if (*c == '/') b = c + 1;
	return b;
}

static char *const default_env[] = { "PATH=/", "HOME=/", "TERM=dumb", 0 };

struct uproc *uproc_exec(const char *file, int argc, char **argv, bool foreground)
{
	(void)argc;
	static struct image im; /* the shell's: one exec at a time */
	if (load(&im, basename_of(file), argv, default_env)) {
		kprintf("exec: %s: %s\n", file, im.err.msg);
		return 0;
	}
	struct uproc *p = uproc_start(basename_of(file), 0, im.space, &im.start, 0);
	if (!p) {
		uproc_release_space(im.space);
		kprintf("exec: %s: no room for another process\n", file);
		return 0;
	}
	p->brk_start = p->brk = im.brk;
	p->foreground = foreground;
	return p;
}

int uproc_execve(struct uproc *p, const char *file, char **argv, char **envp)
{
	struct image *imp = kzalloc(&kheap, sizeof(*imp));
	if (!imp) return -ENOMEM;
	int err = load(imp, basename_of(file), argv, envp);
	struct image im = *imp;
	kfree(&kheap, imp);
	if (err) {
		klog("execve %s by process %d: %s\n", file, p->pid, im.err.msg);
		return err;
	}
	struct thread *t = thread_current();
	uint32_t f = irq_save();
	struct vm_space *old = p->space;
	p->space = t->space = im.space;
	im.space->owner = p;
	im.space->id = (uint32_t)p->pid;
	vm_switch(im.space);
	uproc_release_space(old);
	t->tls = 0;
	user_switch_in(t->esp0, 0);
	irq_restore(f);
	p->brk_start = p->brk = im.brk;
	mm_strncpy0(p->name, basename_of(file), sizeof p->name);
	mm_strncpy0(t->name, p->name, sizeof t->name);
	p->start = im.start;
	ufd_exec(&p->fds);
	usig_exec(&p->sig);
	return 0;
}
