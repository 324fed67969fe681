/*
 * ata.h - the primary ATA disk, polled PIO, 512-byte sectors (LBA28).
 */
#ifndef KERNEL_ATA_H
#define KERNEL_ATA_H

#include <stdint.h>

extern uint32_t ata_sectors; /* size of the disk found by ata_init */
int ata_init(void);           /* 0 when a disk answered IDENTIFY */
int ata_read(uint32_t lba, uint32_t count, void *buf);
int ata_write(uint32_t lba, uint32_t count, const void *buf);

#endif
