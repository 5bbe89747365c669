import { jest } from '@jest/globals';
import { Subject } from 'rxjs';
import type { ChatBus, HistoryPage, HistoryQuery } from './bus/chat-bus.js';
import type { ChatEvent, ChatMessage, MessageDraft, PresenceNotice } from './bus/chat-events.js';
import { ChatError } from './chat-error.js';
import { resolveChatOptions, type ChatRuntimeOptions } from './chat-options.js';
import type { ChatSocket } from './chat-socket.js';
import { ChatService, type JoinReply } from './chat.service.js';
import { ConnectionRegistry, type ChatConnection } from './connection-registry.js';
import { LocalPresence } from './presence/local-presence.js';
import type { PresenceMember, RoomPresence, Roster } from './presence/room-presence.js';
import { RoomAccess } from './room-access.js';
import { RoomFanout } from './room-fanout.js';

/** A bus whose history answers only when the test says so. */
class ScriptedBus implements ChatBus {
  readonly events = new Subject<ChatEvent>();
  readonly events$ = this.events.asObservable();
  readonly announced: PresenceNotice[] = [];
  readonly historyCalls: Array<{
    room: string;
    query: HistoryQuery;
    answer(page: HistoryPage): void;
    fail(e: Error): void;
  }> = [];
  private seq = 0;

  async publish(draft: MessageDraft): Promise<ChatMessage> {
    return { ...draft, fromId: draft.fromId ?? '', id: `100-${this.seq++}`, at: new Date(0).toISOString() };
  }
  async announce(presence: PresenceNotice): Promise<void> {
    this.announced.push(presence);
  }
  history(room: string, query: HistoryQuery): Promise<HistoryPage> {
    return new Promise((answer, fail) => this.historyCalls.push({ room, query, answer, fail }));
  }
  deliver(message: ChatMessage): void {
    this.events.next({ type: 'message', message });
  }
}

class FakeSocket implements ChatSocket {
  readyState = 1;
  readonly received: unknown[] = [];
  send(data: string): void {
    this.received.push(JSON.parse(data));
  }
  close(): void {}
  on(): void {}
}

const msg = (id: string, text = id): ChatMessage => ({
  id,
  room: 'lobby',
  from: 'x',
  fromId: 'x-id',
  text,
  at: new Date(0).toISOString(),
});
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** The local presence, recording calls and failing on request. */
class RecordingPresence extends LocalPresence implements RoomPresence {
  readonly calls: string[] = [];
  failEnter = false;
  failExit = false;

  override async enter(room: string, member: PresenceMember): Promise<Roster> {
    this.calls.push(`enter ${room} ${member.name}`);
    if (this.failEnter) throw new Error('presence store down');
    return super.enter(room, member);
  }
  override async exit(room: string, memberId: string): Promise<Roster | undefined> {
    this.calls.push(`exit ${room}`);
    return this.failExit ? undefined : super.exit(room, memberId);
  }
  override async rename(memberId: string, name: string, rooms: Iterable<string>): Promise<void> {
    this.calls.push(`rename ${name} ${[...rooms].join(',')}`);
  }
}

