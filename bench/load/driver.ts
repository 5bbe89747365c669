import type { Socket } from 'node:net';
import { Histogram } from '../histogram.js';
import type { Counters, JobBase, SendMode, WorkerReport } from '../messages.js';
import { upgradeRequest } from './client-frames.js';
import { openMany, openWebSocket, type OpenedWebSocket } from './open-websocket.js';

/**
 * What every load driver counts. Hot paths bump the plain number fields; `mark()` remembers a
 * baseline so a report can give both the measurement window and the totals.
 */
export abstract class Driver {
  messages = 0;
  bytes = 0;
  sent = 0;
  errors = 0;
  duplicates = 0;
  presence = 0;
  lastError: string | undefined = undefined;
  readonly histogram = new Histogram();
  protected readonly sockets = new Set<Socket>();
  private baseline: Counters = { messages: 0, bytes: 0, sent: 0, errors: 0, duplicates: 0, presence: 0 };

  /** Opens the connections; resolves once every one of them is usable. */
  abstract prepare(): Promise<void>;

  /** Starts the traffic (a no-op for drivers whose traffic is the connecting itself). */
  abstract start(send: SendMode | undefined, readEveryMs: number): void;

  /** Stops generating new traffic; what is in flight still counts. */
  stopSending(): void {}

  mark(): void {
    this.baseline = this.totals();
    this.histogram.reset();
  }

  report(): WorkerReport {
    const total = this.totals();
    const base = this.baseline;
    return {
      type: 'report',
      window: {
        messages: total.messages - base.messages,
        bytes: total.bytes - base.bytes,
        sent: total.sent - base.sent,
        errors: total.errors - base.errors,
        duplicates: total.duplicates - base.duplicates,
        presence: total.presence - base.presence,
      },
      total,
      histogram: this.histogram.snapshot(),
      open: this.sockets.size,
      lastError: this.lastError,
    };
  }

  /** Drops every connection with a TCP reset: nothing is left in TIME_WAIT for the next run. */
  close(): void {
    this.stopSending();
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  error(message: string): void {
    this.errors++;
    this.lastError = message;
  }

  /** Tracks `socket` and counts an unexpected close as an error. */
  /**
   * Opens `job.connections` WebSockets to the job's endpoint, at most `concurrency` handshakes
   * at a time, offering `extensions` if given; each socket is owned by this driver, then
   * handed to `onOpen`.
   */
  protected openConnections(
    job: JobBase & { connections: number },
    concurrency: number,
    onOpen: (opened: OpenedWebSocket) => void,
    extensions?: string,
  ): Promise<void> {
    const request = upgradeRequest(job.endpoint.host, job.endpoint.port, job.endpoint.path, extensions);
    return openMany(
      job.connections,
      concurrency,
      () => openWebSocket(job.endpoint, job.localAddress, request, job.connectTimeoutMs),
      (opened) => {
        this.own(opened.socket);
        onOpen(opened);
      },
    );
  }

  protected own(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', (error: NodeJS.ErrnoException) => this.error(`socket error ${error.code ?? error.message}`));
    socket.on('close', () => {
      if (this.sockets.delete(socket)) this.error('server closed a connection');
    });
  }

  private totals(): Counters {
    return {
      messages: this.messages,
      bytes: this.bytes,
      sent: this.sent,
      errors: this.errors,
      duplicates: this.duplicates,
      presence: this.presence,
    };
  }
}
