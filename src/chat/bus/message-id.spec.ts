import { compareMessageIds, isMessageId, MessageIdGenerator } from './message-id.js';

describe('message ids', () => {
  it('accepts Redis-stream-shaped ids and nothing else', () => {
    for (const id of ['0-0', '1700000000000-0', '1700000000000-15', '9999999999999999-9999999999999999']) {
      expect(isMessageId(id)).toBe(true);
    }
    for (const id of [
      '',
      '1',
      '1-',
      '-1',
      '01-0',
      '1-01',
      '1-0-0',
      'a-0',
      ' 1-0',
      '1-0 ',
      '12345678901234567-0',
      7,
      null,
    ]) {
      expect(isMessageId(id)).toBe(false);
    }
  });

  it('orders ids numerically part by part, not as strings', () => {
    expect(compareMessageIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareMessageIds('10-0', '9-0')).toBeGreaterThan(0);
    expect(compareMessageIds('10-9', '10-10')).toBeLessThan(0);
    expect(compareMessageIds('10-10', '10-10')).toBe(0);
    expect(compareMessageIds('11-0', '10-99')).toBeGreaterThan(0);
    expect(compareMessageIds('9007199254740993-0', '9007199254740992-0')).toBeGreaterThan(0);
  });

  it('hands out strictly increasing ids within a millisecond and across them', () => {
    const ids = new MessageIdGenerator(1000);
    const issued = [ids.next(1000), ids.next(1000), ids.next(1001), ids.next(1001), ids.next(2000)];
    expect(issued).toEqual(['1000-1', '1000-2', '1001-0', '1001-1', '2000-0']);
    for (const id of issued) expect(compareMessageIds(id, ids.floor)).toBeGreaterThan(0);
  });

  it('never goes back when the clock does', () => {
    const ids = new MessageIdGenerator(5000);
    const first = ids.next(5000);
    const second = ids.next(4000);
    expect(second).toBe('5000-2');
    expect(compareMessageIds(second, first)).toBeGreaterThan(0);
  });
});
