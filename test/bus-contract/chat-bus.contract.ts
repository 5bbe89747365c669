import { randomUUID } from 'node:crypto';
import type { ChatRoomState } from '../../src/chat/bus/drivers/chat-bus-driver.js';
import { RoomLimitError } from '../../src/chat/bus/bus-errors.js';
import { resolveChatOptions } from '../../src/chat/chat-options.js';
import {
  compareMessageIds,
  isMessageId,
  type ChatBus,
  type ChatMessage,
  type ChatRuntimeOptions,
  type PresenceNotice,
  type ResolvedChatOptions,
} from '../../src/chat/index.js';
import { BusEventLog } from '../helpers/bus-event-log.js';
import { within } from '../helpers/waiting.js';

/** One store (a Redis under a key prefix of its own, ...) that the instances of a test share. */
export interface ChatBusContractStore {
  /**
   * One more instance's bus over this store, sized by `options`, as the chat module would
   * create it (`ChatBusDriver.createBus`), resolved once it delivers what is published from then on.
   */
  open(options: ResolvedChatOptions, rooms: ChatRoomState): Promise<ChatBus>;
  /** Closes what `open` made (buses the test left open, connections) and removes the store's data. */
  close(): Promise<void>;
}

/** A bus driver under test: what it promises beyond the common contract, and its stores. */
export interface ChatBusContractSubject {
  /**
   * Instances a test runs over one store: 2 when the bus carries events between instances,
   * 1 when a bus serves its own instance only (the in-memory bus).
   */
  instances: 1 | 2;
  /**
   * `exact`: `truncated` says exactly whether a message after `since` is gone. `conservative`:
   * it may also say so when the bus cannot tell, i.e. for a resume from the newest message it
   * dropped, or in a room it keeps nothing of (Redis streams trim whole nodes and keep no record
   * of what they dropped). Both: never a missing message without `truncated`.
   */
  truncation: 'exact' | 'conservative';
  /** Whether the bus brings presence shared by its instances (`ChatBus.presence`). */
  presence: boolean;
  /** A fresh, empty store for one test. */
  openStore(): Promise<ChatBusContractStore>;
  /**
   * For a bus that delivers on an instance only the rooms followed there (sharded channels on a
   * Redis Cluster: the rooms with members there): follows `room` on that instance's bus. The
   * suite follows every room whose events it watches before publishing to it.
   */
  follow?(bus: ChatBus, room: string): Promise<void>;
}

/** One instance in a test: its bus, what it delivered, and the rooms with members here. */
interface Instance {
  bus: ChatBus;
  log: BusEventLog;
  occupied: Set<string>;
}

const texts = (messages: ChatMessage[]) => messages.map((message) => message.text);
const ids = (messages: ChatMessage[]) => messages.map((message) => message.id);

function expectAscending(messageIds: string[]): void {
  for (let i = 1; i < messageIds.length; i++)
    expect(compareMessageIds(messageIds[i - 1], messageIds[i])).toBeLessThan(0);
}

/**
 * The ChatBus contract (src/chat/bus/chat-bus.ts) as one suite, run against every bus driver:
 * delivery (every instance, exactly once, in order per room, never inside `publish`), history
 * (`since`/`before`/`limit`, truncation at and around what the bus still keeps), `fromId`,
 * the room limit, presence when the bus has it, and `close()`. A new driver is written against
 * it: a `*.e2e-spec.ts` calling `describeChatBusContract` with a subject for the driver.
 */
