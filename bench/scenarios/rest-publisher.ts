import { request } from 'node:http';
import { monotonicMicros } from '../load/broadcast-message.js';
import { stampedText } from '../load/chat-message.js';
import { keepAliveAgent } from './publish-senders.js';

const TICK_MS = 5;
/** Requests in flight at once; beyond that they wait in the agent (and their latency shows it). */
const MAX_SOCKETS = 64;
const IDLE_TIMEOUT_MS = 10_000;

/**
 * Publishes into a room at a fixed rate with `POST /api/rooms/:room/messages` (the REST route
 * has no per-connection rate limit, unlike `/chat`), each text stamped with the send time and
 * a sequence number. Requests that fall behind the rate are sent in the next tick. Over
 * keep-alive connections: the agent drops idle sockets before the server's announced
 * `Keep-Alive: timeout`, so it never writes into a socket the server is closing (ECONNRESET).
 */
export class RestPublisher {
  /** Requests sent. */
  sent = 0;
  /** 201 answers: messages the service accepted. */
  accepted = 0;
  failed = 0;
  lastError: string | undefined;
  private readonly agent = keepAliveAgent(MAX_SOCKETS);
  private timer: NodeJS.Timeout | undefined;
  private readonly path: string;

  constructor(
    private readonly host: string,
    private readonly port: number,
    room: string,
    private readonly from: string,
  ) {
    this.path = `/api/rooms/${encodeURIComponent(room)}/messages`;
  }

  start(perSecond: number): void {
    const startedAt = performance.now();
    const first = this.sent;
    this.timer = setInterval(() => {
      const due = Math.floor(((performance.now() - startedAt) * perSecond) / 1000) - (this.sent - first);
      for (let i = 0; i < due; i++) this.publish();
    }, TICK_MS);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Waits (bounded) for the answers to every request sent. */
  async settled(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.accepted + this.failed < this.sent) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  close(): void {
    this.stop();
    this.agent.destroy();
  }

  private publish(): void {
    const body = JSON.stringify({ from: this.from, text: stampedText(monotonicMicros(), this.sent++) });
    const req = request(
      {
        host: this.host,
        port: this.port,
        path: this.path,
        method: 'POST',
        agent: this.agent,
        timeout: IDLE_TIMEOUT_MS,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode === 201) this.accepted++;
          else this.fail(`POST answered ${response.statusCode}`);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${IDLE_TIMEOUT_MS} ms`)));
    req.on('error', (error) => this.fail(`POST failed: ${error.message}`));
    req.end(body);
  }

  private fail(message: string): void {
    this.failed++;
    this.lastError = message;
  }
}
