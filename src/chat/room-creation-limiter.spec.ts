import { RoomCreationLimiter } from './room-creation-limiter.js';

describe('RoomCreationLimiter', () => {
  it('allows perMinute new rooms at once, then one every 60/perMinute seconds, per client', () => {
    let now = 0;
    const limiter = new RoomCreationLimiter(3, () => now);
    const connection = {};
    expect([1, 2, 3, 4].map(() => limiter.take(connection))).toEqual([true, true, true, false]);
    expect(limiter.take({})).toBe(true);
    expect(limiter.take('address:1.2.3.4')).toBe(true);
    expect(limiter.retryAfterSeconds).toBe(20);
    now = 19_999;
    expect(limiter.take(connection)).toBe(false);
    now = 20_000;
    expect(limiter.take(connection)).toBe(true);
  });

  it('counts a REST client by its key, and forgets the oldest keys beyond ten thousand', () => {
    const limiter = new RoomCreationLimiter(1, () => 0);
    expect(limiter.take('address:a')).toBe(true);
    expect(limiter.take('address:a')).toBe(false);
    for (let i = 0; i < 10_000; i++) limiter.take(`address:${i}`);
    // Forgotten: starts afresh (memory stays bounded whatever the number of addresses).
    expect(limiter.take('address:a')).toBe(true);
    expect(limiter.take('address:9999')).toBe(false);
  });
});
