import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import * as wsModule from 'ws';
import { Opcode } from '../../src/websocket/constants.js';
import { FrameParser, type FrameSink } from '../../src/websocket/frame-parser.js';
import { encodeTextFrame, writeFrame, type FrameDestination } from '../../src/websocket/frame-writer.js';
import { applyMask } from '../../src/websocket/mask.js';
import { UTF8_ACCEPT, utf8Step } from '../../src/websocket/utf8.js';
import { maskedFrame, repeatFrame } from '../load/client-frames.js';
import type { MicroRow } from '../report/results.js';

/**
 * Microbenchmarks of the protocol hot paths in MB/s of payload, by message size: the frame
 * parser (with `ws`'s Receiver as reference), the frame writer (with `ws`'s Sender.frame),
 * unmasking and UTF-8 validation. Every task handles about 64 KiB per call (many small
 * messages, or one large one) so timer overhead stays negligible.
 *
 *   node bench/.build/bench/micro/micro.js [--time MS] [--json]
 */
export const MICRO_SIZES = [16, 125, 1024, 16 * 1024, 64 * 1024, 1024 * 1024];
const BATCH_BYTES = 64 * 1024;
/**
 * Parsers unmask in place, so a chunk pushed again is unmasked again (toggled). A key of 7-bit
 * bytes keeps ASCII text ASCII either way, so the same text chunk stays valid UTF-8 on every
 * push. (Not a zero key: `ws` skips unmasking for one, real clients never send one.)
 */
const ASCII_KEY = Buffer.from([0x25, 0x3a, 0x11, 0x6c]);

/** `ws` exports its Receiver and Sender, but @types/ws does not declare them. */
interface WsInternals {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => {
    write(chunk: Buffer): boolean;
    on(event: string, listener: (...args: never[]) => void): void;
  };
  Sender: { frame(data: Buffer, options: object): Buffer[] };
}
const { Receiver, Sender } = wsModule as unknown as WsInternals;

interface Task {
  group: string;
  name: string;
  size: number;
  bytesPerCall: number;
  fn: () => void;
}

function textPayload(size: number, multibyte: boolean): Buffer {
  const unit = multibyte ? 'héllo wörld ✓ 😀 ' : 'hello world, plain ascii text ';
  let text = '';
  while (Buffer.byteLength(text) < size) text += unit;
  let bytes = Buffer.from(text);
  // Cut back to a character boundary at or below `size`.
  let end = size;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  bytes = bytes.subarray(0, end);
  return Buffer.concat([bytes, Buffer.alloc(size - end, 0x20)]);
}

function countPerCall(size: number): number {
  return Math.max(1, Math.floor(BATCH_BYTES / size));
}

const noopSink: FrameSink<null> = {
  onMessage() {},
  onPing() {},
  onPong() {},
  onClose() {},
  onProtocolError(_owner, error) {
    throw error;
  },
};

const nullDestination: FrameDestination = {
  write: () => true,
  cork() {},
  uncork() {},
};

