/*
 * mem.c - sets up the kernel's memory at boot: the buddy frame allocator over
 * the RAM of the multiboot memory map that the direct map covers (RAM above
 * it is left out and reported), with the first MiB, the kernel image, the
 * loader's structures, the modules and the descriptor array reserved; the
 * kernel's page directory trimmed to real RAM; page tables for the kernel
 * window; the kernel heap; and the vm_sys services for address spaces.
 */
#include "io.h"
#include "kernel.h"
#include "kmain.h"
#include "layout.h"
#include "mem.h"
#include "mm_env.h"
#include "mmlib.h"
#include "multiboot.h"
#include "kwin.h"

extern char _kernel_start[], _kernel_end[];
extern uint32_t boot_page_dir[1024];

struct frame_alloc kframes;
struct frame_cache kfcache;
struct frame_zero kzero;
struct kmalloc kheap;
struct vm_sys kvm;
struct vm_sys kvm_irqsafe;
struct mm_allocator kheap_allocator;
paddr_t kernel_pd_phys;
struct mem_report mem_report;
struct vm_space *vm_current;

static uint64_t ram_top_in_direct_map(void)
{
	uint64_t top = 0;
	for (int i = 0; i < boot_info.nregions; i++) {
		const struct boot_region *r = &boot_info.regions[i];
		if (r->type != 1) continue;
		uint64_t end = r->base + r->len;
		if (end > DIRECT_MAP_MAX) {
			uint64_t from = r->base > DIRECT_MAP_MAX ? r->base : DIRECT_MAP_MAX;
			mem_report.left_out += end - from;
			end = DIRECT_MAP_MAX;
		}
		if (end > top && r->base < end) top = end;
	}
	return top;
}

/* Highest physical byte used by the kernel image, the modules and the
 * loader's structures: the descriptor array goes above all of them. */
static paddr_t boot_data_end(void)
{
	uint32_t end = paddr_u32(kvirt_to_phys(_kernel_end));
	for (int i = 0; i < boot_info.nmodules; i++)
		if (boot_info.modules[i].end > end) end = boot_info.modules[i].end;
	for (int i = 0; i < boot_info.nranges; i++)
		if (boot_info.ranges[i].end > end && boot_info.ranges[i].end < DIRECT_MAP_MAX)
			end = boot_info.ranges[i].end;
	return paddr_page_up(paddr_make(end));
}

/* A RAM region (type 1) that holds [pa, pa+n) entirely. */
static bool is_ram(uint64_t pa, uint64_t n)
{
	for (int i = 0; i < boot_info.nregions; i++) {
		const struct boot_region *r = &boot_info.regions[i];
		if (r->type == 1 && r->base <= pa && pa + n <= r->base + r->len) return true;
	}
	return false;
}

static paddr_t place_descriptors(uint32_t nbytes, uint64_t top)
{
	paddr_t at = boot_data_end();
	if (paddr_u32(at) + (uint64_t)nbytes <= top && is_ram(paddr_u32(at), nbytes)) return at;
	for (int i = 0; i < boot_info.nregions; i++) { /* any RAM above 1 MiB */
		const struct boot_region *r = &boot_info.regions[i];
		uint64_t base = mm_align_up((uint32_t)r->base, PAGE_SIZE);
		if (r->type == 1 && base >= paddr_u32(at) && base + nbytes <= top && is_ram(base, nbytes))
			return paddr_make((uint32_t)base);
	}
	KPANIC("no room for %u bytes of frame descriptors", nbytes);
}

static void reserve(paddr_t start, paddr_t end)
{
	if (!paddr_lt(start, end)) return;
	pfn_t first = paddr_to_pfn(start);
	pfn_t last = paddr_to_pfn(paddr_page_up(end));
	frame_reserve_range(&kframes, first, pfn_diff(last, first));
}

/* The same for a range the boot loader describes with plain integers. */
static void reserve_boot(uint32_t start, uint32_t end) { reserve(paddr_make(start), paddr_make(end)); }

