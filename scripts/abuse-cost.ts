import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { upgradeRequestText } from '../test/helpers/adapter-raw-http.js';
import { buildApp, startBuiltApp, type RunningProcess } from '../test/helpers/hardening-build.js';
import { valueOf } from '../test/helpers/hardening-metrics-text.js';
import { numberOptions } from './cli-options.js';

const USAGE = `Usage: npm run abuse-cost -- [options]
  Starts the built service (rate limit off, /echo on) and measures the server's CPU per frame
  for valid chat messages and for crafted frames of the same size, and RSS. Prints the ratios.
  --messages N     frames per /chat phase (default 2000)
  --size S         bytes per /chat frame, at most CHAT_MAX_FRAME_BYTES (default 2048)
  --large N        1 MiB messages per /echo phase and 1 MB deep frames on /chat (default 20)
  --in-flight N    connections sending 1-byte fragments at once (default 4)`;

const options = numberOptions({ messages: 2000, size: 2048, large: 20, inFlight: 4 }, USAGE);
const MIB = 1 << 20;
const WAIT_MS = 60_000;

/** The server's CPU seconds and RSS, from /metrics (process.cpuUsage, microsecond resolution). */
interface Usage {
  cpu: number;
  rss: number;
}

class Server {
  /** CPU seconds one /metrics scrape costs the server: subtracted from every phase. */
  scrapeCpu = 0;

  constructor(
    readonly process: RunningProcess,
    readonly httpUrl: string,
    readonly wsUrl: string,
  ) {}

  async usage(): Promise<Usage> {
    const text = await (await fetch(`${this.httpUrl}/metrics`)).text();
    return {
      cpu: valueOf(text, 'process_cpu_seconds_total') ?? Number.NaN,
      rss: valueOf(text, 'process_resident_memory_bytes') ?? Number.NaN,
    };
  }

  async calibrate(): Promise<void> {
    const first = await this.usage();
    const rounds = 20;
    let last = first;
    for (let i = 0; i < rounds; i++) last = await this.usage();
    this.scrapeCpu = (last.cpu - first.cpu) / rounds;
  }

  /** Peak RSS of the server process so far (Linux: VmHWM), bytes. */
  peakRss(): number {
    try {
      const status = readFileSync(`/proc/${this.process.child.pid}/status`, 'utf8');
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      return match === null ? Number.NaN : Number(match[1]) * 1024;
    } catch {
      return Number.NaN;
    }
  }
}

interface PhaseResult {
  name: string;
  frames: number;
  /** Size of each message (uncompressed, all fragments together). */
  messageBytes: number;
  cpuPerFrameMs: number;
  rssAfter: number;
  peakRssGrowth: number;
}

async function phase(
  server: Server,
  name: string,
  frames: number,
  messageBytes: number,
  run: () => Promise<void>,
): Promise<PhaseResult> {
  const peakBefore = server.peakRss();
  const before = await server.usage();
  await run();
  const after = await server.usage();
  const result = {
    name,
    frames,
    messageBytes,
    cpuPerFrameMs: ((after.cpu - before.cpu - server.scrapeCpu) * 1000) / frames,
    rssAfter: after.rss,
    peakRssGrowth: server.peakRss() - peakBefore,
  };
  console.log(
    `${name.padEnd(48)} ${String(frames).padStart(5)} x ${String(messageBytes).padStart(7)} B: ` +
      `${result.cpuPerFrameMs.toFixed(3)} ms CPU each, RSS ${mb(result.rssAfter)} (peak +${mb(Math.max(0, result.peakRssGrowth))})`,
  );
  return result;
}

