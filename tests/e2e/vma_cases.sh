#!/usr/bin/env bash
# vma_cases.sh - run the public checker's arena cases through a vma program.
#
#   tests/e2e/vma_cases.sh <command> [args...]
#
# Every NN-vma.in of the cases folder (tests/data/cases/vma relative to the
# repository root, or $VMA_CASES) is fed on standard input to the command,
# whose standard output must equal NN-vma.ref byte for byte, within the
# checker's 10 s limit. Prints "ok"/"not ok" per case (with the first
# differing line on failure), then "N passed, N failed"; exits 1 on failure.
set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 <vma-command> [args...]" >&2
	exit 2
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
cases=${VMA_CASES:-$root/tests/data/cases/vma}
limit=${VMA_TIMEOUT:-10}

if ! ls "$cases"/*-vma.in >/dev/null 2>&1; then
	echo "no cases found in $cases" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
for in in "$cases"/*-vma.in; do
	name=$(basename "$in" .in)
	ref=${in%.in}.ref
	timeout "$limit" "$@" < "$in" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -eq 0 ] && cmp -s "$tmp/out" "$ref"; then
		echo "ok - $name"
		pass=$((pass + 1))
		continue
	fi
	fail=$((fail + 1))
	if [ $rc -eq 124 ]; then
		echo "not ok - $name (timed out after ${limit}s)"
	elif [ $rc -ne 0 ]; then
		echo "not ok - $name (exit status $rc)"
		head -n 5 "$tmp/err" | sed 's/^/#   /'
	else
		echo "not ok - $name (output differs)"
		diff "$ref" "$tmp/out" | head -n 6 | sed 's/^/#   /'
	fi
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
