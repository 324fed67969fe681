#!/usr/bin/env python3
"""vmm_ref.py INPUT MEMORY_SIZE [fifo|lru] - an independent model of mmk's
deterministic VMM runner (round-robin scheduling), written from the rules in
kernel/cmd/vmm.c's header and mm/sim/FORMATS.md §2, to check the kernel's output
byte for byte."""
import sys

def parse(path):
    reqs = []
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        pid, rw, addr = [x.strip() for x in line.split(",")]
        reqs.append((int(pid), rw == "W", int(addr, 16)))
    return reqs

def main():
    reqs = parse(sys.argv[1])
    nframes = int(sys.argv[2]) // 1024
    policy = sys.argv[3] if len(sys.argv) > 3 else "fifo"
    order, queues = [], {}
    for pid, w, a in reqs:
        if pid not in queues:
            queues[pid] = []
            order.append(pid)
        queues[pid].append(a)
    ready = list(order)
    frames = [None] * nframes          # (pid, page) per frame
    loaded_at, used_at, clock = {}, {}, 0
    out = []
    def memory():
        out.append("Main Memory:\t | " + "".join(("%d" % f[0] if f else "-") + " | " for f in frames) + "\n\n")
    while ready:
        pid = ready.pop(0)
        a = queues[pid].pop(0)
        page, off = a >> 10, a & 1023
        clock += 1
        out.append("Scheduling.\t pid:  %d \tvaddr:  %04X\n" % (pid, a))
        if a > 0xFFFF:
            out.append("Address translation failed. pid: %d, addr: %X\n\n" % (pid, a))
            if queues[pid]:
                ready.append(pid)
            continue
        key = (pid, page)
        if key in frames:
            f = frames.index(key)
            used_at[key] = clock
            out.append("Direct Access. \t %04X\n\n" % (f * 1024 + off))
            if queues[pid]:
                ready.append(pid)
        else:
            out.append("Blocked queue:   [%d]\n" % pid)
            if None in frames:
                f = frames.index(None)
            else:
                stamp = loaded_at if policy == "fifo" else used_at
                f = min(range(nframes), key=lambda i: stamp[frames[i]])
                old = frames[f]
                out.append("Swapping.\t pid:  %d , page:  %d , frame:  %d\n" % (old[0], old[1], f))
            frames[f] = key
            loaded_at[key] = used_at[key] = clock
            out.append("Loading.\t pid:  %d , page:  %d , frame:  %d\n" % (pid, page, f))
            ready.append(pid)
            out.append("Ready queue:     [" + ", ".join(str(p) for p in ready) + "]\n")
            out.append("Long   Access. \t %04X\n\n" % (f * 1024 + off))
            if not queues[pid]:
                ready.pop()
        memory()
    sys.stdout.write("".join(out))

main()
