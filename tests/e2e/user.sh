#!/usr/bin/env bash
# user.sh - user processes end to end: every self-checking program of
# user/test in ring 3 (through a pool smaller than what they touch, so they
# swap), the same integrity tests under every replacement policy, on the
# RAM and the ATA swap device, a process larger than RAM, real glibc, MeMS
# as a user program, refused ELF files, background processes with ps, pt,
# space show and kill, Ctrl-C, and no frame, swap slot or page left behind.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
T=$E2E_TMP

MODS=()
for f in build/user/*; do MODS+=(--module "$f"); done
TESTS=$(for f in user/test/*.c; do n=$(basename "$f" .c); [ "$n" = utest ] || echo "$n"; done)
[ -n "$TESTS" ] || { fail "user/test holds tests"; finish; }

# section FILE WORDS: the output of the command "[mm] WORDS" up to the next prompt.
section() {
	python3 - "$1" "$2" <<'PY'
import sys
out = open(sys.argv[1], encoding="latin-1").read()
key = "[mm] " + sys.argv[2] + "\n"
i = out.find(key)
if i < 0:
    sys.exit(1)
rest = out[i + len(key):]
j = rest.find("[mm] ")
sys.stdout.write(rest if j < 0 else rest[:j])
PY
}

# check_passes FILE NAME: the test NAME's section says PASS and exit 0.
check_passes() {
	section "$1" "exec $2" > "$T/sec"
	if grep -qx "PASS $2" "$T/sec" && grep -Eq '^process [0-9]+ exited: status 0$' "$T/sec"; then
		ok "$2 passes in ring 3 ($3)"
	else
		fail "$2 passes in ring 3 ($3)" "$(head -c 600 "$T/sec")"
	fi
}

frames_in_use() { sed -n 's/^address-space frames in use: \([0-9]*\) .*/\1/p' "$1" | sed -n "${2}p"; }

# boot OUT [mmk options...] < script: a boot whose output must reach the
# shell's prompt after its last command. A boot that ends before it (seen
# rarely in clean-clone runs, never reproduced by hand: a kernel crash or
# the runner stopping early would both look so) is kept in
# build/test-logs/ for a look, and booted once more, saying so.
boot() {
	local out=$1; shift
	cat > "$out.in"
	local want=$(( $(grep -c '' "$out.in") + 1 )) try rc
	for try in 1 2; do
		rc=0
		$MMK "$@" < "$out.in" > "$out" 2>&1 || rc=$?
		[ "$(grep -o '\[mm\] ' "$out" | wc -l)" -ge "$want" ] && return 0
		mkdir -p build/test-logs
		cp "$out" "build/test-logs/e2e-user-early-$(basename "$out")-$try.out"
		echo "# boot $(basename "$out") ended before its last command (status $rc, $(wc -c < "$out") bytes; kept in build/test-logs)"
		[ "$try" = 1 ] && echo "# ... booting it again"
	done
	return 0
}

# ---- every test through a small pool on the RAM device -------------------
head -c 700 build/user/hello > "$T/truncated"
gzip -c build/user/hello > "$T/hello.gz"
{
	echo "exec hello one two"
	echo "upool"
	for t in $TESTS; do echo "exec $t"; done
	echo "exec glibc-hello"
	echo "exec glibc-hello 7"
	echo "exec mems-example"
	echo "exec glibc-cat demo.trace"
	echo "exec glibc-cat -l /"
	echo "exec glibc-cat nosuch"
	echo "exec glibc-segv"
	echo "exec glibc-segv 300"
	echo "exec nosuch"
	echo "exec demo.trace"
	echo "exec truncated"
	echo "exec hello.gz"
	echo "exec hello after"
	echo "upool"
	echo "swapinfo"
} > "$T/script"
boot "$T/all" --mem 128M --cmdline "quiet swap=64M upool=8M" "${MODS[@]}" --module tools/demo.trace \
	--module "$T/truncated" --module "$T/hello.gz" --keep-going --timeout 600 < "$T/script"
