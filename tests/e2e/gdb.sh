#!/usr/bin/env bash
# gdb.sh - debugging as an xv6 user expects: `make qemu-gdb` with gdb
# attached from elsewhere, a breakpoint on vm_fault reached from a console
# command, `bt` on through the trap frame into the code that faulted, every
# gdb command of tools/mmk.gdb, and make debug's console (tools/debug), which
# keeps what the kernel printed before anyone connected.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
T=$E2E_TMP
unset MAKEFLAGS MFLAGS MAKELEVEL  # the make below is ours, not part of a make test
# A demand-zero page fault through vm_fault, from the [mm] prompt.
FAULT=$'space new\nspace region 0x400000 4 rw\nspace write 0x400000 42\n'
WROTE="wrote 0x0000002a to 0x00400000 (page fault: demand-zero page mapped)"

# wait_listen PORT SECONDS: until something listens on 127.0.0.1:PORT (read
# from /proc/net/tcp: connecting would disturb QEMU's gdb stub).
wait_listen() {
	local hex i
	hex=$(printf '0100007F:%04X' "$1")
	for ((i = 0; i < $2 * 10; i++)); do
		grep -q " $hex 00000000:0000 0A " /proc/net/tcp && return 0
		sleep 0.1
	done
	return 1
}
# section FILE NAME: the lines after "==NAME" up to the next "==".
section() { awk -v s="==$2" '$0 == s { on = 1; next } /^==/ { on = 0 } on' "$1"; }
# after_trap: the function of the first frame after the trap stub's frame
# in a bt on standard input ("" when bt stops at the stub).
after_trap() {
	awk '/ in trap_common \(/ { getline; if (match($0, / in [A-Za-z_][A-Za-z0-9_]* \(/))
		print substr($0, RSTART + 4, RLENGTH - 6); exit }'
}
# check_section NAME FILE SECTION TEXT: that section contains TEXT.
check_section() {
	section "$2" "$3" > "$T/section"
	check_contains "$1" "$T/section" "$4"
}
check_match() { # check_match NAME FILE SECTION ERE
	if section "$2" "$3" | grep -qE "$4"; then ok "$1"
	else fail "$1" "no line matches $4" "$(section "$2" "$3" | head -5)"; fi
}

# make qemu is make run (the same command).
if [ "$(make -n qemu 2>&1 | grep tools/mmk)" = "$(make -n run 2>&1 | grep tools/mmk)" ] &&
	make -n qemu 2>&1 | grep -q 'tools/mmk --mem 128M'; then
	ok "make qemu boots as make run does"
else fail "make qemu boots as make run does" "$(make -n qemu 2>&1 | tail -2)"; fi

# 1. make qemu-gdb: make run's boot, halted, its console here; gdb attaches
# as it says. The first vm_fault is the demonstration's memman run; then to
# the prompt, where the console's commands fault through vm_fault again.
port=$((20000 + RANDOM % 20000))
printf '%shalt\n' "$FAULT" | GDB_PORT=$port timeout 120 make -s --no-print-directory qemu-gdb \
	> "$T/qcon" 2> "$T/qerr" &
runner=$!
if wait_listen $port 60; then ok "make qemu-gdb waits with the gdb stub on GDB_PORT"
else fail "make qemu-gdb waits with the gdb stub on GDB_PORT" "$(cat "$T/qerr")"; fi
check_contains "make qemu-gdb says how to attach gdb" "$T/qerr" \
	"gdb-multiarch -x tools/mmk.gdb -ex 'target remote :$port' build/kernel.elf"
