/*
 * rtc.c - the wall-clock time at boot, read once from the CMOS real-time
 * clock (MC146818: registers 0 seconds, 2 minutes, 4 hours, 7 day, 8
 * month, 9 year; BCD unless register B bit 2; 12-hour unless bit 1), as
 * seconds since 1970-01-01 UTC. Time since then comes from the PIT.
 */
#include "io.h"
#include "kernel.h"
#include "kmain.h"

uint32_t rtc_boot_seconds;

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned bcd(uint8_t v, bool binary) { return binary ? v : (v >> 4) * 10 + (v & 15); }

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint32_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
	static const uint16_t before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	uint32_t days = (y - 1970) * 365 + before[(m - 1) % 12] + d - 1;
	for (unsigned k = 1970; k < y; k++) days += (k % 4 == 0 && k % 100 != 0) || k % 400 == 0;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return days + (leap && m > 2);
}

static void rtc_boot(void)
{
	while (cmos(0x0A) & 0x80) {} /* an update is in progress */
	uint8_t b = cmos(0x0B);
	bool binary = b & 4;
	unsigned s = bcd(cmos(0), binary), mi = bcd(cmos(2), binary), h = cmos(4), d = bcd(cmos(7), binary);
	unsigned mo = bcd(cmos(8), binary), y = 2000 + bcd(cmos(9), binary);
	bool pm = h & 0x80;
	h = bcd(h & 0x7f, binary);
	if (!(b & 2) && pm) h = (h % 12) + 12;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
		klog("rtc: unreadable date; time starts at 1970\n");
		return;
	}
	rtc_boot_seconds = days_since_epoch(y, mo, d) * 86400u + h * 3600u + mi * 60u + s;
	klog("rtc: %04u-%02u-%02u %02u:%02u:%02u UTC\n", y, mo, d, h, mi, s);
}
BOOT_HOOK(rtc, rtc_boot, 12);
