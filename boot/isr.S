/*
 * isr.S - entry stubs for every interrupt vector mmk uses: the 32 CPU
 * exceptions, the 16 PIC IRQs (32..47) and the null-trap vector 0x81 used as
 * the unit of cost in benchmarks (0x82 is the same through the common trap
 * path and an empty C handler; 0x80 is the Linux i386 system call). Each stub pushes a uniform frame (a dummy
 * error code when the CPU pushes none, then the vector) and jumps to
 * trap_common, which saves the registers as a struct trap_frame (kernel/arch/trap.h)
 * and calls trap_dispatch(frame).
 */
	.section .text

.macro STUB_NOERR n
	.global isr_stub_\n
isr_stub_\n:
	push $0
	push $\n
	jmp trap_common
.endm

.macro STUB_ERR n
	.global isr_stub_\n
isr_stub_\n:
	push $\n
	jmp trap_common
.endm

STUB_NOERR 0
STUB_NOERR 1
STUB_NOERR 2
STUB_NOERR 3
STUB_NOERR 4
STUB_NOERR 5
STUB_NOERR 6
STUB_NOERR 7
STUB_ERR 8
STUB_NOERR 9
STUB_ERR 10
STUB_ERR 11
STUB_ERR 12
STUB_ERR 13
STUB_ERR 14
STUB_NOERR 15
STUB_NOERR 16
STUB_ERR 17
STUB_NOERR 18
STUB_NOERR 19
STUB_NOERR 20
STUB_ERR 21
STUB_NOERR 22
STUB_NOERR 23
STUB_NOERR 24
STUB_NOERR 25
STUB_NOERR 26
STUB_NOERR 27
STUB_NOERR 28
STUB_ERR 29
STUB_ERR 30
STUB_NOERR 31
STUB_NOERR 32
STUB_NOERR 33
STUB_NOERR 34
STUB_NOERR 35
STUB_NOERR 36
STUB_NOERR 37
STUB_NOERR 38
STUB_NOERR 39
STUB_NOERR 40
STUB_NOERR 41
STUB_NOERR 42
STUB_NOERR 43
STUB_NOERR 44
STUB_NOERR 45
STUB_NOERR 46
STUB_NOERR 47
STUB_NOERR 128
STUB_NOERR 130
STUB_NOERR 131

/* Vector 0x81: the null trap. Returns at once; the benchmark's unit. */
	.global isr_null_trap
isr_null_trap:
	iret

trap_common:
	pusha
	push %ds
	push %es
	push %fs
	push %gs
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %fs                   /* never a user's TLS selector in the kernel: */
	mov %ax, %gs                   /* another thread may own GDT entry 6 when it is popped */
	push %esp                      /* struct trap_frame * */
	call trap_dispatch
	add $4, %esp
	.global trap_return
trap_return:                           /* user_return (usermode.S) enters here */
	pop %gs
	pop %fs
	pop %es
	pop %ds
	popa
	add $8, %esp                   /* vector and error code */
	iret

/* The table of stubs, indexed by vector, for idt_init(). */
	.section .rodata
	.global isr_stub_table
isr_stub_table:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long isr_stub_\n
	.endr
	.irp n, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	.long isr_stub_\n
	.endr
