import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the given rate up to the burst', () => {
    const bucket = new TokenBucket(3, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(499)).toBe(false);
    expect(bucket.take(500)).toBe(true); // 2 per second: one token after 500 ms
    expect(bucket.take(500)).toBe(false);
    // A long pause refills to the burst, not beyond.
    const taken = [1, 2, 3, 4].map(() => bucket.take(60_000));
    expect(taken).toEqual([true, true, true, false]);
  });

  it('ignores a clock that goes backwards', () => {
    const bucket = new TokenBucket(1, 1, 1000);
    expect(bucket.take(1000)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(2000)).toBe(true);
  });
});

describe('TokenBucket, when the next token comes and when it is full', () => {
  it('says how long until a token is back, and when it is as good as new', () => {
    const bucket = new TokenBucket(2, 4, 0);
    expect(bucket.isFull(0)).toBe(true);
    expect(bucket.msUntilToken(0)).toBe(0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.isFull(0)).toBe(false);
    expect(bucket.msUntilToken(0)).toBe(250);
    expect(bucket.msUntilToken(100)).toBeCloseTo(150);
    expect(bucket.msUntilToken(250)).toBe(0);
    expect(bucket.isFull(499)).toBe(false);
    expect(bucket.isFull(500)).toBe(true);
  });
});

describe('TokenBucket, a request of several tokens (a batch)', () => {
  it('admits it with one token left and leaves the bucket in debt until the tokens are paid back', () => {
    const bucket = new TokenBucket(5, 10, 0);
    expect(bucket.take(0, 12)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    // 5 - 12 = -7: a token is back once 8 have come in, 800 ms at 10/s.
    expect(bucket.msUntilToken(0)).toBeCloseTo(800);
    expect(bucket.take(799)).toBe(false);
    expect(bucket.take(800)).toBe(true);
  });
});
