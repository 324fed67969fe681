/*
 * lagdev.c - a device with a latency in steps of a logical clock (see
 * lagdev.h). Algorithm: a FIFO of pending requests; every request has the
 * same latency, so due steps grow with submission and the oldest request is
 * always the next one due, and the device's wait queue (FIFO too) holds the
 * waiting threads in the same order: completing the oldest request wakes the
 * first waiter, which is checked.
 */
#include "kernel.h"
#include "lagdev.h"
#include "mm_env.h"

void lagdev_init(struct lagdev *d, uint32_t latency, int (*serve)(void *ctx, struct lag_req *req),
		 void (*woken)(void *ctx, struct lag_req *req), void *ctx)
{
	*d = (struct lagdev){ .latency = latency, .serve = serve, .woken = woken, .ctx = ctx };
}

void lagdev_step(struct lagdev *d) { d->now++; }

void lagdev_submit(struct lagdev *d, struct lag_req *req)
{
	req->due = d->now + d->latency;
	req->thread = thread_current();
	req->done = false;
	req->rc = 0;
	req->next = 0;
	MM_ASSERT(!d->tail || d->tail->due <= req->due, "request due at %llu after one due at %llu",
		  (unsigned long long)req->due, (unsigned long long)d->tail->due);
	if (d->tail) d->tail->next = req;
	else d->head = req;
	d->tail = req;
	d->npending++;
	wait_prepare(&d->waiters);
}

/* Serve the oldest request and wake its thread. */
static void complete_head(struct lagdev *d)
{
	struct lag_req *req = d->head;
	struct thread *first = 0;
	lagdev_waiters(d, &first, 1);
	MM_ASSERT(first == req->thread, "the first waiter is thread %u, the oldest request thread %u's",
		  first ? first->id : 0, req->thread->id);
	d->head = req->next;
	if (!d->head) d->tail = 0;
	d->npending--;
	req->rc = d->serve(d->ctx, req);
	req->done = true;
	d->served++;
	wait_wake_one(&d->waiters);
	if (d->woken) d->woken(d->ctx, req);
}

uint32_t lagdev_complete_due(struct lagdev *d)
{
	uint32_t n = 0;
	for (; d->head && d->head->due <= d->now; n++) complete_head(d);
	return n;
}

bool lagdev_complete_first(struct lagdev *d)
{
	if (!d->head) return false;
	if (d->head->due > d->now) {
		d->idle_steps += d->head->due - d->now;
		d->now = d->head->due;
	}
	complete_head(d);
	return true;
}

int lagdev_wait(struct lagdev *d, struct lag_req *req)
{
	(void)d;
	if (!req->done) thread_yield(); /* asleep on the wait queue until served */
	MM_ASSERT(req->done, "thread %u woke before its request was served", thread_current()->id);
	return req->rc;
}

uint32_t lagdev_waiters(const struct lagdev *d, struct thread **out, uint32_t max)
{
	return wait_queue_list(&d->waiters, out, max);
}
