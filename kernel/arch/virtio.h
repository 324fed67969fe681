/*
 * virtio.h - the legacy (0.9.5, "transitional") virtio PCI transport over
 * the device's I/O BAR, and split virtqueues laid out as that interface
 * wants them: descriptor table, available ring, then the used ring on the
 * next 4 KiB boundary, given to the device by page frame number.
 */
#ifndef KERNEL_VIRTIO_H
#define KERNEL_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pci.h"

#define VIRTIO_VENDOR 0x1AF4
#define VIRTIO_STATUS_ACK 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FAILED 128u
#define VRING_DESC_F_WRITE 2u      /* the device writes this buffer */
#define VRING_AVAIL_F_NO_INTERRUPT 1u

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
struct vring_used_elem {
	uint32_t id, len;
};

struct virtq {
	uint16_t index, size;
	volatile struct vring_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[size], used_event */
	volatile uint16_t *used;  /* flags, idx, then ring of vring_used_elem */
	uint16_t avail_idx;       /* the driver's copy of avail->idx */
	uint16_t last_used;       /* used entries consumed so far */
};

struct virtio_dev {
	struct pci_dev pci;
	uint16_t io;  /* I/O BAR0 base */
	uint8_t irq;  /* legacy INTx line, 0xFF when none */
};

/* Reset the device and announce a driver; 0, or -1 when the device has no
 * I/O BAR (a modern-only device). */
int virtio_open(struct virtio_dev *v, const struct pci_dev *p);
uint32_t virtio_host_features(const struct virtio_dev *v);
void virtio_set_features(const struct virtio_dev *v, uint32_t features);
/* Lay queue `index` out in `mem` (page aligned, physically contiguous,
 * `bytes` long) and give it to the device; -1 when the device has no such
 * queue or it does not fit. */
int virtq_setup(const struct virtio_dev *v, struct virtq *q, uint16_t index, void *mem, size_t bytes);
/* Set DRIVER_OK; false when the device reports a failure. */
bool virtio_ready(const struct virtio_dev *v);
void virtio_fail(const struct virtio_dev *v);
uint8_t virtio_isr(const struct virtio_dev *v); /* reading acknowledges */
uint8_t virtio_config8(const struct virtio_dev *v, unsigned off);

/* Hand descriptor `id` to the device (no notification). */
void virtq_post(struct virtq *q, uint16_t id);
void virtq_kick(const struct virtio_dev *v, const struct virtq *q);
/* Take the next buffer the device has finished with: true and id/len set. */
bool virtq_pop(struct virtq *q, uint32_t *id, uint32_t *len);
bool virtq_has_used(const struct virtq *q);
void virtq_no_interrupts(struct virtq *q);

#endif
