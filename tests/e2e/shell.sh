#!/usr/bin/env bash
# shell.sh - the foundation seen from the outside: the shell and its line
# editor, files from boot modules, bad input, crash reports and the runner's
# exit statuses.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
T=$E2E_TMP

# help and its Portuguese alias list the same registry.
printf 'help\n' | $MMK --cmdline quiet > "$T/help" 2>&1
printf 'ajuda\n' | $MMK --cmdline quiet > "$T/ajuda" 2>&1
for c in help ls cat halt; do check_contains "help lists $c" "$T/help" "  $c "; done
if [ "$(grep -c '^  ' "$T/help")" = "$(grep -c '^  ' "$T/ajuda")" ] && [ "$(grep -c '^  ' "$T/help")" -ge 4 ]; then
	ok "ajuda lists the same commands as help"
else fail "ajuda lists the same commands as help"; fi

# 80 columns: no line of what the console prints here is longer.
check_fits() { # name file
	local long
	long=$(tr -d '\r' < "$2" | awk 'length > 80' | head -3)
	if [ -z "$long" ] && [ -s "$2" ]; then ok "$1 fits 80 columns"; else fail "$1 fits 80 columns" "$long"; fi
}
check_fits "help" "$T/help"
cmds=$(grep -E '^  [a-z]' "$T/help" | awk '{print $1}')
if [ "$(echo "$cmds" | wc -w)" -ge 20 ]; then ok "the help listing names the commands"
else fail "the help listing names the commands" "$cmds"; fi
for c in $cmds; do echo "help $c"; done | $MMK --cmdline quiet > "$T/help_each" 2>&1
check_fits "help <command> for every command" "$T/help_each"
if [ "$(grep -c '^  usage: ' "$T/help_each")" = "$(echo "$cmds" | wc -w)" ]; then ok "help <command> gives every command a usage"
else fail "help <command> gives every command a usage" "$(grep -c '^  usage: ' "$T/help_each")"; fi
printf 'espaco\nsubstitui\nmeminfo\nswapinfo\nthreads\n' | $MMK --cmdline demo --keep-going > "$T/wide" 2>&1
for c in espaco substitui meminfo swapinfo threads; do
	sed -n "/^\[mm\] $c\$/,/^\[mm\] /p" "$T/wide" > "$T/wide_$c"
	check_fits "$c" "$T/wide_$c"
done
sed -n '1,/^\[mm\] /p' "$T/wide" > "$T/wide_boot"
check_fits "the demo boot" "$T/wide_boot"
printf 'carrega demo.trace\nshow\nexecuta 20\n' | $MMK --cmdline quiet --module tools/demo.trace > "$T/wide_memman" 2>&1
check_fits "memman's carrega, show and executa 20" "$T/wide_memman"
check_contains "a long espaco summary wraps under itself" "$T/wide_espaco" $'\n            (also: next-fit'

# help <command> explains it: usage, an example, what it prints; no empty ().
printf 'help espaco\nhelp echo\nhelp replay\nhelp fit\n' | $MMK --cmdline quiet > "$T/help_one" 2>&1
check_contains "help espaco names the command" "$T/help_one" "espaco - memman: choose the free-space algorithm"
check_contains "help espaco shows its aliases" "$T/help_one" "  aliases: fit"
check_contains "help espaco shows its usage" "$T/help_one" "  usage:   espaco <n|name>"
check_contains "help espaco shows an example" "$T/help_one" "  example: espaco best"
check_contains "help espaco says what it prints" "$T/help_one" "  prints:  the chosen algorithm"
check_contains "help echo shows its usage" "$T/help_one" "  usage:   echo [<word>...]"
check_contains "help replay shows an example" "$T/help_one" "  example: replay ps.trace frames=64 policy=lru"
check_contains "help finds a command by an alias" "$T/help_one" $'[mm] help fit\nespaco - '
sed -n '/^\[mm\] help echo$/,/^\[mm\] /p' "$T/help_one" > "$T/help_echo"
if grep -q 'usage:' "$T/help_echo" && ! grep -q '()\|aliases:' "$T/help_echo"; then ok "a command without aliases shows no ()"
else fail "a command without aliases shows no ()" "$(cat "$T/help_echo")"; fi
if ! grep -q '()' "$T/help" "$T/help_each"; then ok "help prints no empty ()"; else fail "help prints no empty ()" "$(grep '()' "$T/help" "$T/help_each" | head -3)"; fi

