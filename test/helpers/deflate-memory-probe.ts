/**
 * Memory per connection with permessage-deflate off, on (the defaults) and with context
 * takeover, measured in a server process of its own (the clients run in this one).
 *
 *   npx tsc -p tsconfig.json --outDir dist/probe     (dist/ is git-ignored)
 *   node dist/probe/test/helpers/deflate-memory-probe.js [connections] [off|on|takeover ...]
 *
 * Each client upgrades (offering what a browser offers), sends one ~2 KB chat-like message
 * (compressed when the extension was agreed) and waits for its echo, so every connection has
 * been through inflate and deflate once. The server then collects garbage and reports its
 * RSS, V8 heap and external memory (zlib's allocations are counted there); the probe prints
 * the difference from the idle server, divided by the number of connections.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { constants, deflateRawSync } from 'node:zlib';
import { WebSocketServer, type PerMessageDeflateOptions, type WebSocketConnection } from '../../src/websocket/index.js';

type Mode = 'off' | 'on' | 'takeover';
const MODES: Record<Mode, boolean | PerMessageDeflateOptions> = {
  off: false,
  on: true,
  takeover: { serverNoContextTakeover: false, clientNoContextTakeover: false },
};
const BATCH = 500;
const OFFER = 'permessage-deflate; client_max_window_bits';
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

interface Usage {
  rss: number;
  heapUsed: number;
  external: number;
  clients: number;
}

type ToServer = { type: 'measure' };
type FromServer = { type: 'listening'; port: number } | { type: 'usage'; usage: Usage };

// ---- the server process -------------------------------------------------------------------

async function runServer(mode: Mode): Promise<void> {
  const http = createServer();
  // Heartbeats off: the probe measures what a connection holds, not the ping traffic.
  const wss = new WebSocketServer({ perMessageDeflate: MODES[mode], heartbeatMs: 0 });
  http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head));
  wss.on('connection', (conn: WebSocketConnection) => {
    conn.on('message', (data: Buffer, isBinary: boolean) => conn.send(data, { binary: isBinary }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', 4096, resolve));
  const send = (message: FromServer) => process.send!(message);
  process.on('message', (message: ToServer) => {
    if (message.type !== 'measure') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const { rss, heapUsed, external } = process.memoryUsage();
    send({ type: 'usage', usage: { rss, heapUsed, external, clients: wss.clients.size } });
  });
  send({ type: 'listening', port: (http.address() as AddressInfo).port });
}

// ---- the clients (this process) ------------------------------------------------------------

function chatMessage(i: number): Buffer {
  const lines: string[] = [];
  for (let n = 0; n < 16; n++)
    lines.push(`{"event":"message","data":{"room":"lobby","from":"guest-${(i + n) % 97}","text":"line ${n}"}}`);
  return Buffer.from(lines.join('\n'));
}

function maskedFrame(payload: Buffer, rsv1: boolean): Buffer {
  const key = randomBytes(4);
  const header = payload.length < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(header + 4 + payload.length);
  frame[0] = 0x81 | (rsv1 ? 0x40 : 0);
  if (header === 2) frame[1] = 0x80 | payload.length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(payload.length, 2);
  }
  key.copy(frame, header);
  for (let i = 0; i < payload.length; i++) frame[header + 4 + i] = payload[i] ^ key[i & 3];
  return frame;
}

/** Upgrades, sends one message, resolves once the echo arrived; the socket stays open. */
function client(port: number, i: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    const socket = connect(port, '127.0.0.1');
    let head = Buffer.alloc(0);
    let upgraded = false;
    const timer = setTimeout(() => reject(new Error(`client ${i}: no echo within 20 s`)), 20_000);
    socket.on('error', reject);
    socket.on('connect', () =>
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: ${OFFER}\r\n\r\n`,
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) {
        clearTimeout(timer);
        socket.removeAllListeners('data');
        resolve(socket);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const response = head.subarray(0, end).toString('latin1');
      if (!response.includes(accept)) return reject(new Error(`client ${i}: bad upgrade response ${response}`));
      upgraded = true;
      const compressed = /permessage-deflate/i.test(response);
      const message = chatMessage(i);
      const payload = compressed
        ? deflateRawSync(message, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4)
        : message;
      socket.write(maskedFrame(payload, compressed));
      if (head.length > end + 4) socket.emit('data', Buffer.alloc(0));
    });
  });
}

function ask(server: ChildProcess): Promise<Usage> {
  return new Promise((resolve) => {
    const onMessage = (message: FromServer) => {
      if (message.type !== 'usage') return;
      server.off('message', onMessage);
      resolve(message.usage);
    };
    server.on('message', onMessage);
    server.send({ type: 'measure' } satisfies ToServer);
  });
}

async function probe(mode: Mode, connections: number): Promise<void> {
  const server = fork(fileURLToPath(import.meta.url), ['server', mode], { execArgv: ['--expose-gc'] });
  const port = await new Promise<number>((resolve) =>
    server.on('message', (message: FromServer) => message.type === 'listening' && resolve(message.port)),
  );
  const idle = await ask(server);
  const sockets: Socket[] = [];
  for (let start = 0; start < connections; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, connections - start) }, (_, n) => client(port, start + n));
    sockets.push(...(await Promise.all(batch)));
  }
  const loaded = await ask(server);
  const per = (key: keyof Usage) => ((loaded[key] - idle[key]) / connections / 1024).toFixed(1);
  console.log(
    `${mode.padEnd(8)} ${String(loaded.clients).padStart(6)} connections: ` +
      `rss +${per('rss')} KiB, heap +${per('heapUsed')} KiB, external +${per('external')} KiB per connection ` +
      `(server rss ${(loaded.rss / 1048576).toFixed(0)} MiB)`,
  );
  for (const socket of sockets) socket.destroy();
  server.kill();
}

async function main(): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  if (first === 'server') return runServer(rest[0] as Mode);
  const connections = Number(first ?? 10_000);
  const modes = (rest.length > 0 ? rest : ['off', 'on', 'takeover']) as Mode[];
  for (const mode of modes) {
    if (!(mode in MODES)) throw new Error(`unknown mode ${mode}: use off, on or takeover`);
    await probe(mode, connections);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
