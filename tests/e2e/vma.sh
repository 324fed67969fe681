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
finish