export function describeChatBusContract(name: string, subject: ChatBusContractSubject): void {
  describe(`the ChatBus contract: ${name}`, () => {
    let store: ChatBusContractStore;
    const opened: Instance[] = [];

    /** `subject.instances` instances over the test's store, with these chat options. */
    async function instances(options: ChatRuntimeOptions = {}): Promise<Instance[]> {
      const resolved = resolveChatOptions(options);
      const started: Instance[] = [];
      for (let i = 0; i < subject.instances; i++) {
        const occupied = new Set<string>();
        const bus = await store.open(resolved, { isOccupied: (room) => occupied.has(room) });
        const instance = { bus, log: new BusEventLog(`instance ${i + 1}`, bus), occupied };
        opened.push(instance);
        started.push(instance);
      }
      return started;
    }

    /** A member in `room` on `instance`, as a client joining there would make one. */
    async function occupy(instance: Instance, room: string): Promise<void> {
      instance.occupied.add(room);
      await instance.bus.presence?.enter(room, { id: randomUUID(), name: 'occupant' });
    }

    /** Every instance receives the events of these rooms from now on. */
    async function listen(all: Instance[], ...rooms: string[]): Promise<void> {
      if (subject.follow === undefined) return;
      for (const { bus } of all) for (const room of rooms) await subject.follow(bus, room);
    }

    /** Resolves once every instance has delivered `count` messages of `room`. */
    async function delivered(all: Instance[], room: string, count: number): Promise<void> {
      for (const { log } of all)
        await log.until(() => log.messages(room).length >= count, `${count} messages of ${room}`);
    }

    beforeEach(async () => {
      store = await subject.openStore();
    });
    afterEach(async () => {
      for (const { log } of opened.splice(0)) log.stop();
      await store.close();
    });

    describe('delivery', () => {
      it('stores a message with an id, its time and its sender, and delivers exactly it on every instance', async () => {
        const all = await instances();
        await listen(all, 'r1');
        const stored = await all[0].bus.publish({
          room: 'r1',
          from: 'ann',
          fromId: 'user-42',
          text: 'hello "there" ✓ <b>',
        });
        expect(stored).toEqual({
          id: expect.any(String),
          room: 'r1',
          from: 'ann',
          fromId: 'user-42',
          text: 'hello "there" ✓ <b>',
          at: expect.any(String),
        });
        expect(isMessageId(stored.id)).toBe(true);
        expect(new Date(stored.at).toISOString()).toBe(stored.at);
        expect(Math.abs(Date.parse(stored.at) - Date.now())).toBeLessThan(60_000);
        await delivered(all, 'r1', 1);
        for (const { log, bus } of all) {
          expect(log.messages('r1')).toEqual([stored]);
          expect(await bus.history('r1', { limit: 10 })).toEqual({ messages: [stored], truncated: false });
        }
      });

      it('stores an empty fromId for a message published without one', async () => {
        const all = await instances();
        await listen(all, 'anon');
        const stored = await all[0].bus.publish({ room: 'anon', from: 'ann', text: 'who am I' });
        expect(stored.fromId).toBe('');
        await delivered(all, 'anon', 1);
        for (const { log, bus } of all) {
          expect(log.messages('anon')[0].fromId).toBe('');
          expect((await bus.history('anon', { limit: 1 })).messages[0].fromId).toBe('');
        }
      });

      it('never delivers from inside publish or announce', async () => {
        const all = await instances();
        await listen(all, 'sync');
        const [{ bus, log }] = all;
        const publishing = bus.publish({ room: 'sync', from: 'ann', text: 'one' });
        const announcing = bus.announce({ room: 'sync', name: 'ann', event: 'join', members: ['ann'], count: 1 });
        // Still on the turn that called them: nothing may have reached a subscriber yet.
        expect(log.events).toEqual([]);
        await Promise.all([publishing, announcing]);
        for (const instance of all)
          await instance.log.until(() => instance.log.timeline('sync').length === 2, 'the message and the notice');
      });

      it('delivers every message exactly once on every instance, in id order per room, the same order everywhere', async () => {
        const all = await instances();
        await listen(all, 'race', 'side');
        const sends: Array<Promise<ChatMessage>> = [];
        for (let i = 0; i < 30; i++) {
          for (const [n, { bus }] of all.entries()) {
            sends.push(bus.publish({ room: 'race', from: `i${n}`, text: `race ${n}.${i}` }));
            sends.push(bus.publish({ room: 'side', from: `i${n}`, text: `side ${n}.${i}` }));
          }
        }
        const stored = await Promise.all(sends);
        const perRoom = 30 * all.length;
        await delivered(all, 'race', perRoom);
        await delivered(all, 'side', perRoom);
        // A marker published last comes back alone: nothing was delivered twice.
        const marker = await all[0].bus.publish({ room: 'race', from: 'x', text: 'marker' });
        await delivered(all, 'race', perRoom + 1);
        const reference = all[0].log;
        for (const room of ['race', 'side']) {
          const expected = stored.filter((message) => message.room === room).map((message) => message.id);
          for (const { log } of all) {
            const seen = ids(log.messages(room));
            expectAscending(seen);
            expect(seen).toEqual(ids(reference.messages(room)));
            expect(seen.filter((id) => id !== marker.id).sort(compareMessageIds)).toEqual(
              [...expected].sort(compareMessageIds),
            );
          }
        }
        for (const { log } of all) expect(log.messages('race').at(-1)).toEqual(marker);
      });

      it('delivers messages and presence notices of a room in the order they were published', async () => {
        const all = await instances();
        await listen(all, 'hall');
        const [{ bus }] = all;
        await occupy(all[0], 'hall');
        await bus.publish({ room: 'hall', from: 'occupant', text: 'before' });
        await bus.announce({ room: 'hall', name: 'occupant', event: 'join', members: ['occupant'], count: 1 });
        await bus.publish({ room: 'hall', from: 'occupant', text: 'after' });
        for (const { log } of all) {
          await log.until(() => log.timeline('hall').length === 3, 'two messages and a notice');
          expect(log.timeline('hall')).toEqual(['before', 'occupant join', 'after']);
          expect(log.presence('hall')).toEqual([
            { room: 'hall', name: 'occupant', event: 'join', members: ['occupant'], count: 1 } satisfies PresenceNotice,
          ]);
        }
      });
    });

    describe('history', () => {
      it('pages oldest first: the newest N, the first N after since, the newest N before before', async () => {
        const all = await instances();
        const sent: ChatMessage[] = [];
        for (let i = 1; i <= 6; i++) sent.push(await all[0].bus.publish({ room: 'hist', from: 'a', text: `m${i}` }));
        for (const { bus } of all) {
          expect(await bus.history('hist', { limit: 2 })).toEqual({ messages: sent.slice(4), truncated: false });
          expect(await bus.history('hist', { limit: 100 })).toEqual({ messages: sent, truncated: false });
          expect(await bus.history('hist', { since: sent[1].id, limit: 10 })).toEqual({
            messages: sent.slice(2),
            truncated: false,
          });
          expect(texts((await bus.history('hist', { since: sent[1].id, limit: 2 })).messages)).toEqual(['m3', 'm4']);
          expect(texts((await bus.history('hist', { before: sent[4].id, limit: 2 })).messages)).toEqual(['m3', 'm4']);
          expect(texts((await bus.history('hist', { before: sent[0].id, limit: 2 })).messages)).toEqual([]);
          expect(
            texts((await bus.history('hist', { since: sent[0].id, before: sent[4].id, limit: 10 })).messages),
          ).toEqual(['m2', 'm3', 'm4']);
          expect(await bus.history('hist', { since: sent[5].id, limit: 10 })).toEqual({
            messages: [],
            truncated: false,
          });
          expect(await bus.history('hist', { before: '0-0', limit: 10 })).toEqual({ messages: [], truncated: false });
          expect(await bus.history('nothing-here', { limit: 10 })).toEqual({ messages: [], truncated: false });
        }
      });

      it('keeps at least historySize messages per room, the newest, and says truncated at and around the horizon', async () => {
        const all = await instances({ historySize: 3 });
        const sent: ChatMessage[] = [];
        // Well past what any bus keeps for 3 (Redis trims whole stream nodes of 100 entries).
        for (let i = 0; i < 250; i++) sent.push(await all[0].bus.publish({ room: 'trim', from: 'a', text: `${i}` }));
        await all[0].bus.publish({ room: 'other', from: 'a', text: 'elsewhere' });
        for (const { bus } of all) {
          const { messages: kept, truncated } = await bus.history('trim', { limit: 500 });
          expect(truncated).toBe(false);
          expect(kept.length).toBeGreaterThanOrEqual(3);
          expect(kept.length).toBeLessThan(249);
          const lost = sent.length - kept.length;
          expect(kept).toEqual(sent.slice(lost));
          expect(await bus.history('trim', { limit: 3 })).toEqual({ messages: sent.slice(-3), truncated: false });
          // From the oldest message kept: the rest, complete.
          expect(await bus.history('trim', { since: kept[0].id, limit: 500 })).toEqual({
            messages: kept.slice(1),
            truncated: false,
          });
          // From exactly the horizon, the newest message dropped: nothing after it is gone.
          expect(await bus.history('trim', { since: sent[lost - 1].id, limit: 500 })).toEqual({
            messages: kept,
            truncated: subject.truncation === 'conservative',
          });
          // From just before it, and from the very first: the one at the horizon is gone.
          expect(await bus.history('trim', { since: sent[lost - 2].id, limit: 500 })).toEqual({
            messages: kept,
            truncated: true,
          });
          expect(await bus.history('trim', { since: sent[0].id, limit: 2 })).toEqual({
            messages: kept.slice(0, 2),
            truncated: true,
          });
          expect(await bus.history('trim', { since: sent[248].id, limit: 10 })).toEqual({
            messages: [sent[249]],
            truncated: false,
          });
        }
      });

      it('answers a resume in a room it keeps nothing of, without inventing messages', async () => {
        const all = await instances();
        const elsewhere = await all[0].bus.publish({ room: 'elsewhere', from: 'a', text: 'x' });
        for (const { bus } of all) {
          expect(await bus.history('never-written', { since: elsewhere.id, limit: 10 })).toEqual({
            messages: [],
            truncated: subject.truncation === 'conservative',
          });
        }
      });
    });

    describe('batches (publishMany)', () => {
      function publishMany(bus: ChatBus, drafts: Parameters<NonNullable<ChatBus['publishMany']>>[0]) {
        if (bus.publishMany === undefined) throw new Error('the bus has no publishMany');
        return bus.publishMany(drafts);
      }

      it('stores a batch in its order and delivers it in that order on every instance, like single publishes', async () => {
        const all = await instances();
        await listen(all, 'batch');
        const before = await all[0].bus.publish({ room: 'batch', from: 'ann', text: 'before' });
        const drafts = Array.from({ length: 20 }, (_, i) => ({
          room: 'batch',
          from: i % 2 === 0 ? 'ann' : 'bob',
          fromId: 'backend',
          text: `item ${i}`,
        }));
        const stored = await publishMany(all[0].bus, drafts);
        expect(stored).toEqual(drafts.map((draft) => ({ ...draft, id: expect.any(String), at: expect.any(String) })));
        expectAscending([before.id, ...ids(stored)]);
        const after = await all[all.length - 1].bus.publish({ room: 'batch', from: 'cid', text: 'after' });
        await delivered(all, 'batch', 22);
        for (const { log, bus } of all) {
          expect(log.messages('batch')).toEqual([before, ...stored, after]);
          expect((await bus.history('batch', { limit: 30 })).messages).toEqual([before, ...stored, after]);
        }
        expect(await publishMany(all[0].bus, [])).toEqual([]);
      });

      it('answers a draft whose ref is remembered, earlier in the batch included, with the message stored first', async () => {
        const all = await instances();
        await listen(all, 'batch-ref');
        const draft = (text: string, ref?: string | number) => ({
          room: 'batch-ref',
          from: 'ann',
          fromId: 'api',
          text,
          ref,
        });
        const first = await all[0].bus.publish(draft('first', 'a'));
        const answers = await publishMany(all[all.length - 1].bus, [
          draft('first again', 'a'),
          draft('second', 'b'),
          draft('second again', 'b'),
          draft('third', 3),
        ]);
        expect(texts(answers)).toEqual(['first', 'second', 'second', 'third']);
        expect(answers[0]).toEqual(first);
        expect(answers[2]).toEqual(answers[1]);
        await all[0].bus.publish({ room: 'batch-ref', from: 'x', text: 'marker' });
        await delivered(all, 'batch-ref', 4);
        for (const { log } of all)
          expect(texts(log.messages('batch-ref'))).toEqual(['first', 'second', 'third', 'marker']);
        // The whole batch again: nothing stored twice.
        const again = await publishMany(all[0].bus, [
          draft('first again', 'a'),
          draft('second', 'b'),
          draft('third', 3),
        ]);
        expect(ids(again)).toEqual([first.id, answers[1].id, answers[3].id]);
        expect(texts((await all[0].bus.history('batch-ref', { limit: 10 })).messages)).toEqual([
          'first',
          'second',
          'third',
          'marker',
        ]);
      });

      it('refuses a batch with a draft it cannot carry, or of two rooms, storing none of it', async () => {
        const all = await instances();
        const [{ bus }] = all;
        const good = { room: 'batch-bad', from: 'ann', text: 'fine' };
        await expect(publishMany(bus, [good, { ...good, text: 'lone \ud800' }])).rejects.toThrow(TypeError);
        await expect(publishMany(bus, [good, { ...good, room: 'elsewhere' }])).rejects.toThrow(TypeError);
        for (const room of ['batch-bad', 'elsewhere'])
          expect((await bus.history(room, { limit: 10 })).messages).toEqual([]);
      });
    });

    describe('idempotency keys (ref)', () => {
      it('stores a message sent with a ref once: a resend from any instance answers the first message and is neither stored nor delivered again', async () => {
        const all = await instances();
        await listen(all, 'once');
        const draft = { room: 'once', from: 'ann', fromId: 'user-1', text: 'only once', ref: 'k-1' };
        const first = await all[0].bus.publish(draft);
        expect(first).toEqual({ ...draft, id: expect.any(String), at: expect.any(String) });
        for (const { bus } of all) {
          expect(await bus.publish(draft)).toEqual(first);
          expect(await bus.publish(draft)).toEqual(first);
        }
        // A marker published last comes back after the one copy: no resend was delivered.
        const marker = await all[0].bus.publish({ room: 'once', from: 'x', text: 'marker' });
        await delivered(all, 'once', 2);
        for (const { log, bus } of all) {
          expect(log.messages('once')).toEqual([first, marker]);
          expect((await bus.history('once', { limit: 10 })).messages).toEqual([first, marker]);
          expect((await bus.history('once', { since: '0-0', limit: 10 })).messages).toEqual([first, marker]);
        }
      });

      it('stores one message when resends race each other on every instance', async () => {
        const all = await instances();
        await listen(all, 'race-ref');
        const draft = { room: 'race-ref', from: 'ann', fromId: 'user-1', text: 'racing', ref: 7 };
        const sends: Array<Promise<ChatMessage>> = [];
        for (let i = 0; i < 5; i++) for (const { bus } of all) sends.push(bus.publish(draft));
        const answers = await Promise.all(sends);
        expect(new Set(ids(answers)).size).toBe(1);
        const marker = await all[0].bus.publish({ room: 'race-ref', from: 'x', text: 'marker' });
        await delivered(all, 'race-ref', 2);
        for (const { log } of all) expect(ids(log.messages('race-ref'))).toEqual([answers[0].id, marker.id]);
      });

      it('scopes a ref to its sender and its room, and tells the string "1" from the number 1', async () => {
        const all = await instances();
        const [{ bus }] = all;
        const sent = [
          await bus.publish({ room: 'scope', from: 'ann', fromId: 'user-1', text: 'a', ref: '1' }),
          await bus.publish({ room: 'scope', from: 'bob', fromId: 'user-2', text: 'b', ref: '1' }),
          await bus.publish({ room: 'scope', from: 'ann', fromId: 'user-1', text: 'c', ref: 1 }),
          await bus.publish({ room: 'scope-2', from: 'ann', fromId: 'user-1', text: 'd', ref: '1' }),
          await bus.publish({ room: 'scope', from: 'ann', fromId: 'user-1', text: 'e' }),
          await bus.publish({ room: 'scope', from: 'ann', fromId: 'user-1', text: 'e' }),
        ];
        // Ids are unique within a room only.
        expect(new Set(sent.map((message) => `${message.room} ${message.id}`)).size).toBe(sent.length);
        const page = await bus.history('scope', { limit: 10 });
        expect(page.messages.map((message) => [message.text, message.ref])).toEqual([
          ['a', '1'],
          ['b', '1'],
          ['c', 1],
          ['e', undefined],
          ['e', undefined],
        ]);
      });

      it('remembers at least the keysPerRoom newest keys of a room, and forgets one after twice that many newer keys', async () => {
        const all = await instances({ idempotency: { keysPerRoom: 2, windowMs: 600_000 } });
        const [{ bus }] = all;
        const send = (ref: string) => bus.publish({ room: 'cap', from: 'ann', fromId: 'u', text: ref, ref });
        const oldest = await send('k1');
        const second = await send('k2');
        // k1 and k2 are the two newest keys.
        expect((await send('k1')).id).toBe(oldest.id);
        expect((await send('k2')).id).toBe(second.id);
        for (const ref of ['k3', 'k4', 'k5']) await send(ref);
        // Four newer keys: k1 is forgotten (a new message), the newest are remembered.
        const again = await send('k1');
        expect(again.id).not.toBe(oldest.id);
        expect((await send('k1')).id).toBe(again.id);
        const kept = await send('k5');
        expect((await send('k5')).id).toBe(kept.id);
      });

      it('forgets a key windowMs after its message', async () => {
        const all = await instances({ idempotency: { keysPerRoom: 500, windowMs: 200 } });
        const [{ bus }] = all;
        const send = (ref: string) => bus.publish({ room: 'window', from: 'ann', fromId: 'u', text: ref, ref });
        const early = await send('late');
        expect((await send('late')).id).toBe(early.id);
        // At least the window has passed: whatever the scheduling, the key is forgotten.
        await new Promise((resolve) => setTimeout(resolve, 250));
        expect((await send('late')).id).not.toBe(early.id);
      });
    });

    describe('room limit', () => {
      it('refuses a new room with RoomLimitError while maxRooms rooms are in use, keeping every history', async () => {
        const all = await instances({ maxRooms: 3, roomMinIdleMs: 60_000 });
        const [{ bus }] = all;
        const kept: ChatMessage[] = [];
        for (const room of ['a', 'b', 'c']) kept.push(await bus.publish({ room, from: 'x', text: room }));
        const attempts = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => bus.publish({ room: `new-${i}`, from: 'x', text: 'x' })),
        );
        for (const attempt of attempts) {
          expect(attempt.status).toBe('rejected');
          const reason = (attempt as PromiseRejectedResult).reason as RoomLimitError;
          expect(reason).toBeInstanceOf(RoomLimitError);
          expect(reason.maxRooms).toBe(3);
          expect(reason.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          expect(reason.retryAfterSeconds).toBeLessThanOrEqual(60);
        }
        for (const instance of all) {
          for (const message of kept) {
            expect(await instance.bus.history(message.room, { limit: 10 })).toEqual({
              messages: [message],
              truncated: false,
            });
          }
          expect(await instance.bus.history('new-0', { limit: 10 })).toEqual({ messages: [], truncated: false });
        }
        // A room that has history takes messages at the limit.
        await expect(bus.publish({ room: 'a', from: 'x', text: 'a2' })).resolves.toMatchObject({ room: 'a' });
      });

      it('makes way for a new room by dropping an idle one, never one with members, and a resume across it says truncated', async () => {
        const all = await instances({ maxRooms: 2, roomMinIdleMs: 0 });
        const [first] = all;
        await occupy(first, 'busy');
        const busy = await first.bus.publish({ room: 'busy', from: 'x', text: 'oldest, with a member' });
        const idle = [
          await first.bus.publish({ room: 'idle', from: 'x', text: 'i1' }),
          await first.bus.publish({ room: 'idle', from: 'x', text: 'i2' }),
        ];
        const fresh = await first.bus.publish({ room: 'fresh', from: 'x', text: 'made way' });
        for (const { bus } of all) {
          expect(await bus.history('busy', { since: busy.id, limit: 10 })).toEqual({ messages: [], truncated: false });
          expect(await bus.history('busy', { limit: 10 })).toEqual({ messages: [busy], truncated: false });
          expect(await bus.history('fresh', { limit: 10 })).toEqual({ messages: [fresh], truncated: false });
          expect(await bus.history('idle', { limit: 10 })).toEqual({ messages: [], truncated: false });
          expect(await bus.history('idle', { since: idle[0].id, limit: 10 })).toEqual({
            messages: [],
            truncated: true,
          });
          expect(await bus.history('idle', { since: idle[1].id, limit: 10 })).toEqual({
            messages: [],
            truncated: subject.truncation === 'conservative',
          });
        }
        // Written again (fresh makes way now): a resume from its old messages still says truncated.
        const again = await first.bus.publish({ room: 'idle', from: 'x', text: 'i3' });
        for (const { bus } of all) {
          expect(await bus.history('idle', { since: idle[0].id, limit: 10 })).toEqual({
            messages: [again],
            truncated: true,
          });
          expect(await bus.history('fresh', { limit: 10 })).toEqual({ messages: [], truncated: false });
        }
      });
    });

    describe('presence', () => {
      if (!subject.presence) {
        it("has none of its own: the chat module uses its instance's connections", async () => {
          const [{ bus }] = await instances();
          expect(bus.presence).toBeUndefined();
        });
        return;
      }

      it('keeps who is in which room for every instance, oldest first, names exactly as given', async () => {
        const all = await instances();
        const [a, b] = [all[0].bus.presence!, all.at(-1)!.bus.presence!];
        const odd = 'bob "the" \\ 🚀';
        expect(await a.enter('room', { id: 'c1', name: 'ann' })).toEqual({ members: ['ann'], count: 1 });
        expect(await b.enter('room', { id: 'c2', name: odd })).toEqual({ members: ['ann', odd], count: 2 });
        await b.enter('other', { id: 'c2', name: odd });
        expect(await a.roster('room')).toEqual({ members: ['ann', odd], count: 2 });
        expect(await a.rooms()).toEqual([
          { room: 'other', members: 1 },
          { room: 'room', members: 2 },
        ]);
        await b.rename('c2', 'robert', ['room', 'other']);
        expect(await a.roster('other')).toEqual({ members: ['robert'], count: 1 });
        expect(await a.exit('room', 'c1')).toEqual({ members: ['robert'], count: 1 });
        expect(await b.exit('other', 'c2')).toEqual({ members: [], count: 0 });
        expect(await b.rooms()).toEqual([{ room: 'room', members: 1 }]);
      });
    });

    describe('close()', () => {
      it('acknowledges a message being published when it starts, then completes its events and refuses to publish', async () => {
        const all = await instances();
        await listen(all, 'last');
        const closing = all[0];
        const inFlight = closing.bus.publish({ room: 'last', from: 'ann', text: 'last words' });
        await within(closing.bus.close!(), 'the close');
        const stored = await within(inFlight, 'the message in flight to be acknowledged');
        expect(stored.text).toBe('last words');
        await closing.log.until(() => closing.log.isComplete, 'its events to complete');
        await expect(closing.bus.publish({ room: 'last', from: 'ann', text: 'too late' })).rejects.toThrow('closed');
        await expect(
          closing.bus.announce({ room: 'last', name: 'ann', event: 'leave', members: [], count: 0 }),
        ).resolves.toBeUndefined();
        await expect(closing.bus.close!()).resolves.toBeUndefined();
        for (const other of all.slice(1)) {
          expect((await other.bus.history('last', { limit: 10 })).messages).toEqual([stored]);
          // The other instances carry on.
          const next = await other.bus.publish({ room: 'last', from: 'bob', text: 'still here' });
          await other.log.until(
            () => other.log.messages('last').some((message) => message.id === next.id),
            'its own message',
          );
        }
      });
    });
  });
}