# Modules become files: ls names them with their sizes, cat gives the bytes back.
printf 'first file\nline two\n' > "$T/alpha.txt"
head -c 3000 /dev/urandom | base64 > "$T/beta.txt"
printf 'ls\ncat beta.txt\n' | $MMK --cmdline quiet --module "$T/alpha.txt" --module "$T/beta.txt" > "$T/files" 2>&1
check_contains "ls shows alpha.txt with its size" "$T/files" "$(printf '%8u  alpha.txt' "$(stat -c %s "$T/alpha.txt")")"
check_contains "ls shows beta.txt" "$T/files" "beta.txt"
# the cat output is everything between the "cat beta.txt" echo line and the next prompt
sed -n '/^\[mm\] cat beta.txt$/,/^\[mm\] $/p' "$T/files" | sed '1d;$d' > "$T/cat_out"
check_same "cat gives the module's bytes back" "$T/cat_out" "$T/beta.txt"
# A gzip module: cat names it instead of dumping binary; cat -z inflates it.
gzip -c "$T/beta.txt" > "$T/beta.gz"
printf 'cat beta.gz\ncat -z beta.gz\n' | $MMK --cmdline quiet --keep-going --module "$T/beta.gz" > "$T/gz" 2>&1
check_contains "cat says a gzip module is compressed" "$T/gz" "cat: beta.gz: gzip-compressed ($(stat -c %s "$T/beta.txt") bytes inflated); use cat -z beta.gz"
if [ "$(sed -n '/^\[mm\] cat beta.gz$/,/^\[mm\] /p' "$T/gz" | wc -l)" = 3 ]; then ok "cat does not dump a gzip module's bytes"
else fail "cat does not dump a gzip module's bytes" "$(head -c 300 "$T/gz")"; fi
sed -n '/^\[mm\] cat -z beta.gz$/,/^\[mm\] $/p' "$T/gz" | sed '1d;$d' > "$T/catz_out"
check_same "cat -z gives a gzip module's inflated bytes" "$T/catz_out" "$T/beta.txt"
printf 'cat nosuch.txt\n' | $MMK --cmdline quiet > "$T/nofile" 2>&1
check_contains "cat of a missing file says so" "$T/nofile" "nosuch.txt: no such file"

# Line editing: backspace, Ctrl-U, Ctrl-C.
printf 'echo abX\bc\n' | $MMK --cmdline quiet > "$T/bs" 2>&1
check_contains "backspace deletes a character" "$T/bs" $'\nabc'
printf 'echo wrong\025echo right\n' | $MMK --cmdline quiet > "$T/cu" 2>&1
if grep -qx 'right' "$T/cu" && ! grep -qx 'wrong' "$T/cu"; then ok "Ctrl-U erases the line"; else fail "Ctrl-U erases the line"; fi
printf 'echo cancelled\003echo kept\n' | $MMK --cmdline quiet > "$T/cc" 2>&1
if grep -qx 'kept' "$T/cc" && ! grep -qx 'cancelled' "$T/cc"; then ok "Ctrl-C cancels the line"; else fail "Ctrl-C cancels the line"; fi