describe('ChatService', () => {
  let bus: ScriptedBus;
  let registry: ConnectionRegistry;
  let fanout: RoomFanout;
  let presence: RecordingPresence;

  function service(options: ChatRuntimeOptions = {}): ChatService {
    const resolved = resolveChatOptions({ rateLimit: false, roomCreatePerMinute: false, ...options });
    presence = new RecordingPresence(registry, resolved.memberListLimit);
    return new ChatService(resolved, bus, presence, registry, fanout, new RoomAccess(resolved));
  }

  /** The i-th history read, once the join has got that far (after its presence change). */
  async function historyCall(i: number) {
    await settle();
    return bus.historyCalls[i];
  }

  beforeEach(() => {
    bus = new ScriptedBus();
    registry = new ConnectionRegistry();
    fanout = new RoomFanout(registry, bus, { textEscapeHtml: true });
    fanout.onModuleInit();
  });
  afterEach(() => fanout.onApplicationShutdown());

  it('names guests after their connection id unless given a name', () => {
    const chat = service();
    const guest = chat.connect(new FakeSocket(), { kind: 'json', remoteAddress: 'a' });
    expect(guest.name).toBe(`guest-${guest.id.slice(0, 8)}`);
    expect(chat.connect(new FakeSocket(), { kind: 'text', name: '1.2.3.4:5', remoteAddress: 'a' }).name).toBe(
      '1.2.3.4:5',
    );
    const locked = chat.connect(new FakeSocket(), { kind: 'json', remoteAddress: 'a', lockedName: 'alice' });
    expect(locked).toMatchObject({ name: 'alice', nameLocked: true });
    expect(() => chat.rename(locked, 'mallory')).toThrow(ChatError);
  });

  it('replies with history and members, then announces the join', async () => {
    const chat = service();
    const socket = new FakeSocket();
    const ann = chat.connect(socket, { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const replies: JoinReply[] = [];
    const joining = chat.join(ann, { room: 'lobby' }, (reply) => replies.push(reply));
    // One more than the page: whether there are earlier messages comes with the same read.
    expect(await historyCall(0)).toMatchObject({ room: 'lobby', query: { limit: 101 } });
    expect(bus.announced).toEqual([]);
    (await historyCall(0)).answer({ messages: [msg('1-0')], truncated: false });
    await joining;
    expect(replies).toEqual([
      {
        room: 'lobby',
        members: ['ann'],
        count: 1,
        history: { messages: [msg('1-0')], truncated: false },
        earlier: false,
      },
    ]);
    expect(bus.announced).toEqual([{ room: 'lobby', name: 'ann', event: 'join', members: ['ann'], count: 1 }]);
  });

  it('delivers what arrived during the history read after the reply, without repeats', async () => {
    const chat = service();
    const socket = new FakeSocket();
    const ann = chat.connect(socket, { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const joining = chat.join(ann, { room: 'lobby', since: '1-0' }, () =>
      socket.send(JSON.stringify({ event: 'joined' })),
    );
    // Published while the history was being read: 2-0 made it into the history, 3-0 did not.
    bus.deliver(msg('2-0'));
    bus.deliver(msg('3-0'));
    expect(socket.received).toEqual([]);
    (await historyCall(0)).answer({ messages: [msg('2-0')], truncated: false });
    await joining;
    expect(socket.received).toEqual([{ event: 'joined' }, { event: 'message', data: msg('3-0') }]);
    bus.deliver(msg('4-0'));
    expect(socket.received).toHaveLength(3);
  });

  it('uses since as the resume point when the history is empty', async () => {
    const chat = service();
    const socket = new FakeSocket();
    const ann = chat.connect(socket, { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const joining = chat.join(ann, { room: 'lobby', since: '5-0' }, () => undefined);
    bus.deliver(msg('5-0'));
    bus.deliver(msg('6-0'));
    (await historyCall(0)).answer({ messages: [], truncated: false });
    await joining;
    expect(socket.received).toEqual([{ event: 'message', data: msg('6-0') }]);
  });

  it('neither replies nor announces when the client left while the history was read', async () => {
    const chat = service();
    const socket = new FakeSocket();
    const ann = chat.connect(socket, { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const replies: JoinReply[] = [];
    const joining = chat.join(ann, { room: 'lobby' }, (reply) => replies.push(reply));
    await chat.disconnect(socket);
    (await historyCall(0)).answer({ messages: [], truncated: false });
    await joining;
    expect(replies).toEqual([]);
    expect(bus.announced).toEqual([{ room: 'lobby', name: 'ann', event: 'leave', members: [], count: 0 }]);
    expect(registry.roomCount).toBe(0);
  });

  it('forgets a closed connection even when its leave cannot be announced', async () => {
    const chat = service();
    const socket = new FakeSocket();
    const ann = chat.connect(socket, { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const joining = chat.join(ann, { room: 'lobby' }, () => undefined);
    (await historyCall(0)).answer({ messages: [], truncated: false });
    await joining;
    bus.announce = () => Promise.reject(new Error('bus unreachable'));
    await expect(chat.disconnect(socket)).resolves.toBeUndefined();
    expect(registry.connectionCount).toBe(0);
    expect(registry.roomCount).toBe(0);
  });

  it('does not stay half-joined when the history cannot be read', async () => {
    const chat = service();
    const ann = chat.connect(new FakeSocket(), { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const joining = chat.join(ann, { room: 'lobby' }, () => undefined);
    (await historyCall(0)).fail(new Error('redis down'));
    await expect(joining).rejects.toThrow('redis down');
    expect(ann.rooms.size).toBe(0);
    expect(registry.membersOf('lobby')).toBeUndefined();
  });

  it('answers a second join of the same room without a second announcement', async () => {
    const chat = service();
    const ann = chat.connect(new FakeSocket(), { kind: 'json', name: 'ann', remoteAddress: 'a' });
    for (let i = 0; i < 2; i++) {
      const joining = chat.join(ann, { room: 'lobby' }, () => undefined);
      (await historyCall(i)).answer({ messages: [], truncated: false });
      await joining;
    }
    expect(bus.announced).toHaveLength(1);
  });

  it('limits the rooms per connection and the names listed', async () => {
    const chat = service({ maxRoomsPerConnection: 2, memberListLimit: 1 });
    const ann = chat.connect(new FakeSocket(), { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const bob = chat.connect(new FakeSocket(), { kind: 'json', name: 'bob', remoteAddress: 'b' });
    const joins = [chat.join(ann, { room: 'a' }, () => undefined), chat.join(ann, { room: 'b' }, () => undefined)];
    await expect(chat.join(ann, { room: 'c' }, () => undefined)).rejects.toMatchObject({ code: 'too_many_rooms' });
    const replies: JoinReply[] = [];
    joins.push(chat.join(bob, { room: 'a' }, (reply) => replies.push(reply)));
    await settle();
    for (const call of bus.historyCalls) call.answer({ messages: [], truncated: false });
    await Promise.all(joins);
    expect(replies[0]).toMatchObject({ members: ['ann'], count: 2 });
  });

  it('refuses to post to or leave a room the connection is not in', async () => {
    const chat = service();
    const ann = chat.connect(new FakeSocket(), { kind: 'json', name: 'ann', remoteAddress: 'a' });
    expect(() => chat.post(ann, 'lobby', 'hi')).toThrow(expect.objectContaining({ code: 'not_in_room' }));
    await expect(chat.leave(ann, 'lobby')).rejects.toMatchObject({ code: 'not_in_room' });
  });

  it('posts with the current name', async () => {
    const chat = service();
    const ann = chat.connect(new FakeSocket(), { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const joining = chat.join(ann, { room: 'lobby' }, () => undefined);
    (await historyCall(0)).answer({ messages: [], truncated: false });
    await joining;
    void chat.rename(ann, 'annie');
    await expect(chat.post(ann, 'lobby', 'hi')).resolves.toMatchObject({ from: 'annie', text: 'hi' });
    await settle();
  });

  it('applies the rate limit per connection', () => {
    const chat = service({ rateLimit: { burst: 2, perSecond: 0.001 } });
    const ann = chat.connect(new FakeSocket(), { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const bob = chat.connect(new FakeSocket(), { kind: 'json', name: 'bob', remoteAddress: 'b' });
    expect([chat.admit(ann), chat.admit(ann), chat.admit(ann)]).toEqual([true, true, false]);
    expect(chat.admit(bob)).toBe(true);
  });

  it('closes with 1008 a connection that keeps sending past closeAfter refusals', () => {
    const chat = service({ rateLimit: { burst: 1, perSecond: 0.001, closeAfter: 2 } });
    const socket = new FakeSocket();
    const closes: Array<[number | undefined, string | undefined]> = [];
    socket.close = (code?: number, reason?: string) => {
      closes.push([code, reason]);
      socket.readyState = 2;
    };
    const ann = chat.connect(socket, { kind: 'json', name: 'ann', remoteAddress: 'a' });
    expect([chat.admit(ann), chat.admit(ann), chat.admit(ann)]).toEqual([true, false, false]);
    expect(closes).toEqual([]);
    expect(chat.admit(ann)).toBe(false);
    expect(closes).toEqual([[1008, 'rate limit exceeded']]);
    expect(chat.admit(ann)).toBe(false);
    expect(closes).toHaveLength(1);
  });

  it('starts counting refusals again after an accepted frame', () => {
    let now = 0;
    const spy = jest.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const chat = service({ rateLimit: { burst: 1, perSecond: 1, closeAfter: 2 } });
      const socket = new FakeSocket();
      socket.close = () => {
        socket.readyState = 2;
      };
      const ann = chat.connect(socket, { kind: 'json', name: 'ann', remoteAddress: 'a' });
      expect([chat.admit(ann), chat.admit(ann), chat.admit(ann)]).toEqual([true, false, false]);
      now += 1000;
      expect(chat.admit(ann)).toBe(true);
      expect(ann.strikes).toBe(0);
      expect([chat.admit(ann), chat.admit(ann)]).toEqual([false, false]);
      expect(socket.readyState).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('records the member in the presence before reading the history, and removes it when the join fails', async () => {
    const chat = service();
    const ann = chat.connect(new FakeSocket(), { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const joining = chat.join(ann, { room: 'lobby' }, () => undefined);
    expect(presence.calls).toEqual(['enter lobby ann']);
    (await historyCall(0)).fail(new Error('redis down'));
    await expect(joining).rejects.toThrow('redis down');
    expect(presence.calls).toEqual(['enter lobby ann', 'exit lobby']);

    presence.failEnter = true;
    await expect(chat.join(ann, { room: 'lobby' }, () => undefined)).rejects.toThrow('presence store down');
    expect(bus.historyCalls).toHaveLength(1);
    expect(ann.rooms.size).toBe(0);
  });

  it('announces no leave the presence could not record (the presence announces it once repaired)', async () => {
    const chat = service();
    const socket = new FakeSocket();
    const ann = chat.connect(socket, { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const joining = chat.join(ann, { room: 'lobby' }, () => undefined);
    (await historyCall(0)).answer({ messages: [], truncated: false });
    await joining;
    presence.failExit = true;
    await chat.leave(ann, 'lobby');
    expect(bus.announced.map((notice) => notice.event)).toEqual(['join']);
    expect(ann.rooms.size).toBe(0);
  });

  it('tells the presence about a new name in every room of the connection', async () => {
    const chat = service();
    const ann = chat.connect(new FakeSocket(), { kind: 'json', name: 'ann', remoteAddress: 'a' });
    for (const [i, room] of ['a', 'b'].entries()) {
      const joining = chat.join(ann, { room }, () => undefined);
      (await historyCall(i)).answer({ messages: [], truncated: false });
      await joining;
    }
    await chat.rename(ann, 'annie');
    await chat.rename(ann, 'annie');
    expect(presence.calls.filter((call) => call.startsWith('rename'))).toEqual(['rename annie a,b']);
  });

  it('keeps a refused joiner out of the room, the presence and the history', async () => {
    const seen: unknown[] = [];
    const chat = service({ canJoin: (principal, room) => (seen.push(principal), room !== 'vault') });
    const ann = chat.connect(new FakeSocket(), { kind: 'json', name: 'ann', remoteAddress: '10.0.0.1:5' });
    await expect(chat.join(ann, { room: 'vault' }, () => undefined)).rejects.toMatchObject({ code: 'forbidden' });
    expect(ann.rooms.size).toBe(0);
    expect(presence.calls).toEqual([]);
    expect(bus.historyCalls).toEqual([]);
    expect(seen).toEqual([{ anonymous: true, id: ann.id, name: 'ann', address: '10.0.0.1:5', protocol: 'json' }]);
  });

  it('stamps posts with the principal id, else the connection id, and asks canPost', async () => {
    const refused = new Set(['quiet']);
    const chat = service({ canPost: async (_principal, room) => !refused.has(room) });
    const anonymous = chat.connect(new FakeSocket(), { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const signed = chat.connect(new FakeSocket(), {
      kind: 'json',
      remoteAddress: 'b',
      lockedName: 'Bob',
      principal: { sub: 'u-9' },
    });
    let reads = 0;
    for (const connection of [anonymous, signed]) {
      for (const room of ['lobby', 'quiet']) {
        const joining = chat.join(connection, { room }, () => undefined);
        (await historyCall(reads++)).answer({ messages: [], truncated: false });
        await joining;
      }
    }
    expect(await chat.post(anonymous, 'lobby', 'hi')).toMatchObject({ from: 'ann', fromId: anonymous.id });
    expect(await chat.post(signed, 'lobby', 'hi')).toMatchObject({ from: 'Bob', fromId: 'u-9' });
    await expect(chat.post(signed, 'quiet', 'hi')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('does not post for a member that left while an asynchronous canPost was deciding', async () => {
    let decide: (allowed: boolean) => void = () => undefined;
    const chat = service({ canPost: () => new Promise<boolean>((resolve) => (decide = resolve)) });
    const ann = chat.connect(new FakeSocket(), { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const joining = chat.join(ann, { room: 'lobby' }, () => undefined);
    (await historyCall(0)).answer({ messages: [], truncated: false });
    await joining;
    const posting = chat.post(ann, 'lobby', 'late');
    await chat.leave(ann, 'lobby');
    decide(true);
    await expect(posting).rejects.toMatchObject({ code: 'not_in_room' });
  });

  it('says whether messages older than the join page or a history page exist', async () => {
    const chat = service({ historySize: 2 });
    const ann = chat.connect(new FakeSocket(), { kind: 'json', name: 'ann', remoteAddress: 'a' });
    const replies: JoinReply[] = [];
    const joining = chat.join(ann, { room: 'lobby' }, (reply) => replies.push(reply));
    (await historyCall(0)).answer({ messages: [msg('1-0'), msg('2-0'), msg('3-0')], truncated: false });
    await joining;
    expect(replies[0]).toMatchObject({ history: { messages: [msg('2-0'), msg('3-0')] }, earlier: true });
    const reading = chat.memberHistory(ann, 'lobby', { before: '2-0', limit: 1 });
    expect(await historyCall(1)).toMatchObject({ query: { before: '2-0', limit: 2 } });
    (await historyCall(1)).answer({ messages: [msg('1-0')], truncated: false });
    expect(await reading).toEqual({ messages: [msg('1-0')], earlier: false });
  });

  describe('one name per person in a room', () => {
    let chat: ChatService;
    let reads: number;
    beforeEach(() => {
      chat = service();
      reads = 0;
    });

    async function joined(connection: ChatConnection, room: string, name?: string): Promise<void> {
      const joining = chat.join(connection, { room, name }, () => undefined);
      (await historyCall(reads++)).answer({ messages: [], truncated: false });
      await joining;
    }
    const anonymous = (name: string) => chat.connect(new FakeSocket(), { kind: 'json', name, remoteAddress: 'a' });
    const signedIn = (sub: string, name: string) =>
      chat.connect(new FakeSocket(), { kind: 'json', remoteAddress: 'a', lockedName: name, principal: { sub } });

    it('refuses a join under a name another identity holds in the room, with name_taken', async () => {
      await joined(anonymous('ann'), 'lobby');
      const other = anonymous('ann');
      await expect(chat.join(other, { room: 'lobby' }, () => undefined)).rejects.toMatchObject({
        code: 'name_taken',
        message: expect.stringContaining('"ann"'),
      });
      expect(other.rooms.size).toBe(0);
      expect(registry.memberNames('lobby')).toEqual(['ann']);
      expect(presence.calls.filter((call) => call.startsWith('enter'))).toEqual(['enter lobby ann']);
      // The same name in another room is someone else's business.
      await joined(other, 'side');
      expect(other.rooms.has('side')).toBe(true);
    });

    it('refuses the name a join asks for without renaming the connection', async () => {
      await joined(anonymous('ann'), 'lobby');
      const bob = anonymous('bob');
      await joined(bob, 'side');
      await expect(chat.join(bob, { room: 'lobby', name: 'ann' }, () => undefined)).rejects.toMatchObject({
        code: 'name_taken',
      });
      expect(bob.name).toBe('bob');
      expect(presence.calls.filter((call) => call.startsWith('rename'))).toEqual([]);
    });

    it('lets one authenticated identity hold its name from two connections', async () => {
      await joined(signedIn('u-1', 'Ann'), 'lobby');
      const secondTab = signedIn('u-1', 'Ann');
      await joined(secondTab, 'lobby');
      expect(registry.memberNames('lobby')).toEqual(['Ann', 'Ann']);
      await expect(chat.join(signedIn('u-2', 'Ann'), { room: 'lobby' }, () => undefined)).rejects.toMatchObject({
        code: 'name_taken',
      });
    });

    it('refuses a rename to a name taken in any of its rooms, and frees a name once nobody holds it', async () => {
      const ann = anonymous('ann');
      const bob = anonymous('bob');
      await joined(ann, 'lobby');
      await joined(bob, 'lobby');
      expect(() => chat.rename(bob, 'ann')).toThrow(expect.objectContaining({ code: 'name_taken' }));
      expect(bob.name).toBe('bob');
      await chat.rename(ann, 'annie');
      await chat.rename(bob, 'ann');
      expect(registry.memberNames('lobby')).toEqual(['annie', 'ann']);
      await chat.leave(bob, 'lobby');
      await joined(anonymous('ann'), 'lobby');
    });

    it('frees the names of a closed connection', async () => {
      const socket = new FakeSocket();
      await joined(chat.connect(socket, { kind: 'json', name: 'ann', remoteAddress: 'a' }), 'lobby');
      await chat.disconnect(socket);
      await joined(anonymous('ann'), 'lobby');
      expect(registry.memberNames('lobby')).toEqual(['ann']);
    });

    it('takes the identity the protocol gives: plain-text clients of one address share its name', async () => {
      const peer = () =>
        chat.connect(new FakeSocket(), {
          kind: 'text',
          name: '10.0.0.1',
          remoteAddress: '10.0.0.1',
          identity: 'peer:10.0.0.1',
        });
      await joined(peer(), 'lobby');
      await joined(peer(), 'lobby');
      expect(registry.memberNames('lobby')).toEqual(['10.0.0.1', '10.0.0.1']);
    });

    it('goes back to the old name when the shared presence refuses the new one', async () => {
      const ann = anonymous('ann');
      await joined(ann, 'lobby');
      presence.rename = () => Promise.reject(new ChatError('name_taken', 'taken on another instance'));
      await expect(chat.rename(ann, 'bob')).rejects.toMatchObject({ code: 'name_taken' });
      expect(ann.name).toBe('ann');
      await joined(anonymous('bob'), 'lobby');
    });

    it('leaves no trace of a join the shared presence refuses, and does not exit it there', async () => {
      const ann = anonymous('ann');
      await joined(ann, 'side');
      presence.enter = () => Promise.reject(new ChatError('name_taken', 'taken on another instance'));
      await expect(chat.join(ann, { room: 'lobby', name: 'annie' }, () => undefined)).rejects.toMatchObject({
        code: 'name_taken',
      });
      expect([...ann.rooms.keys()]).toEqual(['side']);
      expect(registry.memberCount('lobby')).toBe(0);
      // The name asked for with the refused join is given back.
      expect(ann.name).toBe('ann');
      expect(registry.memberNames('side')).toEqual(['ann']);
      expect(presence.calls.filter((call) => !call.startsWith('enter side'))).toEqual([
        'rename annie side',
        'rename ann side',
      ]);
    });
  });

  it('lets shutdown wait for the leaves of connections the servers closed, and for summed-up leaves', async () => {
    const chat = service({ presenceBatch: { intervalMs: 60_000, burst: 1 } });
    const sockets = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    for (const [i, socket] of sockets.entries()) {
      const member = chat.connect(socket, { kind: 'json', name: `m${i}`, remoteAddress: 'a' });
      const joining = chat.join(member, { room: 'r' }, () => undefined);
      (await historyCall(i)).answer({ messages: [], truncated: false });
      await joining;
    }
    bus.announced.length = 0;
    // The presence answers exits only when the test says so: leaves still on their way.
    let releaseExit: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (releaseExit = resolve));
    const exit = presence.exit.bind(presence);
    presence.exit = async (room, memberId) => {
      await held;
      return exit(room, memberId);
    };
    // As the adapter does: the disconnect handlers are not awaited by the server's close.
    for (const socket of sockets) void chat.disconnect(socket);
    let shutDown = false;
    const shutdown = chat.onApplicationShutdown().then(() => (shutDown = true));
    await settle();
    expect(shutDown).toBe(false);
    releaseExit();
    await shutdown;
    // The room's window (one notice at once, m0's join) sums up the other joins and every leave,
    // sent by the shutdown rather than dropped with the window.
    expect(bus.announced).toEqual([
      { room: 'r', name: 'm2', event: 'leave', joins: 2, leaves: 3, members: [], count: 0 },
    ]);
  });
});
