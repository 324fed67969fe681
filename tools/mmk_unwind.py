# mmk_unwind.py - a gdb frame unwinder for mmk's interrupt entry code, so that
# `bt` from a trap handler (vm_fault, say) goes on through the trap frame into
# the code that was interrupted. Loaded by tools/mmk.gdb.
#
# The entry stubs (boot/*.S) have no call frame information, and gdb cannot
# guess their frame: each pushes a vector (and a dummy error code), then
# trap_common pushes the registers as a struct trap_frame (kernel/arch/trap.h)
# and calls trap_dispatch(frame). Stack at that call, lowest address first:
#
#     +-------------------+
#     | &frame            |  <- esp at the call: trap_dispatch's argument
#     +-------------------+
#     | gs fs es ds       |  struct trap_frame
#     | edi esi ebp esp0  |  (pusha; esp0 is esp after the vector was pushed)
#     | ebx edx ecx eax   |
#     | vector err        |  the stub's pushes (err: the CPU's, or a dummy 0)
#     | eip cs eflags     |  the CPU's pushes
#     | [user esp, ss]    |  only for a trap from ring 3
#     +-------------------+
#
# The unwinder does not rely on that layout being fixed, nor on a list of
# vectors. For a frame whose pc lies in code assembled from boot/*.S, it
# follows the instructions from pc onwards (pushes, pops, pusha/popa, add/sub
# to esp, calls as neutral, unconditional jumps followed, conditional ones
# not taken) to the iret that ends the trap: there esp points at the CPU's
# eip, cs, eflags. Each `popa`
# or `pop REG` met on the way, when that register was not pushed on the way,
# says where the interrupted value of REG is saved. Code that reaches a
# `ret`, moves esp by other means, or runs on too long is left to gdb's own
# unwinders. So new vectors, new stubs (a system call entry) and a reordered
# frame need no change here as long as they end in iret.
#
# Also here: a frame filter that names the interrupted function at its pc
# (see InterruptedFrame), and the mmk-trap command, which decodes the trap
# frame itself.

import struct

import gdb
from gdb.FrameDecorator import FrameDecorator
from gdb.unwinder import Unwinder, register_unwinder

ENTRY_SOURCES = ("boot/",)  # code assembled from these folders' .S files
MAX_INSNS = 200
PUSHA_ORDER = ("eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi")  # first pushed first
POPA_LAYOUT = ("edi", "esi", "ebp", None, "ebx", "edx", "ecx", "eax")   # from esp upwards
GPRS = ("eax", "ecx", "edx", "ebx", "ebp", "esi", "edi")
SEGS = ("ds", "es", "fs", "gs", "ss")


class TrapFrameId:
    """gdb's frame id: the stack address of the CPU's eip and the iret."""

    def __init__(self, sp, pc):
        self.sp = gdb.Value(sp)  # gdb 13 takes gdb.Value here, not int
        self.pc = gdb.Value(pc)


def in_entry_code(pc):
    sal = gdb.find_pc_line(pc)
    if sal is None or sal.symtab is None:
        return False
    name = sal.symtab.filename
    if not name.endswith(".S"):
        return False
    return any(name.startswith(d) or ("/" + d) in name for d in ENTRY_SOURCES)


def operand_reg(text):
    """'%ebp' -> 'ebp', '%gs' -> 'gs'; anything else (a 16-bit register, an
    immediate, memory) -> None."""
    text = text.strip()
    if not text.startswith("%"):
        return None
    r = text[1:]
    if r in GPRS or r in SEGS or r == "esp":
        return r
    return None


def walk_to_iret(arch, pc):
    """Follow the code from pc to its iret. Returns (delta, saved, iret_pc):
    esp at the iret is esp at pc + delta; saved maps a register name to its
    slot's offset from esp at pc. None when the code does not end in iret."""
    delta = 0
    saved = {}
    pushed = set()  # registers pushed on the way: their pops restore those
    addr = pc
    for _ in range(MAX_INSNS):
        insn = arch.disassemble(addr, count=1)[0]
        asm = insn["asm"].split("#")[0].strip()
        nxt = addr + insn["length"]
        parts = asm.split(None, 1)
        op = parts[0] if parts else ""
        args = parts[1] if len(parts) > 1 else ""
        # A prefix such as "data16" or "lock" is not an instruction.
        if op in ("data16", "lock", "rep", "repz", "repnz"):
            parts = args.split(None, 1)
            op = parts[0] if parts else ""
            args = parts[1] if len(parts) > 1 else ""
        if op in ("iret", "iretl", "iretd"):
            return delta, saved, addr
        if op in ("ret", "retl", "lret", "hlt", "ud2", "sysexit", "sysret"):
            return None
        if op in ("pusha", "pushal", "pushad"):
            delta -= 32
            pushed.update(PUSHA_ORDER)
        elif op in ("popa", "popal", "popad"):
            for i, r in enumerate(POPA_LAYOUT):
                if r is not None and r not in pushed and r not in saved:
                    saved[r] = delta + 4 * i
            delta += 32
        elif op in ("push", "pushl", "pushw"):
            r = operand_reg(args)
            if r:
                pushed.add(r)
            delta -= 2 if op == "pushw" else 4
        elif op in ("pop", "popl", "popw"):
            r = operand_reg(args)
            if r == "esp":
                return None
            if r and r not in pushed and r not in saved:
                saved[r] = delta
            delta += 2 if op == "popw" else 4
        elif op in ("pushf", "pushfl"):
            delta -= 4
        elif op in ("popf", "popfl"):
            delta += 4
        elif op in ("call", "calll"):
            pass  # the callee returns with esp as it was
        elif op in ("leave", "leavel", "enter", "enterl"):
            return None
        elif op in ("jmp", "jmpl"):
            target = args.split()[0]
            if target.startswith("*") or not target.startswith("0x"):
                return None  # indirect: cannot follow
            nxt = int(target, 16)
        elif op in ("add", "addl", "sub", "subl", "lea", "leal"):
            ops = [o.strip() for o in args.split(",")]
            if ops and ops[-1] == "%esp":
                if op.startswith("lea") or not ops[0].startswith("$"):
                    return None
                n = int(ops[0][1:], 0)
                delta += n if op.startswith("add") else -n
        elif args.split(",")[-1].strip() == "%esp" and op not in ("cmp", "cmpl", "test", "testl"):
            return None  # esp changed some other way (mov, and, xchg...)
        addr = nxt
    return None


