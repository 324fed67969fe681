/*
 * virtio_console.c - the console on QEMU's virtio-serial PCI device, through
 * the legacy interface (virtio 1.0 spec, 5.3).
 *
 * Which port: QEMU drops console-port output silently when the host side
 * is not ready for it (a virtconsole never throttles), so the runner gives
 * mmk a generic port, `virtserialport,nr=1` (QEMU keeps it, and the
 * guest waits, while the host pipe is full). Generic ports need the
 * multiport feature and its control queues: the driver says DEVICE_READY,
 * the device names its ports (DEVICE_ADD), the driver answers PORT_READY and
 * opens the one it uses (PORT_OPEN). Port 1 is used when present, else port
 * 0 (a virtconsole of someone's own QEMU command line); a device without
 * multiport has only port 0. Queues: port 0 on 0/1, control on 2/3, port 1
 * on 4/5.
 *
 * Transmit: bytes gather in one of four 64 KiB buffers; a flush hands the
 * buffer to the device as one descriptor, and QEMU writes it to the host in
 * one go (the 16550 costs the host one write per byte). A writer that finds
 * every buffer still with the device polls until one comes back, so a slow
 * reader means waiting, never lost output.
 *
 * Receive: eight 4 KiB buffers stay posted; QEMU takes host input only while
 * a posted buffer has room (back-pressure), and a buffer goes back to the
 * device once every byte of it is read. The device interrupts on receive
 * only; finished transmit buffers are collected by polling.
 */
#include "console.h"
#include "io.h"
#include "kernel.h"
#include "layout.h"
#include "trap.h"
#include "virtio.h"

#define CONSOLE_LEGACY_ID 0x1003 /* virtio-serial, transitional */
#define CONSOLE_MODERN_ID 0x1043
#define F_MULTIPORT (1u << 1)
#define RX_BUFS 8
#define RX_BUF 4096
#define TX_BUFS 4
#define TX_BUF 65536
#define CTL_BUFS 16
#define CTL_BUF 128
#define RING_BYTES 16384 /* rings of up to 256 entries */
#define NQUEUES 6        /* port 0, control, port 1 */
#define NPORTS 2

/* control events */
#define EV_DEVICE_READY 0
#define EV_DEVICE_ADD 1
#define EV_DEVICE_REMOVE 2
#define EV_PORT_READY 3
#define EV_CONSOLE_PORT 4
#define EV_PORT_OPEN 6

struct ctl_msg {
	uint32_t id;
	uint16_t event, value;
};

static uint8_t ring_mem[NQUEUES][RING_BYTES] __attribute__((aligned(4096)));
static uint8_t rx_buf[RX_BUFS][RX_BUF] __attribute__((aligned(4096)));
static uint8_t tx_buf[TX_BUFS][TX_BUF] __attribute__((aligned(4096)));
static uint8_t ctl_rx_buf[CTL_BUFS][CTL_BUF] __attribute__((aligned(64)));
static struct ctl_msg ctl_tx_msg[16];

static struct vcons {
	struct virtio_dev dev;
	struct virtq q[NQUEUES];
	bool multiport;
	bool present[NPORTS];  /* announced by DEVICE_ADD (port 0 without multiport) */
	bool host_open[NPORTS];
	unsigned ctl_tx_next;
	struct virtq *rxq, *txq; /* the port in use */
	int rx_cur;            /* buffer being read, -1 when none */
	uint32_t rx_len, rx_pos;
	int tx_cur;            /* buffer being filled, -1 when none */
	uint32_t tx_fill;
	uint32_t tx_free;      /* bit i: buffer i is ours */
} vc;

static struct virtq *port_rxq(unsigned port) { return &vc.q[port ? 4 : 0]; }
static struct virtq *port_txq(unsigned port) { return &vc.q[port ? 5 : 1]; }
#define CTL_RXQ (&vc.q[2])
#define CTL_TXQ (&vc.q[3])

static void post_buf(struct virtq *q, uint16_t id, void *buf, uint32_t len, uint16_t flags)
{
	q->desc[id].addr = paddr_u32(kvirt_to_phys(buf));
	q->desc[id].len = len;
	q->desc[id].flags = flags;
	virtq_post(q, id);
}

/* ---- control queue (multiport) ---- */

static void ctl_send(uint32_t port, uint16_t event, uint16_t value)
{
	uint32_t id, len;
	while (virtq_pop(CTL_TXQ, &id, &len)) { /* earlier messages are done */
	}
	unsigned slot = vc.ctl_tx_next++ % 16;
	ctl_tx_msg[slot] = (struct ctl_msg){ port, event, value };
	post_buf(CTL_TXQ, (uint16_t)slot, &ctl_tx_msg[slot], sizeof ctl_tx_msg[slot], 0);
	virtq_kick(&vc.dev, CTL_TXQ);
}

