/*
 * lagdev.h - a device whose requests take a fixed number of steps of a
 * logical clock: a request submitted at step s is served when the clock
 * reaches s + latency (in submission order, which is also the order of
 * their due steps), and the thread that made it sleeps on the device's wait
 * queue meanwhile. Its user advances the clock (the VMM runner: one step per
 * request a process makes), so a wait lasts the same number of steps of the
 * others on any host: runs repeat. Serving a request is the user's callback
 * (the VMM runner's: the page-in itself, from the RAM swap device).
 *
 * Not for interrupt context: submit, complete and wait are called by
 * threads the timer does not preempt (see thread_set_cooperative).
 */
#ifndef KERNEL_LAGDEV_H
#define KERNEL_LAGDEV_H

#include "thread.h"

struct lag_req {
	uint64_t due;          /* the step it is served at */
	struct thread *thread; /* who waits for it */
	bool done;
	int rc;                /* what serve returned */
	struct lag_req *next;
};

struct lagdev {
	uint32_t latency;            /* steps from submission to service */
	uint64_t now;                /* the clock */
	struct lag_req *head, *tail; /* pending, oldest first */
	uint32_t npending;
	struct wait_queue waiters;   /* their threads, in the same order */
	int (*serve)(void *ctx, struct lag_req *req);   /* the transfer, when due */
	void (*woken)(void *ctx, struct lag_req *req);  /* after: its thread is ready */
	void *ctx;
	uint64_t served, idle_steps; /* requests served; steps skipped while nobody could run */
};

/* serve(ctx, req) does a request's work when it is due (its result is
 * req->rc); then its thread is woken and woken(ctx, req) told (NULL: not). */
void lagdev_init(struct lagdev *d, uint32_t latency, int (*serve)(void *ctx, struct lag_req *req),
		 void (*woken)(void *ctx, struct lag_req *req), void *ctx);
/* One step of the clock (nothing is served: see lagdev_complete_due). */
void lagdev_step(struct lagdev *d);
/* Queue req for the running thread, due latency steps from now, and put the
 * thread on the wait queue (wait_prepare): it goes on running until
 * lagdev_wait. */
void lagdev_submit(struct lagdev *d, struct lag_req *req);
/* Serve, oldest first, every request due by now: serve(req), wake its
 * thread onto the ready queue, woken(req). Returns how many. */
uint32_t lagdev_complete_due(struct lagdev *d);
/* Nothing else can run: move the clock on to the oldest request's due step
 * and serve it. false when nothing is pending. */
bool lagdev_complete_first(struct lagdev *d);
/* After lagdev_submit: sleep until req is served (if it already was, return
 * at once: the thread is then on the ready queue and must give up the
 * processor soon, with nothing else to wait for). Returns req->rc. */
int lagdev_wait(struct lagdev *d, struct lag_req *req);
/* The threads waiting, first first (wait_queue_list). */
uint32_t lagdev_waiters(const struct lagdev *d, struct thread **out, uint32_t max);

#endif
