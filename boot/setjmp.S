/*
 * setjmp.S - kjmp_set/kjmp_go: a kernel setjmp/longjmp that also saves and
 * restores EFLAGS, so a jump out of a trap handler (interrupts off) back to a
 * recovery point restores the interrupt flag the code had there.
 *
 * struct kjmp { ebx, esi, edi, ebp, esp, eip, eflags }  (kernel/guard.h)
 */
	.section .text
	.global kjmp_set
kjmp_set:
	mov 4(%esp), %eax
	mov %ebx, 0(%eax)
	mov %esi, 4(%eax)
	mov %edi, 8(%eax)
	mov %ebp, 12(%eax)
	lea 4(%esp), %ecx            /* esp after our return */
	mov %ecx, 16(%eax)
	mov (%esp), %ecx             /* return address */
	mov %ecx, 20(%eax)
	pushf
	pop %ecx
	mov %ecx, 24(%eax)
	xor %eax, %eax
	ret

	.global kjmp_go
kjmp_go:
	mov 4(%esp), %edx            /* struct kjmp * */
	mov 8(%esp), %eax            /* value */
	test %eax, %eax
	jnz 1f
	inc %eax
1:	mov 0(%edx), %ebx
	mov 4(%edx), %esi
	mov 8(%edx), %edi
	mov 12(%edx), %ebp
	mov 16(%edx), %esp
	push 24(%edx)
	popf
	jmp *20(%edx)
