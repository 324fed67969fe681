/*
 * kmain.h - hooks into the boot sequence. A subsystem adds an initialiser
 * with BOOT_HOOK(name, fn, order) (hooks run by increasing order, a
 * two-digit number: memory is 10) and a command-line mode with BOOT_MODE(key, fn): when `key`
 * is on the kernel command line, fn runs instead of the shell.
 */
#ifndef KERNEL_KMAIN_H
#define KERNEL_KMAIN_H

struct boot_hook { const char *name; void (*init)(void); };
struct boot_mode { const char *key; void (*run)(void); };

#define BOOT_HOOK(nm, fn, ord)                                                 \
	static const struct boot_hook boot_hook_##nm                           \
		__attribute__((used, section(".boot_hooks." #ord), aligned(4))) = { #nm, fn }
#define BOOT_MODE(nm, key, fn)                                                 \
	static const struct boot_mode boot_mode_##nm                           \
		__attribute__((used, section(".boot_modes"), aligned(4))) = { key, fn }

extern const struct boot_hook __boot_hooks_start[], __boot_hooks_end[];
extern const struct boot_mode __boot_modes_start[], __boot_modes_end[];

#endif
