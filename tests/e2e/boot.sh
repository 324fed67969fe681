#!/usr/bin/env bash
# boot.sh - booting through GRUB (modules from `module` lines), and an
# automated gdb session against QEMU's gdb stub.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
T=$E2E_TMP

# GRUB: a rescue ISO with two module lines; both appear as files.
printf 'from grub\n' > "$T/one.txt"
printf 'second module\n' > "$T/two.txt"
if tools/mkiso "$T/mmk.iso" build/kernel.elf "$T/one.txt" "$T/two.txt" -- quiet; then
	ok "grub-mkrescue builds an ISO"
	printf 'ls\ncat two.txt\nhalt\n' | $MMK --iso "$T/mmk.iso" --timeout 60 > "$T/grub" 2>&1
	check_status "mmk booted by GRUB halts cleanly" $? 0
	check_contains "GRUB module one.txt is a file" "$T/grub" "one.txt"
	check_contains "GRUB module two.txt can be read" "$T/grub" "second module"
else
	fail "grub-mkrescue builds an ISO"
fi

# gdb: break at a kernel function, continue, read kernel variables.
port=$((20000 + RANDOM % 20000))
printf 'halt\n' | $MMK --gdb $port --mem 64M --cmdline quiet --timeout 60 > "$T/gdbcon" 2>&1 &
runner=$!
sleep 0.5
timeout 60 gdb-multiarch -batch -x tools/mmk.gdb \
	-ex "target remote 127.0.0.1:$port" -ex "break shell_run" -ex continue \
	-ex 'printf "STAGE=%u\n", boot_stage' \
	-ex 'printf "RAMKIB=%llu\n", boot_info.ram_bytes / 1024' \
	-ex 'printf "CMDLINE=%s\n", kernel_cmdline' \
	-ex 'mmk-memmap' -ex 'mmk-pte 0xC0100000' -ex 'mmk-pgdir' -ex 'mmk-frames' -ex 'mmk-frame 0' -ex 'mmk-swap' -ex 'mmk-pools' -ex continue build/kernel.elf > "$T/gdb" 2>&1
wait $runner
grep -q "Breakpoint 1, shell_run" "$T/gdb" && ok "gdb stops at shell_run" || fail "gdb stops at shell_run" "$(tail -5 "$T/gdb")"
stage=$(sed -n 's/^STAGE=//p' "$T/gdb")
check_status "gdb reads boot_stage (3 at the shell)" "$stage" 3
ram=$(sed -n 's/^RAMKIB=//p' "$T/gdb")
# 64 MiB guest: the map's RAM is 64 MiB less the BIOS's holes (under 1 MiB).
if [ -n "$ram" ] && [ "$ram" -gt $((63 * 1024)) ] && [ "$ram" -le $((64 * 1024)) ]; then
	ok "gdb reads the RAM size the kernel found ($ram KiB for -m 64M)"
else fail "gdb reads the RAM size the kernel found" "got '$ram'"; fi
if grep -qE '^CMDLINE=(.* )?quiet$' "$T/gdb"; then ok "gdb reads the command line"; else fail "gdb reads the command line"; fi
check_contains "mmk-memmap prints the map" "$T/gdb" "type 1"
check_contains "mmk-pte walks the kernel's 4 MiB mapping" "$T/gdb" "present=1 rw=1 user=0 4M=1"
check_contains "mmk-frames prints the allocator" "$T/gdb" "order  free blocks"
check_contains "mmk-frame shows frame 0 reserved" "$T/gdb" "frame 0x00000: flags 0x1 (reserved=1 free=0"
# a struct field printed as a number (paddr_t, vaddr_t, pfn_t need .v) fails so
check_not_contains "mmk-frames and mmk-frame print every field" "$T/gdb" "can't be converted"
check_contains "mmk-swap prints the swap device" "$T/gdb" "swap device ram: 4096 slots"
check_contains "mmk-pgdir lists the direct map" "$T/gdb" "PDE  769  va 0xc0400000  4M page -> phys 0x00400000"

finish
