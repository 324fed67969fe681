# mmk - a bare-metal x86 kernel about memory management.
#
#   make run     boot mmk in QEMU to the [mm] prompt (installs what is missing)
#   make test    install what is missing, build, run every test; one summary line
#   make bench   benchmarks under QEMU -icount shift=0 (BENCH lines)
#   make debug   QEMU halted with its gdb stub + gdb with mmk's script
#   make qemu    the same as make run (xv6's name)
#   make qemu-gdb  make run's boot halted with its gdb stub; attach gdb from
#                another terminal (it prints how)
#   make iso     a GRUB rescue ISO (build/mmk.iso)
#
# CROSS selects the kernel toolchain prefix (i686-elf-, i686-linux-gnu-);
# when none is installed the host gcc builds the kernel with -m32.

SHELL := /bin/bash
BUILD := build
# No "Entering directory" lines, also when run as make -C DIR: the scripts
# that `make test` runs call make themselves and read what it prints
# (print-mm-inc, print-run-args), and they inherit this.
MAKEFLAGS += --no-print-directory

CROSS ?= $(shell if command -v i686-elf-gcc >/dev/null 2>&1; then echo i686-elf-; \
	elif command -v i686-linux-gnu-gcc >/dev/null 2>&1; then echo i686-linux-gnu-; fi)
ifeq ($(CROSS),)
KCC := gcc -m32
KLD := ld -m elf_i386
KNM := nm
else
KCC := $(CROSS)gcc
KLD := $(CROSS)ld
KNM := $(CROSS)nm
endif

# mm/ and kernel/ have one level of sub-folders; headers are included by
# their bare names, so every folder is on the include path.
MM_DIRS := mm $(sort $(wildcard mm/*/))
KERNEL_DIRS := kernel $(sort $(wildcard kernel/*/))
MM_INC := $(patsubst %/,%,$(addprefix -I,$(MM_DIRS)))
KERNEL_INC := $(patsubst %/,%,$(addprefix -I,$(KERNEL_DIRS)))

# -freg-struct-return: structs of up to 8 bytes (paddr_t, vaddr_t and pfn_t
# of mm/mm_types.h among them) are returned in registers instead of through
# memory. The kernel links nothing built for the i386 default, so this ABI
# choice is its own.
KCFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -fno-tree-loop-distribute-patterns -mgeneral-regs-only -march=i686 -O2 -g \
	-freg-struct-return \
	-Wall -Wextra -Werror -Wno-unused-parameter -MMD -MP \
	-I. $(MM_INC) $(KERNEL_INC) -Itests/bench -DMMK_DEBUG=1
KASFLAGS := -m32 -g -MMD -MP -I. $(KERNEL_INC) -D__ASSEMBLY__

# Host code (unit tests, tools, benchmarks, fuzzers) is built natively; the
# same unit tests are also built with -m32 into build/h32 (host32) so 32-bit
# sizes stay tested where the machine can run 32-bit programs.
HOSTCC := gcc
HCFLAGS := -std=gnu11 -g -O1 -pthread -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-parameter -I. $(MM_INC) -MMD -MP

