import { connect, type Socket } from 'node:net';
import type { Endpoint } from '../messages.js';
import type { UpgradeRequest } from './client-frames.js';

/**
 * Client connections of the load generator. Sockets read into one buffer shared by the whole
 * process (net's `onread` option): no Buffer per read and no stream machinery, and pausing a
 * socket really stops reading from the kernel. A consumer must therefore finish with a chunk
 * before returning, and copy what it keeps.
 */

/** Consumes one chunk (a view of the shared read buffer); returning false pauses the socket. */
export type ChunkHandler = (chunk: Buffer) => boolean | void;

export interface OpenedWebSocket {
  socket: Socket;
  /** Bytes that arrived after the 101 response (the first frames, if any); a copy. */
  rest: Buffer;
  /** The 101 response's Sec-WebSocket-Extensions ('' without one). */
  extensions: string;
}

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const kHandler = Symbol('bench.chunkHandler');
type BenchSocket = Socket & { [kHandler]?: ChunkHandler };

function onRead(this: BenchSocket, bytes: number, buffer: Buffer): boolean {
  const handler = this[kHandler];
  return handler === undefined || handler(buffer.subarray(0, bytes)) !== false;
}

/** Routes the socket's incoming bytes to `handler` from now on (and resumes reading). */
export function consume(socket: Socket, handler: ChunkHandler): void {
  (socket as BenchSocket)[kHandler] = handler;
  socket.resume();
}

const dropChunk: ChunkHandler = () => true;

/** Reads and discards whatever the server sends. */
export function discardIncoming(socket: Socket): void {
  consume(socket, dropChunk);
}

const HEADER_END = Buffer.from('\r\n\r\n');
/** Responses larger than this are not a 101 we can use. */
const MAX_RESPONSE = 16 * 1024;

/**
 * Checks an HTTP response head: status 101 and the expected Sec-WebSocket-Accept. Returns an
 * error message, or undefined when the upgrade succeeded.
 */
export function checkUpgradeResponse(head: string, accept: string): string | undefined {
  const statusEnd = head.indexOf('\r\n');
  const statusLine = statusEnd === -1 ? head : head.slice(0, statusEnd);
  if (!statusLine.startsWith('HTTP/1.1 101 ')) return `expected 101, got "${statusLine}"`;
  const value = responseHeader(head, 'sec-websocket-accept');
  if (value === undefined) return 'no Sec-WebSocket-Accept in the 101 response';
  return value === accept ? undefined : 'wrong Sec-WebSocket-Accept';
}

/** The value of the first header `name` (lower case) of a response head, trimmed. */
export function responseHeader(head: string, name: string): string | undefined {
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon !== -1 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/**
 * Opens a TCP connection from `localAddress` and performs the opening handshake. The socket is
 * handed over paused, with no listeners; call consume() to read from it.
 */
export function openWebSocket(
  endpoint: Endpoint,
  localAddress: string | undefined,
  request: UpgradeRequest,
  timeoutMs: number,
): Promise<OpenedWebSocket> {
  return new Promise((resolve, reject) => {
    const socket: BenchSocket = connect({
      host: endpoint.host,
      port: endpoint.port,
      localAddress,
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: onRead },
    });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => fail(`no 101 response within ${timeoutMs} ms`), timeoutMs);

    function cleanup(): void {
      clearTimeout(timer);
      socket[kHandler] = undefined;
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      socket.removeListener('connect', onConnect);
    }
    function fail(message: string): void {
      cleanup();
      socket.destroy();
      reject(new Error(message));
    }
    function onConnect(): void {
      socket.write(request.bytes);
    }
    function onError(error: Error): void {
      fail(`${(error as NodeJS.ErrnoException).code ?? error.message} during the handshake`);
    }
    function onClose(): void {
      fail('connection closed during the handshake');
    }
    function onHandshakeBytes(chunk: Buffer): boolean {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(HEADER_END);
      if (end === -1) {
        if (received.length > MAX_RESPONSE) fail('response headers too large');
        return true;
      }
      const head = received.toString('latin1', 0, end);
      const problem = checkUpgradeResponse(head, request.accept);
      if (problem !== undefined) {
        fail(problem);
        return false;
      }
      cleanup();
      resolve({
        socket,
        rest: received.subarray(end + HEADER_END.length),
        extensions: responseHeader(head, 'sec-websocket-extensions') ?? '',
      });
      return false;
    }

    socket[kHandler] = onHandshakeBytes;
    socket.on('connect', onConnect);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

/**
 * Opens `count` WebSockets with at most `concurrency` handshakes in flight; every socket goes
 * to `onOpen` as soon as it is ready. Rejects on the first failure.
 */
export async function openMany(
  count: number,
  concurrency: number,
  open: () => Promise<OpenedWebSocket>,
  onOpen: (opened: OpenedWebSocket, index: number) => void,
): Promise<void> {
  let next = 0;
  async function lane(): Promise<void> {
    while (next < count) {
      const index = next++;
      onOpen(await open(), index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}
