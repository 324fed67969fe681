#!/usr/bin/env python3
"""vmm_ref.py INPUT MEMORY_SIZE [fifo|lru] [LATENCY] - an independent model of
mmk's VMM runner without a seed (round robin), written from the rules in
kernel/cmd/vmm.c's header and mm/sim/FORMATS.md §2, to check the kernel's
output byte for byte.

The rules it models: the processes take turns from a FIFO ready queue, in
order of first appearance. A turn makes requests: a hit ("Direct Access")
ends the turn and the process goes back to the tail; a miss ("Blocked
queue", the page-ins waiting, oldest first) ends it and the process waits
for its page-in. Every request is one step of a clock; a page-in made at
step s is served at the end of the turn in which the clock reaches
s + LATENCY (default 2); while no process is ready, the clock jumps to the
oldest page-in and serves it. Serving takes the lowest free frame or the
policy's victim ("Swapping", "Loading"), puts the process at the tail of the
ready queue ("Ready queue"), and prints "Long Access". When it next runs,
the process finishes that access (if the page was evicted meanwhile it
misses again) and goes on with its next request, or ends. A page-in served
in its own process's turn (LATENCY 0, or served while nobody else could run)
is finished in that turn. At the end of a turn that is not its last, a
process that hit goes back to the tail after the page-ins served then.
LRU's recency is that of loads and finished accesses.

vmm_ref.py --batch LIST runs several: each line of LIST is
"OUTPUT INPUT MEMORY_SIZE POLICY LATENCY", the model's run written to OUTPUT."""
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


class Model:
    def __init__(self, reqs, nframes, policy, latency):
        self.order, self.queues = [], {}
        for pid, w, a in reqs:
            if pid not in self.queues:
                self.queues[pid] = []
                self.order.append(pid)
            self.queues[pid].append(a)
        self.nframes, self.policy, self.latency = nframes, policy, latency
        self.frames = [None] * nframes    # (pid, page) per frame
        self.loaded_at, self.used_at, self.events = {}, {}, 0
        self.ready = list(self.order)
        self.pending = []                 # [due, pid, key, offset], oldest first
        self.unfinished = {}              # pid -> key of an access served, not finished
        self.now = 0
        self.out = []

    def stamp(self):
        self.events += 1
        return self.events

    def memory(self):
        self.out.append("Main Memory:\t | " + "".join(("%d" % f[0] if f else "-") + " | " for f in self.frames) + "\n\n")

    def serve(self, req):
        due, pid, key, off = req
        if None in self.frames:
            f = self.frames.index(None)
        else:
            stamp = self.loaded_at if self.policy == "fifo" else self.used_at
            f = min(range(self.nframes), key=lambda i: stamp[self.frames[i]])
            old = self.frames[f]
            self.out.append("Swapping.\t pid:  %d , page:  %d , frame:  %d\n" % (old[0], old[1], f))
        self.frames[f] = key
        self.loaded_at[key] = self.used_at[key] = self.stamp()
        self.out.append("Loading.\t pid:  %d , page:  %d , frame:  %d\n" % (pid, key[1], f))
        self.ready.append(pid)
        self.unfinished[pid] = key
        self.out.append("Ready queue:     [" + ", ".join(str(p) for p in self.ready) + "]\n")
        self.out.append("Long   Access. \t %04X\n\n" % (f * 1024 + off))
        self.memory()

    def turn_ends(self, continues):
        while self.pending and self.pending[0][0] <= self.now:
            self.serve(self.pending.pop(0))
        while not self.ready and not continues and self.pending:
            self.now = max(self.now, self.pending[0][0])
            self.serve(self.pending.pop(0))

    def miss(self, pid, key, off):
        """The access of pid to key faults: True if its page-in was served
        in this turn (pid is then on the ready queue, its access done)."""
        self.pending.append([self.now + self.latency, pid, key, off])
        self.out.append("Blocked queue:   [" + ", ".join(str(r[1]) for r in self.pending) + "]\n")
        self.turn_ends(False)
        if pid in self.ready:  # its access completes before it gives up the processor
            self.unfinished.pop(pid)
            self.used_at[key] = self.stamp()
            return True
        return False

    def turn(self, pid):
        if pid in self.unfinished and not self.finish_first(pid):
            return
        while self.queues[pid]:
            a = self.queues[pid].pop(0)
            page, off = a >> 10, a & 1023
            self.now += 1
            self.out.append("Scheduling.\t pid:  %d \tvaddr:  %04X\n" % (pid, a))
            if a > 0xFFFF:
                self.out.append("Address translation failed. pid: %d, addr: %X\n\n" % (pid, a))
                if self.give_up(pid):
                    continue
                return
            key = (pid, page)
            self.last_off[pid] = off
            if key in self.frames:
                self.used_at[key] = self.stamp()
                f = self.frames.index(key)
                self.out.append("Direct Access. \t %04X\n\n" % (f * 1024 + off))
                self.memory()
                if self.give_up(pid):
                    continue
                return
            self.miss(pid, key, off)
            return  # asleep, or back on the ready queue
        self.turn_ends(False)  # it ends

    def finish_first(self, pid):
        """A turn that starts with the access a page-in served: False if the
        turn ended there (the page had gone: pid waits again)."""
        key = self.unfinished[pid]
        if key in self.frames:
            self.unfinished.pop(pid)
            self.used_at[key] = self.stamp()
            return True
        self.unfinished.pop(pid)
        self.miss(pid, key, self.last_off[pid])
        return False

    def give_up(self, pid):
        """End of a turn after a hit: True if pid runs on (it is alone)."""
        if not self.queues[pid]:
            return True  # no request left: the loop ends, and so does pid
        self.turn_ends(True)
        self.ready.append(pid)
        if self.ready[0] == pid:
            self.ready.pop(0)
            return True
        return False

    def run(self):
        self.last_off = {}
        while self.ready:
            self.turn(self.ready.pop(0))
        return "".join(self.out)


def model(path, memory, policy="fifo", latency="2"):
    return Model(parse(path), int(memory) // 1024, policy, int(latency)).run()


def main():
    if sys.argv[1] == "--batch":
        for line in open(sys.argv[2]):
            if line.strip():
                out, *args = line.split()
                open(out, "w").write(model(*args))
    else:
        sys.stdout.write(model(*sys.argv[1:5]))


main()
