#!/usr/bin/env bash
# console.sh - the two console devices seen from outside: the virtio console
# (the piped default) and COM1 (--console uart) carry the same bytes, every
# byte value included; the kernel names its device in the ready mark and the
# runner follows it when the kernel falls back to COM1; large input arrives
# whole; the arena's checker mode runs on both; a crash report gets out.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
T=$E2E_TMP

# Every byte value, through each device: the cat output is what follows the
# echoed command line, up to the next prompt.
python3 -c 'import sys, random; r = random.Random(7); sys.stdout.buffer.write(bytes(range(256)) * 4 + bytes(r.randrange(256) for _ in range(60000)) + b"\n")' > "$T/bin.dat"
want() { { printf '[mm] cat bin.dat\n'; cat "$T/bin.dat"; printf '[mm] '; } > "$T/want"; }
want
for c in virtio uart; do
	printf 'cat bin.dat\n' | $MMK --console $c --cmdline quiet --module "$T/bin.dat" --log "$T/log-$c" > "$T/cat-$c" 2>&1
	check_same "cat of 61 KB of every byte value through $c" "$T/cat-$c" "$T/want"
done
check_contains "the kernel found the virtio console" "$T/log-virtio" "console: virtio port 1"
check_contains "without the device the kernel says it uses COM1" "$T/log-uart" "console: no virtio console: COM1"

# A 2 MiB cat through the virtio console, byte for byte.
head -c 1500000 /dev/urandom | base64 > "$T/big.txt"
{ printf '[mm] cat big.txt\n'; cat "$T/big.txt"; printf '[mm] '; } > "$T/want-big"
printf 'cat big.txt\n' | $MMK --mem 64M --cmdline quiet --module "$T/big.txt" > "$T/cat-big" 2>&1
check_same "a 2 MB cat through virtio is byte for byte the file" "$T/cat-big" "$T/want-big"
# A reader that stalls: the pipe fills, the kernel waits, nothing is lost.
printf 'cat big.txt\n' | $MMK --mem 64M --cmdline quiet --module "$T/big.txt" 2>&1 | { sleep 3; cat; } > "$T/cat-slow"
check_same "a stalled reader loses nothing" "$T/cat-slow" "$T/want-big"

# The kernel may be told to keep COM1 although a virtio console is there:
# the runner reads its ready mark and sends the input to COM1.
printf 'echo on-com1\n' | $MMK --console virtio --cmdline "quiet console=uart" --log "$T/log-forced" > "$T/forced" 2>&1
check_contains "console=uart: input reaches the shell on COM1" "$T/forced" $'\non-com1'
check_contains "console=uart: the log says so" "$T/log-forced" "console: COM1 (console=uart)"
printf 'echo still-here\n' | $MMK --cmdline "quiet console=bogus" --log "$T/log-bogus" > "$T/bogus" 2>&1
check_contains "console=bogus is reported and a device is chosen" "$T/log-bogus" "unknown console=bogus"
check_contains "console=bogus: the shell works" "$T/bogus" $'\nstill-here'

# Input larger than every receive buffer together, through each device: a
# generated arena stream (about 1 MB) gives the host build's output exactly.
make -s build/host/vma >/dev/null
tools/gen-vma stream 3 > "$T/stream.in"
build/host/vma < "$T/stream.in" > "$T/stream.host" 2>/dev/null
tools/vma < "$T/stream.in" > "$T/stream.virtio"
check_same "a 1 MB arena stream through virtio matches the host build" "$T/stream.virtio" "$T/stream.host"
head -c 60000 "$T/stream.in" | sed '$d' > "$T/small.in"
build/host/vma < "$T/small.in" > "$T/small.host" 2>/dev/null
{ cat "$T/small.in"; printf '\004'; } | $MMK --console uart --mem 256M --cmdline "vma quiet" > "$T/small.uart"
check_same "a 60 KB arena stream through COM1 matches the host build" "$T/small.uart" "$T/small.host"
tools/vma < tests/data/cases/vma/34-vma.in > "$T/34.virtio"
check_same "shared case 34-vma through virtio" "$T/34.virtio" tests/data/cases/vma/34-vma.ref
{ cat tests/data/cases/vma/34-vma.in; printf '\004'; } | $MMK --console uart --mem 256M --cmdline "vma quiet" > "$T/34.uart"
check_same "shared case 34-vma through COM1" "$T/34.uart" tests/data/cases/vma/34-vma.ref

# The shell's arena mode gives back what follows DEALLOC_ARENA or EOT.
for c in virtio uart; do
	printf 'vma\nALLOC_ARENA 100\nDEALLOC_ARENA\necho after-dealloc\nvma\nALLOC_ARENA 10\n\004echo after-eot\n' |
		$MMK --console $c --cmdline quiet > "$T/vma-shell-$c" 2>&1
	check_contains "$c: the line after DEALLOC_ARENA goes to the shell" "$T/vma-shell-$c" $'\nafter-dealloc'
	check_contains "$c: the line after EOT goes to the shell" "$T/vma-shell-$c" $'\nafter-eot'
done

# A crash report and the exit status come through the virtio console.
printf 'crash pf\n' | $MMK --cmdline quiet > "$T/crash" 2>&1
check_status "a crash exits with status 3 through virtio" $? 3
check_contains "the crash report arrives through virtio" "$T/crash" "*** mmk crash"
check_contains "the report has a backtrace" "$T/crash" "backtrace:"
finish
