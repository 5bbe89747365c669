import { randomBytes } from 'node:crypto';
import { constants, deflateRawSync, inflateRawSync, type InflateRaw } from 'node:zlib';
import type { WebSocketError } from './errors.js';
import { Deflater, Inflater, type DeflaterSettings } from './zlib-codec.js';

const SYNC = { finishFlush: constants.Z_SYNC_FLUSH };
const DEFAULTS: DeflaterSettings = { windowBits: 15, level: -1, memLevel: 8 };
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

function run<C extends Inflater | Deflater>(
  codec: C,
  start: (codec: C, done: (error: WebSocketError | undefined, result: Buffer) => void) => void,
): Promise<{ error: WebSocketError | undefined; result: Buffer }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the zlib job never finished')), 2000);
    start(codec, (error, result) => {
      clearTimeout(timer);
      resolve({ error, result });
    });
  });
}

const inflate = (inflater: Inflater, payload: Buffer, limit = 0) =>
  run(inflater, (codec, done) => codec.inflate(payload, limit, done));
const deflate = (deflater: Deflater, payload: Buffer) => run(deflater, (codec, done) => codec.deflate(payload, done));

/** What a peer puts on the wire: raw deflate, sync-flushed, without the trailer. */
function peerCompress(data: Buffer, options: { dictionary?: Buffer; windowBits?: number } = {}): Buffer {
  const out = deflateRawSync(data, { ...SYNC, ...options });
  expect(out.subarray(-4)).toEqual(TRAILER);
  return out.subarray(0, -4);
}

/**
 * About 1 KiB per MiB of zeros once inflated: one compressed MiB of zeros, then `mebibytes - 1`
 * copies of a block that repeats the zeros before it (compressed against a window of zeros).
 */
function zeroBomb(mebibytes: number): Buffer {
  const mib = Buffer.alloc(1024 * 1024);
  // Whole sync-flushed pieces (each ends with an empty stored block) concatenate into one
  // stream; only the message's end loses the 00 00 ff ff.
  const first = deflateRawSync(mib, SYNC);
  const repeat = deflateRawSync(mib, { ...SYNC, dictionary: Buffer.alloc(32 * 1024) });
  const stream = Buffer.concat([first, ...Array<Buffer>(mebibytes - 1).fill(repeat)]);
  return stream.subarray(0, -4);
}

/** Text that compresses the way chat traffic does, different for every seed. */
function chatText(length: number, seed = 1): Buffer {
  const words = ['hello', 'room', 'message', 'deploy', 'done', 'lunch', 'build', 'green', 'today', 'ok'];
  let out = '';
  for (let i = 0; out.length < length; i++) out += `${words[(i * 7 + seed) % words.length]} `;
  return Buffer.from(out.slice(0, length));
}

