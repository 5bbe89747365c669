import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import fc from 'fast-check';
import { isValidCloseCode } from '../../src/websocket/close-codes.js';
import type { WebSocketError } from '../../src/websocket/errors.js';
import { FrameParser, type FrameSink } from '../../src/websocket/frame-parser.js';
import { WebSocketConnection } from '../../src/websocket/index.js';

/**
 * Mutation-based fuzzing of the frame parser and of a connection: streams of plausible
 * client frames (valid messages, fragments, control frames, a few deliberate violations),
 * damaged by random mutations, fed in random chunks. Shared by the Jest suite (small runs)
 * and scripts/fuzz.ts (a million frames and more).
 */

export const MAX_PAYLOAD = 4096;

/** What the properties saw, for the fuzz script's report. */
export class FrameFuzzCounts {
  runs = 0;
  frames = 0;
  bytes = 0;
  chunks = 0;
  messages = 0;
  controlFrames = 0;
  closes = 0;
  /** Protocol errors by the close code they map to. */
  readonly errors = new Map<number, number>();
  /** Streams the parser consumed without reaching an end (waiting for more bytes). */
  unfinished = 0;

  add(other: FrameFuzzCounts): void {
    this.runs += other.runs;
    this.frames += other.frames;
    this.bytes += other.bytes;
    this.chunks += other.chunks;
    this.messages += other.messages;
    this.controlFrames += other.controlFrames;
    this.closes += other.closes;
    this.unfinished += other.unfinished;
    for (const [code, count] of other.errors) this.errors.set(code, (this.errors.get(code) ?? 0) + count);
  }
}

// ---------------------------------------------------------------------------------------
// Frames

interface FrameSpec {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  key: number;
  /** 'minimal', or a forced (possibly non-minimal) length form. */
  lengthForm: 'minimal' | 7 | 16 | 64;
  payload: Uint8Array;
}

function encode(spec: FrameSpec): Buffer {
  const length = spec.payload.length;
  let form = spec.lengthForm === 'minimal' ? (length < 126 ? 7 : length < 65536 ? 16 : 64) : spec.lengthForm;
  if (form === 7 && length > 125) form = 16;
  if (form === 16 && length > 65535) form = 64;
  const headerLength = form === 7 ? 2 : form === 16 ? 4 : 10;
  const out = Buffer.alloc(headerLength + (spec.masked ? 4 : 0) + length);
  out[0] = (spec.fin ? 0x80 : 0) | ((spec.rsv & 7) << 4) | (spec.opcode & 0x0f);
  const maskBit = spec.masked ? 0x80 : 0;
  if (form === 7) out[1] = maskBit | length;
  else if (form === 16) {
    out[1] = maskBit | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = maskBit | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  let offset = headerLength;
  if (spec.masked) {
    out.writeUInt32BE(spec.key >>> 0, offset);
    offset += 4;
    for (let i = 0; i < length; i++) out[offset + i] = spec.payload[i] ^ out[headerLength + (i & 3)];
  } else {
    out.set(spec.payload, offset);
  }
  return out;
}

const key = fc.integer({ min: 0, max: 0xffffffff });
const lengthForm = fc.constantFrom<FrameSpec['lengthForm']>('minimal', 'minimal', 'minimal', 7, 16, 64);
/** Mostly valid UTF-8 text, sometimes arbitrary bytes (invalid UTF-8 -> 1007). */
const textBytes = fc.oneof(
  {
    arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map((text) => new Uint8Array(Buffer.from(text))),
    weight: 4,
  },
  { arbitrary: fc.uint8Array({ maxLength: 40 }), weight: 1 },
);
const payload = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 12 },
  { arbitrary: fc.uint8Array({ minLength: MAX_PAYLOAD - 8, maxLength: MAX_PAYLOAD + 8 }), weight: 1 },
);

function frame(
  partial: Partial<FrameSpec> & Pick<FrameSpec, 'opcode' | 'payload'>,
  masking: { key: number; form: FrameSpec['lengthForm'] },
): FrameSpec {
  return { fin: true, rsv: 0, masked: true, key: masking.key, lengthForm: masking.form, ...partial };
}

