/**
 * Runs at most `concurrency` zlib jobs at once and queues the rest in arrival order. Async
 * zlib work runs on libuv's small thread pool, and every job in flight holds a zlib context
 * (tens to hundreds of KiB): without a bound, a burst of messages on many connections would
 * allocate contexts for all of them at once and fragment the heap (nodejs/node#8871).
 * FIFO order matters too: a connection queues its jobs one after the other, and they must
 * not overtake each other.
 */
export class ZlibLimiter {
    constructor(concurrency) {
        this.concurrency = concurrency;
        this.queue = [];
        this.head = 0;
        this.active = 0;
        /** Jobs started so far (for tests and statistics). */
        this.started = 0;
        if (!Number.isInteger(concurrency) || concurrency < 1) {
            throw new RangeError(`zlib concurrency must be an integer >= 1, got ${concurrency}`);
        }
    }
    /** Jobs running now. */
    get running() {
        return this.active;
    }
    /** Jobs waiting for a slot. */
    get waiting() {
        return this.queue.length - this.head;
    }
    run(job) {
        if (this.active < this.concurrency) {
            this.active++;
            this.started++;
            job();
        }
        else {
            this.queue.push(job);
        }
    }
    /** Called by a job when it is done; starts the next waiting job, if any. */
    release() {
        this.active--;
        if (this.head === this.queue.length)
            return;
        const next = this.queue[this.head];
        this.queue[this.head++] = undefined;
        if (this.head === this.queue.length || this.head > 1024) {
            this.queue.splice(0, this.head);
            this.head = 0;
        }
        this.active++;
        this.started++;
        next();
    }
}
//# sourceMappingURL=zlib-limiter.js.map