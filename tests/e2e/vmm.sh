#!/usr/bin/env bash
# vmm.sh - the VMM request runner on real page tables and the real
# scheduler, against an independent model (tests/e2e/vmm_ref.py) of the
# same deterministic rules: the shared sample inputs and generated ones,
# FIFO and LRU, several memory sizes and page-in latencies (0: the
# original's line order; 2, the default: processes run while others wait for
# their page-ins). Then: a process runs while another is blocked; the
# printed ready queue is the order the scheduler runs (checked from the
# output, and by the kernel itself with `check`); a seed repeats across
# boots; the runner's errors.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
T=$E2E_TMP

run_vmm() { # run_vmm FILE CMDARGS... -> the command's output
	local file=$1
	shift
	printf 'vmm %s %s\n' "$(basename "$file")" "$*" | $MMK --module "$file" --cmdline quiet | sed '1d;$d'
}

# run_batch NAME MMKARGS...: one boot runs the commands of $T/NAME.cmds
# (one per line, "OUT vmm ARGS..."), each command's output into $T/OUT.
run_batch() {
	local name=$1
	shift
	cut -d' ' -f2- "$T/$name.cmds" | $MMK "$@" --cmdline quiet > "$T/$name.all" 2> "$T/$name.err"
	python3 - "$T" "$name" <<'PY'
import sys
d, name = sys.argv[1], sys.argv[2]
outs = [l.split(" ", 1)[0] for l in open("%s/%s.cmds" % (d, name)) if l.strip()]
parts, cur = [], None
for line in open("%s/%s.all" % (d, name), newline=""):
    if line.startswith("[mm] "):
        cur = []
        parts.append(cur)
    elif cur is not None:
        cur.append(line)
for i, out in enumerate(outs):
    open("%s/%s" % (d, out), "w").write("".join(parts[i]) if i < len(parts) else "(no output)\n")
PY
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
FILES="sample1.in.txt sample2.in.txt gen0.txt gen1.txt gen2.txt gen3.txt"
mods=()
for f in $FILES; do mods+=(--module "$T/$f"); done

# the model, on the shared cases and generated inputs
: > "$T/model.cmds"
for f in $FILES; do
	for mem in 2048 5120; do
		for pol in fifo lru; do
			for lat in 0 2; do
				echo "m-$f-$mem-$pol-$lat vmm $f $mem policy=$pol latency=$lat" >> "$T/model.cmds"
			done
		done
	done
done
for f in gen1.txt gen3.txt; do
	for lat in 1 5; do echo "m-$f-3072-lru-$lat vmm $f 3072 policy=lru latency=$lat" >> "$T/model.cmds"; done
done
echo "m-gen2.txt-1024-fifo-2 vmm gen2.txt 1024 policy=fifo latency=2" >> "$T/model.cmds" # one frame for three processes
echo "default vmm gen1.txt 2048" >> "$T/model.cmds"
run_batch model "${mods[@]}"
grep -v '^default ' "$T/model.cmds" | while read -r out _ f mem pol lat; do
	echo "$T/want-$out $T/$f $mem ${pol#policy=} ${lat#latency=}"
done > "$T/model.list"
python3 tests/e2e/vmm_ref.py --batch "$T/model.list"
while read -r want _ mem pol lat; do
	out=${want#"$T/want-"}
	f=${out#m-}
	f=${f%%-*}
	check_same "$f, $mem bytes, $pol, latency $lat: the kernel's run matches the model" "$T/$out" "$want"
done < "$T/model.list"
check_same "the default latency is 2" "$T/default" "$T/m-gen1.txt-2048-fifo-2"
check_contains "a generated run evicts" "$T/m-gen3.txt-2048-lru-2" "Swapping."

# (b) while one process waits for its page-in, others are served; with
# latency 0 never (the page-in is served in the turn of its miss)
cat > "$T/overlap.py" <<'PY'
import re, sys
for path in sys.argv[1:]:
    lines = open(path).read().split("\n")
    waiting = set()  # processes between their Blocked queue and their Loading
    served, several = 0, 0
    for i, l in enumerate(lines):
        m = re.match(r"Blocked queue: +\[(.*)\]$", l)
        if m:
            pids = [int(x) for x in m.group(1).split(", ")]
            waiting.add(pids[-1])
            several += len(pids) > 1
        m = re.match(r"Loading\.\t pid:  (\d+) ", l)
        if m:
            waiting.discard(int(m.group(1)))
        m = re.match(r"Scheduling\.\t pid:  (\d+) ", l)
        if m and i + 1 < len(lines) and lines[i + 1].startswith("Direct Access"):
            served += any(p != int(m.group(1)) for p in waiting)
    print(served, several)
PY
python3 "$T/overlap.py" "$T/m-gen2.txt-2048-fifo-2" "$T/m-gen2.txt-2048-fifo-0" > "$T/overlap"
read -r served several < <(sed -n 1p "$T/overlap")
if [ "$served" -gt 0 ]; then ok "latency 2: $served hits of a process served while another waits for its page-in"; else fail "latency 2: a hit served while another process waits" "none found"; fi
if [ "$several" -gt 0 ]; then ok "latency 2: the blocked queue holds several processes at once ($several times)"; else fail "latency 2: several processes blocked at once" "never"; fi
check_status "latency 0: no hit while a process waits, one process blocked at a time" "$(sed -n 2p "$T/overlap")" "0 0"

# (c) the ready queue printed is the order the scheduler runs: after each
# "Ready queue" line, the next process to make a request is the first one
# listed that has requests left (round robin; a process listed with nothing
# left ends when its turn comes)
cat > "$T/order.py" <<'PY'
import re, sys
args = sys.argv[1:]
for inp, out in zip(args[::2], args[1::2]):
    left = {}
    for l in open(inp):
        if l.strip():
            p = int(l.split(",")[0])
            left[p] = left.get(p, 0) + 1
    lines = open(out).read().split("\n")
    checked, bad = 0, []
    queue = None
    for i, l in enumerate(lines):
        m = re.match(r"Ready queue: +\[(.*)\]$", l)
        if m:
            queue = [int(x) for x in m.group(1).split(", ")] if m.group(1) else []
            continue
        if l.startswith("Blocked queue") and not lines[i - 1].startswith("Scheduling"):
            queue = None  # a page served then evicted before its process ran: it faults again
        m = re.match(r"Scheduling\.\t pid:  (\d+) ", l)
        if m:
            p = int(m.group(1))
            if queue is not None:
                want = [q for q in queue if left[q] > 0]
                if want:
                    checked += 1
                    if want[0] != p:
                        bad.append("line %d: pid %d runs, the ready queue printed before had %d first" % (i + 1, p, want[0]))
            queue = None
            left[p] -= 1
    print(out.rsplit("/", 1)[-1], checked, len(bad), "; ".join(bad[:3]))
PY
args=()
for f in gen0.txt gen1.txt gen2.txt gen3.txt; do
	for lat in 0 2; do args+=("$T/$f" "$T/m-$f-2048-lru-$lat"); done
done
args+=("$T/gen2.txt" "$T/m-gen2.txt-1024-fifo-2")
python3 "$T/order.py" "${args[@]}" > "$T/order"
tot=0
while read -r out checked nbad why; do
	tot=$((tot + checked))
	if [ "$nbad" = 0 ]; then ok "$out: the next process to run is the head of the ready queue printed ($checked checked)"
	else fail "$out: the next process to run is the head of the ready queue printed" "$why"; fi
done < "$T/order"
if [ "$tot" -gt 20 ]; then ok "the queue order was checked $tot times"; else fail "the queue order was checked" "only $tot times"; fi
refaults=$(grep -B1 '^Blocked queue' "$T/m-gen2.txt-1024-fifo-2" | grep -c '^$')
if [ "$refaults" -gt 0 ]; then ok "one frame, three processes: $refaults pages served were evicted before their process ran, and faulted again"
else fail "one frame, three processes: a page served is evicted before its process runs" "never"; fi

# ... and the kernel checks every turn against the scheduler's ready queue
: > "$T/check.cmds"
echo "c-rr vmm gen3.txt 3072 latency=3 check" >> "$T/check.cmds"
echo "c-s5 vmm gen3.txt 3072 seed=5 check" >> "$T/check.cmds"
echo "c-s9 vmm gen2.txt 2048 seed=9 latency=1 policy=lru check" >> "$T/check.cmds"
echo "s5a vmm gen3.txt 3072 seed=5" >> "$T/check.cmds"
echo "s6 vmm gen3.txt 3072 seed=6" >> "$T/check.cmds"
echo "s5z vmm gen3.txt 3072 seed=5 latency=0" >> "$T/check.cmds"
run_batch check "${mods[@]}"
for out in c-rr c-s5 c-s9; do
	line=$(grep '^vmm check:' "$T/$out")
	turns=$(sed -n 's/^vmm check: \([0-9]*\) turns, \([0-9]*\) not by.*/\1/p' "$T/$out")
	wrong=$(sed -n 's/^vmm check: \([0-9]*\) turns, \([0-9]*\) not by.*/\2/p' "$T/$out")
	nsched=$(grep -c '^Scheduling' "$T/$out")
	if [ -n "$turns" ] && [ "$wrong" = 0 ] && [ "$turns" -ge "$nsched" ] && [ "$nsched" -gt 0 ]; then
		ok "$out: every one of $turns turns was run by the head of the scheduler's ready queue"
	else
		fail "$out: every turn run by the head of the ready queue" "${line:-no check line}, $nsched requests"
	fi
done

# (a) a seed picks processes at random, reproducibly: the same in another
# boot (with another amount of RAM, so timing differs), another seed differs
run_vmm "$T/gen3.txt" 3072 seed=5 > "$T/s5b"
printf 'vmm gen3.txt 3072 seed=5\n' | $MMK --mem 64M --module "$T/gen3.txt" --cmdline quiet | sed '1d;$d' > "$T/s5c"
check_same "the same seed gives the same run (two boots)" "$T/s5a" "$T/s5b"
check_same "the same seed gives the same run (another RAM size)" "$T/s5a" "$T/s5c"
if cmp -s "$T/s5a" "$T/s6"; then fail "another seed gives another order"; else ok "another seed gives another order"; fi
if cmp -s "$T/s5a" "$T/s5z"; then fail "the latency changes a seeded run"; else ok "the latency changes a seeded run"; fi
n5=$(grep -c '^Scheduling' "$T/s5a"); nreq=$(grep -c . "$T/gen3.txt")
check_status "every request is served under a seed" "$n5" "$nreq"
n5=$(grep -c '^Loading' "$T/s5a"); nb=$(grep -c '^Blocked' "$T/s5a")
check_status "under a seed, every miss is served" "$n5" "$nb"

# errors
printf '1, R, 0400\n2, W, 1FC10\n2, R, 0C10\n1, W, 0401\n' > "$T/wide.txt"
for lat in 0 2; do
	python3 tests/e2e/vmm_ref.py "$T/wide.txt" 2048 fifo $lat > "$T/want"
	run_vmm "$T/wide.txt" 2048 latency=$lat > "$T/got"
	check_same "latency $lat: an address beyond 16 bits: AddressTranslationError, and the run goes on" "$T/got" "$T/want"
done
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
run_vmm "$T/sample1.in.txt" 2048 latency=soon > "$T/usage"
check_contains "a bad latency shows the usage" "$T/usage" "usage: vmm"
finish
