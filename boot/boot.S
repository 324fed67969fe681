/*
 * boot.S - multiboot v1 entry. GRUB or QEMU's -kernel loads mmk at 1 MiB with
 * paging off. _start builds a boot page directory of 4 MiB pages (identity for
 * the first 4 MiB, so the next instruction still runs, and the direct map of
 * RAM at 0xC0000000), turns on PSE and paging, moves to the higher half, sets
 * its own stack and calls kmain(magic, multiboot info physical address).
 */
#include "layout.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-align modules, want the memory map */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .bss
	.align 4096
	.global boot_page_dir
boot_page_dir:
	.skip 4096
	.global boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .text.boot, "ax"
	.global _start
	.type _start, @function
_start:
	cli
	mov %eax, %esi                          /* multiboot magic */
	mov %ebx, %edi                          /* multiboot info (physical) */

	/* Direct map: PDE[768 + i] = (i << 22) | PS | RW | P, for 896 MiB. */
	mov $(boot_page_dir - KERNEL_BASE), %edx
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $22, %eax
	or $0x83, %eax
	mov %eax, (KERNEL_PDE_FIRST * 4)(%edx, %ecx, 4)
	inc %ecx
	cmp $(DIRECT_MAP_MAX >> 22), %ecx
	jb 1b
	movl $0x83, (%edx)                      /* identity map of the first 4 MiB */

	mov %cr4, %eax
	or $0x10, %eax                          /* CR4.PSE: 4 MiB pages */
	mov %eax, %cr4
	mov %edx, %cr3
	mov %cr0, %eax
	or $0x80010000, %eax                    /* CR0.PG | CR0.WP */
	mov %eax, %cr0

	lea higher_half, %eax
	jmp *%eax

	.section .text
higher_half:
	mov $boot_stack_top, %esp
	xor %ebp, %ebp                          /* the backtrace stops here */
	push %edi
	push %esi
	call kmain
2:	cli
	hlt
	jmp 2b