static void frames_init(void)
{
	uint64_t top = ram_top_in_direct_map();
	uint32_t npfns = (uint32_t)(top >> PAGE_SHIFT);
	uint32_t nbytes = (uint32_t)frame_desc_bytes(npfns);
	paddr_t desc = place_descriptors(nbytes, top);
	frame_init(&kframes, npfns, phys_to_kvirt(desc));
	kframes.strict = true; /* a bad free is a kernel bug here */
	frame_cache_init(&kfcache, &kframes);
	frame_zero_init(&kzero, &kfcache, FRAME_ZERO_MAX);
	for (int i = 0; i < boot_info.nregions; i++) {
		const struct boot_region *r = &boot_info.regions[i];
		if (r->type != 1 || r->base >= top) continue;
		uint64_t end = r->base + r->len > top ? top : r->base + r->len;
		pfn_t first = paddr_to_pfn(paddr_page_up(paddr_make((uint32_t)r->base)));
		pfn_t last = pfn_make((uint32_t)(end >> PAGE_SHIFT));
		if (pfn_lt(first, last)) frame_release_range(&kframes, first, pfn_diff(last, first));
	}
	reserve_boot(0, 0x100000);
	reserve(kvirt_to_phys(_kernel_start), kvirt_to_phys(_kernel_end));
	for (int i = 0; i < boot_info.nmodules; i++)
		reserve_boot(boot_info.modules[i].start, boot_info.modules[i].end);
	for (int i = 0; i < boot_info.nranges; i++)
		reserve_boot(boot_info.ranges[i].start, boot_info.ranges[i].end);
	reserve(desc, paddr_add(desc, nbytes));
	mem_report.npfns = npfns;
	mem_report.desc_phys = desc;
	mem_report.desc_bytes = nbytes;
}

uint32_t kframes_free(void) { return frame_cache_nfree(&kfcache) + kzero.n; }

/* 2^order frames through the frame cache; when memory is short the stock
 * of zeroed frames is given back first. */
static pfn_t some_frames(unsigned order)
{
	pfn_t pfn = frame_cache_alloc_order(&kfcache, order);
	if (pfn_is_none(pfn) && kzero.n) {
		frame_zero_drain(&kzero);
		pfn = frame_cache_alloc_order(&kfcache, order);
	}
	return pfn;
}

static pfn_t one_frame(void) { return some_frames(0); }

/* The kernel heap's pages come the same way, so single pages it gives back
 * land in the cache and a cached frame is never out of its reach. */
static void *heap_pages_alloc(void *ctx, unsigned order)
{
	(void)ctx;
	pfn_t pfn = some_frames(order);
	return pfn_is_none(pfn) ? 0 : phys_to_kvirt(pfn_to_paddr(pfn));
}

static void heap_pages_free(void *ctx, void *p, unsigned order)
{
	(void)ctx;
	pfn_t pfn = paddr_to_pfn(kvirt_to_phys(p));
	if (order == 0) frame_cache_free(&kfcache, pfn);
	else frame_free(&kframes, pfn, order);
}

paddr_t kframe_alloc(void)
{
	pfn_t pfn = one_frame();
	if (pfn_is_none(pfn)) return PADDR_NULL;
	paddr_t pa = pfn_to_paddr(pfn);
	mm_zero_page(phys_to_kvirt(pa));
	return pa;
}

void kframe_free(paddr_t pa) { frame_cache_free(&kfcache, paddr_to_pfn(pa)); }

/* vm_sys frames are handed out as they are: their users zero them (a page
 * table, a demand-zero page) exactly once. */
uint32_t kvm_frames_in_use;

static paddr_t source_alloc(void *ctx)
{
	(void)ctx;
	pfn_t pfn = one_frame();
	if (pfn_is_none(pfn)) return PADDR_NULL;
	kvm_frames_in_use++;
	return pfn_to_paddr(pfn);
}
static void source_free(void *ctx, paddr_t pa)
{
	(void)ctx;
	kvm_frames_in_use--;
	kframe_free(pa);
}

