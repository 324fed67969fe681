#!/usr/bin/env bash
# mems.sh - MeMS in the kernel: `mems example` gives the official driver's
# expected output (but the physical address), and the shell's mems commands
# report bad use clearly and leave the structure intact.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
T=$E2E_TMP
expected=tests/data/cases/mems/example.expected.txt

printf 'mems example\n' | $MMK --cmdline quiet > "$T/ex" 2>&1
# the scenario's output is everything between the command's echo and the next prompt
sed -n '/^\[mm\] mems example$/,/^\[mm\] $/p' "$T/ex" | sed '1d;$d' | sed 's/Physical Address: .*/Physical Address: PHYS/' > "$T/got"
sed 's/Physical Address: .*/Physical Address: PHYS/' "$expected" > "$T/want"
check_same "mems example equals example.expected.txt but the physical address" "$T/got" "$T/want"
if grep -qE 'Physical Address: [0-9]+$' "$T/ex"; then ok "the example prints a physical address"; else fail "the example prints a physical address"; fi

cat > "$T/cmds" <<'CMDS'
mems malloc 10
mems init
mems malloc 0
mems malloc 100
mems free 1050
mems free 99999
mems free 1000
mems free 1000
mems malloc 5000
mems get 1100
mems get 5096
mems check
mems stats
mems bogus
CMDS
$MMK --cmdline quiet < "$T/cmds" > "$T/bad" 2>&1
# reply_to CMD: what the shell printed for the first CMD of the session
reply_to() {
	awk -v c="[mm] $1" '$0 == c { on = 1; next } on && /^\[mm\] / { exit } on' "$T/bad"
}
# check_reply NAME CMD TEXT: the reply to CMD contains TEXT
check_reply() {
	reply_to "$2" > "$T/reply"
	check_contains "$1" "$T/reply" "$3"
}
check_contains "use before init is refused" "$T/bad" "mems malloc: MeMS is not initialised"
check_contains "malloc 0 is refused" "$T/bad" "mems malloc: cannot allocate 0 bytes"
check_contains "free inside a segment is refused" "$T/bad" "mems free: address is inside a segment, not at its start"
check_contains "double free is refused" "$T/bad" "already free"
check_reply "free outside every node is refused" "mems free 99999" "mems free: address is not inside MeMS memory"
check_reply "get of a hole is refused" "mems get 1100" "mems get: address is not inside an allocated segment"
check_contains "get maps to a kernel address and a frame" "$T/bad" "MeMS virtual 5096 -> kernel address 0xf8"
check_contains "the structure is intact after all that" "$T/bad" "MeMS check: consistent"
check_contains "stats after the errors" "$T/bad" "MAIN[1000:5095]-> H[1000:5095] <-> NULL"
check_contains "an unknown subcommand shows the usage" "$T/bad" "usage: mems init"
finish