static void ctl_handle(const struct ctl_msg *m)
{
	if (m->id >= NPORTS) return; /* ports mmk does not use */
	switch (m->event) {
	case EV_DEVICE_ADD:
		vc.present[m->id] = true;
		ctl_send(m->id, EV_PORT_READY, 1);
		break;
	case EV_DEVICE_REMOVE:
		vc.present[m->id] = false;
		klog("console: virtio port %u removed\n", (unsigned)m->id);
		break;
	case EV_CONSOLE_PORT:
		break; /* opened when chosen, like any port */
	case EV_PORT_OPEN:
		vc.host_open[m->id] = m->value != 0;
		if (!m->value) klog("console: host closed virtio port %u\n", (unsigned)m->id);
		break;
	}
}

/* Handle the control messages the device has sent; true if there were any. */
static bool ctl_poll(void)
{
	bool any = false;
	uint32_t id, len;
	while (vc.multiport && virtq_pop(CTL_RXQ, &id, &len)) {
		if (id >= CTL_BUFS) continue;
		if (len >= sizeof(struct ctl_msg)) ctl_handle((const struct ctl_msg *)ctl_rx_buf[id]);
		post_buf(CTL_RXQ, (uint16_t)id, ctl_rx_buf[id], CTL_BUF, VRING_DESC_F_WRITE);
		virtq_kick(&vc.dev, CTL_RXQ);
		any = true;
	}
	return any;
}

/* ---- data ---- */

static void tx_reap(void)
{
	uint32_t id, len;
	while (virtq_pop(vc.txq, &id, &len))
		if (id < TX_BUFS) vc.tx_free |= 1u << id;
}

static void tx_acquire(void)
{
	while (!vc.tx_free) {
		tx_reap();
		if (!vc.tx_free) __asm__ volatile("pause");
	}
	vc.tx_cur = __builtin_ctz(vc.tx_free);
	vc.tx_free &= ~(1u << vc.tx_cur);
	vc.tx_fill = 0;
}

static void vcons_flush(bool wait)
{
	if (vc.tx_cur >= 0 && vc.tx_fill) {
		post_buf(vc.txq, (uint16_t)vc.tx_cur, tx_buf[vc.tx_cur], vc.tx_fill, 0);
		virtq_kick(&vc.dev, vc.txq);
		vc.tx_cur = -1;
	}
	tx_reap();
	uint32_t all = (1u << TX_BUFS) - 1 - (vc.tx_cur >= 0 ? 1u << vc.tx_cur : 0);
	while (wait && vc.tx_free != all) {
		__asm__ volatile("pause");
		tx_reap();
	}
}

static void vcons_write(const char *s, size_t n)
{
	while (n) {
		if (vc.tx_cur < 0) tx_acquire();
		size_t k = TX_BUF - vc.tx_fill;
		if (k > n) k = n;
		memcpy(tx_buf[vc.tx_cur] + vc.tx_fill, s, k);
		vc.tx_fill += (uint32_t)k;
		s += k;
		n -= k;
		if (vc.tx_fill == TX_BUF) vcons_flush(false);
	}
}

static void rx_give_back(uint16_t id)
{
	post_buf(vc.rxq, id, rx_buf[id], RX_BUF, VRING_DESC_F_WRITE);
	virtq_kick(&vc.dev, vc.rxq);
}

/* The next buffer the device filled, made current; false when none. */
static bool rx_next(void)
{
	uint32_t id, len;
	while (vc.rx_cur < 0) {
		if (!virtq_pop(vc.rxq, &id, &len)) return false;
		if (id >= RX_BUFS) continue; /* not ours: ignore it */
		if (len == 0 || len > RX_BUF) { /* nothing usable */
			rx_give_back((uint16_t)id);
			continue;
		}
		vc.rx_cur = (int)id;
		vc.rx_len = len;
		vc.rx_pos = 0;
	}
	return true;
}

static size_t vcons_read(char *buf, size_t cap)
{
	size_t n = 0;
	while (n < cap && rx_next()) {
		size_t k = vc.rx_len - vc.rx_pos;
		if (k > cap - n) k = cap - n;
		memcpy(buf + n, rx_buf[vc.rx_cur] + vc.rx_pos, k);
		n += k;
		vc.rx_pos += (uint32_t)k;
		if (vc.rx_pos == vc.rx_len) {
			rx_give_back((uint16_t)vc.rx_cur);
			vc.rx_cur = -1;
		}
	}
	return n;
}