MM_SRCS := $(sort $(wildcard mm/*.c mm/*/*.c))
# mm/ code only host programs use: the software pool backend and the memman
# reference simulator over it (the kernel runs real page tables instead).
MM_HOST_ONLY := mm/sim/pool_soft.c mm/sim/memman_sim.c
MM_KERNEL_SRCS := $(filter-out $(MM_HOST_ONLY),$(MM_SRCS))
KERNEL_SRCS := $(sort $(wildcard kernel/*.c kernel/*/*.c) $(wildcard tests/kernel/*.c) $(wildcard tests/bench/*.c))
BOOT_SRCS := $(sort $(wildcard boot/*.S))
KOBJS := $(BOOT_SRCS:%.S=$(BUILD)/k/%.o) $(KERNEL_SRCS:%.c=$(BUILD)/k/%.o) $(MM_KERNEL_SRCS:%.c=$(BUILD)/k/%.o)

HOST_TEST_SRCS := $(sort $(wildcard tests/host/*.c))
HOST_BIN_SRCS := $(sort $(wildcard tests/host/bin/*.c))
HOBJS_MM := $(MM_SRCS:%.c=$(BUILD)/h/%.o)
HOBJS_TEST := $(HOST_TEST_SRCS:%.c=$(BUILD)/h/%.o)
HOST_BINS := $(HOST_BIN_SRCS:tests/host/bin/%.c=$(BUILD)/host/%)
H32OBJS := $(MM_SRCS:%.c=$(BUILD)/h32/%.o) $(HOST_TEST_SRCS:%.c=$(BUILD)/h32/%.o)

.SECONDARY:
.PHONY: print-run-args print-mm-inc all kernel host host32 iso run qemu qemu-gdb test bench debug setup clean check-tools
all: kernel host user

setup:
	@tools/setup

check-tools:
	@tools/setup --quiet

kernel: $(BUILD)/kernel.elf

# Two-pass link: the second pass embeds the symbol table of the first, so a
# crash report can name the functions of its backtrace. The table sits after
# .text and .rodata, so code addresses are the same in both passes.
$(BUILD)/kernel0.elf: $(KOBJS) $(BUILD)/k/syms_empty.o linker.ld
	$(KLD) -z noexecstack -T linker.ld -o $@ $(KOBJS) $(BUILD)/k/syms_empty.o
$(BUILD)/k/syms_empty.o: tools/gensyms | $(BUILD)/k
	tools/gensyms < /dev/null > $(BUILD)/k/syms_empty.S
	$(KCC) $(KASFLAGS) -c $(BUILD)/k/syms_empty.S -o $@
$(BUILD)/k/syms.o: $(BUILD)/kernel0.elf tools/gensyms
	$(KNM) -n $< | tools/gensyms > $(BUILD)/k/syms.S
	$(KCC) $(KASFLAGS) -c $(BUILD)/k/syms.S -o $@
$(BUILD)/kernel.elf: $(KOBJS) $(BUILD)/k/syms.o linker.ld
	$(KLD) -z noexecstack -T linker.ld -o $@ $(KOBJS) $(BUILD)/k/syms.o
	@tools/checksyms $(BUILD)/kernel0.elf $@ "$(KNM)"

$(BUILD)/k:
	mkdir -p $@

$(BUILD)/k/%.o: %.c
	@mkdir -p $(dir $@)
	$(KCC) $(KCFLAGS) -c $< -o $@
$(BUILD)/k/%.o: %.S
	@mkdir -p $(dir $@)
	$(KCC) $(KASFLAGS) -c $< -o $@

host: $(BUILD)/host/mm_tests $(HOST_BINS)

$(BUILD)/h/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HCFLAGS) -c $< -o $@

$(BUILD)/host/mm_tests: $(HOBJS_MM) $(HOBJS_TEST)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HCFLAGS) -o $@ $^ -lm

# host32: the unit tests as a 32-bit program (make test builds it only where
# 32-bit programs run; tools/setup --can-run-32 tells).
host32: $(BUILD)/host32/mm_tests
$(BUILD)/h32/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -m32 $(HCFLAGS) -c $< -o $@
$(BUILD)/host32/mm_tests: $(H32OBJS)
	@mkdir -p $(dir $@)
	$(HOSTCC) -m32 $(HCFLAGS) -o $@ $^ -lm

$(BUILD)/host/%: $(BUILD)/h/tests/host/bin/%.o $(HOBJS_MM) $(BUILD)/h/tests/host/env_host.o
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HCFLAGS) -o $@ $^ -lm

include user/user.mk

iso: $(BUILD)/mmk.iso
$(BUILD)/mmk.iso: $(BUILD)/kernel.elf tools/mkiso
	tools/mkiso $@ $<

# make run's boot (tests/e2e/shell.sh checks its hints with the same words)
RUN_ARGS := --mem 128M --module tools/demo.trace --module tests/data/traces/lirs/cs.trace.gz \
	--cmdline "demo quiet"
run: check-tools kernel
	tools/mmk $(RUN_ARGS)
print-run-args:
	@echo '$(RUN_ARGS)'

debug: check-tools kernel
	tools/debug

# xv6's names: make qemu boots like make run; make qemu-gdb is that boot
# halted with its gdb stub, console on this terminal.
qemu: run
qemu-gdb: check-tools kernel
	tools/debug --qemu-only $(RUN_ARGS)

test: check-tools
	@$(MAKE) --no-print-directory -j$(shell nproc) all $(shell tools/setup --can-run-32 && echo host32)
	tools/run-tests

bench: check-tools
	@$(MAKE) --no-print-directory -j$(shell nproc) all
	tools/run-bench

# The include flags of mm/, for scripts that build mm/ on their own.
print-mm-inc:
	@echo $(MM_INC)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