# Ctrl-L, Tab and the left/right arrows; the executed line is what echo prints.
printf 'echo ab\014cd\n' | $MMK --cmdline quiet > "$T/cl" 2>&1
if grep -qx 'abcd' "$T/cl" && ! grep -q 'control or non-ASCII' "$T/cl"; then ok "Ctrl-L keeps the line"; else fail "Ctrl-L keeps the line" "$(head -c 300 "$T/cl")"; fi
if [ "$(grep -c '^\[mm\] echo ab' "$T/cl")" = 2 ]; then ok "Ctrl-L redraws the prompt and the line on a fresh line"
else fail "Ctrl-L redraws the prompt and the line on a fresh line" "$(head -c 300 "$T/cl")"; fi
printf 'ech\tunique\n' | $MMK --cmdline quiet > "$T/tab1" 2>&1
if grep -qx 'unique' "$T/tab1"; then ok "Tab completes a unique command name"; else fail "Tab completes a unique command name" "$(head -c 300 "$T/tab1")"; fi
printf 'h\telp\n' | $MMK --cmdline quiet > "$T/tab2" 2>&1
if grep -q 'history' "$T/tab2" && grep -x '.*halt  .*' "$T/tab2" | grep -q 'help'; then ok "Tab lists the commands a prefix matches"
else fail "Tab lists the commands a prefix matches" "$(head -c 300 "$T/tab2")"; fi
if [ "$(grep -A1 'help  $' "$T/tab2" | tail -1)" = '[mm] help' ]; then ok "Tab redraws the prompt and the line after the list"
else fail "Tab redraws the prompt and the line after the list" "$(head -c 300 "$T/tab2")"; fi
check_contains "the line after a Tab list still runs" "$T/tab2" "commands (aliases in the second column):"
printf 'echo ac\033[Db\n' | $MMK --cmdline quiet > "$T/left" 2>&1
if grep -qx 'abc' "$T/left"; then ok "left arrow: a character goes in at the cursor"; else fail "left arrow: a character goes in at the cursor" "$(head -c 300 "$T/left")"; fi
printf 'echo ac\033[D\033[D\033[Cb\n' | $MMK --cmdline quiet > "$T/right" 2>&1
if grep -qx 'abc' "$T/right"; then ok "right arrow moves the cursor back"; else fail "right arrow moves the cursor back" "$(head -c 300 "$T/right")"; fi
printf 'echo abXc\033[D\b\n' | $MMK --cmdline quiet > "$T/midbs" 2>&1
if grep -qx 'abc' "$T/midbs"; then ok "backspace deletes before the cursor"; else fail "backspace deletes before the cursor" "$(head -c 300 "$T/midbs")"; fi
check_contains "backspace redraws the rest of the line" "$T/midbs" $'\bc \b\b'

# Bad input gets a message and the shell goes on.
{ head -c 400 /dev/zero | tr '\0' 'x'; printf '\necho after-long\n'; } | $MMK --cmdline quiet > "$T/long" 2>&1
check_contains "an over-long line is refused" "$T/long" "line too long"
check_contains "the shell goes on after a long line" "$T/long" $'\nafter-long'
{ printf 'ec\001ho \377\376garbage\n'; head -c 2000 /dev/urandom | tr -d '\n\r\003\025\033'; printf '\necho after-garbage\n'; } | $MMK --cmdline quiet > "$T/garbage" 2>&1
check_contains "control bytes are refused" "$T/garbage" "control or non-ASCII bytes"
check_contains "the shell goes on after binary garbage" "$T/garbage" $'\nafter-garbage'
printf 'frobnicate now\n' | $MMK --cmdline quiet > "$T/unknown" 2>&1
check_contains "an unknown command is named" "$T/unknown" "frobnicate: unknown command"

# Numbers that do not fit their field are refused, not truncated; commands
# that succeed say what they did.
printf 'space new\nspace new\nspace region 0x400000 4\nspace write 0x400000 99999999999\nspace read 0x400000\nspace region 0x800000 99999999\nspace read 0x100000000\nspace protect 0x400000 r\nmems init\nmems malloc 100\nmems free 1000\n' |
	$MMK --cmdline quiet --keep-going > "$T/space" 2>&1
check_contains "space write refuses a value wider than 32 bits" "$T/space" "space: value '99999999999' is not a number from 0 to 4294967295"
check_contains "nothing was written by the refused value" "$T/space" "read 0x00000000 at 0x00400000"
check_contains "space region refuses a page count that does not fit" "$T/space" "space: page count '99999999' is not a number from 0 to 1048575"
check_contains "space read refuses an address above 4 GiB" "$T/space" "space: address '0x100000000' is not a number"
check_contains "space new says it replaces the old space" "$T/space" "previous scratch space is freed and replaced"
check_contains "space region says what it added" "$T/space" "region 0x00400000-0x00404000 added: 4 pages, rw"
check_contains "space protect says what it changed" "$T/space" "region at 0x00400000 is now r"
check_contains "mems free says what it freed" "$T/space" "mems free: 1000 freed"
if [ "$(grep -c 'previous scratch space' "$T/space")" = 1 ]; then ok "only a second space new replaces"; else fail "only a second space new replaces"; fi

