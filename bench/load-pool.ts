import { fileURLToPath } from 'node:url';
import { Child } from './child.js';
import { Histogram } from './histogram.js';
import type { CoordinatorMessage, Counters, SendMode, WorkerJob, WorkerMessage, WorkerReport } from './messages.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./load/worker.js', import.meta.url));
const REPORT_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 5_000;

export interface PoolReport {
  window: Counters;
  total: Counters;
  histogram: Histogram;
  open: number;
  lastError: string | undefined;
}

function sum(counters: readonly Counters[]): Counters {
  const total: Counters = { messages: 0, bytes: 0, sent: 0, errors: 0, duplicates: 0, presence: 0 };
  for (const c of counters) {
    total.messages += c.messages;
    total.bytes += c.bytes;
    total.sent += c.sent;
    total.errors += c.errors;
    total.duplicates += c.duplicates;
    total.presence += c.presence;
  }
  return total;
}

/** The load generator processes of one run, driven together. */
export class LoadPool {
  private readonly ticks: number[];

  private constructor(private readonly workers: Array<Child<CoordinatorMessage, WorkerMessage>>) {
    this.ticks = workers.map(() => 0);
    workers.forEach((worker, i) =>
      worker.onMessage((message) => {
        if (message.type === 'tick') this.ticks[i] = message.messages;
      }),
    );
  }

  /** Forks one worker per job and resolves when every one has its connections open. */
  static async start(jobs: readonly WorkerJob[], cpus: string | undefined, readyTimeoutMs: number): Promise<LoadPool> {
    const workers = jobs.map(
      (job, i) =>
        new Child<CoordinatorMessage, WorkerMessage>(WORKER_SCRIPT, {
          cpus,
          label: `load worker ${i} (${job.kind}${job.localAddress ? `, ${job.localAddress}` : ''})`,
        }),
    );
    const pool = new LoadPool(workers);
    try {
      await Promise.all(
        workers.map((worker, i) => {
          worker.send({ type: 'job', job: jobs[i] });
          return worker.next('ready', readyTimeoutMs, 'failed');
        }),
      );
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get pids(): number[] {
    return this.workers.map((worker) => worker.pid);
  }

  /** Total messages from the latest progress ticks. */
  get tickedMessages(): number {
    return this.ticks.reduce((a, b) => a + b, 0);
  }

  start(send?: SendMode, readEveryMs = 0): void {
    for (const worker of this.workers) worker.send({ type: 'start', send, readEveryMs });
  }

  mark(): void {
    for (const worker of this.workers) worker.send({ type: 'mark' });
  }

  stopSending(): void {
    for (const worker of this.workers) worker.send({ type: 'stop-sending' });
  }

  async report(): Promise<PoolReport> {
    const reports: WorkerReport[] = await Promise.all(
      this.workers.map((worker) => {
        worker.send({ type: 'report' });
        return worker.next('report', REPORT_TIMEOUT_MS);
      }),
    );
    return {
      window: sum(reports.map((r) => r.window)),
      total: sum(reports.map((r) => r.total)),
      histogram: Histogram.from(reports.map((r) => r.histogram)),
      open: reports.reduce((n, r) => n + r.open, 0),
      lastError: reports.map((r) => r.lastError).find((e) => e !== undefined),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop({ type: 'exit' }, EXIT_TIMEOUT_MS)));
  }
}