for t in $TESTS; do check_passes "$T/all" "$t" "8 MiB pool, RAM swap"; done
section "$T/all" "exec hello one two" > "$T/hello"
check_contains "hello gets its arguments" "$T/hello" $'argv[1] = "one"\nargv[2] = "two"'
check_contains "hello gets AT_RANDOM" "$T/hello" "AT_RANDOM 0xbf"
check_contains "hello exits 0" "$T/hello" "exited: status 0"
section "$T/all" "exec glibc-hello" > "$T/glibc"
check_contains "a static glibc program prints (printf, malloc, free)" "$T/glibc" "hello from glibc:"
check_contains "... and its exit status is seen" "$T/glibc" "exited: status 0"
section "$T/all" "exec glibc-hello 7" > "$T/glibc7"
check_contains "glibc's exit(7) is status 7" "$T/glibc7" "exited: status 7"
# the expected file names the physical address (a number only a run can know) by a placeholder
section "$T/all" "exec mems-example" | sed '/^process [0-9]* exited/d' |
	sed -E 's/Physical Address: [0-9]+$/Physical Address: <PHYSICAL_ADDRESS_FROM_MMAP e.g. 140535789383680>/' > "$T/mems"
check_same "MeMS as a user program prints the official example's output" "$T/mems" tests/data/cases/mems/example.expected.txt
section "$T/all" "exec glibc-cat demo.trace" | sed '/^process [0-9]* exited/d' > "$T/cat"
check_same "glibc's stdio reads a boot module through open and read (the file's bytes)" "$T/cat" tools/demo.trace
section "$T/all" "exec glibc-cat -l /" > "$T/ls"
check_contains "glibc's readdir lists the modules (getdents64), stat gives their sizes" "$T/ls" \
	"file demo.trace $(wc -c < tools/demo.trace)"$'\n'"file truncated 700"
check_contains "... with . and .. as directories" "$T/ls" $'dir  . 4096\ndir  .. 4096'
section "$T/all" "exec glibc-cat nosuch" > "$T/cat2"
check_contains "a missing file is ENOENT to glibc" "$T/cat2" $'glibc-cat: nosuch: No such file or directory\nprocess'
check_contains "... and the program goes on to exit 1" "$T/cat2" "exited: status 1"
section "$T/all" "exec glibc-segv" > "$T/segv"
check_contains "glibc's SIGSEGV handler pages at user level (64 pages, each faults once)" "$T/segv" \
	$'glibc-segv: 64 pages, 64 first-touch faults, 0 wrong bytes, SIGUSR1 handled\nprocess'
check_contains "... and exits 0" "$T/segv" "exited: status 0"
section "$T/all" "exec glibc-segv 300" > "$T/segv300"
check_contains "... through the 8 MiB pool with 300 pages" "$T/segv300" "glibc-segv: 300 pages, 300 first-touch faults, 0 wrong bytes"
section "$T/all" "exec nosuch" > "$T/e1"
check_contains "a missing program is named" "$T/e1" "exec: nosuch: no such file"
section "$T/all" "exec demo.trace" > "$T/e2"
check_contains "a text file is refused as an ELF" "$T/e2" "exec: demo.trace: "
check_contains "... saying why" "$T/e2" "magic"
section "$T/all" "exec truncated" > "$T/e3"
check_contains "a truncated ELF file is refused" "$T/e3" "exec: truncated: "
section "$T/all" "exec hello.gz" > "$T/e4"
check_contains "a compressed program is refused" "$T/e4" "compressed"
section "$T/all" "exec hello after" > "$T/after"
check_contains "the kernel goes on after every refusal" "$T/after" 'argv[1] = "after"'
first=$(frames_in_use "$T/all" 1)
last=$(frames_in_use "$T/all" 2)
if [ -n "$first" ] && [ "$first" = "$last" ]; then ok "no frame left behind by the processes ($first before and after)"
else fail "no frame left behind" "frames in use: '$first' then '$last'"; fi
section "$T/all" "upool" > /dev/null
tail -n 40 "$T/all" > "$T/end"
check_contains "the pool is empty at the end" "$T/end" "0 resident of 0 pages"
check_contains "the pool's structures agree" "$T/end" "user pool check: consistent"
check_contains "the tests paged out to swap" "$T/all" "evictions="
grep -q "evictions=0 " "$T/end" && fail "the tests evicted pages" "$(grep evictions "$T/end")" || ok "the tests evicted pages"
check_contains "every swap slot came back" "$T/end" "0 in use"
check_not_contains "nothing crashed" "$T/all" "KERNEL PANIC"

