/*
 * ata.c - the primary ATA disk (QEMU -drive if=ide,index=0), LBA28 PIO:
 * IDENTIFY for the size, then READ SECTORS (0x20) and WRITE SECTORS (0x30)
 * of up to 256 sectors a command.
 *
 * Requests go one at a time (a queue of waiting threads). A caller that may
 * sleep (ata_may_sleep, set by the user pool's fault path) issues its
 * command and sleeps; IRQ 14 moves each sector through the data port and
 * wakes it at the end, so other threads run meanwhile. Any other caller
 * (code that must not sleep: the kernel's own pools, boot) polls the same
 * state machine with interrupts off. A request that takes longer than
 * ATA_TIMEOUT_TICKS is ended with an error and the drive is reset; an
 * error or time-out is returned to the caller, whose data stay where they
 * were (the swap layer keeps the page).
 *
 * With the PIIX IDE controller's bus master (PCI 8086:7010, QEMU's), a
 * request for whole pages of the direct map (a swap slot) goes by DMA
 * instead: READ DMA (0xC8) / WRITE DMA (0xCA) over a one-entry PRD table,
 * one interrupt at the end, no data through the CPU. Other buffers use PIO.
 * ata_write_pages writes up to 32 pages anywhere in the direct map to
 * adjacent sectors in one command: a PRD entry per page (scatter-gather),
 * or, without a bus master, PIO sector by sector from each page in turn.
 *
 *  bus master (BAR4): +0 command (START 1, READ-to-memory 8), +2 status
 *  (ACTIVE 1, ERROR 2, IRQ 4; write 1 to clear), +4 PRD table address
 *
 *  status (0x1F7): BSY 0x80 | DRDY 0x40 | DF 0x20 | DRQ 0x08 | ERR 0x01
 *  device control (0x3F6): nIEN 0x02 (interrupts off) | SRST 0x04 (reset)
 */
#include "ata.h"
#include "io.h"
#include "kernel.h"
#include "layout.h"
#include "pci.h"
#include "thread.h"
#include "trap.h"

#define ATA_DATA 0x1F0
#define ATA_ERROR 0x1F1
#define ATA_COUNT 0x1F2
#define ATA_LBA0 0x1F3
#define ATA_LBA1 0x1F4
#define ATA_LBA2 0x1F5
#define ATA_DRIVE 0x1F6
#define ATA_STATUS 0x1F7
#define ATA_CMD 0x1F7
#define ATA_CONTROL 0x3F6

#define ST_BSY 0x80
#define ST_DF 0x20
#define ST_DRQ 0x08
#define ST_ERR 0x01

#define ATA_IRQ 14
#define ATA_TIMEOUT_TICKS (2u * pit_hz) /* 2 s */
#define SPIN_LIMIT 20000000u

#define BM_CMD 0
#define BM_STATUS 2
#define BM_PRDT 4
#define BM_START 0x01
#define BM_READ 0x08
#define BM_ERROR 0x02
#define BM_IRQ 0x04

struct ata_req {
	uint32_t lba, count, done;
	uint16_t *buf;
	const void *const *pages; /* or these pages (count = 8 per page) */
	bool write, sleeping, dma;
	volatile bool finished;
	int err;
	uint64_t deadline;
	struct semaphore sem;
};

uint32_t ata_sectors;
struct ata_stats ata_stats;
static struct ata_req *volatile cur; /* the request the drive works on */
static struct wait_queue queue;      /* threads waiting for the drive */
static bool irq_ready;
static uint16_t bm;                       /* bus-master I/O base, 0: no DMA */
/* address, bytes | EOT per entry; aligned so that it never crosses 64K */
static uint32_t prdt[2 * ATA_MAX_PAGES] __attribute__((aligned(2 * ATA_MAX_PAGES * 4)));

/* Where sector i of r starts. */
static uint16_t *sector_at(const struct ata_req *r, uint32_t i)
{
	if (r->pages) return (uint16_t *)r->pages[i / 8] + (i % 8) * 256;
	return r->buf + i * 256;
}

static int wait_ready(bool want_drq)
{
	for (uint32_t spin = 0; spin < SPIN_LIMIT; spin++) {
		uint8_t st = inb(ATA_STATUS);
		if (st & ST_BSY) continue;
		if (st & (ST_ERR | ST_DF)) return -1;
		if (!want_drq || (st & ST_DRQ)) return 0;
	}
	return -1;
}

static void select_lba(uint32_t lba, uint32_t count)
{
	outb(ATA_DRIVE, (uint8_t)(0xE0 | ((lba >> 24) & 0x0F)));
	outb(ATA_COUNT, (uint8_t)count); /* 0 means 256 */
	outb(ATA_LBA0, (uint8_t)lba);
	outb(ATA_LBA1, (uint8_t)(lba >> 8));
	outb(ATA_LBA2, (uint8_t)(lba >> 16));
}

