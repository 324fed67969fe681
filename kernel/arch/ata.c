/*
 * ata.c - a polled (PIO) driver for the primary ATA disk (QEMU
 * -drive if=ide,index=0), LBA28: IDENTIFY for the size, then READ SECTORS
 * (0x20) and WRITE SECTORS (0x30) a sector at a time through the data port,
 * waiting on BSY/DRQ in the status register.
 *
 *  status (0x1F7): BSY 0x80 | DRDY 0x40 | DF 0x20 | DRQ 0x08 | ERR 0x01
 */
#include "ata.h"
#include "io.h"
#include "kernel.h"

#define ATA_DATA 0x1F0
#define ATA_ERROR 0x1F1
#define ATA_COUNT 0x1F2
#define ATA_LBA0 0x1F3
#define ATA_LBA1 0x1F4
#define ATA_LBA2 0x1F5
#define ATA_DRIVE 0x1F6
#define ATA_STATUS 0x1F7
#define ATA_CMD 0x1F7
#define ATA_ALTSTATUS 0x3F6

#define ST_BSY 0x80
#define ST_DF 0x20
#define ST_DRQ 0x08
#define ST_ERR 0x01

uint32_t ata_sectors;

static int wait_ready(bool want_drq)
{
	for (uint32_t spin = 0; spin < 10000000; spin++) {
		uint8_t st = inb(ATA_STATUS);
		if (st & ST_BSY) continue;
		if (st & (ST_ERR | ST_DF)) return -1;
		if (!want_drq || (st & ST_DRQ)) return 0;
	}
	return -1;
}

static void select_lba(uint32_t lba, uint8_t count)
{
	outb(ATA_DRIVE, (uint8_t)(0xE0 | ((lba >> 24) & 0x0F)));
	outb(ATA_COUNT, count);
	outb(ATA_LBA0, (uint8_t)lba);
	outb(ATA_LBA1, (uint8_t)(lba >> 8));
	outb(ATA_LBA2, (uint8_t)(lba >> 16));
}

int ata_init(void)
{
	if (inb(ATA_STATUS) == 0xFF) return -1; /* floating bus: no controller */
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
	return ata_sectors ? 0 : -1;
}

int ata_read(uint32_t lba, uint32_t count, void *buf)
{
	uint16_t *p = buf;
	for (uint32_t s = 0; s < count; s++) {
		if (wait_ready(false)) return -1;
		select_lba(lba + s, 1);
		outb(ATA_CMD, 0x20);
		if (wait_ready(true)) return -1;
		uint32_t n = 256;
		__asm__ volatile("cld; rep insw" : "+D"(p), "+c"(n) : "d"(ATA_DATA) : "memory");
	}
	return 0;
}

int ata_write(uint32_t lba, uint32_t count, const void *buf)
{
	const uint16_t *p = buf;
	for (uint32_t s = 0; s < count; s++) {
		if (wait_ready(false)) return -1;
		select_lba(lba + s, 1);
		outb(ATA_CMD, 0x30);
		if (wait_ready(true)) return -1;
		uint32_t n = 256;
		__asm__ volatile("cld; rep outsw" : "+S"(p), "+c"(n) : "d"(ATA_DATA) : "memory");
		inb(ATA_ALTSTATUS);
	}
	if (wait_ready(false)) return -1;
	return 0;
}
