# mmk.gdb - gdb commands that know mmk's structures, and (last in this file)
# the trap-frame unwinder and mmk-trap of tools/mmk_unwind.py. Loaded by
# `make debug` (tools/debug), by hand after `make qemu-gdb`, and by the gdb
# tests (tests/e2e/boot.sh, tests/e2e/gdb.sh). Physical memory is read through
# the kernel's direct map at 0xC0000000. paddr_t, vaddr_t and pfn_t
# (mm/mm_types.h) are structs of one member: their number is `.v`.
set confirm off
set pagination off
set print pretty on

define mmk-memmap
  printf "multiboot memory map (%d regions):\n", boot_info.nregions
  set $i = 0
  while $i < boot_info.nregions
    set $r = &boot_info.regions[$i]
    printf "  0x%010llx - 0x%010llx  %8llu KiB  type %u\n", $r->base, $r->base + $r->len, $r->len / 1024, $r->type
    set $i = $i + 1
  end
  printf "RAM: %llu KiB; modules: %d; cmdline: %s\n", boot_info.ram_bytes / 1024, boot_info.nmodules, kernel_cmdline
end
document mmk-memmap
Print the multiboot memory map, the RAM total, the module count and the command line.
end

define mmk-modules
  if boot_info.nmodules == 0
    printf "no boot modules\n"
  end
  set $i = 0
  while $i < boot_info.nmodules
    printf "  %-24s phys 0x%08x - 0x%08x (%u bytes)\n", boot_info.modules[$i].name, boot_info.modules[$i].start, boot_info.modules[$i].end, boot_info.modules[$i].end - boot_info.modules[$i].start
    set $i = $i + 1
  end
