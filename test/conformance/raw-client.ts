import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { split, WHOLE, type Chunking } from './chunking.js';
import { parseDeflateResponse, ServerDecompressor, type NegotiatedDeflate } from './deflate.js';
import { describeEvents, type ServerEvent } from './events.js';
import { ServerFrameReader } from './server-frame-reader.js';

export { frame } from './frame.js';
export type { ServerEvent } from './events.js';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_RESPONSE_HEAD = 16 * 1024;

export interface RawClientOptions {
  port: number;
  path: string;
  host?: string;
  handshakeTimeoutMs?: number;
  /** Sec-WebSocket-Extensions to offer (permessage-deflate offers); none by default. */
  extensions?: string;
}

interface Waiter {
  readonly done: (events: readonly ServerEvent[]) => boolean;
  readonly resolve: () => void;
}

/**
 * A WebSocket client with no protocol smarts of its own: it upgrades, writes exactly the bytes
 * it is given, and records what the server sends as a list of events. It never answers pings
 * or close frames by itself, so the cases decide every byte the server sees.
 */
export class RawClient {
  readonly events: ServerEvent[] = [];
  private readonly reader: ServerFrameReader;
  private readonly waiters = new Set<Waiter>();
  private tcpClosed = false;

  private constructor(
    private readonly socket: Socket,
    /** The 101's Sec-WebSocket-Extensions (undefined: none selected). */
    readonly extensions: string | undefined,
    /** What that header agreed to, when it selected permessage-deflate. */
    readonly deflate: NegotiatedDeflate | undefined,
  ) {
    this.reader = new ServerFrameReader((event) => this.record(event), deflate && new ServerDecompressor(deflate));
  }

  static connect(options: RawClientOptions): Promise<RawClient> {
    const host = options.host ?? '127.0.0.1';
    const timeoutMs = options.handshakeTimeoutMs ?? 2000;
    const key = randomBytes(16).toString('base64');
    const expectedAccept = createHash('sha1')
      .update(key + WEBSOCKET_GUID)
      .digest('base64');

    return new Promise((resolve, reject) => {
      const socket = connect({ port: options.port, host });
      socket.setNoDelay(true);
      let head = Buffer.alloc(0);
      const timer = setTimeout(
        () => fail(`no 101 response within ${timeoutMs} ms; received ${JSON.stringify(head.toString('latin1'))}`),
        timeoutMs,
      );
      const fail = (message: string) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(`WebSocket upgrade to ${host}:${options.port}${options.path} failed: ${message}`));
      };
      const onError = (error: Error) => fail(error.message);
      const onClose = () => fail(`connection closed; received ${JSON.stringify(head.toString('latin1'))}`);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > MAX_RESPONSE_HEAD) fail('response head too large');
          return;
        }
        const checked = checkUpgradeResponse(
          head.subarray(0, end).toString('latin1'),
          expectedAccept,
          options.extensions,
        );
        if (typeof checked === 'string') return fail(checked);
        clearTimeout(timer);
        socket.off('data', onData).off('error', onError).off('close', onClose);
        const client = new RawClient(socket, checked.extensions, checked.deflate);
        client.attach();
        resolve(client);
        const rest = head.subarray(end + 4);
        if (rest.length > 0) client.reader.push(rest);
      };
      socket.on('connect', () => {
        socket.write(
          `GET ${options.path} HTTP/1.1\r\n` +
            `Host: ${host}:${options.port}\r\n` +
            'Upgrade: websocket\r\n' +
            'Connection: Upgrade\r\n' +
            `Sec-WebSocket-Key: ${key}\r\n` +
            (options.extensions === undefined ? '' : `Sec-WebSocket-Extensions: ${options.extensions}\r\n`) +
            'Sec-WebSocket-Version: 13\r\n\r\n',
        );
      });
      socket.on('data', onData).on('error', onError).on('close', onClose);
    });
  }

  /** True once the server sent its close frame or the TCP connection ended. */
  get closing(): boolean {
    return this.tcpClosed || this.events.some((e) => e.type === 'close' || e.type === 'violation');
  }

  /**
   * Writes `bytes` split as `chunking` says, one write per piece with a turn of the event loop
   * between pieces. Stops early once the server has closed: what follows could never be read.
   */
  async send(bytes: Buffer, chunking: Chunking = WHOLE): Promise<void> {
    for (const piece of split(bytes, chunking)) {
      if (this.closing || this.socket.destroyed) return;
      await new Promise<void>((resolve) => this.socket.write(piece, () => resolve()));
      if (chunking.kind !== 'whole') await nextTurn();
    }
  }

  /** Resolves when `done(events)` holds; rejects after `timeoutMs` naming `what` and what arrived. */
  waitFor(what: string, done: (events: readonly ServerEvent[]) => boolean, timeoutMs: number): Promise<void> {
    if (done(this.events)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        done,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`waited ${timeoutMs} ms for ${what}; received ${describeEvents(this.events)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private attach(): void {
    this.socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
    this.socket.on('end', () => this.markTcpClosed(false));
    // A reset is how a server that drops the connection with our bytes unread looks from here.
    this.socket.on('error', () => this.markTcpClosed(true));
    this.socket.on('close', () => this.markTcpClosed(false));
  }

  private markTcpClosed(reset: boolean): void {
    if (this.tcpClosed) return;
    this.tcpClosed = true;
    this.record({ type: 'tcp-close', reset });
  }

  private record(event: ServerEvent): void {
    this.events.push(event);
    for (const waiter of this.waiters) {
      if (waiter.done(this.events)) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}

interface AcceptedUpgrade {
  extensions: string | undefined;
  deflate: NegotiatedDeflate | undefined;
}

/** Returns what is wrong with the 101 response head, or what it agreed to when it is valid. */
function checkUpgradeResponse(
  head: string,
  expectedAccept: string,
  offer: string | undefined,
): string | AcceptedUpgrade {
  const [statusLine, ...lines] = head.split('\r\n');
  if (!/^HTTP\/1\.1 101\b/.test(statusLine)) return `expected status 101, got ${JSON.stringify(head)}`;
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (headers.get('upgrade')?.toLowerCase() !== 'websocket') return `Upgrade header is ${headers.get('upgrade')}`;
  const connection = (headers.get('connection') ?? '')
    .toLowerCase()
    .split(',')
    .map((t) => t.trim());
  if (!connection.includes('upgrade')) return `Connection header is ${headers.get('connection')}`;
  if (headers.get('sec-websocket-accept') !== expectedAccept) {
    return `Sec-WebSocket-Accept is ${headers.get('sec-websocket-accept')}, expected ${expectedAccept}`;
  }
  if (headers.has('sec-websocket-protocol')) return 'server selected a subprotocol the client did not offer';
  const extensions = headers.get('sec-websocket-extensions');
  if (extensions === undefined) return { extensions, deflate: undefined };
  if (offer === undefined) return 'server selected an extension the client did not offer';
  const deflate = parseDeflateResponse(extensions);
  if (typeof deflate === 'string') return `Sec-WebSocket-Extensions ${JSON.stringify(extensions)}: ${deflate}`;
  // RFC 7692 7.1.2.2: only an offer with client_max_window_bits allows it in the response.
  if (extensions.includes('client_max_window_bits') && !offer.includes('client_max_window_bits')) {
    return `Sec-WebSocket-Extensions ${JSON.stringify(extensions)} limits a client window that was not offered`;
  }
  return { extensions, deflate };
}
