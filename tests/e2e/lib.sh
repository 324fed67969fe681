# lib.sh - helpers for end-to-end checks that boot mmk through tools/mmk.
# A script sources this, calls `ok NAME` / `fail NAME WHY` (or the check_*
# helpers) and ends with `finish`, which prints "N passed, N failed" and exits
# non-zero on any failure. Paths are relative to the repository root.
set -u
E2E_PASSED=0
E2E_FAILED=0
E2E_N=0
MMK=${MMK:-tools/mmk}
E2E_TMP=$(mktemp -d)
trap 'rm -rf "$E2E_TMP"' EXIT

ok() { E2E_N=$((E2E_N + 1)); E2E_PASSED=$((E2E_PASSED + 1)); echo "ok $E2E_N - $1"; }
fail() {
	E2E_N=$((E2E_N + 1)); E2E_FAILED=$((E2E_FAILED + 1))
	echo "not ok $E2E_N - $1"
	shift
	[ $# -gt 0 ] && printf '# %s\n' "$@"
}

# has_text FILE TEXT: FILE holds TEXT byte for byte (a fixed string, which
# may span lines: $'\nabc' is a line that starts with abc). grep -F would
# take each line of TEXT as a pattern of its own, and an empty one matches.
has_text() {
	python3 -c 'import sys; sys.exit(0 if sys.argv[2].encode() in open(sys.argv[1], "rb").read() else 1)' "$1" "$2"
}
# check_contains NAME FILE TEXT: FILE contains TEXT (see has_text).
check_contains() {
	if has_text "$2" "$3"; then ok "$1"; else fail "$1" "expected to find: $3" "in: $(head -c 600 "$2")"; fi
}
check_not_contains() {
	if has_text "$2" "$3"; then fail "$1" "did not expect: $3"; else ok "$1"; fi
}
# check_status NAME ACTUAL EXPECTED
check_status() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "exit status $2, expected $3"; fi
}
# check_same NAME FILE1 FILE2: byte-identical.
check_same() {
	if cmp -s "$2" "$3"; then ok "$1"; else fail "$1" "$(diff <(head -c 4000 "$2") <(head -c 4000 "$3") | head -20)"; fi
}

finish() {
	echo "1..$E2E_N"
	echo "$E2E_PASSED passed, $E2E_FAILED failed"
	[ "$E2E_FAILED" = 0 ]
	exit $?
}