static bool vcons_rx_ready(void) { return vc.rx_cur >= 0 || virtq_has_used(vc.rxq); }

static void vcons_irq(struct trap_frame *tf)
{
	(void)tf;
	uint8_t isr = virtio_isr(&vc.dev); /* reading it lowers the line */
	pic_eoi(vc.dev.irq);
	if (!(isr & 1)) return;
	ctl_poll();
	console_rx_wake();
}

static const struct console_dev virtio_console = {
	"virtio", vcons_write, vcons_flush, vcons_read, vcons_rx_ready,
};

/* ---- start-up ---- */

static bool setup_queues(void)
{
	for (uint16_t i = 0; i < NQUEUES; i++) {
		if (!vc.multiport && i >= 2) break;
		if (virtq_setup(&vc.dev, &vc.q[i], i, ring_mem[i], RING_BYTES) < 0) return false;
	}
	virtq_no_interrupts(&vc.q[1]);
	if (vc.multiport) {
		virtq_no_interrupts(&vc.q[3]);
		virtq_no_interrupts(&vc.q[5]);
		for (uint16_t i = 0; i < CTL_BUFS; i++)
			post_buf(CTL_RXQ, i, ctl_rx_buf[i], CTL_BUF, VRING_DESC_F_WRITE);
	}
	return true;
}

/* Multiport: announce the driver and take the device's port list. QEMU
 * answers each control message while the notification is handled; the
 * bounded wait covers a device that answers later. */
static void discover_ports(void)
{
	ctl_send(0, EV_DEVICE_READY, 1);
	unsigned i, quiet = 0, first = 0;
	for (i = 0; i < 4000000 && quiet < 2000; i++) {
		if (ctl_poll()) { quiet = 0; if (!first) first = i; }
		else if (first) quiet++;
		(void)virtio_isr(&vc.dev); /* a device access paces the wait */
	}
	klog("console: ports after %u polls (first at %u)\n", i, first);
}

static int choose_port(void)
{
	if (!vc.multiport) return 0;
	if (vc.present[1]) return 1;
	if (vc.present[0]) return 0;
	return -1;
}

static bool vcons_start(const struct pci_dev *p)
{
	if (virtio_open(&vc.dev, p) < 0) {
		klog("console: virtio console has no I/O BAR: COM1\n");
		return false;
	}
	vc.multiport = virtio_host_features(&vc.dev) & F_MULTIPORT;
	virtio_set_features(&vc.dev, vc.multiport ? F_MULTIPORT : 0);
	if (!setup_queues()) {
		klog("console: virtio console queues unusable: COM1\n");
		virtio_fail(&vc.dev);
		return false;
	}
	if (!virtio_ready(&vc.dev)) {
		klog("console: virtio console refused the driver: COM1\n");
		virtio_fail(&vc.dev);
		return false;
	}
	if (vc.multiport) discover_ports();
	int port = choose_port();
	if (port < 0) {
		klog("console: virtio-serial device has no port 0 or 1: COM1\n");
		virtio_fail(&vc.dev);
		return false;
	}
	vc.rxq = port_rxq((unsigned)port);
	vc.txq = port_txq((unsigned)port);
	vc.rx_cur = vc.tx_cur = -1;
	vc.tx_free = (1u << TX_BUFS) - 1;
	for (uint16_t i = 0; i < RX_BUFS; i++) post_buf(vc.rxq, i, rx_buf[i], RX_BUF, VRING_DESC_F_WRITE);
	virtq_kick(&vc.dev, vc.rxq);
	if (vc.multiport) ctl_send((uint32_t)port, EV_PORT_OPEN, 1);
	if (vc.dev.irq != 0xFF) {
		trap_set_handler(IRQ_BASE + vc.dev.irq, vcons_irq);
		pic_unmask(vc.dev.irq);
	} /* else input is seen when a timer tick wakes the reader */
	klog("console: virtio port %d at I/O 0x%x, IRQ %u%s\n", port, vc.dev.io, vc.dev.irq,
	     vc.multiport ? ", multiport" : "");
	return true;
}

const struct console_dev *virtio_console_probe(void)
{
	struct pci_dev p;
	if (!pci_find(VIRTIO_VENDOR, CONSOLE_LEGACY_ID, CONSOLE_LEGACY_ID, &p)) {
		if (pci_find(VIRTIO_VENDOR, CONSOLE_MODERN_ID, CONSOLE_MODERN_ID, &p))
			klog("console: virtio console is modern-only (disable-legacy=on): COM1\n");
		else
			klog("console: no virtio console: COM1\n");
		return 0;
	}
	return vcons_start(&p) ? &virtio_console : 0;
}
