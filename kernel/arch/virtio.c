/*
 * virtio.c - the legacy virtio PCI transport (virtio 1.0 spec, 4.1.4.8: the
 * registers at the start of I/O BAR0) and split-virtqueue ring handling.
 *
 * Ring protocol: the driver fills a descriptor, puts its index in the next
 * slot of the available ring, then publishes the new available index; the
 * device returns finished buffers through the used ring and its index. One
 * CPU drives each queue, so compiler barriers order the stores (x86 keeps
 * stores in order, and the device reads them in order).
 */
#include "io.h"
#include "kernel.h"
#include "layout.h"
#include "virtio.h"

#define R_HOST_FEATURES 0x00
#define R_GUEST_FEATURES 0x04
#define R_QUEUE_PFN 0x08
#define R_QUEUE_SIZE 0x0C
#define R_QUEUE_SEL 0x0E
#define R_QUEUE_NOTIFY 0x10
#define R_STATUS 0x12
#define R_ISR 0x13
#define R_CONFIG 0x14 /* device configuration, without MSI-X */

#define barrier() __asm__ volatile("" ::: "memory")
#define ALIGN4K(x) (((x) + 4095u) & ~(size_t)4095u)

int virtio_open(struct virtio_dev *v, const struct pci_dev *p)
{
	v->pci = *p;
	v->io = pci_io_bar(p, 0);
	if (!v->io) return -1;
	uint8_t line = pci_read8(p, PCI_INTERRUPT_LINE);
	v->irq = line < 16 ? line : 0xFF;
	pci_write16(p, PCI_COMMAND, (uint16_t)(pci_read16(p, PCI_COMMAND) | PCI_CMD_IO | PCI_CMD_MASTER));
	outb(v->io + R_STATUS, 0); /* reset */
	outb(v->io + R_STATUS, VIRTIO_STATUS_ACK);
	outb(v->io + R_STATUS, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER);
	return 0;
}

uint32_t virtio_host_features(const struct virtio_dev *v) { return inl(v->io + R_HOST_FEATURES); }
void virtio_set_features(const struct virtio_dev *v, uint32_t f) { outl(v->io + R_GUEST_FEATURES, f); }
uint8_t virtio_isr(const struct virtio_dev *v) { return inb(v->io + R_ISR); }
uint8_t virtio_config8(const struct virtio_dev *v, unsigned off) { return inb((uint16_t)(v->io + R_CONFIG + off)); }

static size_t vring_bytes(unsigned n)
{
	return ALIGN4K(16u * n + 6u + 2u * n) + ALIGN4K(6u + 8u * n);
}

int virtq_setup(const struct virtio_dev *v, struct virtq *q, uint16_t index, void *mem, size_t bytes)
{
	outw(v->io + R_QUEUE_SEL, index);
	uint16_t n = inw(v->io + R_QUEUE_SIZE);
	if (n == 0 || (n & (n - 1)) || vring_bytes(n) > bytes || ((uintptr_t)mem & 4095u)) return -1;
	memset(mem, 0, vring_bytes(n));
	q->index = index;
	q->size = n;
	q->desc = mem;
	q->avail = (volatile uint16_t *)((uint8_t *)mem + 16u * n);
	q->used = (volatile uint16_t *)((uint8_t *)mem + ALIGN4K(16u * n + 6u + 2u * n));
	q->avail_idx = q->last_used = 0;
	outl(v->io + R_QUEUE_PFN, pfn_u32(paddr_to_pfn(kvirt_to_phys(mem))));
	return 0;
}

bool virtio_ready(const struct virtio_dev *v)
{
	outb(v->io + R_STATUS, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
	uint8_t s = inb(v->io + R_STATUS);
	return (s & VIRTIO_STATUS_DRIVER_OK) && !(s & VIRTIO_STATUS_FAILED);
}

void virtio_fail(const struct virtio_dev *v) { outb(v->io + R_STATUS, VIRTIO_STATUS_FAILED); }

void virtq_post(struct virtq *q, uint16_t id)
{
	q->avail[2 + q->avail_idx % q->size] = id;
	barrier();
	q->avail_idx++;
	q->avail[1] = q->avail_idx;
	barrier();
}

void virtq_kick(const struct virtio_dev *v, const struct virtq *q) { outw(v->io + R_QUEUE_NOTIFY, q->index); }

bool virtq_has_used(const struct virtq *q) { return q->used[1] != q->last_used; }

bool virtq_pop(struct virtq *q, uint32_t *id, uint32_t *len)
{
	if (!virtq_has_used(q)) return false;
	barrier();
	const volatile struct vring_used_elem *e =
		(const volatile struct vring_used_elem *)(q->used + 2) + q->last_used % q->size;
	*id = e->id;
	*len = e->len;
	barrier();
	q->last_used++;
	return true;
}

void virtq_no_interrupts(struct virtq *q) { q->avail[0] = VRING_AVAIL_F_NO_INTERRUPT; }