describe('Deflater', () => {
  it('compresses a message into raw deflate without the trailing 00 00 ff ff', async () => {
    const deflater = new Deflater(DEFAULTS);
    const message = chatText(4000);
    const { error, result } = await deflate(deflater, message);
    expect(error).toBeUndefined();
    expect(result.length).toBeLessThan(message.length / 4);
    expect(result.subarray(-4)).not.toEqual(TRAILER);
    expect(inflateRawSync(Buffer.concat([result, TRAILER]), SYNC)).toEqual(message);
    deflater.close();
  });

  it('compresses an empty message to the single byte 00 (RFC 7692 7.2.3.6)', async () => {
    const deflater = new Deflater(DEFAULTS);
    expect((await deflate(deflater, Buffer.alloc(0))).result).toEqual(Buffer.from([0x00]));
    deflater.close();
  });

  it('compresses an empty message to 00 after other messages on a kept context, which still decodes as one stream', async () => {
    const deflater = new Deflater(DEFAULTS);
    const messages = [chatText(300, 1), Buffer.alloc(0), Buffer.alloc(0), chatText(300, 2), Buffer.alloc(0)];
    const wire: Buffer[] = [];
    for (const message of messages) {
      const { result } = await deflate(deflater, message);
      if (message.length === 0) expect(result).toEqual(Buffer.from([0x00]));
      wire.push(result, TRAILER);
    }
    expect(inflateRawSync(Buffer.concat(wire), SYNC)).toEqual(Buffer.concat(messages));
    deflater.close();
  });

  it('keeps its context between messages until reset (context takeover)', async () => {
    const deflater = new Deflater(DEFAULTS);
    const message = Buffer.from(randomBytes(1500).toString('base64'));
    const first = (await deflate(deflater, message)).result;
    const again = (await deflate(deflater, message)).result;
    // The second copy refers back to the first: tiny, and only decodable with its window.
    expect(again.length).toBeLessThan(first.length / 4);
    expect(() => inflateRawSync(Buffer.concat([again, TRAILER]), SYNC)).toThrow();
    expect(inflateRawSync(Buffer.concat([again, TRAILER]), { ...SYNC, dictionary: message })).toEqual(message);
    deflater.reset();
    expect((await deflate(deflater, message)).result).toEqual(first);
    deflater.close();
  });

  it('stays within an 8-bit window when asked for one (zlib compresses with 9, MAX_DIST is 250)', async () => {
    const deflater = new Deflater({ ...DEFAULTS, windowBits: 8 });
    // Repeats at distances 100 to 400: a real 9-bit window would use the far ones.
    const blocks = [randomBytes(100), randomBytes(200), randomBytes(300), randomBytes(400)];
    const message = Buffer.concat(blocks.flatMap((b) => [b, b, b]));
    const { result } = await deflate(deflater, message);
    expect(result.length).toBeLessThan(message.length);
    expect(inflateRawSync(Buffer.concat([result, TRAILER]), { ...SYNC, windowBits: 8 })).toEqual(message);
    deflater.close();
  });
});

