import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import { monotonicMicros } from '../load/broadcast-message.js';
import { stampedText } from '../load/chat-message.js';

/** Answers slower than this count as errors (the run goes on). */
const REQUEST_TIMEOUT_MS = 10_000;

/** Sequence numbers shared by every sender of a run, so a receiver counts each message once. */
export class Sequence {
  next = 0;
}

/**
 * A closed-loop publisher into one room: one request in flight, the next sent when it is
 * answered. Each message's text is stamped with its send time (stampedText).
 */
export abstract class Sender {
  /** Messages the service confirmed (ack, 201). */
  accepted = 0;
  errors = 0;
  lastError: string | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;

  constructor(
    protected readonly room: string,
    private readonly sequence: Sequence,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.inFlight = this.loop();
  }

  /** Stops after the request in flight, and resolves once it is answered. */
  async stop(): Promise<void> {
    this.running = false;
    await this.inFlight;
  }

  protected abstract send(texts: string[]): Promise<void>;

  protected stamp(count: number): string[] {
    const now = monotonicMicros();
    return Array.from({ length: count }, () => stampedText(now, this.sequence.next++));
  }

  protected abstract get batchSize(): number;

  protected fail(message: string): void {
    this.errors++;
    this.lastError = message;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const texts = this.stamp(this.batchSize);
      try {
        await this.send(texts);
        this.accepted += texts.length;
      } catch (error) {
        this.fail((error as Error).message);
        // A failing target is not hammered in a tight loop.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }
}

/** `message` on `/chat` with a `ref`, the next once its `ack` came back. */
export class WsSender extends Sender {
  private waiting: { ref: string; resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(
    room: string,
    sequence: Sequence,
    private readonly socket: WebSocket,
  ) {
    super(room, sequence);
    socket.on('message', (data: Buffer) => {
      const waiting = this.waiting;
      if (waiting === undefined || !data.includes(waiting.ref)) return;
      const { event } = JSON.parse(data.toString()) as { event: string };
      if (event !== 'ack' && event !== 'error') return;
      this.waiting = undefined;
      if (event === 'ack') waiting.resolve();
      else waiting.reject(new Error(`error event: ${data.toString().slice(0, 200)}`));
    });
  }

  protected get batchSize(): number {
    return 1;
  }

  protected send([text]: string[]): Promise<void> {
    const ref = `p${text.slice(text.indexOf(':') + 1)}`;
    return new Promise<void>((resolve, reject) => {
      this.waiting = { ref: `"ref":"${ref}"`, resolve, reject };
      this.socket.send(JSON.stringify({ event: 'message', data: { room: this.room, text, ref } }));
    });
  }
}

/**
 * `POST /api/rooms/:room/messages`, or with `batchSize` > 1 `.../messages/batch`, over the
 * given keep-alive agent.
 */
export class RestSender extends Sender {
  private readonly path: string;

  constructor(
    room: string,
    sequence: Sequence,
    private readonly endpoint: { host: string; port: number; agent: Agent },
    private readonly size: number,
  ) {
    super(room, sequence);
    const messages = `/api/rooms/${encodeURIComponent(room)}/messages`;
    this.path = size > 1 ? `${messages}/batch` : messages;
  }

  protected get batchSize(): number {
    return this.size;
  }

  protected send(texts: string[]): Promise<void> {
    const body =
      this.size > 1
        ? JSON.stringify({ from: 'bench-publisher', messages: texts.map((text) => ({ text })) })
        : JSON.stringify({ from: 'bench-publisher', text: texts[0] });
    const { host, port, agent } = this.endpoint;
    return new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host,
          port,
          path: this.path,
          method: 'POST',
          agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode === 201 ? resolve() : reject(new Error(`POST answered ${response.statusCode}`)),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/**
 * A keep-alive agent as a backend should make one: with an idle timeout of its own, so it
 * honours the server's `Keep-Alive: timeout` hint (Node's agent ignores the hint without one).
 */
export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, timeout: 30_000 });
}