timeout 90 gdb-multiarch -batch -x tools/mmk.gdb -ex "target remote 127.0.0.1:$port" \
	-ex 'break vm_fault' -ex continue -ex 'echo ==demo-bt\n' -ex bt \
	-ex 'echo ==pools\n' -ex mmk-pools \
	-ex delete -ex 'tbreak shell_run' -ex continue \
	-ex 'echo ==memmap\n' -ex mmk-memmap -ex 'echo ==modules\n' -ex mmk-modules \
	-ex 'echo ==pgdir\n' -ex mmk-pgdir -ex 'echo ==pte-kernel\n' -ex 'mmk-pte 0xC0100000' \
	-ex 'echo ==frames\n' -ex mmk-frames -ex 'echo ==frame0\n' -ex 'mmk-frame 0' \
	-ex 'echo ==swap\n' -ex mmk-swap -ex 'echo ==notrap\n' -ex mmk-trap \
	-ex 'break vm_fault' -ex continue -ex 'echo ==bt\n' -ex bt \
	-ex 'echo ==s\n' -ex 'print *s' \
	-ex 'echo ==args\n' -ex 'printf "ADDR=%#x ERR=%u\n", addr.v, err' \
	-ex 'echo ==trap\n' -ex mmk-trap \
	-ex 'echo ==pte-before\n' -ex 'mmk-pte 0x400000' \
	-ex finish -ex 'echo ==pte-after\n' -ex 'mmk-pte 0x400000' \
	-ex 'echo ==end\n' -ex delete -ex continue build/kernel.elf > "$T/qgdb" 2>&1
wait $runner
G=$T/qgdb
[ "$(section "$G" demo-bt | after_trap)" = do_access ] &&
	ok "bt from vm_fault in make run's demonstration reaches do_access" ||
	fail "bt from vm_fault in make run's demonstration reaches do_access" "$(section "$G" demo-bt | head -8)"
check_match "mmk-pools shows the demonstration's pool" "$G" pools \
	'^pool [0-9]+: 8 frames, policy [a-z]+, [0-9]+ resident; refs [0-9]+ faults [0-9]+ evictions [0-9]+ writebacks [0-9]+ swapins [0-9]+$'
check_match "mmk-memmap prints the map's RAM regions" "$G" memmap '^  0x0000100000 - 0x[0-9a-f]{10} +[0-9]+ KiB  type 1$'
check_match "mmk-memmap prints RAM, modules, command line" "$G" memmap '^RAM: 1[23][0-9]{4} KiB; modules: 2; cmdline: .*demo quiet$'
check_match "mmk-modules lists demo.trace" "$G" modules '^  demo\.trace +phys 0x[0-9a-f]{8} - 0x[0-9a-f]{8} \([1-9][0-9]* bytes\)$'
check_match "mmk-modules lists cs.trace.gz (3281 bytes)" "$G" modules '^  cs\.trace\.gz +phys .* \(3281 bytes\)$'
check_section "mmk-pgdir lists the direct map" "$G" pgdir "PDE  769  va 0xc0400000  4M page -> phys 0x00400000  rw=1 user=0"
check_match "mmk-pte decodes the kernel's 4 MiB page" "$G" pte-kernel '^PDE\[768\] = 0x[0-9a-f]{8}  present=1 rw=1 user=0 4M=1$'
check_match "mmk-frames prints the totals" "$G" frames '^frames: [0-9]+ total, [0-9]+ free, [0-9]+ allocated, [0-9]+ reserved$'
check_match "mmk-frames prints each order" "$G" frames '^  10 +[0-9]+     0x[0-9a-f]{5}$'
check_section "mmk-frame shows frame 0 reserved" "$G" frame0 "frame 0x00000: flags 0x1 (reserved=1 free=0 allocated=0 head=0)"
check_match "mmk-swap prints the swap device" "$G" swap '^swap device ram: 4096 slots, [0-9]+ in use'
check_section "mmk-trap says when no trap is on the stack" "$G" notrap "no trap frame from the selected frame outwards"
section "$G" bt > "$T/bt"
[ "$(after_trap < "$T/bt")" = do_touch ] &&
	ok "bt from vm_fault goes through the trap frame into do_touch, which faulted" ||
	fail "bt from vm_fault goes through the trap frame into do_touch, which faulted" "$(head -8 "$T/bt")"
