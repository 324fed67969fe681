#!/usr/bin/env bash
# vma.sh - every arena case in tests/data/cases/vma, byte for byte: through
# the kernel's checker mode (tools/vma) and through the host build of the
# same mm/ sources (build/host/vma). The checker allows 10 s per case; a run
# must also end by itself with status 0 (not a timeout, crash or panic).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

# check_case NAME STATUS OUT REF: exit status 0 and OUT equal to REF
check_case() {
	if [ "$2" != 0 ]; then fail "$1" "exit status $2$([ "$2" = 124 ] && echo ' (timed out)')"
	else check_same "$1" "$3" "$4"; fi
}

for in in tests/data/cases/vma/*.in; do
	name=$(basename "$in" .in)
	ref=${in%.in}.ref
	timeout 10 build/host/vma < "$in" > "$E2E_TMP/host.out" 2>/dev/null
	check_case "host $name" $? "$E2E_TMP/host.out" "$ref"
	start=$SECONDS
	timeout 10 tools/vma < "$in" > "$E2E_TMP/kernel.out" 2>"$E2E_TMP/kernel.err"
	check_case "kernel $name ($((SECONDS - start))s)" $? "$E2E_TMP/kernel.out" "$ref"
done
# Garbage and binary bytes: the checker mode answers and goes on.
{ printf 'ALLOC_ARENA 100\n\001\002garbage \377\376\nALLOC_BLOCK 0 10\nPMAP\n'; } | tools/vma > "$E2E_TMP/garbage.out"
check_contains "garbage lines are invalid commands" "$E2E_TMP/garbage.out" "Invalid command. Please try again."
check_contains "the arena goes on after garbage" "$E2E_TMP/garbage.out" "Number of allocated blocks: 1"
# The shell's `vma` at a terminal, which ends lines with CR (CR LF too):
# every line runs at its CR, and DEALLOC_ARENA gives the prompt back.
printf 'vma\rALLOC_ARENA 65536\rALLOC_BLOCK 0 4\r\nWRITE 0 2\r\nab\rREAD 0 2\r\nBOGUS WORD\rPMAP\rDEALLOC_ARENA\recho back\r' |
	timeout 30 $MMK > "$E2E_TMP/cr.out" 2>/dev/null
check_status "shell vma with CR line ends: exit status" $? 0
sed -n '/^arena checker mode/,/^\[mm\] echo back$/p' "$E2E_TMP/cr.out" | sed '1d;$d' > "$E2E_TMP/cr.arena"
printf '%s\n' ab 'Invalid command. Please try again.' 'Invalid command. Please try again.' \
	'Total memory: 0x10000 bytes' 'Free memory: 0xFFFC bytes' 'Number of allocated blocks: 1' \
	'Number of allocated miniblocks: 1' '' 'Block 1 begin' 'Zone: 0x0 - 0x4' \
	"$(printf 'Miniblock 1:\t\t0x0\t\t-\t\t0x4\t\t| RW-')" 'Block 1 end' > "$E2E_TMP/cr.want"
check_same "shell vma with CR line ends: the arena's replies" "$E2E_TMP/cr.arena" "$E2E_TMP/cr.want"
check_contains "shell vma with CR line ends: the prompt is back" "$E2E_TMP/cr.out" "[mm] echo back"
if grep -qx back "$E2E_TMP/cr.out"; then ok "shell vma with CR line ends: the shell runs echo again"
else fail "shell vma with CR line ends: the shell runs echo again" "no line 'back'"; fi
finish
