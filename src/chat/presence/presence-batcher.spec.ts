import { jest } from '@jest/globals';
import { PresenceBatcher, type PresenceChange } from './presence-batcher.js';

describe('PresenceBatcher', () => {
  const roster = { members: ['a'], count: 1 };
  let sent: Array<{ room: string; change: PresenceChange; fresh: boolean }>;
  let batcher: PresenceBatcher;

  beforeEach(() => {
    jest.useFakeTimers();
    sent = [];
    batcher = new PresenceBatcher({ intervalMs: 100, burst: 2 }, async (room, change, given) => {
      sent.push({ room, change, fresh: given === undefined });
    });
  });
  afterEach(async () => {
    await batcher.flush();
    jest.useRealTimers();
  });

  it("announces a quiet room's changes one by one, at once, with the roster it was given", async () => {
    await batcher.change('r', 'ann', 'join', roster);
    await batcher.change('r', 'bob', 'join', roster);
    expect(sent).toEqual([
      { room: 'r', change: { name: 'ann', event: 'join' }, fresh: false },
      { room: 'r', change: { name: 'bob', event: 'join' }, fresh: false },
    ]);
    jest.advanceTimersByTime(100);
    expect(sent).toHaveLength(2);
    expect(batcher.openWindows).toBe(0);
  });

  it('sums up the changes past the burst in one notice at the end of the window, read fresh', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await batcher.change('r', name, 'join', roster);
    await batcher.change('r', 'b', 'leave', roster);
    expect(sent).toHaveLength(2);
    jest.advanceTimersByTime(100);
    expect(sent[2]).toEqual({ room: 'r', change: { name: 'b', event: 'leave', joins: 3, leaves: 1 }, fresh: true });
  });

  it('keeps a busy room summed up until a window passes without a change', async () => {
    for (const name of ['a', 'b', 'c']) await batcher.change('r', name, 'join', roster);
    jest.advanceTimersByTime(100);
    await batcher.change('r', 'd', 'join', roster);
    expect(sent).toHaveLength(3);
    jest.advanceTimersByTime(100);
    // A lone change is sent as itself, not as a summary of one.
    expect(sent[3]).toEqual({ room: 'r', change: { name: 'd', event: 'join' }, fresh: true });
    jest.advanceTimersByTime(100);
    expect(batcher.openWindows).toBe(0);
    await batcher.change('r', 'e', 'join', roster);
    expect(sent[4]).toEqual({ room: 'r', change: { name: 'e', event: 'join' }, fresh: false });
  });

  it('spaces out each room on its own', async () => {
    for (const name of ['a', 'b', 'c']) await batcher.change('r1', name, 'join', roster);
    await batcher.change('r2', 'x', 'join', roster);
    expect(sent.map(({ room }) => room)).toEqual(['r1', 'r1', 'r2']);
  });

  it('sends the pending summaries on flush (shutdown), not at the window end, and forgets the windows', async () => {
    for (const name of ['a', 'b', 'c', 'd']) await batcher.change('r1', name, 'leave', roster);
    await batcher.change('r2', 'x', 'join', roster);
    await batcher.flush();
    expect(sent.slice(3)).toEqual([
      { room: 'r1', change: { name: 'd', event: 'leave', joins: 0, leaves: 2 }, fresh: true },
    ]);
    expect(batcher.openWindows).toBe(0);
    jest.advanceTimersByTime(1000);
    expect(sent).toHaveLength(4);
  });
});
