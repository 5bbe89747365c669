import type { ClientRequestArgs, IncomingMessage } from 'node:http';
import WebSocket, { type ClientOptions } from 'ws';

export const DEFAULT_WAIT_MS = 3000;

export type ConnectOptions = (ClientOptions | ClientRequestArgs) & { protocols?: string[] };

export interface ReceivedMessage {
  data: Buffer;
  isBinary: boolean;
}

export interface JsonMessage {
  event: string;
  data: unknown;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** Rejects with `message` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${message}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A `ws` client that queues what it receives, so a test can await the next
 * message (bounded by a timeout) instead of sleeping.
 */
export class TestClient {
  private readonly inbox: ReceivedMessage[] = [];
  private readonly waiters: Array<(message: ReceivedMessage) => void> = [];
  private readonly closeInfo: Promise<CloseInfo>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const message = { data, isBinary };
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.inbox.push(message);
    });
    this.closeInfo = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  /**
   * Opens a connection (offering `protocols`, if any); rejects with an
   * UpgradeRefused carrying the HTTP status when the upgrade is refused.
   */
  static connect(
    url: string,
    { protocols = [], ...options }: ConnectOptions = {},
    ms = DEFAULT_WAIT_MS,
  ): Promise<TestClient> {
    const socket = new WebSocket(url, protocols, options);
    const client = new TestClient(socket);
    const opened = new Promise<TestClient>((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response: IncomingMessage) => {
        reject(new UpgradeRefused(response.statusCode ?? 0, response));
        response.resume();
        socket.terminate();
      });
    });
    return withTimeout(opened, ms, `connecting to ${url}`);
  }

  nextMessage(ms = DEFAULT_WAIT_MS): Promise<ReceivedMessage> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    let waiter!: (message: ReceivedMessage) => void;
    const received = new Promise<ReceivedMessage>((resolve) => {
      waiter = resolve;
      this.waiters.push(waiter);
    });
    return withTimeout(received, ms, 'waiting for a message').catch((error: unknown) => {
      const index = this.waiters.indexOf(waiter);
      if (index !== -1) this.waiters.splice(index, 1);
      throw error;
    });
  }

  async nextJson(ms = DEFAULT_WAIT_MS): Promise<JsonMessage> {
    const { data, isBinary } = await this.nextMessage(ms);
    if (isBinary) throw new Error(`expected a text message, got ${data.length} binary bytes`);
    return JSON.parse(data.toString()) as JsonMessage;
  }

  /** Sends `{event, data}` the way platform-ws clients do. */
  emit(event: string, data?: unknown): void {
    this.socket.send(JSON.stringify({ event, data }));
  }

  /** Sends `{event, data}` and resolves with the next JSON message. */
  async request(event: string, data?: unknown, ms = DEFAULT_WAIT_MS): Promise<JsonMessage> {
    this.emit(event, data);
    return this.nextJson(ms);
  }

  closed(ms = DEFAULT_WAIT_MS): Promise<CloseInfo> {
    return withTimeout(this.closeInfo, ms, 'waiting for the connection to close');
  }

  /** Starts the close handshake and resolves once the connection is closed. */
  close(code = 1000, ms = DEFAULT_WAIT_MS): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.CLOSED) return this.closed(ms);
    this.socket.close(code);
    return this.closed(ms);
  }

  terminate(): void {
    this.socket.terminate();
  }
}

export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly response: IncomingMessage,
  ) {
    super(`upgrade refused with HTTP ${status}`);
  }
}
