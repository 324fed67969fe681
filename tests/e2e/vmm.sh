#!/usr/bin/env bash
# vmm.sh - the VMM request runner on real page tables, against an independent
# model (tests/e2e/vmm_ref.py) of the same deterministic rules: the shared
# sample inputs and generated ones, FIFO and LRU, several memory sizes; plus
# determinism with a seed and the runner's errors.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
T=$E2E_TMP

run_vmm() { # run_vmm FILE CMDARGS... -> the command's output
	local file=$1
	shift
	printf 'vmm %s %s\n' "$(basename "$file")" "$*" | $MMK --module "$file" --cmdline quiet | sed '1d;$d'
}

cp tests/data/cases/vmm/sample1.in.txt tests/data/cases/vmm/sample2.in.txt "$T/"
python3 - "$T" <<'PY'
import random, sys
r = random.Random(11)
for n in range(4):
    with open("%s/gen%d.txt" % (sys.argv[1], n), "w") as f:
        for _ in range(60 + 40 * n):
            pid = r.choice([1, 2, 3, 7][: 2 + n % 3])
            page = r.choice([0, 1, 2, 3, 5, 8, 13, 63]) if r.random() < 0.8 else r.randrange(64)
            f.write("%d, %s, %04X\n" % (pid, r.choice("RW"), page * 1024 + r.randrange(1024)))
PY
for f in sample1.in.txt sample2.in.txt gen0.txt gen1.txt gen2.txt gen3.txt; do
	for mem in 2048 5120; do
		for pol in fifo lru; do
			python3 tests/e2e/vmm_ref.py "$T/$f" $mem $pol > "$T/want"
			run_vmm "$T/$f" $mem policy=$pol > "$T/got"
			check_same "$f, $mem bytes, $pol: the kernel's run matches the model" "$T/got" "$T/want"
		done
	done
done
check_contains "a generated run evicts" "$T/got" "Swapping."

# a seed picks processes at random, reproducibly
run_vmm "$T/gen3.txt" 3072 seed=5 > "$T/s5a"
run_vmm "$T/gen3.txt" 3072 seed=5 > "$T/s5b"
run_vmm "$T/gen3.txt" 3072 seed=6 > "$T/s6"
check_same "the same seed gives the same run" "$T/s5a" "$T/s5b"
if cmp -s "$T/s5a" "$T/s6"; then fail "another seed gives another order"; else ok "another seed gives another order"; fi
n5=$(grep -c '^Scheduling' "$T/s5a"); nreq=$(grep -c . "$T/gen3.txt")
check_status "every request is served under a seed" "$n5" "$nreq"

# errors
printf '1, R, 0400\n2, W, 1FC10\n2, R, 0C10\n1, W, 0401\n' > "$T/wide.txt"
python3 tests/e2e/vmm_ref.py "$T/wide.txt" 2048 > "$T/want"
run_vmm "$T/wide.txt" 2048 > "$T/got"
check_same "an address beyond 16 bits: AddressTranslationError, and the run goes on" "$T/got" "$T/want"
check_contains "the translation error names pid and address" "$T/got" "Address translation failed. pid: 2, addr: 1FC10"
printf '1, R, 0400\n2, X, 0C10\n' > "$T/bad.txt"
run_vmm "$T/bad.txt" 2048 > "$T/bad"
check_contains "a malformed line is refused with its number" "$T/bad" "line 2"
check_not_contains "nothing of a malformed input runs" "$T/bad" "Scheduling"
run_vmm "$T/sample1.in.txt" 512 > "$T/noframe"
check_contains "no frame at all: FrameNotFoundError's message" "$T/noframe" "Frame not found. pid: 1, page: 1"
run_vmm "$T/sample1.in.txt" 2048 policy=nosuch > "$T/nopol"
check_contains "an unknown policy lists the valid ones" "$T/nopol" "lru"
run_vmm "$T/sample1.in.txt" lots > "$T/usage"
check_contains "a bad memory size shows the usage" "$T/usage" "usage: vmm"
finish
