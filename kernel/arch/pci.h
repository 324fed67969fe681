/*
 * pci.h - PCI configuration space through configuration mechanism #1 (ports
 * 0xCF8/0xCFC), and a scan for a device by vendor and device ID.
 */
#ifndef KERNEL_PCI_H
#define KERNEL_PCI_H

#include <stdbool.h>
#include <stdint.h>

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
};

#define PCI_COMMAND 0x04
#define PCI_CMD_IO 0x1u
#define PCI_CMD_MASTER 0x4u
#define PCI_BAR0 0x10
#define PCI_SUBSYS_ID 0x2E
#define PCI_INTERRUPT_LINE 0x3C

uint32_t pci_read32(const struct pci_dev *d, uint8_t reg);
uint16_t pci_read16(const struct pci_dev *d, uint8_t reg);
uint8_t pci_read8(const struct pci_dev *d, uint8_t reg);
void pci_write16(const struct pci_dev *d, uint8_t reg, uint16_t v);

/* Find the first device with this vendor and one of the device IDs in
 * [dev_lo, dev_hi]; true and *out filled when one is found. */
bool pci_find(uint16_t vendor, uint16_t dev_lo, uint16_t dev_hi, struct pci_dev *out);

/* The I/O port base of an I/O-space BAR, or 0 if the BAR is memory or unset. */
uint16_t pci_io_bar(const struct pci_dev *d, unsigned bar);

#endif
