#!/usr/bin/env bash
# memman.sh - the memman simulator run for real in the kernel (a thread and an
# address space per process, real page faults) against the independent
# reference model (build/host/memman_ref): the shipped traces and generated
# ones, every fit algorithm, FIFO, Second-Chance, LRU and OPT. Also the byte
# images against xxd, pasted traces, and refused input.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
T=$E2E_TMP
make -s build/host/memman_ref >/dev/null || { fail "build memman_ref"; finish; }

python3 - "$T" <<'PY'
import random, sys
r = random.Random(2024)
for n in range(5):
    frames, vpages = r.randint(2, 10), r.randint(12, 60)
    lines = ["%d %d" % (frames * 16 + r.choice([0, 0, 7]), vpages * 16)]
    for i in range(r.randint(3, 9)):
        t0 = r.randint(0, 15)
        tf = t0 + r.randint(0, 25 + 200 * (n == 4))
        b = r.randint(1, 16 * r.randint(1, 8))
        acc = []
        for _ in range(r.randint(1, 12)):
            acc += [str(r.randrange(b)), str(r.randint(t0, tf))]
        lines.append("%d p%d %d %d %s" % (t0, i, tf, b, " ".join(acc)))
    open("%s/gen%d.txt" % (sys.argv[1], n), "w").write("\n".join(lines) + "\n")