# ---- many process starts under a fast timer ----------------------------------
# A process's thread enters ring 3 through a frame kept in its struct uproc,
# which is the stack for the last pops before the iret; at hz=5000 the timer
# meets every instruction of that way across 3000 starts (an interrupt taken
# there once pushed its frame over the process's space and thread pointers;
# vmcheck reports such damage at the next fault or system call). Not booted
# twice: a crash here is the failure.
printf 'exec fork-churn 3000\nupool\n' | $MMK --mem 64M --cmdline "quiet upool=4M hz=5000 vmcheck" "${MODS[@]}" \
	--keep-going --timeout 300 > "$T/churn" 2>&1
check_status "3000 process starts at hz=5000 with vmcheck: the kernel stays up" $? 0
section "$T/churn" "exec fork-churn 3000" > "$T/sec"
check_contains "... and every child saw its own process and exited as it should" "$T/sec" "PASS fork-churn"
check_contains "... the pool stays consistent" "$T/churn" "user pool check: consistent"

# ---- every policy, RAM swap ------------------------------------------------
{
	for p in fifo lru sc clock nru aging lirs duel arc clockpro sieve; do
		echo "policy $p"
		echo "exec page-random"
		echo "exec fork-tree"
	done
	echo "policy opt"
	echo "upool"
} > "$T/pscript"
boot "$T/pol" --mem 64M --cmdline "quiet swap=32M upool=2M" "${MODS[@]}" --keep-going --timeout 600 < "$T/pscript"
python3 - "$T/pol" > "$T/polcheck" <<'PY'
import sys, re
out = open(sys.argv[1], encoding="latin-1").read()
parts = out.split("[mm] policy ")[1:]
for part in parts:
    name = part.split("\n", 1)[0]
    ok = "PASS page-random" in part and "PASS fork-tree" in part and "from now on" in part
    print(("ok " if ok else "bad ") + name)
PY
for p in fifo lru sc clock nru aging lirs duel arc clockpro sieve; do
	if grep -qx "ok $p" "$T/polcheck"; then ok "policy $p: random touches and a fork tree keep every byte"
	else fail "policy $p: random touches and a fork tree keep every byte" "$(grep -A12 "policy $p" "$T/pol" | head -14)"; fi
done
check_contains "OPT is refused for running processes" "$T/pol" "needs the future"
check_contains "the pool stays consistent across policy changes" "$T/pol" "user pool check: consistent"

# ---- every policy with processes paging at once on the ATA disk -------------
{
	for p in lru clock arc clockpro sieve; do echo "policy $p"; echo "exec page-parallel"; done
	echo "upool"
} | boot "$T/apol" --mem 32M --swap-disk 64M --cmdline "quiet upool=2M" "${MODS[@]}" --keep-going --timeout 600
for p in lru clock arc clockpro sieve; do
	python3 - "$T/apol" "$p" <<'PY' && ok "policy $p: four processes paging at once on ATA keep every byte" || fail "policy $p on ATA" "$(grep -A4 "policy $p" "$T/apol" | head -6)"