static void put_sector(struct ata_req *r)
{
	const uint16_t *p = sector_at(r, r->done);
	uint32_t n = 256;
	__asm__ volatile("cld; rep outsw" : "+S"(p), "+c"(n) : "d"(ATA_DATA) : "memory");
}

static void get_sector(struct ata_req *r)
{
	uint16_t *p = sector_at(r, r->done);
	uint32_t n = 256;
	__asm__ volatile("cld; rep insw" : "+D"(p), "+c"(n) : "d"(ATA_DATA) : "memory");
}

static void finish(struct ata_req *r, int err)
{
	r->err = err;
	if (err) ata_stats.errors++;
	cur = 0;
	r->finished = true;
	if (r->sleeping) sem_up(&r->sem);
}

static bool page_in_direct_map(const void *p)
{
	uint32_t va = (uint32_t)(uintptr_t)p;
	return !(va & (PAGE_SIZE - 1)) && va >= KERNEL_BASE && va - KERNEL_BASE < DIRECT_MAP_MAX;
}

/* DMA can take r: whole pages in the direct map (physically contiguous). */
static bool dma_fits(const struct ata_req *r)
{
	if (!bm) return false;
	if (!r->pages) return r->count * 512 == PAGE_SIZE && page_in_direct_map(r->buf);
	for (uint32_t i = 0; i < r->count / 8; i++)
		if (!page_in_direct_map(r->pages[i])) return false;
	return true;
}

static void start_dma(struct ata_req *r)
{
	uint32_t n = r->pages ? r->count / 8 : 1;
	for (uint32_t i = 0; i < n; i++) {
		prdt[2 * i] = paddr_u32(kvirt_to_phys(r->pages ? r->pages[i] : r->buf));
		prdt[2 * i + 1] = PAGE_SIZE;
	}
	if (!r->pages) prdt[1] = r->count * 512;
	prdt[2 * n - 1] |= 0x80000000u; /* end of table */
	outl(bm + BM_PRDT, paddr_u32(kvirt_to_phys(prdt)));
	outb(bm + BM_CMD, r->write ? 0 : BM_READ);
	outb(bm + BM_STATUS, BM_ERROR | BM_IRQ);
	select_lba(r->lba, r->count);
	outb(ATA_CMD, r->write ? 0xCA : 0xC8);
	outb(bm + BM_CMD, (r->write ? 0 : BM_READ) | BM_START);
}

/* Issue r's command (and, for a PIO write, its first sector). */
static int start(struct ata_req *r)
{
	if (wait_ready(false)) return -1;
	if (r->dma) {
		start_dma(r);
		return 0;
	}
	select_lba(r->lba, r->count);
	outb(ATA_CMD, r->write ? 0x30 : 0x20);
	if (r->write) {
		if (wait_ready(true)) return -1;
		put_sector(r);
	}
	return 0;
}

/* One step of the request in flight, from the drive's status (reading it
 * also acknowledges the interrupt): the IRQ handler and the pollers both
 * come here. */
static void progress_dma(struct ata_req *r)
{
	uint8_t bst = inb(bm + BM_STATUS);
	if (!(bst & BM_IRQ) && (bst & 1)) return; /* still moving */
	if (!(bst & BM_IRQ)) return;
	outb(bm + BM_CMD, 0);
	uint8_t st = inb(ATA_STATUS);
	outb(bm + BM_STATUS, BM_ERROR | BM_IRQ);
	r->done = r->count;
	finish(r, (bst & BM_ERROR) || (st & (ST_ERR | ST_DF)) ? -1 : 0);
}

static void progress(void)
{
	struct ata_req *r = cur;
	if (r && r->dma) {
		progress_dma(r);
		return;
	}
	uint8_t st = inb(ATA_STATUS);
	if (!r || (st & ST_BSY)) return;
	if (st & (ST_ERR | ST_DF)) {
		finish(r, -1);
		return;
	}
	if (!r->write) {
		if (!(st & ST_DRQ)) return;
		get_sector(r);
		if (++r->done == r->count) finish(r, 0);
		return;
	}
	/* a write, not busy: the sector sent last is on the disk */
	if (r->done + 1 == r->count) {
		r->done++;
		finish(r, 0);
	} else if (st & ST_DRQ) { /* ready for the next one */
		r->done++;
		put_sector(r);
	}
}

static void ata_irq(struct trap_frame *tf)
{
	ata_stats.irqs++;
	if (!cur) inb(ATA_STATUS); /* acknowledge a stray one */
	progress();
	pic_eoi(ATA_IRQ);
}

static void reset_drive(void)
{
	outb(ATA_CONTROL, 0x04);
	for (volatile int i = 0; i < 1000; i++) {}
	outb(ATA_CONTROL, irq_ready ? 0x00 : 0x02);
	wait_ready(false);
}

