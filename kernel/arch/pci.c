/*
 * pci.c - PCI configuration space access (mechanism #1: the address goes to
 * port 0xCF8, the dword at 0xCFC) and a brute-force scan of every bus, slot
 * and function for a device. The firmware (SeaBIOS under QEMU) has already
 * assigned BARs and interrupt lines; the kernel only reads them.
 */
#include "io.h"
#include "pci.h"

#define PCI_ADDR 0xCF8
#define PCI_DATA 0xCFC

static void pci_select(const struct pci_dev *d, uint8_t reg)
{
	outl(PCI_ADDR, 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->dev << 11 |
			       (uint32_t)d->fn << 8 | (reg & 0xFCu));
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t reg)
{
	pci_select(d, reg);
	return inl(PCI_DATA);
}

uint16_t pci_read16(const struct pci_dev *d, uint8_t reg)
{
	return (uint16_t)(pci_read32(d, reg) >> ((reg & 2u) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, uint8_t reg)
{
	return (uint8_t)(pci_read32(d, reg) >> ((reg & 3u) * 8));
}

void pci_write16(const struct pci_dev *d, uint8_t reg, uint16_t v)
{
	pci_select(d, reg);
	outw((uint16_t)(PCI_DATA + (reg & 2u)), v);
}

static bool pci_match(struct pci_dev *d, uint16_t vendor, uint16_t lo, uint16_t hi)
{
	uint32_t id = pci_read32(d, 0);
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	return d->vendor == vendor && d->device >= lo && d->device <= hi;
}

bool pci_find(uint16_t vendor, uint16_t dev_lo, uint16_t dev_hi, struct pci_dev *out)
{
	for (unsigned bus = 0; bus < 256; bus++)
		for (unsigned dev = 0; dev < 32; dev++) {
			struct pci_dev d = { (uint8_t)bus, (uint8_t)dev, 0, 0, 0 };
			if ((uint16_t)pci_read32(&d, 0) == 0xFFFF) continue; /* empty slot */
			bool multi = pci_read8(&d, 0x0E) & 0x80;
			for (unsigned fn = 0; fn < (multi ? 8u : 1u); fn++) {
				d.fn = (uint8_t)fn;
				if (pci_match(&d, vendor, dev_lo, dev_hi)) {
					*out = d;
					return true;
				}
			}
		}
	return false;
}

uint16_t pci_io_bar(const struct pci_dev *d, unsigned bar)
{
	uint32_t v = pci_read32(d, (uint8_t)(PCI_BAR0 + 4 * bar));
	if (!(v & 1u)) return 0; /* a memory BAR */
	return (uint16_t)(v & ~3u);
}