/** One logical unit of a client stream: a (possibly fragmented) message or a control frame. */
const unit: fc.Arbitrary<FrameSpec[]> = fc.oneof(
  // A data message, cut into fragments.
  {
    weight: 6,
    arbitrary: fc
      .record({
        binary: fc.boolean(),
        text: textBytes,
        data: payload,
        cuts: fc.array(fc.nat(), { maxLength: 3 }),
        key,
        form: lengthForm,
      })
      .map(({ binary, text, data, cuts, key: k, form }) => {
        const bytes = binary ? data : text;
        const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const bounds = [0, ...points, bytes.length];
        const frames: FrameSpec[] = [];
        for (let i = 0; i + 1 < bounds.length; i++) {
          frames.push(
            frame(
              {
                opcode: i === 0 ? (binary ? 0x2 : 0x1) : 0x0,
                fin: i + 2 === bounds.length,
                payload: bytes.subarray(bounds[i], bounds[i + 1]),
              },
              { key: k, form },
            ),
          );
        }
        return frames;
      }),
  },
  // Ping or pong.
  {
    weight: 2,
    arbitrary: fc
      .record({ opcode: fc.constantFrom(0x9, 0xa), data: fc.uint8Array({ maxLength: 125 }), key, form: lengthForm })
      .map(({ opcode, data, key: k, form }) => [frame({ opcode, payload: data }, { key: k, form })]),
  },
  // A close frame: valid, or with any code, or with a 1-byte payload.
  {
    weight: 1,
    arbitrary: fc
      .record({
        code: fc.oneof(fc.constantFrom(1000, 1001, 1003, 1011, 3000, 4999), fc.integer({ min: 0, max: 0xffff })),
        reason: fc.string({ unit: 'binary', maxLength: 30 }),
        shape: fc.constantFrom('normal', 'empty', 'one-byte'),
        key,
      })
      .map(({ code, reason, shape, key: k }) => {
        let body: Buffer;
        if (shape === 'empty') body = Buffer.alloc(0);
        else if (shape === 'one-byte') body = Buffer.from([code & 0xff]);
        else {
          body = Buffer.alloc(2 + Buffer.byteLength(reason));
          body.writeUInt16BE(code, 0);
          body.write(reason, 2);
        }
        return [frame({ opcode: 0x8, payload: new Uint8Array(body.subarray(0, 125)) }, { key: k, form: 'minimal' })];
      }),
  },
  // A frame that breaks a rule: reserved opcode or bits, unmasked, oversized or fragmented control.
  {
    weight: 1,
    arbitrary: fc
      .record({
        opcode: fc.integer({ min: 0, max: 15 }),
        fin: fc.boolean(),
        rsv: fc.integer({ min: 0, max: 7 }),
        masked: fc.boolean(),
        data: fc.uint8Array({ maxLength: 140 }),
        key,
        form: lengthForm,
      })
      .map(({ opcode, fin, rsv, masked, data, key: k, form }) => [
        { opcode, fin, rsv, masked, key: k, lengthForm: form, payload: data },
      ]),
  },
);

// ---------------------------------------------------------------------------------------
// Mutations

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'huge-length'; at: number; value: bigint };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 24 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('huge-length' as const),
    at: fc.nat(),
    value: fc.oneof(
      fc.constantFrom(2n ** 63n, 2n ** 53n, 2n ** 32n, 65536n),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    ),
  }),
);

