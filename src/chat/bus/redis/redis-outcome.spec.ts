import { ReplyError } from 'ioredis';
import { mayHaveRun } from './redis-outcome.js';

describe('mayHaveRun', () => {
  it('is false for a command ioredis never sent and for an error reply of Redis', () => {
    expect(mayHaveRun(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(false);
    expect(mayHaveRun(new ReplyError('ERR something in the script'))).toBe(false);
  });

  it('is true for a timeout, a connection lost in flight, or anything unknown', () => {
    expect(mayHaveRun(new Error('Command timed out'))).toBe(true);
    expect(mayHaveRun(new Error('Connection is closed.'))).toBe(true);
    expect(mayHaveRun(new Error('Reached the max retries per request limit (which is 0). Refer to ...'))).toBe(true);
    expect(mayHaveRun('a string')).toBe(true);
  });
});