end
document mmk-modules
List the boot modules (the kernel's files) with their physical ranges.
end

# mmk-pgdir [PD_PHYS]: walk a page directory (default: the current CR3) and
# print every present entry; 4 MiB pages are shown as such, page tables are
# summarised by their count of present entries.
define mmk-pgdir
  if $argc == 1
    set $pd = (unsigned int)$arg0
  else
    set $pd = (unsigned int)$cr3 & 0xfffff000
  end
  printf "page directory at phys 0x%08x\n", $pd
  set $i = 0
  while $i < 1024
    set $pde = *(unsigned int *)(0xC0000000 + $pd + $i * 4)
    if ($pde & 1)
      if ($pde & 0x80)
        printf "  PDE %4d  va 0x%08x  4M page -> phys 0x%08x  rw=%d user=%d\n", $i, $i << 22, $pde & 0xffc00000, ($pde >> 1) & 1, ($pde >> 2) & 1
      else
        set $pt = $pde & 0xfffff000
        set $n = 0
        set $j = 0
        while $j < 1024
          if (*(unsigned int *)(0xC0000000 + $pt + $j * 4) & 1)
            set $n = $n + 1
          end
          set $j = $j + 1
        end
        printf "  PDE %4d  va 0x%08x  table at phys 0x%08x, %d pages present  rw=%d user=%d\n", $i, $i << 22, $pt, $n, ($pde >> 1) & 1, ($pde >> 2) & 1
      end
    end
    set $i = $i + 1
  end
end
document mmk-pgdir
Walk a page directory (physical address argument, default CR3) and list its present entries.
end

# mmk-pte VADDR [PD_PHYS]: translate one virtual address by hand.
define mmk-pte
  if $argc == 2
    set $pd = (unsigned int)$arg1
  else
    set $pd = (unsigned int)$cr3 & 0xfffff000
  end
  set $va = (unsigned int)$arg0
  set $pde = *(unsigned int *)(0xC0000000 + $pd + ($va >> 22) * 4)
  printf "PDE[%d] = 0x%08x  present=%d rw=%d user=%d 4M=%d\n", $va >> 22, $pde, $pde & 1, ($pde >> 1) & 1, ($pde >> 2) & 1, ($pde >> 7) & 1
  if ($pde & 1) && !($pde & 0x80)
    set $pte = *(unsigned int *)(0xC0000000 + ($pde & 0xfffff000) + (($va >> 12) & 0x3ff) * 4)
    printf "PTE[%d] = 0x%08x  present=%d rw=%d user=%d accessed=%d dirty=%d frame=%#x\n", ($va >> 12) & 0x3ff, $pte, $pte & 1, ($pte >> 1) & 1, ($pte >> 2) & 1, ($pte >> 5) & 1, ($pte >> 6) & 1, $pte >> 12
  end
end
document mmk-pte
Show the PDE and PTE that translate VADDR (in the directory at PD_PHYS, default CR3).
end

define mmk-frames
  printf "frames: %u total, %u free, %u allocated, %u reserved\n", kframes.npfns, kframes.nfree, kframes.nallocated, kframes.nreserved
  printf "order  free blocks  first free pfn\n"
  set $o = 0
  while $o <= 10
    printf "  %2d  %10u     0x%05x\n", $o, kframes.nblocks[$o], kframes.free_head[$o].v
    set $o = $o + 1
  end
end
document mmk-frames
Print the buddy frame allocator: totals and, per order, the free blocks and the first on each list.
end

define mmk-frame
  set $d = &kframes.desc[(unsigned int)$arg0]
  printf "frame 0x%05x: flags 0x%x (reserved=%d free=%d allocated=%d head=%d) order %u next 0x%x prev 0x%x\n", $arg0, $d->flags, $d->flags & 1, ($d->flags >> 1) & 1, ($d->flags >> 2) & 1, ($d->flags >> 3) & 1, $d->order, $d->next.v, $d->prev.v
end
document mmk-frame
Show the descriptor of one physical frame (by frame number).
end

define mmk-swap
  if !kswap_ready
    printf "no swap device\n"
  else
    printf "swap device %s: %u slots, %u in use (peak %u); reads %llu, writes %llu, errors %llu, refused %llu\n", kswap.dev.name, kswap.dev.nslots, kswap.stats.in_use, kswap.stats.peak, kswap.stats.reads, kswap.stats.writes, kswap.stats.errors, kswap.stats.full
  end
end
document mmk-swap
Print the swap area: device, slots in use, I/O counts.
end

define mmk-pools
  set $i = 0
  set $n = 0
  while $i < sizeof(kpools) / sizeof(kpools[0])
    if kpools[$i]
      set $n = $n + 1
      set $p = &kpools[$i]->pool
      printf "pool %d: %u frames, policy %s, %u resident; refs %llu faults %llu evictions %llu writebacks %llu swapins %llu\n", $i, $p->cfg.nframes, $p->cfg.policy->name, $p->nresident, $p->stats.refs, $p->stats.faults, $p->stats.evictions, $p->stats.writebacks, $p->stats.swapins
    end
    set $i = $i + 1
  end
  if $n == 0
    printf "no frame pools (replay, memman and vmm runs make one while they run)\n"
  end
end
document mmk-pools
List the live frame pools with their policy and statistics.
end

# mmk-procs: the user processes (kernel/user/uproc.c's table), each with the
# physical address of its page directory for mmk-pgdir and mmk-pte.
define mmk-procs
  set $p = procs
  if !$p
    printf "no user processes\n"
  end
  while $p
    printf "pid %d  %-16s ", $p->pid, $p->name
    if $p->state == UP_ZOMBIE
      printf "zombie, status 0x%x\n", $p->status
    else
      printf "running, page directory 0x%08x, %u regions\n", $p->space->pd.v, $p->space->nregions
    end
    set $p = $p->next
  end
  if upool_peek()
    printf "user pool: %u frames, %u resident of %u pages\n", pool.pool.cfg.nframes, pool.pool.nresident, pool.live
  end
end
document mmk-procs
List the user processes and their page directories (use one with mmk-pgdir or mmk-pte), then the user pool.
end

# The trap-frame unwinder (tools/mmk_unwind.py): bt goes on from a trap
# handler into the interrupted code. Found beside the kernel's build folder
# or under the current folder's tools/.
python
import os
def _mmk_find_unwinder():
    here = []
    exe = gdb.current_progspace().filename
    if exe:
        here.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(exe))), "tools"))
    here.append(os.path.join(os.getcwd(), "tools"))
    for d in here:
        f = os.path.join(d, "mmk_unwind.py")
        if os.path.isfile(f):
            return f
    return None
_f = _mmk_find_unwinder()
if _f:
    gdb.execute("source " + _f)
else:
    print("mmk.gdb: tools/mmk_unwind.py not found (start gdb with build/kernel.elf, or in the repository): bt stops at the trap stubs, mmk-trap is missing")
end