/* End the request in flight after a time-out: the bus master is stopped
 * first (it must not go on writing into memory its caller gets back),
 * then the drive is reset. */
static void abort_request(struct ata_req *r)
{
	if (r->dma) {
		outb(bm + BM_CMD, 0);
		outb(bm + BM_STATUS, BM_ERROR | BM_IRQ);
	}
	ata_stats.timeouts++;
	finish(r, -2);
	reset_drive();
}

static void ata_tick(uint64_t now)
{
	struct ata_req *r = cur;
	if (r && r->sleeping && now > r->deadline) {
		abort_request(r);
	}
}

/* The running thread may sleep for the drive (see thread.h's io_may_sleep). */
static bool ata_may_sleep(void) { return threads_ready() && thread_current()->io_may_sleep; }

/* Wait for the drive to be free (interrupts are off): sleep in the queue,
 * or move the request in flight along ourselves. */
static void acquire(bool sleep)
{
	for (uint32_t spin = 0; cur; spin++) {
		if (sleep) {
			wait_block(&queue);
		} else {
			progress();
			if (spin == SPIN_LIMIT && cur) abort_request(cur);
		}
	}
}

static uint32_t fail_next; /* injected errors still to give */

void ata_fail_next(uint32_t n) { fail_next = n; }

static int ata_io(uint32_t lba, uint32_t count, void *buf, const void *const *pages, bool write)
{
	if (!count) return 0;
	if (fail_next) { /* as if the drive had said ERR: nothing moved */
		fail_next--;
		ata_stats.errors++;
		ata_stats.injected++;
		return -1;
	}
	if (count > 256 || lba + count > ata_sectors || lba + count < lba) return -1;
	bool sleep = irq_ready && ata_may_sleep();
	struct ata_req r = { .lba = lba, .count = count, .buf = buf, .pages = pages, .write = write, .sleeping = sleep };
	r.dma = dma_fits(&r);
	if (r.dma) ata_stats.dma++;
	uint32_t f = irq_save();
	acquire(sleep);
	cur = &r;
	r.deadline = pit_ticks() + ATA_TIMEOUT_TICKS;
	if (start(&r)) {
		finish(&r, -1);
	} else if (sleep) {
		ata_stats.slept++;
		while (!r.finished) sem_down(&r.sem);
	} else {
		ata_stats.polled++;
		for (uint32_t spin = 0; !r.finished; spin++) {
			progress();
			if (spin == SPIN_LIMIT) abort_request(&r);
		}
	}
	wait_wake_one(&queue);
	irq_restore(f);
	ata_stats.sectors += count;
	return r.err ? -1 : 0;
}

int ata_read(uint32_t lba, uint32_t count, void *buf) { return ata_io(lba, count, buf, 0, false); }
int ata_write(uint32_t lba, uint32_t count, const void *buf) { return ata_io(lba, count, (void *)buf, 0, true); }

int ata_write_pages(uint32_t lba, uint32_t npages, const void *const *pages)
{
	if (npages == 0 || npages > ATA_MAX_PAGES) return -1;
	ata_stats.gathered++;
	return ata_io(lba, npages * 8, 0, pages, true);
}

int ata_init(void)
{
	if (inb(ATA_STATUS) == 0xFF) return -1; /* floating bus: no controller */
	outb(ATA_CONTROL, 0x02);                  /* polled until the IRQ is set up */
	outb(ATA_DRIVE, 0xA0);
	outb(ATA_COUNT, 0);
	outb(ATA_LBA0, 0);
	outb(ATA_LBA1, 0);
	outb(ATA_LBA2, 0);
	outb(ATA_CMD, 0xEC); /* IDENTIFY */
	if (inb(ATA_STATUS) == 0) return -1; /* no drive */
	if (wait_ready(true)) return -1;
	uint16_t id[256];
	for (int i = 0; i < 256; i++) id[i] = inw(ATA_DATA);
	ata_sectors = (uint32_t)id[60] | ((uint32_t)id[61] << 16);
	if (!ata_sectors) return -1;
	struct pci_dev ide;
	if (pci_find(0x8086, 0x7010, 0x7010, &ide) && (bm = pci_io_bar(&ide, 4)))
		pci_write16(&ide, PCI_COMMAND, (uint16_t)(pci_read16(&ide, PCI_COMMAND) | PCI_CMD_IO | PCI_CMD_MASTER));
	klog("ata: %u sectors, %s\n", ata_sectors, bm ? "bus-master DMA for page transfers" : "PIO only");
	trap_set_handler(IRQ_BASE + ATA_IRQ, ata_irq);
	pic_unmask(ATA_IRQ);
	pit_on_tick(ata_tick);
	irq_ready = true;
	outb(ATA_CONTROL, 0x00); /* interrupts on */
	return 0;
}