PY
cp tests/data/cases/memman/*.txt "$T/"
mods=()
for f in "$T"/*.txt; do mods+=(--module "$f"); done
script=$T/script
: > "$script"
cases=()
for f in trace.txt trace-few-accesses.txt trace-single-proc-single-access.txt gen0.txt gen1.txt gen2.txt gen3.txt gen4.txt; do
	for fit in first next quick best worst; do
		for pol in fifo sc lru opt; do
			[ "$fit" != first ] && [ "$pol" != lru ] && [ "$pol" != opt ] && continue
			printf 'carrega %s\nespaco %s\nsubstitui %s\nexecuta\n' "$f" "$fit" "$pol" >> "$script"
			cases+=("$f $fit $pol")
		done
	done
done
start=$SECONDS
$MMK --cmdline quiet "${mods[@]}" --timeout 600 < "$script" > "$T/out" 2>&1
grep '^page faults: ' "$T/out" > "$T/got"
i=0
while read -r line; do
	set -- ${cases[$i]}
	want=$(build/host/memman_ref "$T/$1" "$3" "$2")
	if [ "$line" = "$want" ]; then ok "$1, $2 fit, $3: $line"; else fail "$1, $2 fit, $3" "kernel: $line" "model: $want"; fi
	i=$((i + 1))
done < "$T/got"
check_status "every run reported its faults" "$i" "${#cases[@]}"
# each run's faults per process (counted by each process's space) add up to
# its total (counted by the pool)
awk '/^page faults per process:/ { sum = 0; next }
	/^  [0-9]+ .*: [0-9]+ page faults/ { for (i = 1; i <= NF; i++) if ($(i + 1) == "page") { sum += $i; break } }
	/^page faults: / { runs++; if ($3 != sum) bad++ }
	END { print runs + 0, bad + 0 }' "$T/out" > "$T/sums"
if [ "$(cat "$T/sums")" = "${#cases[@]} 0" ]; then ok "per-process faults add up to the total in every run"
else fail "per-process faults add up to the total" "runs, mismatches: $(cat "$T/sums")"; fi
echo "# all ${#cases[@]} runs took $((SECONDS - start)) s"

# byte images: mm.vir right after arrival (first fit: process i at page i)
printf 'carrega trace.txt\nexecuta 1\n' | $MMK --cmdline quiet --module "$T/trace.txt" > "$T/img" 2>&1
python3 -c "import sys; sys.stdout.buffer.write(bytes([0]*16+[1]*16+[2]*16+[3]*16+[255]*36))" > "$T/vir.bin"
xxd -g 1 "$T/vir.bin" > "$T/vir.xxd" 2>/dev/null || python3 - "$T/vir.bin" > "$T/vir.xxd" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
for o in range(0, len(d), 16):
    c = d[o:o+16]
    h = " ".join("%02x" % b for b in c)
    print("%08x: %-47s  %s" % (o, h, "".join(chr(b) if 32 <= b < 127 else "." for b in c)))
PY
# executa folds repeated lines with "*" (the 6th line repeats the 5th)
awk '/^=== time 1:/{f=1} f && /^mm.vir:/{g=1; next} g && /^([0-9a-f]+: |\*$)/{print; n++} g && n==7{exit}' "$T/img" > "$T/vir.folded"
# unfold: a "*" stands for copies of the line before it up to the next offset
python3 - "$T/vir.folded" > "$T/vir.got" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
out = []
for i, l in enumerate(lines):
    if l != "*":
        out.append(l)
        continue
    prev, nxt = out[-1], lines[i + 1]
    o, end = int(prev[:8], 16) + 16, int(nxt[:8], 16)
    while o < end:
        out.append("%08x" % o + prev[8:])
        o += 16
print("\n".join(out))
PY
check_same "mm.vir at time 1, unfolded, is xxd -g 1 of the expected bytes" "$T/vir.got" "$T/vir.xxd"
check_status "the repeated line of mm.vir is folded into one '*'" "$(grep -c '^\*$' "$T/vir.folded")" 1
printf 'carrega trace.txt\nexecuta 1\ndump vir\n' | $MMK --cmdline quiet --module "$T/trace.txt" > "$T/dump" 2>&1
# after the run every page is free (all 0xff): dump prints all 7 lines, no "*"
sed -n '/^\[mm\] dump vir$/,$p' "$T/dump" | grep -cE '^[0-9a-f]+: .*ff ff' > "$T/dump.n"
check_status "dump vir is not folded (every line printed)" "$(cat "$T/dump.n")" 7
check_status "dump vir has no '*' line" "$(sed -n '/^\[mm\] dump vir$/,$p' "$T/dump" | grep -c '^\*$')" 0

# the final state is labelled with the last time the run reached (the last end)
printf 'carrega demo.trace\nexecuta 20\ncarrega trace.txt\nexecuta\n' |
	$MMK --cmdline quiet --module tools/demo.trace --module "$T/trace.txt" > "$T/end" 2>&1
grep '^=== end of run' "$T/end" > "$T/end.got"
{ for f in tools/demo.trace "$T/trace.txt"; do
	echo "=== end of run at time $(awk 'NR > 1 && $3 > m { m = $3 } END { print m + 0 }' "$f"):"
done; } > "$T/end.want"
if [ "$(cut -d' ' -f1-7 "$T/end.got")" = "$(cat "$T/end.want")" ]; then ok "the final state is labelled with the end of the run"
else fail "the final state is labelled with the end of the run" "got: $(cat "$T/end.got")" "want: $(cat "$T/end.want")"; fi
check_not_contains "no end marker printed as a time" "$T/end" "4294967295"

# a pasted trace, and bad input refused with the line number
printf 'carrega -\n32 64\n1 a 3 16 1 1 2 2\n.\nexecuta\n' | $MMK --cmdline quiet > "$T/paste" 2>&1
check_contains "a pasted trace runs" "$T/paste" "page faults: 1"
for bad in "0 a 3 16 1 1 2" "5 a 3 16 1 5" "1 a 3 16 99 2" "1 a 3 16 1 9" "1 a 3 zz 1 1" "garbage here"; do
	printf '32 64\n1 ok 3 16 1 1\n%s\n' "$bad" > "$T/bad.txt"
	printf 'carrega bad.txt\nshow\n' | $MMK --cmdline quiet --module "$T/bad.txt" > "$T/badout" 2>&1
	if grep -q 'line 3' "$T/badout" && grep -q 'nothing loaded' "$T/badout" && grep -q 'no trace loaded' "$T/badout"; then
		ok "refused with its line number: '$bad'"
	else fail "refused with its line number: '$bad'" "$(cat "$T/badout")"; fi
done
printf 'espaco 9\nsubstitui 7\nsubstitui 3\nexecuta\n' | $MMK --cmdline quiet > "$T/unk" 2>&1
check_contains "an unknown fit number lists the valid ones" "$T/unk" "unknown free-space algorithm '9'"
check_contains "an unknown policy number lists the valid ones" "$T/unk" "unknown replacement policy '7'"
check_contains "memman number 3 is Second-Chance" "$T/unk" "page replacement: sc"
check_contains "executa without a trace says so" "$T/unk" "no trace loaded"

# the real-time mode: each time unit lasts as long on the PIT; same result
printf 'carrega trace.txt\nexecuta 0 realtime=50\n' | $MMK --cmdline quiet --module "$T/trace.txt" > "$T/rt" 2>&1
check_contains "real-time mode gives the same faults" "$T/rt" "page faults: $(build/host/memman_ref "$T/trace.txt" fifo | sed 's/page faults: //')"
ms=$(sed -n 's/^real time: \([0-9]*\) ms.*/\1/p' "$T/rt")
if [ -n "$ms" ] && [ "$ms" -ge 100 ]; then ok "real-time mode lets 2 time units last at least 100 ms ($ms)"; else fail "real-time mode sleeps" "got '$ms'"; fi

# make run's demonstration: the bundled trace under every policy, beside OPT, then the prompt
printf 'show\n' | $MMK --module tools/demo.trace --cmdline "demo quiet" > "$T/demo" 2>&1
check_contains "the demo shows the memory map" "$T/demo" "memory map:"
for pol in fifo sc lru opt; do
	want=$(build/host/memman_ref tools/demo.trace $pol | sed 's/page faults: //')
	if grep -qE "^  $pol +$want " "$T/demo"; then ok "demo table: $pol has $want faults as the model says"
	else fail "demo table: $pol" "want $want" "$(grep "^  $pol " "$T/demo")"; fi
done
check_contains "the demo ends at the prompt with the trace loaded" "$T/demo" "trace demo.trace: 5 processes"
finish
