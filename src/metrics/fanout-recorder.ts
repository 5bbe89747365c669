import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics-registry.js';

/**
 * Injection token of the fan-out recorder. The chat injects it as optional, so the chat
 * module works in apps without metrics:
 * `@Optional() @Inject(FANOUT_RECORDER) private readonly recorder?: FanoutRecorder`.
 */
export const FANOUT_RECORDER = Symbol('FANOUT_RECORDER');

export interface FanoutRecorder {
  /**
   * One room event delivered to this instance's members: `startedAt` is `performance.now()`
   * taken when the event reached the fan-out, `recipients` the sockets it was written to.
   */
  record(startedAt: number, recipients: number): void;
}

/** Seconds; a broadcast to a few members takes microseconds, a large room milliseconds. */
const FANOUT_BUCKETS = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];

/** Records each broadcast's fan-out time in a histogram and counts the copies written. */
@Injectable()
export class FanoutMetrics implements FanoutRecorder {
  private readonly duration: Histogram;
  private readonly recipients: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.duration = new Histogram({
      name: 'chat_fanout_duration_seconds',
      help: 'Time to write one room event to every local member of the room',
      buckets: FANOUT_BUCKETS,
      registers: [registry],
    });
    this.recipients = new Counter({
      name: 'chat_fanout_recipients_total',
      help: 'Copies of room events written to member sockets',
      registers: [registry],
    });
  }

  record(startedAt: number, recipients: number): void {
    this.duration.observe((performance.now() - startedAt) / 1000);
    if (recipients > 0) this.recipients.inc(recipients);
  }
}