check_contains "bt goes on to the shell's command" "$T/bt" " in space_touch ("
check_match "bt ends at the kernel's entry" "$G" bt '^#[0-9]+ +0x[0-9a-f]+ in higher_half \(\) at boot/boot\.S'
check_not_contains "bt has no unknown frames" "$T/bt" "in ?? ("
check_not_contains "bt has no nameless frames" "$T/bt" "in  ("
check_match "print *s shows the faulting space" "$G" s '^  nregions = 1,$'
check_match "print *s shows the space's page directory" "$G" s '^  pd = \{$'
check_section "vm_fault's arguments: the address and the write error code" "$G" args "ADDR=0x400000 ERR=2"
check_section "mmk-trap decodes the page fault" "$G" trap "vector 14 (page fault), err 0x2 (not present, write, kernel)"
check_match "mmk-trap names the faulting instruction" "$G" trap '^  from eip 0x[0-9a-f]{8} <do_touch\+[0-9]+>  esp 0x[0-9a-f]{8} \(ring 0\)$'
check_section "mmk-trap shows the value being written" "$G" trap "eax 0x0000002a"
check_match "mmk-pte: before vm_fault, no page at 0x400000" "$G" pte-before 'present=0'
check_match "mmk-pte: after vm_fault, a present writable page at 0x400000" "$G" pte-after \
	'^PTE\[0\] = 0x[0-9a-f]{8}  present=1 rw=1 user=[01] accessed=[01] dirty=[01] frame=0x[0-9a-f]+$'
check_not_contains "gdb ran every command without error" "$G" "Undefined command"
check_not_contains "the unwinder raised nothing" "$G" "Python Exception"
check_contains "the console carried the demonstration" "$T/qcon" "Try: help"
check_contains "the console's commands finished after gdb let go" "$T/qcon" "$WROTE"

# 2. make debug (tools/debug): gdb here, the console held by
# tools/debug-console. It connects only once the kernel is at its prompt,
# and still gets every byte from the first, then types the commands.
port=$((20000 + RANDOM % 20000))
cport=$((port + 1))
GDB_PORT=$port CONSOLE_PORT=$cport CONSOLE_LOG=$T/conlog timeout 120 tools/debug --mem 64M -- -batch \
	-ex 'break isr_stub_14' -ex continue -ex 'echo ==stub\n' -ex 'bt 2' \
	-ex 'stepi 6' -ex 'echo ==inside\n' -ex 'x/i $pc' -ex 'bt 2' \
	-ex delete -ex 'break vm_fault' -ex continue -ex 'echo ==bt\n' -ex bt \
	-ex 'echo ==s\n' -ex 'print *s' -ex 'echo ==empty\n' -ex mmk-modules -ex mmk-pools -ex mmk-procs \
	-ex 'echo ==end\n' -ex delete -ex continue > "$T/dgdb" 2>&1 &
debug=$!
for _ in $(seq 300); do has_text "$T/conlog" "[mm] " 2>/dev/null && break; sleep 0.1; done
check_contains "make debug's console log has the boot lines" "$T/conlog" \
	$'mmk: a memory-management kernel. Type help for the commands.\r\n[mm] '
printf '%shalt\n' "$FAULT" | timeout 60 tools/debug-console $cport > "$T/dcon" 2>&1
wait $debug
head -c 62 "$T/dcon" > "$T/dcon-head"
check_contains "a late console connection still gets the first line" "$T/dcon-head" \
	"mmk: a memory-management kernel. Type help for the commands."
