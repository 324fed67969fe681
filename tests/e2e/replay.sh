#!/usr/bin/env bash
# replay.sh - the same traces replayed on the host and in the kernel (real
# page faults, real eviction to the swap device) give the same line for every
# deterministic policy; malformed traces and bad arguments are refused
# clearly in both, with nothing replayed.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
T=$E2E_TMP
make -s build/host/replay >/dev/null

# an address trace with stores (write-backs matter): the first 20000 references of gcc
gzip -dc tests/data/traces/address/gcc.trace.gz | head -20000 > "$T/gcc20k.trace"
for case in "lirs/cs.trace.gz 100" "lirs/cpp.trace.gz 200" "ADDR 50"; do
	set -- $case
	trace=tests/data/traces/$1
	[ "$1" = ADDR ] && trace=$T/gcc20k.trace
	for policy in fifo lru sc clock opt lirs duel nru aging arc clockpro sieve irg leader; do
		host=$(tools/replay "$trace" "$2" "$policy" 2>&1)
		kern=$(tools/replay --kernel "$trace" "$2" "$policy" 2>&1)
		name="$(basename "$trace") $2 frames $policy: host and kernel agree"
		if [ "$host" = "$kern" ] && [[ $host == refs=* ]]; then ok "$name ($host)"; else fail "$name" "host: $host" "kernel: $kern"; fi
	done
done

# Belady's anomaly for FIFO, through the real MMU
printf '1\n2\n3\n4\n1\n2\n5\n1\n2\n3\n4\n5\n' > "$T/belady.trace"
f3=$(tools/replay --kernel "$T/belady.trace" 3 fifo)
f4=$(tools/replay --kernel "$T/belady.trace" 4 fifo)
[[ $f3 == *" faults=9 "* ]] && ok "FIFO, 3 frames: 9 faults in the kernel" || fail "FIFO, 3 frames: 9 faults" "$f3"
[[ $f4 == *" faults=10 "* ]] && ok "FIFO, 4 frames: 10 faults in the kernel" || fail "FIFO, 4 frames: 10 faults" "$f4"

# malformed traces: the line number, nothing replayed
printf '1\n2\nthree\n4\n' > "$T/bad.trace"
out=$(tools/replay --kernel "$T/bad.trace" 3 lru 2>&1)
[[ $out == *"line 3"* && $out != *refs=* ]] && ok "kernel: a malformed line is reported with its number" || fail "kernel: malformed line" "$out"
out=$(tools/replay "$T/bad.trace" 3 lru 2>&1)
[[ $out == *"line 3"* && $out != *refs=* ]] && ok "host: a malformed line is reported with its number" || fail "host: malformed line" "$out"
out=$(tools/replay --kernel "$T/belady.trace" 3 nosuch 2>&1)
[[ $out == *"unknown policy"* && $out == *"lru"* ]] && ok "an unknown policy lists the valid ones" || fail "unknown policy" "$out"
cp tests/data/traces/lirs/cs.trace.gz "$T/cs.gz"
printf 'this is not a trace\n1\n2\n' | gzip -c > "$T/junk.gz"
printf 'ls\nreplay cs.gz frames=100 policy=lru\nreplay junk.gz frames=10 policy=lru\nreplay cs.gz frames=0 policy=lru\nreplay cs.gz frames=100001 policy=lru\nreplay nofile frames=3 policy=lru\n' |
	$MMK --module "$T/cs.gz" --module "$T/junk.gz" --cmdline quiet > "$T/shell" 2>&1
check_contains "ls tells a gzip module's inflated size" "$T/shell" "cs.gz  (gzip, $(gzip -dc "$T/cs.gz" | wc -c) bytes inflated)"
check_contains "a gzip module is inflated and replayed like the host does" "$T/shell" "$(tools/replay "$T/cs.gz" 100 lru)"
check_contains "a gzip module that is not a trace is refused with the line" "$T/shell" "junk.gz: line 1"
check_contains "frames=0 is refused with the reason" "$T/shell" "frames=0 refused: frames must be at least 1 and at most 100000"
check_contains "frames above the limit is refused with the limit" "$T/shell" "frames=100001 refused: frames must be at least 1 and at most 100000"
check_contains "a missing file is named" "$T/shell" "nofile: no such file"
finish
