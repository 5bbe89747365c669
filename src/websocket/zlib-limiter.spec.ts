import { ZlibLimiter } from './zlib-limiter.js';

describe('ZlibLimiter', () => {
  it('runs up to its concurrency at once and queues the rest in arrival order', () => {
    const limiter = new ZlibLimiter(2);
    const started: number[] = [];
    for (let i = 0; i < 5; i++) limiter.run(() => started.push(i));
    expect(started).toEqual([0, 1]);
    expect(limiter.running).toBe(2);
    expect(limiter.waiting).toBe(3);
    limiter.release();
    expect(started).toEqual([0, 1, 2]);
    limiter.release();
    limiter.release();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.running).toBe(2);
    limiter.release();
    limiter.release();
    expect(limiter.running).toBe(0);
    expect(limiter.waiting).toBe(0);
    expect(limiter.started).toBe(5);
  });

  it('keeps FIFO order across many jobs that finish in turn', () => {
    const limiter = new ZlibLimiter(1);
    const order: number[] = [];
    for (let i = 0; i < 3000; i++) limiter.run(() => order.push(i));
    for (let i = 0; i < 3000; i++) limiter.release();
    expect(order).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(limiter.running).toBe(0);
  });

  it('refuses a concurrency below 1', () => {
    expect(() => new ZlibLimiter(0)).toThrow(RangeError);
    expect(() => new ZlibLimiter(1.5)).toThrow(RangeError);
  });
});
