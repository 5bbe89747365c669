import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { CompressionPool, deflaterKey } from './compression-pool.js';
import { Deflater } from './zlib-codec.js';
import type { WebSocketError } from './errors.js';

const SYNC = { finishFlush: constants.Z_SYNC_FLUSH };
const SETTINGS = { windowBits: 15, level: -1, memLevel: 8 };
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

type Result = { error: WebSocketError | undefined; result: Buffer };

function collect(count: number): {
  done: (error: WebSocketError | undefined, result: Buffer) => void;
  all: Promise<Result[]>;
} {
  const results: Result[] = [];
  let resolve!: (value: Result[]) => void;
  const all = new Promise<Result[]>((r, reject) => {
    resolve = r;
    setTimeout(() => reject(new Error(`only ${results.length} of ${count} jobs finished`)), 5000).unref();
  });
  return {
    done: (error, result) => {
      results.push({ error, result });
      if (results.length === count) resolve(results);
    },
    all,
  };
}

describe('CompressionPool', () => {
  it('runs many jobs through at most `concurrency` contexts, reused and reset between messages', async () => {
    const pool = new CompressionPool(3);
    const messages = Array.from({ length: 40 }, (_, i) => Buffer.from(`message ${i} `.repeat(100 + i)));
    const { done, all } = collect(messages.length);
    for (const message of messages) pool.deflate(SETTINGS, message, done);
    expect(pool.limiter.running).toBe(3);
    expect(pool.limiter.waiting).toBe(37);
    const results = await all;
    // Every output decodes on its own: the pooled contexts were reset in between.
    const decoded = results.map(({ result }) => inflateRawSync(Buffer.concat([result, TRAILER]), SYNC).toString());
    expect(decoded.sort()).toEqual(messages.map(String).sort());
    expect(pool.idleContexts).toBeLessThanOrEqual(3);
    expect(pool.limiter.running).toBe(0);
    pool.close();
    expect(pool.idleContexts).toBe(0);
  });

  it('inflates with pooled contexts that forget the previous message', async () => {
    const pool = new CompressionPool(1);
    const first = Buffer.from('a window the next message must not see '.repeat(50));
    const compressed = deflateRawSync(first, SYNC).subarray(0, -4);
    const referring = deflateRawSync(first, { ...SYNC, dictionary: first }).subarray(0, -4);
    const { done, all } = collect(2);
    pool.inflate(15, compressed, 0, done);
    pool.inflate(15, referring, 0, done);
    const [ok, failed] = await all;
    expect(ok.result).toEqual(first);
    expect(failed.error?.closeCode).toBe(1007);
    pool.close();
  });

  it('keys compressors by the settings that change their output', () => {
    expect(deflaterKey(SETTINGS)).toBe(deflaterKey({ ...SETTINGS }));
    expect(deflaterKey({ ...SETTINGS, windowBits: 8 })).toBe(deflaterKey({ ...SETTINGS, windowBits: 9 }));
    const keys = new Set([
      deflaterKey(SETTINGS),
      deflaterKey({ ...SETTINGS, windowBits: 10 }),
      deflaterKey({ ...SETTINGS, level: 1 }),
      deflaterKey({ ...SETTINGS, memLevel: 9 }),
    ]);
    expect(keys.size).toBe(4);
  });

  it("runs the jobs of a connection's own context one at a time, in order, busy until the last ends", async () => {
    const pool = new CompressionPool(4);
    const own = new Deflater(SETTINGS);
    const messages = ['first '.repeat(50), 'second '.repeat(50), 'third '.repeat(50)].map((text) => Buffer.from(text));
    const { done, all } = collect(messages.length);
    expect(pool.busy(own)).toBe(false);
    for (const message of messages) pool.deflateOn(own, message, done);
    expect(pool.busy(own)).toBe(true);
    // One slot for the codec's running job; the others wait on the codec, not in the limiter.
    expect(pool.limiter.running).toBe(1);
    expect(pool.limiter.waiting).toBe(0);
    const results = await all;
    // Context takeover: the outputs decode in order on one inflate stream.
    const decoded = inflateRawSync(Buffer.concat([...results.flatMap(({ result }) => [result, TRAILER])]), SYNC);
    expect(decoded.toString()).toBe(messages.join(''));
    expect(pool.busy(own)).toBe(false);
    own.close();
    pool.close();
  });
});