function tasksFor(size: number): Task[] {
  const count = countPerCall(size);
  const bytesPerCall = count * size;
  const binary = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) binary[i] = (i * 31) & 0xff;
  const ascii = textPayload(size, false);
  const mixed = textPayload(size, true);
  const binaryChunk = repeatFrame(maskedFrame(Opcode.BINARY, binary, ASCII_KEY), count);
  const textChunk = repeatFrame(maskedFrame(Opcode.TEXT, ascii, ASCII_KEY), count);

  const parser = new FrameParser(noopSink, null, { maxPayload: 0 });
  const textParser = new FrameParser(noopSink, null, { maxPayload: 0 });
  const receiver = new Receiver({ isServer: true, maxPayload: 0 });
  receiver.on('message', () => {});
  receiver.on('error', (error: Error) => {
    throw error;
  });
  const asciiString = ascii.toString();
  const wsFrameOptions = { fin: true, rsv1: false, opcode: Opcode.BINARY, mask: false, readOnly: true } as const;
  const maskTarget = Buffer.from(binary);

  return [
    { group: 'parser', name: 'FrameParser, binary', size, bytesPerCall, fn: () => parser.push(binaryChunk) },
    {
      group: 'parser',
      name: 'FrameParser, text (UTF-8 checked)',
      size,
      bytesPerCall,
      fn: () => textParser.push(textChunk),
    },
    {
      group: 'parser',
      name: 'ws Receiver, binary (reference)',
      size,
      bytesPerCall,
      fn: () => void receiver.write(binaryChunk),
    },
    {
      group: 'writer',
      name: 'writeFrame, binary',
      size,
      bytesPerCall,
      fn: () => {
        for (let i = 0; i < count; i++) writeFrame(nullDestination, Opcode.BINARY, binary);
      },
    },
    {
      group: 'writer',
      name: 'encodeTextFrame, string',
      size,
      bytesPerCall,
      fn: () => {
        for (let i = 0; i < count; i++) encodeTextFrame(asciiString);
      },
    },
    {
      group: 'writer',
      name: 'ws Sender.frame, binary (reference)',
      size,
      bytesPerCall,
      fn: () => {
        for (let i = 0; i < count; i++) Sender.frame(binary, wsFrameOptions);
      },
    },
    {
      group: 'mask',
      name: 'applyMask',
      size,
      bytesPerCall,
      fn: () => {
        for (let i = 0; i < count; i++) applyMask(maskTarget, 0x12345678);
      },
    },
    {
      group: 'utf8',
      name: 'utf8Step, ASCII',
      size,
      bytesPerCall,
      fn: () => {
        for (let i = 0; i < count; i++) if (utf8Step(UTF8_ACCEPT, ascii) !== UTF8_ACCEPT) throw new Error('invalid');
      },
    },
    {
      group: 'utf8',
      name: 'utf8Step, multi-byte',
      size,
      bytesPerCall,
      fn: () => {
        for (let i = 0; i < count; i++) if (utf8Step(UTF8_ACCEPT, mixed) !== UTF8_ACCEPT) throw new Error('invalid');
      },
    },
  ];
}

/** Runs every task for `timeMs` each; `onTask` sees each finished row. */
export async function runMicro(timeMs: number, onTask: (row: MicroRow) => void = () => {}): Promise<MicroRow[]> {
  const rows: MicroRow[] = [];
  for (const size of MICRO_SIZES) {
    const tasks = tasksFor(size);
    const bench = new Bench({ time: timeMs, warmupTime: Math.min(timeMs, 100), throws: true });
    for (const task of tasks) bench.add(`${task.name} @${size}`, task.fn);
    await bench.run();
    bench.tasks.forEach((benchTask, i) => {
      const result = benchTask.result;
      if (result.state !== 'completed') throw new Error(`${benchTask.name}: ${result.state}`);
      const seconds = result.latency.mean / 1000;
      const row: MicroRow = {
        group: tasks[i].group,
        name: tasks[i].name,
        size,
        megabytesPerSec: tasks[i].bytesPerCall / seconds / 1e6,
        rme: result.latency.rme,
      };
      rows.push(row);
      onTask(row);
    });
  }
  return rows;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const timeIndex = args.indexOf('--time');
  const timeMs = timeIndex === -1 ? 1000 : Number(args[timeIndex + 1]);
  const json = args.includes('--json');
  const rows = await runMicro(timeMs, (row) => {
    if (!json)
      console.log(
        `${row.group.padEnd(7)} ${row.name.padEnd(38)} ${String(row.size).padStart(8)} B ${row.megabytesPerSec.toFixed(0).padStart(8)} MB/s ±${row.rme.toFixed(1)}%`,
      );
  });
  if (json) process.stdout.write(`${JSON.stringify(rows)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
