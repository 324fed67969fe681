/*
 * ustack.h - the initial stack of a new process: argc, argv, envp and the
 * auxiliary vector, laid out the way a program's start-up code (glibc's
 * _start, a crt0) reads it.
 *
 * Format: System V ABI, Intel386 Architecture Processor Supplement,
 * "Process Initialization": "Process Stack and Registers" (figure "Initial
 * Process Stack") and "Auxiliary Vector", with the additions Linux makes
 * (AT_RANDOM, AT_PLATFORM, AT_EXECFN) and its alignment: esp, which points
 * at argc, is a multiple of 16.
 *
 * The stack is built into a kernel buffer standing for the user addresses
 * [top - cap, top); the caller then copies its used part, the bytes
 * [esp, top) found at buf + (esp - (top - cap)), to the top of the new
 * user stack, and starts the program at its entry point with that esp and
 * edx = 0 (the psABI's "function to register with atexit": none).
 *
 *   top ->   +-------------------------------------+
 *            | 0 (4 bytes)                         |  end marker
 *            | argv strings, then envp strings     |  each NUL-terminated, argv[0] lowest
 *            | "i686\0"                            |  <- AT_PLATFORM
 *            | 16 random bytes                     |  <- AT_RANDOM
 *            | zeros, to align esp to 16           |
 *            | AT_NULL, 0                          |
 *            | auxv: type, value pairs             |  the caller's, then AT_RANDOM,
 *            |                                     |  AT_PLATFORM and AT_EXECFN
 *            | 0                                   |
 *            | envp[envc - 1] ... envp[0]          |
 *            | 0                                   |
 *            | argv[argc - 1] ... argv[0]          |
 *   esp ->   | argc                                |  esp % 16 == 0
 *            +-------------------------------------+
 *
 * Every word is a 32-bit little-endian user value, whatever the host.
 */
#ifndef MM_EXEC_USTACK_H
#define MM_EXEC_USTACK_H

#include "mm_types.h"

/* Auxiliary vector entry types (a_type), as the psABI and Linux number them. */
#define AT_NULL 0u    /* ends the vector */
#define AT_IGNORE 1u
#define AT_EXECFD 2u
#define AT_PHDR 3u    /* where the program headers are in memory */
#define AT_PHENT 4u   /* the size of one program header */
#define AT_PHNUM 5u   /* how many there are */
#define AT_PAGESZ 6u
#define AT_BASE 7u    /* the interpreter's base (0: none) */
#define AT_FLAGS 8u
#define AT_ENTRY 9u   /* the program's entry point */
#define AT_NOTELF 10u
#define AT_UID 11u
#define AT_EUID 12u
#define AT_GID 13u
#define AT_EGID 14u
#define AT_PLATFORM 15u /* a string naming the CPU: "i686" */
#define AT_HWCAP 16u    /* CPUID.1:EDX feature bits */
#define AT_CLKTCK 17u   /* times() ticks per second */
#define AT_SECURE 23u   /* 1 for a set-uid start */
#define AT_BASE_PLATFORM 24u
#define AT_RANDOM 25u   /* 16 random bytes (stack protector and pointer guard seeds) */
#define AT_HWCAP2 26u
#define AT_EXECFN 31u   /* the program's file name */
#define AT_SYSINFO 32u
#define AT_SYSINFO_EHDR 33u

/* Limits: more strings in argv (or in envp) than USTACK_MAX_ARGS, or one
 * string of USTACK_MAX_STRLEN bytes or more before its NUL, is -MM_E2BIG;
 * more caller entries than USTACK_MAX_AUX is -MM_EINVAL. */
#define USTACK_MAX_ARGS 1024u
#define USTACK_MAX_STRLEN 4096u
#define USTACK_MAX_AUX 32u

#define USTACK_PLATFORM "i686"

struct ustack_auxv {
	uint32_t type, value;
};

/*
 * Build the initial stack ending at user address top into buf[0..cap),
 * which stands for [top - cap, top), as drawn above. argv and envp are
 * NULL-terminated arrays of strings (NULL: none) outside buf; aux[0..naux)
 * are the caller's entries (AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ,
 * AT_ENTRY, AT_UID, AT_EUID, AT_GID, AT_EGID, AT_HWCAP, AT_CLKTCK,
 * AT_SECURE...), copied in order; ustack_build adds AT_RANDOM (pointing at
 * a copy of random16), AT_PLATFORM, AT_EXECFN (pointing at argv[0]'s copy;
 * only when argc > 0) and AT_NULL, which the caller must not give.
 *
 * Returns 0 and sets *esp (the user esp to start with: it points at argc);
 * every byte of buf for [*esp, top) is written, padding with zeros, and
 * none below. Returns -MM_E2BIG when the arguments pass the limits above or
 * the stack does not fit in cap bytes, -MM_EINVAL when cap > top, naux >
 * USTACK_MAX_AUX, an aux entry has a type ustack_build adds, or buf,
 * random16 or esp is NULL (or aux is, with naux > 0). On failure buf is
 * untouched.
 */
int ustack_build(uint8_t *buf, uint32_t cap, uint32_t top, const char *const *argv,
		 const char *const *envp, const struct ustack_auxv *aux, uint32_t naux,
		 const uint8_t random16[16], uint32_t *esp);

#endif
