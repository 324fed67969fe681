/*
 * switch.S - thread_switch(&old->esp, new->esp): save the callee-saved
 * registers on the current kernel stack, store the stack pointer, load the
 * other thread's, restore its registers and return into it (where it once
 * called thread_switch, or into thread_start for a new thread).
 */
	.section .text
	.global thread_switch
thread_switch:
	mov 4(%esp), %eax    /* where to save this thread's esp */
	mov 8(%esp), %edx    /* the next thread's esp */
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov %esp, (%eax)
	mov %edx, %esp
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret
