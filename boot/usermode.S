/*
 * usermode.S - user_enter(eip, esp, eax, ebx): drop to ring 3 at eip with
 * stack esp and the two registers set, by building an iret frame with the
 * user code (0x1B) and data (0x23) selectors. It never returns here: the user
 * code comes back through a trap (int $0x83 to finish, or a fault), whose
 * handler jumps to a recovery point (kernel/arch/usermode.c).
 *
 * user_return(frame): start (or resume) a process from a whole struct
 * user_frame (kernel/arch/trap.h) - a new process's first registers, or a
 * forked child's copy of its parent's - through the common trap return.
 * The frame becomes the stack for the pops, so interrupts are off from
 * there to the iret (which sets them as the frame's eflags say).
 */
	.section .text
	.global user_enter
user_enter:
	mov 4(%esp), %ecx          /* eip */
	mov 8(%esp), %edx          /* user esp */
	mov 12(%esp), %eax
	mov 16(%esp), %ebx
	mov $0x23, %si
	mov %si, %ds
	mov %si, %es
	mov %si, %fs
	mov %si, %gs
	push $0x23                 /* ss */
	push %edx                  /* esp */
	pushf
	orl $0x200, (%esp)         /* interrupts on in user mode */
	push $0x1B                 /* cs */
	push %ecx                  /* eip */
	iret

	.global user_return
user_return:
	cli                        /* until the iret: the stack is now the frame, */
	mov 4(%esp), %esp          /* and an interrupt would push its own frame */
	jmp trap_return            /* below it (over what holds it, a process) */