function mutate(input: Buffer, mutations: readonly Mutation[]): Buffer {
  let bytes = input;
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = m.at % bytes.length;
    switch (m.kind) {
      case 'flip':
        bytes = Buffer.from(bytes);
        bytes[at] ^= 1 << m.bit;
        break;
      case 'set':
        bytes = Buffer.from(bytes);
        bytes[at] = m.value;
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
        break;
      case 'duplicate':
        bytes = Buffer.concat([bytes.subarray(0, at + m.length), bytes.subarray(at)]);
        break;
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'huge-length': {
        // Overwrites a header with a 64-bit length: the classic resource-exhaustion attempt.
        const header = Buffer.alloc(10);
        header[0] = bytes[at];
        header[1] = (bytes[at + 1] ?? 0x80) | 127;
        header.writeBigUInt64BE(m.value, 2);
        bytes = Buffer.concat([bytes.subarray(0, at), header, bytes.subarray(at + 2)]);
        break;
      }
    }
  }
  return bytes;
}

/** A client stream: frames, their encoding, the mutations and two chunkings. */
export const fuzzedStream = fc.record({
  units: fc.array(unit, { minLength: 1, maxLength: 12 }),
  mutations: fc.oneof(
    { arbitrary: fc.constant([] as Mutation[]), weight: 1 },
    { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }), weight: 4 },
  ),
  sizesA: fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 12 }),
  sizesB: fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 6 }),
});

export type FuzzedStream = typeof fuzzedStream extends fc.Arbitrary<infer T> ? T : never;

export function streamBytes(stream: FuzzedStream): { bytes: Buffer; frames: number } {
  const specs = stream.units.flat();
  return { bytes: mutate(Buffer.concat(specs.map(encode)), stream.mutations), frames: specs.length };
}

export function chunk(bytes: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    // A fresh copy: the parser unmasks in place and owns what it is given.
    out.push(Buffer.from(bytes.subarray(at, at + size)));
    at += size;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Parser property

type Outcome = string;

const recording: FrameSink<Outcome[]> = {
  onMessage(events, data, isBinary) {
    assert.ok(data.length <= MAX_PAYLOAD, `a ${data.length}-byte message passed maxPayload ${MAX_PAYLOAD}`);
    if (!isBinary)
      assert.ok(Buffer.from(data.toString('utf8')).equals(data), 'a text message with invalid UTF-8 was delivered');
    events.push(`message ${isBinary ? 'binary' : 'text'} ${data.toString('hex')}`);
  },
  onPing(events, data) {
    assert.ok(data.length <= 125, 'a ping over 125 bytes was delivered');
    events.push(`ping ${data.toString('hex')}`);
  },
  onPong(events, data) {
    assert.ok(data.length <= 125, 'a pong over 125 bytes was delivered');
    events.push(`pong ${data.toString('hex')}`);
  },
  onClose(events, code, reason) {
    assert.ok(code === 1005 || isValidCloseCode(code), `close frame with invalid code ${code} accepted`);
    assert.ok(Buffer.from(reason.toString('utf8')).equals(reason), 'a close reason with invalid UTF-8 was accepted');
    events.push(`close ${code}`);
  },
  onProtocolError(events, error: WebSocketError) {
    assert.ok([1002, 1007, 1009].includes(error.closeCode), `protocol error ${error.code} maps to ${error.closeCode}`);
    events.push(`error ${error.closeCode} ${error.code}`);
  },
};

function parseIn(bytes: Buffer, sizes: readonly number[]): { events: Outcome[]; chunks: number; stopped: boolean } {
  const events: Outcome[] = [];
  const parser = new FrameParser(recording, events, { maxPayload: MAX_PAYLOAD });
  const chunks = chunk(bytes, sizes);
  for (const piece of chunks) parser.push(piece);
  return { events, chunks: chunks.length, stopped: parser.stopped };
}

/**
 * The parser never throws; every outcome is a message (within maxPayload, valid UTF-8 for
 * text), a control frame, a close with a valid code or a protocol error mapped to 1002,
 * 1007 or 1009; nothing follows a close or an error; and the outcome does not depend on how
 * the bytes were chunked.
 */
export function checkParser(stream: FuzzedStream, counts: FrameFuzzCounts): void {
  const { bytes, frames } = streamBytes(stream);
  const a = parseIn(bytes, stream.sizesA);
  const b = parseIn(bytes, stream.sizesB);
  assert.deepEqual(b.events, a.events, 'the outcome depends on the chunking');
  for (let i = 0; i < a.events.length; i++) {
    const event = a.events[i];
    const terminal = event.startsWith('close') || event.startsWith('error');
    if (terminal) assert.equal(i, a.events.length - 1, `"${event}" is followed by more events`);
  }
  counts.runs++;
  counts.frames += frames;
  counts.bytes += bytes.length;
  counts.chunks += a.chunks + b.chunks;
  for (const event of a.events) {
    if (event.startsWith('message')) counts.messages++;
    else if (event.startsWith('ping') || event.startsWith('pong')) counts.controlFrames++;
    else if (event.startsWith('close')) counts.closes++;
    else {
      const code = Number(event.split(' ')[1]);
      counts.errors.set(code, (counts.errors.get(code) ?? 0) + 1);
    }
  }
  if (!a.stopped) counts.unfinished++;
}

// ---------------------------------------------------------------------------------------
// Connection property

/** An in-memory socket: what the connection writes is kept; input is pushed by the test. */
class MemorySocket extends Duplex {
  readonly written: Buffer[] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.written.push(Buffer.from(chunk));
    callback();
  }
  override _final(callback: (error?: Error | null) => void): void {
    callback();
  }
}

