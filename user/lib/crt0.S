/*
 * crt0.S - _start, where a program begins. The kernel leaves Linux's
 * initial stack (i386 System V ABI) at esp:
 *
 *     esp ->  argc
 *             argv[0] ... argv[argc-1], NULL
 *             envp[0] ... NULL
 *             auxv: (type, value) pairs ... (AT_NULL, 0)
 *
 * _start keeps envp in environ and the auxiliary vector in auxv, calls
 * main(argc, argv, envp) on a 16-byte aligned stack, and exits with what
 * main returned.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp                 /* the outermost frame */
	cld
	movl (%esp), %eax               /* argc */
	leal 4(%esp), %ecx              /* argv */
	leal 8(%esp,%eax,4), %edx       /* envp = argv + argc + 1 */
	movl %edx, environ
	movl %edx, %esi
1:	cmpl $0, (%esi)                 /* auxv follows envp's NULL */
	leal 4(%esi), %esi
	jne 1b
	movl %esi, auxv
	andl $-16, %esp
	subl $4, %esp                   /* three pushes leave it aligned */
	pushl %edx
	pushl %ecx
	pushl %eax
	call main
	movl %eax, (%esp)
	call exit
	hlt                             /* not reached */
	.size _start, . - _start

	.bss
	.align 4
	.globl environ, auxv
environ:	.long 0
auxv:		.long 0

	.section .note.GNU-stack, "", @progbits
