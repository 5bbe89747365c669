import { positiveInteger } from './number-checks.js';

/** A unit of zlib work: it must call `limiter.release()` exactly once, when it is finished. */
export type ZlibJob = () => void;

/**
 * Runs at most `concurrency` zlib jobs at once and queues the rest in arrival order. Async
 * zlib work runs on libuv's small thread pool, and every job in flight holds a zlib context
 * (tens to hundreds of KiB): without a bound, a burst of messages on many connections would
 * allocate contexts for all of them at once and fragment the heap (nodejs/node#8871).
 * FIFO order matters too: a connection queues its jobs one after the other, and they must
 * not overtake each other.
 */
export class ZlibLimiter {
  private readonly queue: ZlibJob[] = [];
  private head = 0;
  private active = 0;
  /** Jobs started so far (for tests and statistics). */
  started = 0;

  constructor(readonly concurrency: number) {
    positiveInteger(concurrency, 'zlib concurrency');
  }

  /** Jobs running now. */
  get running(): number {
    return this.active;
  }

  /** Jobs waiting for a slot. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  run(job: ZlibJob): void {
    if (this.active < this.concurrency) {
      this.active++;
      this.started++;
      job();
    } else {
      this.queue.push(job);
    }
  }

  /** Called by a job when it is done; starts the next waiting job, if any. */
  release(): void {
    this.active--;
    if (this.head === this.queue.length) return;
    const next = this.queue[this.head];
    this.queue[this.head++] = undefined as unknown as ZlibJob;
    if (this.head === this.queue.length || this.head > 1024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.active++;
    this.started++;
    next();
  }
}