def u32(data, off):
    return struct.unpack_from("<I", data, off)[0]


class MmkTrapUnwinder(Unwinder):
    def __init__(self):
        super().__init__("mmk-trap")

    def __call__(self, pending_frame):
        try:
            return self.unwind(pending_frame)
        except Exception:  # unreadable memory, odd code: gdb's own unwinders try
            return None

    def unwind(self, pf):
        pc = int(pf.read_register("eip"))
        if not in_entry_code(pc):
            return None
        arch = pf.architecture()
        walk = walk_to_iret(arch, pc)
        if walk is None:
            return None
        delta, saved, iret_pc = walk
        sp = int(pf.read_register("esp")) & 0xFFFFFFFF
        inf = gdb.selected_inferior()
        eip_at = (sp + delta) & 0xFFFFFFFF
        cpu = bytes(inf.read_memory(eip_at, 20))
        eip, cs, eflags = u32(cpu, 0), u32(cpu, 4), u32(cpu, 8)
        if cs & 3:  # from ring 3: the CPU pushed the user stack as well
            esp, ss = u32(cpu, 12), u32(cpu, 16)
        else:
            esp, ss = eip_at + 12, None
        ui = pf.create_unwind_info(TrapFrameId(eip_at, iret_pc))
        put = self.putter(pf, ui)
        put("eip", eip)
        put("esp", esp)
        put("eflags", eflags)
        put("cs", cs)
        if ss is not None:
            put("ss", ss)
        for r in GPRS + SEGS:
            if r in saved:
                put(r, u32(bytes(inf.read_memory((sp + saved[r]) & 0xFFFFFFFF, 4)), 0))
            elif r not in ("ss",) or ss is None:
                put(r, None)  # not saved yet (or never): the live value
        return ui

    @staticmethod
    def putter(pf, ui):
        def put(reg, value):
            live = pf.read_register(reg)
            if value is None:
                ui.add_saved_register(reg, live)
                return
            raw = struct.pack("<I", value & 0xFFFFFFFF)[:live.type.sizeof]
            ui.add_saved_register(reg, gdb.Value(raw, live.type))
        return put


register_unwinder(None, MmkTrapUnwinder(), replace=True)


# For the frame a trap interrupted, gdb looks up its function and line at
# pc - 1, as for a caller whose pc is a return address (a Python unwinder's
# frame counts as a normal call). The faulting pc is no return address: at
# a function's first instruction (an exec's first fetch of _start, a push
# that overflows the stack) pc - 1 is in the function before it. This frame
# filter makes bt name the function and line at pc itself.

def is_trap_frame(frame):
    return frame is not None and in_entry_code(frame.pc()) and \
        walk_to_iret(frame.architecture(), frame.pc()) is not None


class InterruptedFrame(FrameDecorator):
    def __init__(self, base, pc):
        super().__init__(base)
        self._pc = pc
        self._sal = gdb.find_pc_line(pc)

    def function(self):
        return symbol_at(self._pc) or "??"

    def filename(self):
        return self._sal.symtab.filename if self._sal.symtab else None

    def line(self):
        return self._sal.line if self._sal.symtab else None

    def frame_args(self):
        exact = None
        try:
            block = gdb.block_for_pc(self._pc)
            while block is not None and block.function is None:
                block = block.superblock
            exact = block.function if block is not None else None
        except RuntimeError:
            pass
        guess = self.inferior_frame().function()
        if exact is not None and guess is not None and exact.name == guess.name:
            return super().frame_args()
        return None  # gdb's pc - 1 guess is another function: its arguments are not these


class UnknownFrame(FrameDecorator):
    """A frame without a symbol, named ?? as bt without filters does (the
    default decorator gives gdb an address it finds no name for: "in  ()")."""

    def function(self):
        return "??"