const mb = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MB`;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function open(url: string, compress: boolean): Promise<WebSocket> {
  const socket = new WebSocket(url, { perMessageDeflate: compress ? { threshold: 0 } : false });
  return within(
    new Promise((resolve, reject) => {
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    }),
    `a connection to ${url}`,
  );
}

/**
 * Sends the frames on one connection, at most `window` awaiting their answer (so the server's
 * send budget never drops this client as a slow consumer); resolves once each was answered.
 */
async function sendAndCount(
  socket: WebSocket,
  frames: readonly (string | Buffer)[],
  answer: (text: string) => boolean,
  window = 32,
): Promise<void> {
  let sent = 0;
  let answered = 0;
  const done = new Promise<void>((resolve) => {
    socket.on('message', (data: Buffer) => {
      if (!answer(data.toString())) return;
      if (++answered === frames.length) resolve();
      else if (sent < frames.length) socket.send(frames[sent++]);
    });
  });
  while (sent < Math.min(window, frames.length)) socket.send(frames[sent++]);
  await within(done, `${frames.length} answers (got ${answered})`);
}

function closeCode(socket: WebSocket): Promise<number> {
  return within(new Promise((resolve) => socket.once('close', (code: number) => resolve(code))), 'the close');
}

/** A `message` frame of exactly `size` bytes. */
function validFrame(size: number, ref: number): string {
  const empty = JSON.stringify({ event: 'message', data: { room: 'cost', text: '', ref } });
  return JSON.stringify({ event: 'message', data: { room: 'cost', text: 'x'.repeat(size - empty.length), ref } });
}

/** A `message` frame of `size` bytes whose text is arrays nested as deep as the size allows. */
function deepFrame(size: number): string {
  const shell = '{"event":"message","data":{"room":"cost","text":}}';
  const depth = Math.floor((size - shell.length) / 2);
  return `{"event":"message","data":{"room":"cost","text":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
}

/** A masked text message of `bytes` 'a's in 1-byte fragments (masking key 0: the bytes as they are). */
function oneByteFragments(bytes: number): Buffer {
  const wire = Buffer.alloc(bytes * 7);
  for (let i = 0; i < bytes; i++) {
    const at = i * 7;
    wire[at] = (i === bytes - 1 ? 0x80 : 0) | (i === 0 ? 0x01 : 0x00);
    wire[at + 1] = 0x81;
    wire[at + 6] = 0x61;
  }
  return wire;
}

/** Sends the wire bytes after a raw upgrade; resolves once the server has closed the connection. */
function rawAttack(port: number, path: string, wire: Buffer): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // the server hangs up while we are still writing
  let head = '';
  const upgraded = (chunk: Buffer): void => {
    head += chunk.toString('latin1');
    if (!head.includes('\r\n\r\n')) return;
    socket.off('data', upgraded);
    if (!head.startsWith('HTTP/1.1 101')) socket.destroy(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
    else socket.write(wire);
  };
  socket.on('data', upgraded);
  socket.once('connect', () => socket.write(upgradeRequestText({ path })));
  return within(new Promise((resolve) => socket.once('close', () => resolve())), 'the server to close the attack');
}

const isAck = (text: string): boolean => text.startsWith('{"event":"ack"');
const isInvalid = (text: string): boolean => text.includes('"code":"invalid_payload"');

async function main(): Promise<void> {
  const { messages, size, large, inFlight } = options;
  console.log('building the service...');
  const build = await buildApp();
  const running = await startBuiltApp(build, {
    CHAT_RATE_LIMIT_PER_SECOND: '0',
    ECHO_ENABLED: 'true',
    LOG_FORMAT: 'json',
  });
  const server = new Server(running, `http://127.0.0.1:${running.port}`, `ws://127.0.0.1:${running.port}`);
  const results: PhaseResult[] = [];
  try {
    await server.calibrate();
    console.log(
      `service on port ${running.port}, Node ${process.version}; a /metrics scrape costs the server ${(1000 * server.scrapeCpu).toFixed(2)} ms (subtracted)`,
    );

    const chat = await open(`${server.wsUrl}/chat`, false);
    await sendAndCount(chat, [JSON.stringify({ event: 'join', data: { room: 'cost' } })], (t) =>
      t.startsWith('{"event":"joined"'),
    );
    const valid = Array.from({ length: messages }, (_, i) => validFrame(size, i));
    results.push(await phase(server, `valid /chat message`, messages, size, () => sendAndCount(chat, valid, isAck)));
    const deep = Array.from({ length: messages }, () => deepFrame(size));
    results.push(
      await phase(server, `deep JSON (${(size / 2) | 0} levels)`, messages, size, () =>
        sendAndCount(chat, deep, isInvalid),
      ),
    );
    chat.close();

    const compressed = await open(`${server.wsUrl}/chat`, true);
    await sendAndCount(compressed, [JSON.stringify({ event: 'join', data: { room: 'cost' } })], (t) =>
      t.startsWith('{"event":"joined"'),
    );
    results.push(
      await phase(server, `deep JSON, permessage-deflate`, messages, size, () =>
        sendAndCount(compressed, deep, isInvalid),
      ),
    );
    compressed.close();

    const cycle = async (): Promise<void> => {
      const socket = await open(`${server.wsUrl}/chat`, true);
      const closed = closeCode(socket);
      socket.close(1000);
      await closed;
    };
    const connectOnly = await phase(server, 'open and close a /chat connection', large, 0, async () => {
      for (let i = 0; i < large; i++) await cycle();
    });
    results.push(connectOnly);
    const huge = deepFrame(MIB);
    results.push(
      await phase(server, '1 MB deep JSON, deflated (1009), incl. connect', large, MIB, async () => {
        for (let i = 0; i < large; i++) {
          const socket = await open(`${server.wsUrl}/chat`, true);
          const closed = closeCode(socket);
          socket.send(huge);
          const code = await closed;
          if (code !== 1009) throw new Error(`expected 1009 for a 1 MB frame on /chat, got ${code}`);
        }
      }),
    );

    const echo = await open(`${server.wsUrl}/echo`, false);
    const payload = 'a'.repeat(MIB);
    results.push(
      await phase(server, '1 MiB message on /echo (echoed)', large, MIB, () =>
        sendAndCount(
          echo,
          Array.from({ length: large }, () => payload),
          (text) => text.length === MIB,
          1,
        ),
      ),
    );
    echo.close();
    const fragments = oneByteFragments(MIB);
    results.push(
      await phase(server, `1 MiB in 1-byte fragments on /echo, ${inFlight} at once`, large, MIB, async () => {
        for (let done = 0; done < large; done += inFlight) {
          const batch = Math.min(inFlight, large - done);
          await Promise.all(Array.from({ length: batch }, () => rawAttack(running.port, '/echo', fragments)));
        }
      }),
    );

    const [validChat, deepChat, deepDeflate, , hugeDeflate, echo1m, fragmented] = results;
    const perConnection = connectOnly.cpuPerFrameMs;
    console.log('\nratios (crafted / valid of the same size):');
    console.log(
      `  deep JSON / valid message:                     ${(deepChat.cpuPerFrameMs / validChat.cpuPerFrameMs).toFixed(2)}`,
    );
    console.log(
      `  deep JSON deflated / valid message:            ${(deepDeflate.cpuPerFrameMs / validChat.cpuPerFrameMs).toFixed(2)}`,
    );
    console.log(
      `  1 MB deep JSON deflated, minus the connection / valid message: ${((hugeDeflate.cpuPerFrameMs - perConnection) / validChat.cpuPerFrameMs).toFixed(2)}`,
    );
    console.log(
      `  1-byte fragments / 1 MiB in one frame:         ${(fragmented.cpuPerFrameMs / echo1m.cpuPerFrameMs).toFixed(2)}`,
    );
  } finally {
    running.child.kill('SIGTERM');
    await running.exited;
    await build.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
