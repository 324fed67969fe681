/*
 * ata.h - the primary ATA disk, PIO driven by IRQ 14 (or polled by callers
 * that may not sleep), 512-byte sectors (LBA28). 0 or -1 (error, time-out).
 */
#ifndef KERNEL_ATA_H
#define KERNEL_ATA_H

#include <stdint.h>

#define ATA_MAX_PAGES 32 /* pages of one ata_write_pages (256 sectors: LBA28's most) */

extern uint32_t ata_sectors; /* size of the disk found by ata_init */

struct ata_stats {
	uint64_t slept;    /* requests whose caller slept until IRQ 14 ended them */
	uint64_t dma;      /* requests moved by the bus master (no data through the CPU) */
	uint64_t polled;   /* requests polled by a caller that may not sleep */
	uint64_t irqs, sectors, errors, timeouts;
	uint64_t injected; /* errors given by ata_fail_next (tests) */
	uint64_t gathered; /* ata_write_pages requests (several pages, one command) */
};
extern struct ata_stats ata_stats;
int ata_init(void);           /* 0 when a disk answered IDENTIFY */
int ata_read(uint32_t lba, uint32_t count, void *buf);
int ata_write(uint32_t lba, uint32_t count, const void *buf);
/* pages[0..npages) (page-aligned kernel memory, npages <= ATA_MAX_PAGES)
 * to the 8 * npages sectors from lba, in one command. */
int ata_write_pages(uint32_t lba, uint32_t npages, const void *const *pages);
/* Make the next n requests fail as a drive error would (for tests). */
void ata_fail_next(uint32_t n);

#endif