def symbol_at(pc):
    """The name of the symbol that holds pc (a function, or an assembly
    label such as _start), or None."""
    text = gdb.execute("info symbol %#x" % pc, to_string=True).strip()
    if text.startswith("No symbol"):
        return None
    return text.split(" in section")[0].split(" + ")[0]


class MmkTrapFilter:
    def __init__(self):
        self.name = "mmk-trap"
        self.priority = 100
        self.enabled = True
        gdb.frame_filters[self.name] = self

    def filter(self, frames):
        return map(self.decorate, frames)

    @staticmethod
    def decorate(dec):
        try:
            frame = dec.inferior_frame()
            if is_trap_frame(frame.newer()):
                return InterruptedFrame(dec, frame.pc())
            if frame.name() is None:
                return UnknownFrame(dec)
        except gdb.error:
            pass
        return dec


MmkTrapFilter()


# mmk-trap: the trap frame the selected frame runs under, decoded.

EXCEPTIONS = ("divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
              "invalid opcode", "device not available", "double fault", "coprocessor overrun",
              "invalid TSS", "segment not present", "stack fault", "general protection",
              "page fault", "reserved", "x87 error", "alignment check", "machine check",
              "SIMD error", "virtualization", "control protection")
OTHER_VECTORS = {0x80: "system call", 0x81: "null trap", 0x82: "null trap (C)",
                 0x83: "user exit"}


def vector_name(v):
    if v < len(EXCEPTIONS):
        return EXCEPTIONS[v]
    if 32 <= v < 48:
        return "IRQ %d" % (v - 32)
    return OTHER_VECTORS.get(v, "vector %d" % v)


def pf_err_text(err):
    return ", ".join((
        "protection" if err & 1 else "not present",
        "write" if err & 2 else "read",
        "user" if err & 4 else "kernel") + (("reserved bit",) if err & 8 else ())
        + (("fetch",) if err & 16 else ()))


def find_trap_frame(frame):
    """The address of the struct trap_frame of the first trap entry frame at
    or above frame, and that frame; (None, None) when there is none."""
    tf_type = gdb.lookup_type("struct trap_frame")
    eip_off = next(f.bitpos // 8 for f in tf_type.fields() if f.name == "eip")
    while frame is not None:
        pc = frame.pc()
        if in_entry_code(pc):
            walk = walk_to_iret(frame.architecture(), pc)
            if walk is not None:
                sp = int(frame.read_register("esp")) & 0xFFFFFFFF
                return sp + walk[0] - eip_off, frame
        frame = frame.older()
    return None, None


def symbolic(addr):
    text = gdb.execute("info symbol %#x" % addr, to_string=True).strip()
    if text.startswith("No symbol"):
        return "%#010x" % addr
    name = text.split(" in section")[0].replace(" + ", "+")
    return "%#010x <%s>" % (addr, name)


class MmkTrap(gdb.Command):
    """Decode the trap frame the selected frame runs under: vector, error code, registers.
Usage: mmk-trap, from vm_fault, any trap handler or the stub itself. It reads
the struct trap_frame (kernel/arch/trap.h) of the first trap entry frame from
the selected frame outwards, the one bt shows as trap_common."""

    def __init__(self):
        super().__init__("mmk-trap", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        addr, frame = find_trap_frame(gdb.selected_frame())
        if addr is None:
            print("no trap frame from the selected frame outwards (see bt)")
            return
        tf = gdb.Value(addr).cast(gdb.lookup_type("struct trap_frame").pointer()).dereference()
        r = {f.name: int(tf[f.name]) & 0xFFFFFFFF for f in tf.type.fields()}
        vec, err = r["vector"], r["err"]
        detail = " (%s)" % pf_err_text(err) if vec == 14 else ""
        print("trap frame at %#010x (frame #%d): vector %d (%s), err %#x%s"
              % (addr, frame.level(), vec, vector_name(vec), err, detail))
        user = r["cs"] & 3
        if user:
            ue = bytes(gdb.selected_inferior().read_memory(addr + tf.type.sizeof, 8))
            esp, how = u32(ue, 0), "ring 3, ss %#x" % u32(ue, 4)
        else:
            esp, how = addr + tf.type.sizeof, "ring 0"
        print("  from eip %s  esp %#010x (%s)" % (symbolic(r["eip"]), esp, how))
        print("  eax %#010x  ebx %#010x  ecx %#010x  edx %#010x" % (r["eax"], r["ebx"], r["ecx"], r["edx"]))
        print("  esi %#010x  edi %#010x  ebp %#010x  eflags %#010x" % (r["esi"], r["edi"], r["ebp"], r["eflags"]))
        print("  cs %#06x  ds %#06x  es %#06x  fs %#06x  gs %#06x" % (r["cs"], r["ds"], r["es"], r["fs"], r["gs"]))
        if vec == 14:
            print("  cr2 %#010x (now: the last page fault's address)" % (int(gdb.parse_and_eval("$cr2")) & 0xFFFFFFFF))


MmkTrap()
