import { firstValueFrom, take, toArray } from 'rxjs';
import type { ChatEvent, ChatMessage } from './chat-events.js';
import { RoomLimitError } from './bus-errors.js';
import { InMemoryChatBus } from './in-memory-chat-bus.js';
import { compareMessageIds } from './message-id.js';

function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('InMemoryChatBus', () => {
  let bus: InMemoryChatBus;
  afterEach(() => bus.close());

  it('stores a message with an id and an ISO time, and returns it', async () => {
    const clock = fakeClock();
    bus = new InMemoryChatBus({ clock: clock.now });
    clock.advance(5);
    const stored = await bus.publish({ room: 'lobby', from: 'ann', text: 'hi <b>' });
    expect(stored).toEqual({
      id: '1700000000005-0',
      room: 'lobby',
      from: 'ann',
      fromId: '',
      text: 'hi <b>',
      at: '2023-11-14T22:13:20.005Z',
    });
    expect((await bus.history('lobby', { limit: 10 })).messages).toEqual([stored]);
  });

  it('gives strictly increasing ids, also within one millisecond', async () => {
    bus = new InMemoryChatBus({ clock: fakeClock().now });
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push((await bus.publish({ room: i % 2 ? 'a' : 'b', from: 'x', text: `${i}` })).id);
    for (let i = 1; i < ids.length; i++) expect(compareMessageIds(ids[i - 1], ids[i])).toBeLessThan(0);
  });

  it('delivers messages and presence after publish returns, in order', async () => {
    bus = new InMemoryChatBus();
    const received = firstValueFrom(bus.events$.pipe(take(3), toArray()));
    const order: string[] = [];
    bus.events$.pipe(take(1)).subscribe(() => order.push('delivered'));
    const first = await bus.publish({ room: 'r', from: 'a', text: '1' });
    order.push('published');
    await bus.announce({ room: 'r', name: 'a', event: 'join', members: ['a'], count: 1 });
    const second = await bus.publish({ room: 'r', from: 'a', text: '2' });
    const events: ChatEvent[] = await received;
    expect(order).toEqual(['published', 'delivered']);
    expect(events).toEqual([
      { type: 'message', message: first },
      { type: 'presence', presence: { room: 'r', name: 'a', event: 'join', members: ['a'], count: 1 } },
      { type: 'message', message: second },
    ]);
  });

  it('keeps the last historySize messages per room', async () => {
    bus = new InMemoryChatBus({ historySize: 3 });
    const sent: ChatMessage[] = [];
    for (let i = 1; i <= 5; i++) sent.push(await bus.publish({ room: 'r', from: 'a', text: `${i}` }));
    await bus.publish({ room: 'other', from: 'a', text: 'x' });
    const page = await bus.history('r', { limit: 100 });
    expect(page.messages).toEqual(sent.slice(2));
    expect(page.truncated).toBe(false);
  });

  it('reports ids from before it started as truncated, for rooms with and without history', async () => {
    const clock = fakeClock();
    bus = new InMemoryChatBus({ clock: clock.now });
    clock.advance(10);
    await bus.publish({ room: 'r', from: 'a', text: '1' });
    expect((await bus.history('r', { since: '1600000000000-0', limit: 10 })).truncated).toBe(true);
    expect((await bus.history('empty', { since: '1600000000000-0', limit: 10 })).truncated).toBe(true);
    expect((await bus.history('empty', { since: '1700000000010-0', limit: 10 })).truncated).toBe(false);
  });

  it('does not report a resume from exactly its starting horizon as truncated', async () => {
    // The horizon is the start time's id, older than any id it hands out: nothing after it is lost.
    bus = new InMemoryChatBus({ clock: fakeClock(1_700_000_000_000).now });
    expect(await bus.history('empty', { since: '1700000000000-0', limit: 10 })).toEqual({
      messages: [],
      truncated: false,
    });
    expect((await bus.history('empty', { since: '1699999999999-9', limit: 10 })).truncated).toBe(true);
    const first = await bus.publish({ room: 'r', from: 'a', text: '1' });
    expect(await bus.history('r', { since: '1700000000000-0', limit: 10 })).toEqual({
      messages: [first],
      truncated: false,
    });
  });

  it('forgets the least recently written room beyond maxRooms, and says so to resuming clients', async () => {
    bus = new InMemoryChatBus({ maxRooms: 2, roomMinIdleMs: 0 });
    const a = await bus.publish({ room: 'a', from: 'x', text: 'a1' });
    await bus.publish({ room: 'b', from: 'x', text: 'b1' });
    await bus.publish({ room: 'a', from: 'x', text: 'a2' }); // a is now the most recent
    await bus.publish({ room: 'c', from: 'x', text: 'c1' }); // evicts b
    expect(bus.roomCount).toBe(2);
    expect((await bus.history('b', { limit: 10 })).messages).toEqual([]);
    expect((await bus.history('b', { since: a.id, limit: 10 })).truncated).toBe(true);
    expect((await bus.history('a', { limit: 10 })).messages.map((m) => m.text)).toEqual(['a1', 'a2']);
  });

  it('answers a resend of a ref with the first message for windowMs, keeping keysPerRoom keys per room', async () => {
    const clock = fakeClock();
    bus = new InMemoryChatBus({ clock: clock.now, idempotency: { windowMs: 1000, keysPerRoom: 2 } });
    const send = (ref: string | number, room = 'r') => bus.publish({ room, from: 'ann', fromId: 'a', text: 'x', ref });
    const first = await send('k1');
    expect(first.ref).toBe('k1');
    clock.advance(999);
    expect(await send('k1')).toBe(first);
    clock.advance(1);
    const again = await send('k1');
    expect(again.id).not.toBe(first.id);
    // Keys per room: k1 (again) and k2 are kept, k3 pushes out the oldest.
    const k2 = await send('k2');
    expect(await send('k2', 'other')).not.toBe(k2);
    await send('k3');
    expect(await send('k2')).toBe(k2);
    expect((await send('k1')).id).not.toBe(again.id);
    expect((await bus.history('r', { limit: 10 })).messages).toHaveLength(5);
  });

  it('answers a resend of a message gone from the history with its id and time, as it was sent', async () => {
    const clock = fakeClock();
    bus = new InMemoryChatBus({ clock: clock.now, historySize: 1 });
    const draft = { room: 'r', from: 'ann', fromId: 'a', text: 'first', ref: 'k' };
    const first = await bus.publish(draft);
    clock.advance(5);
    await bus.publish({ room: 'r', from: 'bob', text: 'pushes it out' });
    expect(await bus.publish(draft)).toEqual(first);
  });

  it('forgets the keys of a room whose history it drops', async () => {
    const clock = fakeClock();
    bus = new InMemoryChatBus({ clock: clock.now, maxRooms: 1, roomMinIdleMs: 0 });
    const first = await bus.publish({ room: 'a', from: 'ann', fromId: 'u', text: 'x', ref: 1 });
    clock.advance(1);
    await bus.publish({ room: 'b', from: 'ann', text: 'pushes a out' });
    clock.advance(1);
    expect((await bus.publish({ room: 'a', from: 'ann', fromId: 'u', text: 'x', ref: 1 })).id).not.toBe(first.id);
  });

  describe('with every room it may keep in use', () => {
    const busy = (rooms: Set<string>, clock = fakeClock()) =>
      new InMemoryChatBus({
        maxRooms: 3,
        roomMinIdleMs: 60_000,
        clock: clock.now,
        isOccupied: (room) => rooms.has(room),
      });

    it('keeps the history of every room when 1000 new rooms are posted to at once, refusing them instead', async () => {
      const clock = fakeClock();
      bus = busy(new Set(['lobby']), clock);
      const kept = await bus.publish({ room: 'lobby', from: 'ann', text: 'keep me' });
      await bus.publish({ room: 'quiet', from: 'bob', text: 'recent' });
      clock.advance(10);
      const attempts = await Promise.allSettled(
        Array.from({ length: 1000 }, (_, i) => bus.publish({ room: `spam-${i}`, from: 'x', text: 'x' })),
      );
      // One room was free; the others are refused since 'lobby' has members and 'quiet' is recent.
      expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1);
      const refused = attempts.filter((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
      expect(refused).toHaveLength(999);
      expect(refused[0].reason).toBeInstanceOf(RoomLimitError);
      expect((refused[0].reason as RoomLimitError).retryAfterSeconds).toBe(60);
      expect(await bus.history('lobby', { limit: 10 })).toEqual({ messages: [kept], truncated: false });
      expect((await bus.history('lobby', { since: kept.id, limit: 10 })).truncated).toBe(false);
      expect((await bus.history('quiet', { limit: 10 })).messages.map((m) => m.text)).toEqual(['recent']);
    });

    it('drops the room idle the longest, never one with members, and resumes across it as truncated', async () => {
      const clock = fakeClock();
      const occupied = new Set(['a']);
      bus = busy(occupied, clock);
      const a = await bus.publish({ room: 'a', from: 'x', text: 'a1' }); // oldest, but has members
      clock.advance(1);
      const b = await bus.publish({ room: 'b', from: 'x', text: 'b1' });
      const bNewest = await bus.publish({ room: 'b', from: 'x', text: 'b1+' });
      clock.advance(1);
      await bus.publish({ room: 'c', from: 'x', text: 'c1' });
      clock.advance(60_000);
      await bus.publish({ room: 'd', from: 'x', text: 'd1' }); // b is idle and empty: dropped
      expect((await bus.history('a', { limit: 10 })).messages).toEqual([a]);
      expect(await bus.history('b', { since: b.id, limit: 10 })).toEqual({ messages: [], truncated: true });
      // Nothing after its newest message was lost.
      expect(await bus.history('b', { since: bNewest.id, limit: 10 })).toEqual({ messages: [], truncated: false });
      expect((await bus.history('c', { limit: 10 })).messages.map((m) => m.text)).toEqual(['c1']);
      // b comes back as a new room (c makes way): a resume from its old id still says truncated.
      await bus.publish({ room: 'b', from: 'x', text: 'b2' });
      expect((await bus.history('c', { limit: 10 })).messages).toEqual([]);
      const resumed = await bus.history('b', { since: b.id, limit: 10 });
      expect(resumed.messages.map((m) => m.text)).toEqual(['b2']);
      expect(resumed.truncated).toBe(true);
      // Once nobody is in a, it is the one idle the longest.
      occupied.delete('a');
      await bus.publish({ room: 'e', from: 'x', text: 'e1' });
      expect((await bus.history('a', { since: a.id, limit: 10 })).truncated).toBe(true);
      expect(bus.roomCount).toBe(3);
    });

    it('hints when an unoccupied room turns idle', async () => {
      const clock = fakeClock();
      bus = busy(new Set(['a']), clock);
      for (const room of ['a', 'b', 'c']) await bus.publish({ room, from: 'x', text: room });
      clock.advance(15_000);
      const refusal = await bus.publish({ room: 'd', from: 'x', text: 'd' }).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(RoomLimitError);
      expect((refusal as RoomLimitError).retryAfterSeconds).toBe(45);
    });
  });

  it('rejects nonsensical sizes', () => {
    expect(() => new InMemoryChatBus({ historySize: 0 })).toThrow(RangeError);
    expect(() => new InMemoryChatBus({ maxRooms: 1.5 })).toThrow(RangeError);
    expect(() => new InMemoryChatBus({ roomMinIdleMs: -1 })).toThrow(RangeError);
    bus = new InMemoryChatBus();
  });
});