static paddr_t source_alloc_zeroed(void *ctx);

/* kvm_irqsafe's operations: kvm's, with interrupts off around each. */
static paddr_t safe_alloc(void *ctx)
{
	uint32_t f = irq_save();
	paddr_t pa = source_alloc(ctx);
	irq_restore(f);
	return pa;
}

static void safe_free(void *ctx, paddr_t pa)
{
	uint32_t f = irq_save();
	source_free(ctx, pa);
	irq_restore(f);
}

static paddr_t safe_alloc_zeroed(void *ctx)
{
	uint32_t f = irq_save();
	paddr_t pa = source_alloc_zeroed(ctx);
	irq_restore(f);
	return pa;
}

static void *safe_heap_alloc(void *ctx, size_t n)
{
	uint32_t f = irq_save();
	void *p = mm_alloc(&kheap_allocator, n);
	irq_restore(f);
	return p;
}

static void safe_heap_free(void *ctx, void *p)
{
	uint32_t f = irq_save();
	mm_free(&kheap_allocator, p);
	irq_restore(f);
}

static paddr_t source_alloc_zeroed(void *ctx)
{
	(void)ctx;
	pfn_t pfn = frame_zero_take(&kzero);
	if (pfn_is_none(pfn)) return PADDR_NULL;
	kvm_frames_in_use++;
	return pfn_to_paddr(pfn);
}

/* The direct map was made for 896 MiB whatever the RAM: unmap what is not
 * RAM, so a stray pointer there faults instead of reading nothing. */
static void trim_direct_map(uint64_t top)
{
	uint32_t first_unused = (uint32_t)((top + (1u << 22) - 1) >> 22);
	for (uint32_t i = first_unused; i < (DIRECT_MAP_MAX >> 22); i++) boot_page_dir[KERNEL_PDE_FIRST + i] = 0;
	write_cr3(read_cr3());
}

static void kwin_tables_init(void)
{
	for (uint32_t i = KWIN_BASE >> 22; i < KWIN_END >> 22; i++) {
		paddr_t t = kframe_alloc();
		if (paddr_is_null(t)) KPANIC("no frame for a kernel-window page table");
		boot_page_dir[i] = pte_make(t, PTE_P | PTE_W);
	}
	write_cr3(read_cr3());
}

void vm_switch(struct vm_space *s)
{
	vm_current = s;
	mm_load_pgdir(s ? s->pd : kernel_pd_phys);
}

static void mem_init(void)
{
	frames_init();
	trim_direct_map((uint64_t)mem_report.npfns << PAGE_SHIFT);
	kernel_pd_phys = kvirt_to_phys(boot_page_dir);
	kwin_tables_init();
	struct kmalloc_pages pages = { heap_pages_alloc, heap_pages_free, 0 };
	kmalloc_init(&kheap, &pages);
	kheap.debug = true;
	kheap_allocator = kmalloc_allocator(&kheap);
	kvm.frames = (struct frame_source){ source_alloc, source_free, 0, source_alloc_zeroed };
	kvm.alloc = kheap_allocator;
	kvm.kernel_pd = kernel_pd_phys;
	kvm_irqsafe = (struct vm_sys){ { safe_alloc, safe_free, 0, safe_alloc_zeroed },
				       { safe_heap_alloc, safe_heap_free, 0 }, kernel_pd_phys, irq_save, irq_restore };
	klog("mem: %u frames (%u free), descriptors %u bytes at 0x%08x, %llu bytes of RAM left out\n",
	     (unsigned)mem_report.npfns, (unsigned)kframes.nfree, mem_report.desc_bytes,
	     paddr_u32(mem_report.desc_phys), (unsigned long long)mem_report.left_out);
}
BOOT_HOOK(mem, mem_init, 10);
