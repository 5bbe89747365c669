import { addressKey, ClientRateLimiter } from './client-rate-limiter.js';

describe('ClientRateLimiter', () => {
  it('gives every client a burst of its own and says how long to wait past it', () => {
    let now = 0;
    const limiter = new ClientRateLimiter({ burst: 2, perSecond: 0.5 }, () => now);
    expect([limiter.take('a'), limiter.take('a')]).toEqual([0, 0]);
    expect(limiter.take('a')).toBe(2000);
    expect(limiter.take('b')).toBe(0);
    now = 1500;
    expect(limiter.take('a')).toBe(500);
    now = 2000;
    expect(limiter.take('a')).toBe(0);
  });

  it('forgets clients whose bucket has refilled once the map has grown, and no others', () => {
    let now = 0;
    const limiter = new ClientRateLimiter({ burst: 2, perSecond: 1 }, () => now);
    limiter.take('busy');
    for (let i = 1; i < 1024; i++) limiter.take(`old-${i}`);
    now = 900;
    limiter.take('busy');
    limiter.take('busy');
    now = 1000;
    // The 1025th client triggers a sweep: the others have refilled, `busy` has not.
    limiter.take('new');
    expect(limiter.size).toBe(2);
    expect(limiter.take('busy')).toBeGreaterThan(0);
  });
});

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['unknown', 'unknown'],
  ])('keys %s as %s', (address, key) => expect(addressKey(address)).toBe(key));
});