import sys
out = open(sys.argv[1], encoding="latin-1").read()
part = out.split("[mm] policy " + sys.argv[2] + "\n", 1)[1].split("[mm] policy ", 1)[0]
sys.exit(0 if "PASS page-parallel" in part else 1)
PY
done
check_contains "the pool is consistent after them" "$T/apol" "user pool check: consistent"

# ---- the ATA disk, several processes, a program larger than RAM ------------
printf 'exec page-linear 12\nexec page-parallel\nexec fork-tree\nexec bigmem 40\nupool\nswapinfo\n' |
	boot "$T/ata" --mem 32M --swap-disk 96M --cmdline "quiet upool=4M" "${MODS[@]}" --keep-going --timeout 600
check_contains "swap is on the ATA disk" "$T/ata" "ata"
for t in page-linear page-parallel fork-tree; do
	section "$T/ata" "exec $t$( [ $t = page-linear ] && echo ' 12')" > "$T/sec"
	if grep -qx "PASS $t" "$T/sec"; then ok "$t passes over the ATA swap disk"; else fail "$t over ATA" "$(head -c 400 "$T/sec")"; fi
done
section "$T/ata" "exec bigmem 40" > "$T/big"
check_contains "a 40 MiB program runs in 32 MiB of RAM" "$T/big" "exited: status 0"
check_not_contains "... with every byte right" "$T/big" "wrong"
check_contains "the pool is consistent after the disk runs" "$T/ata" "user pool check: consistent"
# the page-out daemon kept frames free: most faults did not evict, dirty
# pages left in clustered writes, shared pages in transit were waited for
python3 - "$T/ata" > "$T/po" <<'PY'
import re, sys
out = open(sys.argv[1], encoding="latin-1").read()
num = lambda pat: int(re.search(pat, out).group(1)) if re.search(pat, out) else -1
faults, own = num(r"refs=\d+ faults=(\d+)"), num(r"evictions by faults=(\d+)")
ahead, freed = num(r"ahead of need=(\d+)"), num(r"freed (\d+) frames")
pages, writes = num(r"\((\d+) written in \d+ clustered writes\)"), num(r"written in (\d+) clustered writes")
print("share-low" if faults > 0 and 0 <= own <= faults // 5 else "share-high %d/%d" % (own, faults))
print("freed" if freed > 0 and freed == ahead else "not-freed %d %d" % (freed, ahead))
print("clustered" if writes > 0 and pages >= 2 * writes else "not-clustered %d/%d" % (pages, writes))
print("waited" if num(r"transit-waits=(\d+)") > 0 else "never-waited")
PY
check_contains "the page-out daemon runs with its watermarks" "$T/ata" "page-out daemon: on, watermarks low"
grep -qx share-low "$T/po" && ok "... and at most a fifth of the faults evicted for themselves" || fail "faults evicting for themselves" "$(cat "$T/po")"
grep -qx freed "$T/po" && ok "... the frames it freed are the pool's evictions ahead of need" || fail "daemon's frames" "$(cat "$T/po")"
grep -qx clustered "$T/po" && ok "... its writes carry two pages or more each (adjacent slots)" || fail "clustered writes" "$(cat "$T/po")"
check_contains "... with several pages in one ATA command" "$T/ata" "of them wrote several pages in one command"
grep -qx waited "$T/po" && ok "a fault on a shared page in transit waited for its I/O" || fail "transit waits" "$(cat "$T/po")"

# ---- without the daemon, then with it turned on at the prompt --------------
printf 'exec page-parallel\npageout\nupool\npageout on\nexec page-parallel\npageout\npageout sideways\n' |
	boot "$T/pgo" --mem 32M --swap-disk 64M --cmdline "quiet upool=2M pageout=off" "${MODS[@]}" --keep-going --timeout 600
section "$T/pgo" "exec page-parallel" > "$T/pgo1"
check_contains "pageout=off: processes page correctly without the daemon" "$T/pgo1" "PASS page-parallel"
section "$T/pgo" "pageout" > "$T/pgo2"
check_contains "... pageout says it is off" "$T/pgo2" "page-out daemon: off,"
check_contains "... and has freed nothing" "$T/pgo2" "freed 0 frames"
section "$T/pgo" "upool" > "$T/pgo3"
check_contains "... every eviction was made by a fault" "$T/pgo3" "ahead of need=0"$'\n'
check_contains "pageout on turns it on" "$T/pgo" "page-out daemon on"
if grep -A3 "^\[mm\] pageout$" "$T/pgo" | tail -n +2 | grep -q "page-out daemon: on,"; then ok "... and it runs: page-parallel passes, pageout reports it on"
else fail "pageout on" "$(tail -20 "$T/pgo")"; fi
check_contains "... page-parallel passes with it" "$T/pgo" "PASS page-parallel"
check_contains "a bad pageout argument says how" "$T/pgo" "usage: pageout [on|off]"

# ---- a failing disk, a process killed while it pages ----------------------
printf 'exec page-linear 8\nswapinfo fail 2\nexec page-linear 8\nswapinfo fail 1000\nexec page-linear 8\nswapinfo fail 0\nexec pager 24 &\nsleep 1500\nps\nkill 4\nsleep 300\nupool\nswapinfo\nexec page-parallel\n' |
	boot "$T/disk" --mem 32M --swap-disk 64M --cmdline "quiet upool=2M" "${MODS[@]}" --keep-going --timeout 600
check_contains "swap I/O sleeps until the disk's interrupt (DMA)" "$T/disk" "by DMA"
section "$T/disk" "swapinfo fail 2" > /dev/null
python3 - "$T/disk" > "$T/diskcheck" <<'PY'
import sys
out = open(sys.argv[1], encoding="latin-1").read()
parts = out.split("[mm] ")
def after(cmd, n):
    i = [k for k, p in enumerate(parts) if p.startswith(cmd + "\n")]
    return parts[i[n] + 0] if len(i) > n else ""
print("retried" if "PASS page-linear" in after("exec page-linear 8", 1) else "not-retried")
print("killed" if "killed: swap device error" in after("exec page-linear 8", 2) else "not-killed")
PY
grep -qx retried "$T/diskcheck" && ok "two failed disk requests are tried again: page-linear still passes" || fail "retries after disk errors" "$(section "$T/disk" "exec page-linear 8" | head -5)"
grep -qx killed "$T/diskcheck" && ok "a disk that keeps failing kills only the process that faulted" || fail "a failing disk kills the faulting process" "$(cat "$T/diskcheck")"
# two failed, then at least three (the fault tried its I/O three times; the
# page-out daemon's writes may have met some too) before fail 0 stopped the rest
n=$(sed -n 's/.*errors (\([0-9]*\) injected).*/\1/p' "$T/disk" | tail -1)
if [ -n "$n" ] && [ "$n" -ge 5 ] && [ "$n" -le 1002 ]; then ok "the injected errors are counted ($n)"
else fail "the injected errors are counted" "$(grep injected "$T/disk")"; fi
section "$T/disk" "ps" > "$T/dps"
if grep -Eq '^ +4 +0 +running +[0-9]+ +[1-9][0-9]* +pager$' "$T/dps"; then ok "ps shows the pager with pages in swap"
else fail "ps shows the pager with pages in swap" "$(cat "$T/dps")"; fi
check_contains "kill ends a process that is paging" "$T/disk" "process 4 killed: killed from the shell (signal 9)"
section "$T/disk" "upool" > "$T/du"
check_contains "after the failures and the kill the pool is empty" "$T/du" "0 resident of 0 pages"
check_contains "... and consistent" "$T/du" "user pool check: consistent"
section "$T/disk" "swapinfo" > "$T/ds"
check_contains "... and every swap slot is back" "$T/ds" ", 0 in use"
section "$T/disk" "exec page-parallel" > "$T/dp"
check_contains "processes page correctly after all of it" "$T/dp" "PASS page-parallel"

# ---- background processes: ps, pt, space show, kill ------------------------
printf 'exec sleeper 30 &\nsleep 300\nps\npt 1 0x08048000\nspace show 1\nkill 1\nps\nkill 1\nexec hello\n' |
	boot "$T/bg" --cmdline quiet "${MODS[@]}" --keep-going --timeout 120
check_contains "exec & starts a background process" "$T/bg" "process 1 started in the background"
section "$T/bg" "ps" > "$T/ps"
if grep -Eq '^ +1 +0 +running +[1-9][0-9]* +0 +sleeper$' "$T/ps"; then ok "ps lists it running with resident pages"
else fail "ps lists the sleeper" "$(cat "$T/ps")"; fi
section "$T/bg" "pt 1 0x08048000" > "$T/pt"
check_contains "pt walks the process's page tables" "$T/pt" "in the process's directory"
section "$T/bg" "space show 1" > "$T/sp"
check_contains "space show lists the process's regions" "$T/sp" "0x08048000-"
check_contains "... its stack" "$T/sp" "-0xc0000000"
section "$T/bg" "kill 1" > "$T/k"
check_contains "kill ends it, reported by the shell" "$T/k" "process 1 killed: killed from the shell (signal 9)"
check_contains "a second kill finds nothing" "$T/bg" "kill: no running process 1"
check_contains "the shell goes on" "$T/bg" "hello from pid 2"

# ---- Ctrl-C kills the foreground process -----------------------------------
printf 'exec sleeper 30 spin\n\003exec hello after\n' | $MMK --cmdline quiet "${MODS[@]}" --keep-going --timeout 120 > "$T/cc" 2>&1
check_contains "Ctrl-C kills the foreground process" "$T/cc" "process 1 killed: interrupted by Ctrl-C (signal 2)"
check_contains "what was typed after it reaches the shell" "$T/cc" 'argv[1] = "after"'

# ---- gdb on a process's address space --------------------------------------
port=$((20000 + RANDOM % 20000))
printf 'target remote 127.0.0.1:%s\nbreak sys_nanosleep\ncontinue\nmmk-procs\nmmk-pte 0x08049000 procs->space->pd.v\nkill\nquit\n' "$port" > "$T/g.gdb"
printf 'exec sleeper 2\n' | $MMK --cmdline quiet --module build/user/sleeper --gdb "$port" --timeout 60 > /dev/null 2>&1 &
sleep 1
timeout 50 gdb-multiarch -q -batch -x tools/mmk.gdb -x "$T/g.gdb" build/kernel.elf > "$T/gdb" 2>&1
wait
if grep -Eq '^pid 1  sleeper +running, page directory 0x[0-9a-f]{8}, [0-9]+ regions$' "$T/gdb"; then ok "gdb: mmk-procs lists the process and its page directory"
else fail "gdb: mmk-procs" "$(tail -5 "$T/gdb")"; fi
check_contains "gdb: mmk-pte walks the process's directory to its text page" "$T/gdb" "present=1 rw=0 user=1"

# ---- bad input to the commands ---------------------------------------------
printf 'exec\nkill\nkill abc\npt 99 0x1000\nspace show 99\npolicy nosuch\n' | $MMK --cmdline quiet --keep-going > "$T/bad" 2>&1
check_contains "exec without a program says how" "$T/bad" "usage: exec <program>"
check_contains "kill without a pid says how" "$T/bad" "usage: kill <pid>"
check_contains "pt of no process says so" "$T/bad" "no running process '99'"
check_contains "an unknown policy lists the valid ones" "$T/bad" "policy: 'nosuch' is not a policy"
finish