# Input that does not end with an exit command still returns, with status 0.
printf 'echo one\necho two\n' | $MMK --cmdline quiet > "$T/noexit" 2>&1
check_status "input without exit returns 0" $? 0
check_contains "all input was run" "$T/noexit" $'\ntwo'
printf 'halt\n' | $MMK --cmdline quiet > /dev/null 2>&1
check_status "halt exits 0" $? 0

# Crash reports: name, decoded error code, registers, symbolized backtrace.
printf 'crash pf\n' | $MMK --cmdline quiet > "$T/pf" 2>&1
check_status "a kernel page fault ends with the panic status" $? 3
check_contains "#PF report names the exception" "$T/pf" "page fault (vector 14"
check_contains "#PF report decodes CR2 and the error code" "$T/pf" "page fault at address 0x00000010: page not present, read, kernel mode"
check_contains "report has the registers" "$T/pf" "eax="
check_contains "report has a symbolized backtrace" "$T/pf" "cmd_crash+0x"
check_contains "backtrace reaches the shell" "$T/pf" "shell_exec+0x"
printf 'crash ud\n' | $MMK --cmdline quiet > "$T/ud" 2>&1
check_contains "invalid opcode is reported" "$T/ud" "invalid opcode (vector 6"
printf 'crash div\n' | $MMK --cmdline quiet > "$T/div" 2>&1
check_contains "divide error is reported" "$T/div" "divide error (vector 0"
printf 'crash panic\n' | $MMK --cmdline quiet > "$T/panic" 2>&1
check_status "a panic ends with the panic status" $? 3
check_contains "a panic names file and line" "$T/panic" "mmk panic at kernel/kmain.c:"
printf 'crash triple\n' | $MMK --cmdline quiet > "$T/triple" 2>&1
check_status "a triple fault is reported as a reset" $? 4