describe('Inflater', () => {
  it('inflates a message after putting the trailer back', async () => {
    const inflater = new Inflater(15);
    const message = chatText(10_000);
    const { error, result } = await inflate(inflater, peerCompress(message));
    expect(error).toBeUndefined();
    expect(result).toEqual(message);
    inflater.close();
  });

  it('inflates the single byte 00 to an empty message', async () => {
    const inflater = new Inflater(15);
    const { error, result } = await inflate(inflater, Buffer.from([0x00]));
    expect(error).toBeUndefined();
    expect(result.length).toBe(0);
    inflater.close();
  });

  it('accepts a message ending in a final block (BFINAL = 1), then continues on a fresh context', async () => {
    const inflater = new Inflater(15);
    const final = deflateRawSync(Buffer.from('the end')); // Z_FINISH: a final block
    expect((await inflate(inflater, final)).result.toString()).toBe('the end');
    expect((await inflate(inflater, peerCompress(Buffer.from('next')))).result.toString()).toBe('next');
    inflater.close();
  });

  it('keeps the peer window between messages (context takeover)', async () => {
    const inflater = new Inflater(15);
    const first = chatText(3000, 5);
    const second = chatText(3000, 6);
    expect((await inflate(inflater, peerCompress(first))).result).toEqual(first);
    const referring = peerCompress(second, { dictionary: first });
    expect((await inflate(inflater, referring)).result).toEqual(second);
    inflater.close();
  });

  it('forgets the window when reset (no context takeover)', async () => {
    const inflater = new Inflater(15);
    const first = chatText(3000, 5);
    await inflate(inflater, peerCompress(first));
    inflater.reset();
    const referring = peerCompress(first, { dictionary: first });
    const { error } = await inflate(inflater, referring);
    expect(error?.code).toBe('WS_ERR_INVALID_COMPRESSED_DATA');
    expect(error?.closeCode).toBe(1007);
    inflater.close();
  });

  it('fails with 1007 on data that is not deflate, and works again afterwards', async () => {
    const inflater = new Inflater(15);
    const { error } = await inflate(inflater, Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expect(error?.closeCode).toBe(1007);
    expect((await inflate(inflater, peerCompress(Buffer.from('ok')))).result.toString()).toBe('ok');
    inflater.close();
  });

  it('fails with 1009 as soon as the output passes the limit, without inflating the rest', async () => {
    /** Counts what its zlib streams put out, whoever reads it. */
    class CountingInflater extends Inflater {
      produced = 0;
      stream$: InflateRaw | undefined;
      protected override create(): InflateRaw {
        const stream = super.create();
        stream.on('data', (chunk: Buffer) => (this.produced += chunk.length));
        this.stream$ = stream;
        return stream;
      }
    }
    const inflater = new CountingInflater(15);
    const bomb = zeroBomb(1024);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const { error, result } = await inflate(inflater, bomb, 1024 * 1024);
    expect(error?.code).toBe('WS_ERR_MESSAGE_TOO_BIG');
    expect(error?.closeCode).toBe(1009);
    expect(result.length).toBe(0);
    const stream = inflater.stream$!;
    expect(stream.destroyed).toBe(true);
    if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
    // The GiB stops at the first MiB, give or take a zlib chunk: the rest is never inflated.
    expect(inflater.produced).toBeGreaterThan(1024 * 1024);
    expect(inflater.produced).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
    inflater.close();
  });

  it('accepts a message of exactly the limit', async () => {
    const inflater = new Inflater(15);
    const message = chatText(50_000);
    const { error, result } = await inflate(inflater, peerCompress(message), message.length);
    expect(error).toBeUndefined();
    expect(result).toEqual(message);
    inflater.close();
  });

  it('round-trips messages of many sizes with and without context takeover', async () => {
    for (const takeover of [true, false]) {
      const deflater = new Deflater(DEFAULTS);
      const inflater = new Inflater(15);
      for (const size of [0, 1, 2, 125, 126, 1000, 65_535, 65_536, 300_000]) {
        const message = size % 2 === 0 ? chatText(size, size) : randomBytes(size);
        const compressed = (await deflate(deflater, message)).result;
        const { error, result } = await inflate(inflater, compressed);
        expect(error).toBeUndefined();
        expect(result.equals(message)).toBe(true);
        if (!takeover) {
          deflater.reset();
          inflater.reset();
        }
      }
      deflater.close();
      inflater.close();
    }
  });
});

/**
 * Counts the passes of a codec's zlib stream through libuv's thread pool (calls of its native
 * handle's write): each is a trip to a pool thread and back through the event loop, which a
 * message in flight waits for.
 */
function countPasses(codec: Inflater | Deflater): () => number {
  const stream = (codec as unknown as { stream: { _handle: { write: (...args: unknown[]) => unknown } } }).stream;
  const handle = stream._handle;
  const write = handle.write;
  let passes = 0;
  handle.write = function (this: unknown, ...args: unknown[]) {
    passes++;
    return write.apply(this, args);
  };
  return () => passes;
}

describe('zlib passes per message', () => {
  it('inflates a small message in one pass of the thread pool (payload and trailer in one sync-flushed write)', async () => {
    const inflater = new Inflater(15);
    await inflate(inflater, peerCompress(chatText(1024, 1))); // creates the stream
    inflater.reset();
    const passes = countPasses(inflater);
    const message = chatText(1024, 2);
    const { result } = await inflate(inflater, peerCompress(message));
    expect(result).toEqual(message);
    expect(passes()).toBe(1);
    inflater.close();
  });

  it('compresses a small message in one pass of the thread pool (one sync-flushed write, no flush())', async () => {
    const deflater = new Deflater(DEFAULTS);
    await deflate(deflater, chatText(1024, 1));
    deflater.reset();
    const passes = countPasses(deflater);
    const message = chatText(1024, 2);
    const { result } = await deflate(deflater, message);
    expect(inflateRawSync(Buffer.concat([result, TRAILER]), SYNC)).toEqual(message);
    expect(passes()).toBe(1);
    deflater.close();
  });
});
