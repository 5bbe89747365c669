import { Deflater, Inflater, type CodecCallback, type DeflaterSettings } from './zlib-codec.js';
import { ZlibLimiter } from './zlib-limiter.js';

type Codec = Inflater | Deflater;
type Job = () => void;

/** The backlog of a codec whose job runs while nothing waits behind it (shared, never written). */
const NOTHING_WAITING: readonly Job[] = [];

/** Identifies compressors whose output is byte-identical: same window, level and memLevel. */
export function deflaterKey(settings: DeflaterSettings): number {
  return Math.max(settings.windowBits, 9) | ((settings.level + 1) << 4) | (settings.memLevel << 8);
}

/**
 * The zlib work of one server. Every job goes through one limiter; jobs without context
 * takeover borrow a codec from a free list and give it back reset, so at most `concurrency`
 * contexts of each kind exist for all connections together, and they are reused instead of
 * being allocated and freed for every message.
 */
export class CompressionPool {
  readonly limiter: ZlibLimiter;
  private readonly inflaters = new Map<number, Inflater[]>();
  private readonly deflaters = new Map<number, Deflater[]>();
  /**
   * Connections' own codecs (context takeover) with a job running or queued, and the jobs
   * waiting behind it; an idle codec has no entry.
   */
  private readonly backlogs = new Map<Codec, readonly Job[]>();
  private closed = false;

  constructor(concurrency: number) {
    this.limiter = new ZlibLimiter(concurrency);
  }

  /** Inflates one message with a pooled context (the peer does not take its context over). */
  inflate(windowBits: number, payload: Buffer, maxPayload: number, callback: CodecCallback): void {
    this.limiter.run(() => {
      const inflater = this.inflaters.get(windowBits)?.pop() ?? new Inflater(windowBits);
      inflater.inflate(payload, maxPayload, (error, result) => {
        this.giveBack(this.inflaters, windowBits, inflater);
        this.limiter.release();
        callback(error, result);
      });
    });
  }

  /** Compresses one message with a pooled context, reset afterwards (no context takeover). */
  deflate(settings: DeflaterSettings, payload: Buffer, callback: CodecCallback): void {
    this.limiter.run(() => {
      const key = deflaterKey(settings);
      const deflater = this.deflaters.get(key)?.pop() ?? new Deflater(settings);
      deflater.deflate(payload, (error, result) => {
        this.giveBack(this.deflaters, key, deflater);
        this.limiter.release();
        callback(error, result);
      });
    });
  }

  /** Inflates on a connection's own context (context takeover), through the limiter. */
  inflateOn(inflater: Inflater, payload: Buffer, maxPayload: number, callback: CodecCallback): void {
    this.serially(inflater, () => {
      inflater.inflate(payload, maxPayload, (error, result) => {
        this.finished(inflater);
        callback(error, result);
      });
    });
  }

  /** Compresses on a connection's own context (context takeover), through the limiter. */
  deflateOn(deflater: Deflater, payload: Buffer, callback: CodecCallback): void {
    this.serially(deflater, () => {
      deflater.deflate(payload, (error, result) => {
        this.finished(deflater);
        callback(error, result);
      });
    });
  }

  /** True while a job runs on `codec` (a connection's own) or waits for it. */
  busy(codec: Codec): boolean {
    return this.backlogs.has(codec);
  }

  /**
   * One job at a time on a codec, in call order: a context carries one message at a time, and
   * a job waiting for its codec must not hold one of the limiter's slots meanwhile.
   */
  private serially(codec: Codec, job: Job): void {
    const waiting = this.backlogs.get(codec);
    if (waiting === undefined) {
      this.backlogs.set(codec, NOTHING_WAITING);
      this.limiter.run(job);
    } else if (waiting === NOTHING_WAITING) {
      this.backlogs.set(codec, [job]);
    } else {
      (waiting as Job[]).push(job);
    }
  }

  private finished(codec: Codec): void {
    this.limiter.release();
    const waiting = this.backlogs.get(codec);
    const next = waiting === NOTHING_WAITING ? undefined : (waiting as Job[]).shift();
    if (next === undefined) this.backlogs.delete(codec);
    else this.limiter.run(next);
  }

  /** Contexts kept for reuse right now (for tests and memory accounting). */
  get idleContexts(): number {
    let count = 0;
    for (const list of this.inflaters.values()) count += list.length;
    for (const list of this.deflaters.values()) count += list.length;
    return count;
  }

  /** Frees every idle context; contexts still busy are freed when their job ends. */
  close(): void {
    this.closed = true;
    for (const map of [this.inflaters, this.deflaters] as Map<number, Array<Inflater | Deflater>>[]) {
      for (const list of map.values()) for (const codec of list) codec.close();
      map.clear();
    }
  }

  private giveBack<C extends Inflater | Deflater>(map: Map<number, C[]>, key: number, codec: C): void {
    let list = map.get(key);
    if (this.closed || (list !== undefined && list.length >= this.limiter.concurrency)) {
      codec.close();
      return;
    }
    codec.reset();
    if (list === undefined) map.set(key, (list = []));
    list.push(codec);
  }
}