# Naming a test suite that does not exist fails and lists the suites there
# are: the kernel's (every KTEST suite in the sources), from the shell and at
# boot, and the runner's (every script here is one).
check_lists_kernel_suites() { # NAME FILE
	local s missing=
	for s in $(sed -n 's/^KTEST(\([a-z0-9_]*\),.*/\1/p' tests/kernel/*.c | sort -u); do
		grep '^# the suites are:' "$2" | grep -qw -- "$s" || missing="$missing $s"
	done
	if [ -z "$missing" ]; then ok "$1"; else fail "$1" "not listed:$missing" "in: $(head -c 600 "$2")"; fi
}
printf 'test no-such-suite\necho after-test\n' | $MMK --cmdline quiet > "$T/notest" 2>&1
check_contains "the test command fails an unknown suite" "$T/notest" "0 passed, 1 failed"
check_contains "the test command names the unknown suite" "$T/notest" "not ok 1 - no-such-suite"
check_lists_kernel_suites "the test command lists the suites" "$T/notest"
check_contains "the shell goes on after an unknown suite" "$T/notest" $'\nafter-test'
$MMK --cmdline "test=no-such-suite quiet" < /dev/null > "$T/noboot" 2>&1
check_status "a boot with test=no-such-suite exits with the failure status" $? 1
check_contains "a boot with test=no-such-suite fails it" "$T/noboot" "0 passed, 1 failed"
check_lists_kernel_suites "a boot with test=no-such-suite lists the suites" "$T/noboot"
tools/run-tests no-such-suite > "$T/norun" 2>&1
check_status "the runner fails an unknown suite" $? 1
if [ "$(tail -1 "$T/norun")" = "0 passed, 1 failed" ]; then ok "the runner's last line counts the failure"
else fail "the runner's last line counts the failure" "last line: $(tail -1 "$T/norun")"; fi
check_contains "the runner lists its suites" "$T/norun" " e2e-$(basename "$0" .sh) "

# The kernel log goes to its own file, not to the console.
printf 'echo x\n' | $MMK --cmdline quiet --log "$T/klog" > "$T/con" 2>&1
check_contains "the kernel log has the boot line" "$T/klog" "mmk: cmdline"
check_not_contains "the console does not carry the log" "$T/con" "mmk: cmdline"

# The runner: a script with a failing command ends with status 1 (the
# kernel counts failures in its marks), unless --keep-going; a bad argument
# gets one line and status 2; a reader that goes away, SIGINT or SIGTERM
# leave no QEMU and no temporary folder behind.
printf 'echo fine\nno-such-command\necho after\n' | $MMK --cmdline quiet > "$T/fails" 2> "$T/fails.err"
check_status "a script with a failing command exits 1" $? 1
check_contains "the runner says how many commands failed" "$T/fails.err" "1 command of the script failed"
check_contains "the commands after the failure still ran" "$T/fails" $'\nafter'
printf 'echo fine\nno-such-command\n' | $MMK --cmdline quiet --keep-going > /dev/null 2>&1
check_status "--keep-going keeps status 0" $? 0
printf 'echo %s\n' "$(head -c 400 /dev/zero | tr '\0' x)" | $MMK --cmdline quiet > /dev/null 2>&1
check_status "a refused (too long) line counts as a failure" $? 1
$MMK --swap-disk abc < /dev/null > "$T/badarg" 2>&1
check_status "a bad --swap-disk exits 2" $? 2
if [ "$(wc -l < "$T/badarg")" = 1 ] && grep -q "not a size" "$T/badarg"; then ok "a bad argument gets one line"
else fail "a bad argument gets one line" "$(head -5 "$T/badarg")"; fi
mark=runner-cleanup-$$
left() { pgrep -f "$mark" | wc -l; }
mkdir -p "$T/rt"
printf 'cat beta.txt\ncat beta.txt\ncat beta.txt\n' | TMPDIR=$T/rt $MMK --cmdline "quiet $mark" --module "$T/beta.txt" 2>/dev/null | head -c 10 > /dev/null
sleep 1
check_status "a reader that goes away leaves no QEMU" "$(left)" 0
mkdir -p "$T/rt2"
printf 'sleep 30000\n' | TMPDIR=$T/rt2 timeout -s INT 3 $MMK --cmdline "quiet $mark" > /dev/null 2>&1
sleep 1
check_status "SIGINT leaves no QEMU" "$(left)" 0
printf 'sleep 30000\n' | TMPDIR=$T/rt2 timeout -s TERM 3 $MMK --cmdline "quiet $mark" > /dev/null 2>&1
sleep 1
check_status "SIGTERM leaves no QEMU" "$(left)" 0
check_status "no temporary folder is left behind" "$(find "$T/rt" "$T/rt2" -mindepth 1 | wc -l)" 0

# more modules than the kernel keeps: it says how many it dropped, and keeps
# the first ones whole
mods=()
for i in $(seq 1 66); do printf 'module %d\n' "$i" > "$T/m$i"; mods+=(--module "$T/m$i"); done
printf 'cat m64\ncat m65\n' | $MMK --cmdline quiet --keep-going "${mods[@]}" > "$T/many" 2>&1
check_contains "modules past the limit are counted at boot" "$T/many" "mmk: 2 modules past the first 64 were not kept"
check_contains "... and the 64th is kept" "$T/many" "module 64"
check_not_contains "... but not the 65th" "$T/many" "module 65"

# make run's boot hints all work as typed in that boot (each is run after the
# demonstration; a failing command makes the runner exit 1)
eval "RUN_BOOT=($(make -s print-run-args))" # the words make run boots with
printf '' | $MMK "${RUN_BOOT[@]}" > "$T/try" 2>&1
sed -n '/^Try: /,/^[^ T]/p' "$T/try" | sed 's/^Try: //; s/ (when .*//; s/^ *//' | tr ',' '\n' | sed 's/^ *//; /^$/d' > "$T/hints"
check_status "the boot hints name at least six commands" "$([ "$(wc -l < "$T/hints")" -ge 6 ] && echo yes)" yes
while read -r hint; do
	printf '%s\n' "$hint" | $MMK "${RUN_BOOT[@]}" > "$T/hint.out" 2>&1
	check_status "make run's hint '$hint' works" $? 0
done < "$T/hints"

finish