check_contains "the console takes commands and shows their output" "$T/dcon" "$WROTE"
check_contains "the console shows the kernel's last words" "$T/dcon" $'[mm] halt\r\nbye'
check_contains "the log has the whole session" "$T/conlog" "$WROTE"
D=$T/dgdb
check_match "bt at the stub's first instruction shows the faulting function" "$D" stub '^#1 +0x[0-9a-f]+ in do_touch \('
check_match "stepping into trap_common" "$D" inside '<trap_common\+[0-9]+>:'
check_match "bt inside trap_common shows the faulting function" "$D" inside '^#1 +0x[0-9a-f]+ in do_touch \('
[ "$(section "$D" bt | after_trap)" = do_touch ] &&
	ok "make debug: bt from vm_fault reaches do_touch" ||
	fail "make debug: bt from vm_fault reaches do_touch" "$(section "$D" bt | head -8)"
check_match "make debug: print *s" "$D" s '^  nregions = 1,$'
check_section "mmk-modules says when there are none" "$D" empty "no boot modules"
check_section "mmk-pools says when there are none" "$D" empty "no frame pools"
check_section "mmk-procs says when there are none" "$D" empty "no user processes"
if pgrep -f "tcp:127.0.0.1:$port" > /dev/null || pgrep -f "debug-console --serve .* $cport " > /dev/null; then
	fail "make debug leaves no QEMU or console relay behind"
else ok "make debug leaves no QEMU or console relay behind"; fi

# 3. A user program's first fault: an instruction fetch at _start, from
# ring 3. bt names _start (at pc itself: pc - 1 is the end of main, which
# the linker put before it), mmk-trap shows the user stack, mmk-procs the
# process.
if [ -f build/user/hello ]; then
	port=$((20000 + RANDOM % 20000))
	printf 'exec hello\nhalt\n' | $MMK --gdb $port --cmdline quiet --module build/user/hello --timeout 90 \
		> "$T/ucon" 2>&1 &
	runner=$!
	wait_listen $port 30
	timeout 90 gdb-multiarch -batch -x tools/mmk.gdb -ex "target remote 127.0.0.1:$port" \
		-ex 'break vm_fault if err & 4' -ex continue -ex 'echo ==nosyms\n' -ex bt \
		-ex 'add-symbol-file build/user/hello' -ex 'echo ==bt\n' -ex bt -ex 'echo ==trap\n' -ex mmk-trap -ex 'echo ==procs\n' -ex mmk-procs \
		-ex 'echo ==end\n' -ex delete -ex continue build/kernel.elf > "$T/ugdb" 2>&1
	wait $runner
	U=$T/ugdb
	[ "$(section "$U" bt | after_trap)" = _start ] &&
		ok "bt from a user fault names the user function at the faulting pc (_start)" ||
		fail "bt from a user fault names the user function at the faulting pc (_start)" "$(section "$U" bt | head -8)"
	if section "$U" nosyms | awk '/ in trap_common \(/ { getline; print; exit }' |
		grep -qE '^#[0-9]+ +0x0804[0-9a-f]{4} in \?\? \(\)$'; then
		ok "without the program's symbols, its frame is ?? ()"
	else fail "without the program's symbols, its frame is ?? ()" "$(section "$U" nosyms | head -8)"; fi
	check_section "mmk-trap decodes a fetch fault from ring 3" "$U" trap "vector 14 (page fault), err 0x4 (not present, read, user)"
	check_match "mmk-trap shows the user stack" "$U" trap '^  from eip 0x0804[0-9a-f]{4} <_start>  esp 0xbf[0-9a-f]{6} \(ring 3, ss 0x23\)$'
	check_match "mmk-procs lists the process" "$U" procs '^pid 1  hello +running, page directory 0x[0-9a-f]{8}, [1-9][0-9]* regions$'
	check_match "mmk-procs shows the user pool" "$U" procs '^user pool: [0-9]+ frames, [0-9]+ resident of [0-9]+ pages$'
	check_contains "the program ran on after gdb let go" "$T/ucon" "process 1 exited: status 0"
else
	fail "build/user/hello is built (make user)"
fi

finish