/** Unmasked frames the server wrote; asserts they are well-formed. */
function serverFrames(bytes: Buffer): Array<{ opcode: number; payload: Buffer }> {
  const frames: Array<{ opcode: number; payload: Buffer }> = [];
  let at = 0;
  while (at < bytes.length) {
    assert.ok(at + 2 <= bytes.length, 'the server wrote half a frame header');
    assert.equal(bytes[at + 1] & 0x80, 0, 'the server masked a frame');
    let length = bytes[at + 1] & 0x7f;
    let header = 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at + 2));
      header = 10;
    }
    assert.ok(at + header + length <= bytes.length, 'the server wrote a truncated frame');
    frames.push({ opcode: bytes[at] & 0x0f, payload: bytes.subarray(at + header, at + header + length) });
    at += header + length;
  }
  return frames;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A connection fed the same streams never throws, writes well-formed unmasked frames, at
 * most one close frame (last, with a code a server may send), and reports one 'close'.
 */
export async function checkConnection(stream: FuzzedStream, counts: FrameFuzzCounts): Promise<void> {
  const { bytes, frames } = streamBytes(stream);
  const socket = new MemorySocket();
  const connection = new WebSocketConnection(socket, undefined, {
    maxPayload: MAX_PAYLOAD,
    closeTimeoutMs: 10,
    sendBufferLimit: 0,
  });
  const closes: number[] = [];
  connection.on('close', (code: number) => closes.push(code));
  connection.on('message', (data: Buffer, isBinary: boolean) => connection.send(data, { binary: isBinary }));
  const pieces = chunk(bytes, stream.sizesA);
  for (const [index, piece] of pieces.entries()) {
    socket.push(piece);
    // Let the stream deliver it ('data' flows on the next ticks), now and then mid-stream.
    if (index % 3 === 0) await turn();
  }
  await turn();
  const written = serverFrames(Buffer.concat(socket.written));
  const closeFrames = written.filter((f) => f.opcode === 0x8);
  assert.ok(closeFrames.length <= 1, 'more than one close frame written');
  if (closeFrames.length === 1) {
    assert.equal(written[written.length - 1].opcode, 0x8, 'a frame written after the close frame');
    const payload = closeFrames[0].payload;
    assert.ok(
      payload.length === 0 || (payload.length >= 2 && isValidCloseCode(payload.readUInt16BE(0))),
      'an invalid close code was sent',
    );
  }
  for (const f of written) assert.ok([0x1, 0x2, 0x8, 0xa].includes(f.opcode), `the server wrote opcode ${f.opcode}`);
  connection.terminate();
  await turn();
  assert.equal(closes.length, 1, `'close' was emitted ${closes.length} times`);
  counts.runs++;
  counts.frames += frames;
  counts.bytes += bytes.length;
  counts.chunks += pieces.length;
  counts.closes += closeFrames.length;
}
