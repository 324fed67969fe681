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
 *  status (0x1F7): BSY 0x80 | DRDY 0x40 | DF 0x20 | DRQ 0x08 | ERR 0x01
 *  device control (0x3F6): nIEN 0x02 (interrupts off) | SRST 0x04 (reset)
 */
#include "ata.h"
#include "io.h"
#include "kernel.h"
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
#define ATA_TIMEOUT_TICKS 200 /* 2 s at 100 Hz */
#define SPIN_LIMIT 20000000u

struct ata_req {
	uint32_t lba, count, done;
	uint16_t *buf;
	bool write, sleeping;
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
	const uint16_t *p = r->buf + r->done * 256;
	uint32_t n = 256;
	__asm__ volatile("cld; rep outsw" : "+S"(p), "+c"(n) : "d"(ATA_DATA) : "memory");
}

static void get_sector(struct ata_req *r)
{
	uint16_t *p = r->buf + r->done * 256;
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

/* Issue r's command (and, for a write, its first sector). */
static int start(struct ata_req *r)
{
	if (wait_ready(false)) return -1;
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
static void progress(void)
{
	uint8_t st = inb(ATA_STATUS);
	struct ata_req *r = cur;
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

static void ata_tick(uint64_t now)
{
	struct ata_req *r = cur;
	if (r && r->sleeping && now > r->deadline) {
		ata_stats.timeouts++;
		finish(r, -2);
		reset_drive();
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
			if (spin == SPIN_LIMIT && cur) {
				ata_stats.timeouts++;
				finish(cur, -2);
				reset_drive();
			}
		}
	}
}

static int ata_io(uint32_t lba, uint32_t count, void *buf, bool write)
{
	if (!count) return 0;
	if (count > 256 || lba + count > ata_sectors || lba + count < lba) return -1;
	bool sleep = irq_ready && ata_may_sleep();
	struct ata_req r = { .lba = lba, .count = count, .buf = buf, .write = write, .sleeping = sleep };
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
			if (spin == SPIN_LIMIT) {
				ata_stats.timeouts++;
				finish(&r, -2);
				reset_drive();
			}
		}
	}
	wait_wake_one(&queue);
	irq_restore(f);
	ata_stats.sectors += count;
	return r.err ? -1 : 0;
}

int ata_read(uint32_t lba, uint32_t count, void *buf) { return ata_io(lba, count, buf, false); }
int ata_write(uint32_t lba, uint32_t count, const void *buf) { return ata_io(lba, count, (void *)buf, true); }

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
	trap_set_handler(IRQ_BASE + ATA_IRQ, ata_irq);
	pic_unmask(ATA_IRQ);
	pit_on_tick(ata_tick);
	irq_ready = true;
	outb(ATA_CONTROL, 0x00); /* interrupts on */
	return 0;
}
