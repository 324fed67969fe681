# user/user.mk - builds the user programs of user/ into build/user/<name>
# (no extension: the kernel finds a program by the basename of its boot
# module). Included by the top-level Makefile; `make user` builds them all.
#
#   USER_PROGS   every program (paths under build/user/)
#   USER_TESTS   the self-checking tests among them (PASS/FAIL line, status)
#
# The runtime programs are freestanding (-nostdlib, user/lib/ as their C
# library), linked at the default 0x08048000; glibc-hello links Debian's
# static glibc; mems-example is the official MeMS driver over mm/heap/.

USER_CC := gcc -m32
USER_CFLAGS := -std=gnu11 -O2 -g -fno-pie -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-tree-loop-distribute-patterns \
	-Wall -Wextra -Werror -Wno-unused-parameter -MMD -MP
USER_INC := -Iuser/lib
USER_LDFLAGS := -m32 -static -nostdlib -no-pie -Wl,-z,noexecstack
USER_LIBGCC := -lgcc    # 64-bit division (int64_t arithmetic, mm/lib/fmt.c's %llu)

UB := $(BUILD)/user
UO := $(BUILD)/u

ULIB_OBJS := $(UO)/user/lib/syscall.o $(UO)/user/lib/string.o $(UO)/user/lib/printf.o
ULIB_CRT0 := $(UO)/user/lib/crt0.o
ULIB_A := $(UO)/ulib.a

# demonstrations (user/bin/) and tests (user/test/, each with utest.c)
USER_BIN_NAMES := $(patsubst user/bin/%.c,%,$(sort $(wildcard user/bin/*.c)))
USER_TEST_NAMES := $(filter-out utest,$(patsubst user/test/%.c,%,$(sort $(wildcard user/test/*.c))))
USER_BINS := $(addprefix $(UB)/,$(USER_BIN_NAMES))
USER_TESTS := $(addprefix $(UB)/,$(USER_TEST_NAMES))

# MeMS as a user program: the official example.c, unchanged, over the
# original API (user/mems/mems.h) on mm/heap/'s MeMS, paged by mmap2.
USER_MEMS_SRCS := tests/data/cases/mems/example.c user/mems/mems_api.c user/mems/mm_env_user.c \
	mm/heap/mems.c mm/heap/mems_index.c mm/lib/fmt.c mm/lib/mmlib.c
USER_MEMS_OBJS := $(USER_MEMS_SRCS:%.c=$(UO)/%.o)
$(USER_MEMS_OBJS): USER_INC := -Iuser/mems -Iuser/lib -Imm -Imm/lib

USER_PROGS := $(USER_BINS) $(USER_TESTS) $(UB)/glibc-hello $(UB)/glibc-cat $(UB)/glibc-segv $(UB)/mems-example

.PHONY: user
user: $(USER_PROGS)

$(UO)/%.o: %.c
	@mkdir -p $(dir $@)
	$(USER_CC) $(USER_CFLAGS) $(USER_INC) -c $< -o $@
$(UO)/%.o: %.S
	@mkdir -p $(dir $@)
	$(USER_CC) -MMD -MP $(USER_INC) -c $< -o $@

$(ULIB_A): $(ULIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(USER_BINS): $(UB)/%: $(UO)/user/bin/%.o $(ULIB_CRT0) $(ULIB_A)
	@mkdir -p $(dir $@)
	$(USER_CC) $(USER_LDFLAGS) -o $@ $(ULIB_CRT0) $< $(ULIB_A) $(USER_LIBGCC)

$(USER_TESTS): $(UB)/%: $(UO)/user/test/%.o $(UO)/user/test/utest.o $(ULIB_CRT0) $(ULIB_A)
	@mkdir -p $(dir $@)
	$(USER_CC) $(USER_LDFLAGS) -o $@ $(ULIB_CRT0) $< $(UO)/user/test/utest.o $(ULIB_A) $(USER_LIBGCC)

$(UB)/mems-example: $(USER_MEMS_OBJS) $(ULIB_CRT0) $(ULIB_A)
	@mkdir -p $(dir $@)
	$(USER_CC) $(USER_LDFLAGS) -o $@ $(ULIB_CRT0) $(USER_MEMS_OBJS) $(ULIB_A) $(USER_LIBGCC)

# Real glibc: the ordinary toolchain, nothing of user/lib/.
$(UB)/glibc-hello: user/glibc/hello.c
	@mkdir -p $(dir $@)
	gcc -m32 -static -O2 -Wall -Wextra -Werror -o $@ $<
$(UB)/glibc-cat: user/glibc/cat.c
	@mkdir -p $(dir $@)
	gcc -m32 -static -O2 -Wall -Wextra -Werror -o $@ $<
$(UB)/glibc-segv: user/glibc/segv.c
	@mkdir -p $(dir $@)
	gcc -m32 -static -O2 -Wall -Wextra -Werror -o $@ $<
