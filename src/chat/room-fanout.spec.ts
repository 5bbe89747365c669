import { Subject } from 'rxjs';
import type { PreparedFrame } from '../websocket/index.js';
import type { ChatBus } from './bus/chat-bus.js';
import { InMemoryChatBus } from './bus/in-memory-chat-bus.js';
import type { ChatEvent, ChatMessage } from './bus/chat-events.js';
import type { ChatSocket, ProtocolKind } from './chat-socket.js';
import { resolveChatOptions } from './chat-options.js';
import { ChatService } from './chat.service.js';
import { ConnectionRegistry } from './connection-registry.js';
import { LocalPresence } from './presence/local-presence.js';
import { RoomAccess } from './room-access.js';
import { RoomFanout } from './room-fanout.js';
import { chatLine } from './text-lines.js';

class FakeSocket implements ChatSocket {
  readyState = 1;
  readonly texts: string[] = [];
  readonly frames: PreparedFrame[] = [];
  send(data: string): void {
    this.texts.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  on(): void {}
}

class FramingSocket extends FakeSocket {
  sendFrame(frame: PreparedFrame): void {
    this.frames.push(frame);
  }
}

const message: ChatMessage = {
  id: '5-0',
  room: 'lobby',
  from: 'ann',
  fromId: 'a1',
  text: 'hi',
  at: '2024-01-01T10:00:00.000Z',
};
const messageEvent = (m: ChatMessage = message): ChatEvent => ({ type: 'message', message: m });
const presence = (event: 'join' | 'leave'): ChatEvent => ({
  type: 'presence',
  presence: { room: 'lobby', name: 'bob', event, members: ['ann', 'bob'], count: 2 },
});

describe('RoomFanout', () => {
  let registry: ConnectionRegistry;
  let events: Subject<ChatEvent>;
  let fanout: RoomFanout;

  beforeEach(() => {
    registry = new ConnectionRegistry();
    events = new Subject();
    fanout = new RoomFanout(registry, { events$: events.asObservable() } as unknown as ChatBus, {
      textEscapeHtml: true,
    });
    fanout.onModuleInit();
  });
  afterEach(() => fanout.onApplicationShutdown());

  function member<S extends FakeSocket>(socket: S, room = 'lobby', kind: ProtocolKind = 'json', senderId?: string): S {
    const connection = registry.register(socket, {
      id: String(Math.random()),
      name: 'x',
      remoteAddress: '',
      kind,
      senderId,
    });
    const membership = registry.join(connection, room);
    fanout.release(membership!, undefined);
    return socket;
  }

  it('frames a room event once and writes the same bytes to every member', () => {
    const sockets = [member(new FramingSocket()), member(new FramingSocket()), member(new FramingSocket())];
    events.next(messageEvent());
    const frames = sockets.map((s) => s.frames);
    expect(frames.every((f) => f.length === 1)).toBe(true);
    expect(frames[1][0]).toBe(frames[0][0]);
    expect(frames[2][0]).toBe(frames[0][0]);
    const bytes = frames[0][0].bytes;
    expect(bytes[0]).toBe(0x81);
    expect(bytes.subarray(2).toString()).toBe(JSON.stringify({ event: 'message', data: message }));
  });

  it("gives a message's ref to its sender's connections only: one frame for them, one for everyone else", () => {
    const others = [member(new FramingSocket()), member(new FramingSocket(), 'lobby', 'json', 'b2')];
    const own = [
      member(new FramingSocket(), 'lobby', 'json', 'a1'),
      member(new FramingSocket(), 'lobby', 'json', 'a1'),
    ];
    const plain = member(new FramingSocket(), 'lobby', 'text', 'a1');
    events.next(messageEvent({ ...message, ref: 'k-1' }));
    // Past the frame header (2 bytes, 4 with a 16-bit length).
    const payload = (socket: FramingSocket) => {
      const bytes = socket.frames[0].bytes;
      return JSON.parse(bytes.subarray(bytes.indexOf('{')).toString());
    };
    expect(others.map(payload)).toEqual([
      { event: 'message', data: message },
      { event: 'message', data: message },
    ]);
    expect(others[1].frames[0]).toBe(others[0].frames[0]);
    expect(own.map(payload)).toEqual([
      { event: 'message', data: { ...message, ref: 'k-1' } },
      { event: 'message', data: { ...message, ref: 'k-1' } },
    ]);
    expect(own[1].frames[0]).toBe(own[0].frames[0]);
    expect(plain.frames[0].bytes.subarray(2).toString()).toBe(chatLine(message));
  });

  it('sends the string to connections that cannot take prepared frames', () => {
    const plain = member(new FakeSocket());
    events.next(presence('join'));
    expect(plain.texts.map((t) => JSON.parse(t))).toEqual([
      { event: 'presence', data: { room: 'lobby', name: 'bob', event: 'join', members: ['ann', 'bob'], count: 2 } },
    ]);
  });

  it('reaches only the members of the event room', () => {
    const inRoom = member(new FakeSocket());
    const elsewhere = member(new FakeSocket(), 'dev');
    events.next(messageEvent());
    expect(inRoom.texts).toHaveLength(1);
    expect(elsewhere.texts).toHaveLength(0);
  });

  it('gives plain-text members the line format: chat lines and welcomes, nothing on leave', () => {
    const text = member(new FramingSocket(), 'lobby', 'text');
    events.next(messageEvent());
    events.next(presence('join'));
    events.next(presence('leave'));
    expect(text.frames.map((f) => f.bytes.subarray(2).toString())).toEqual([chatLine(message), 'Welcome, bob !']);
  });

  it('gives Tornado members each message as one escaped fragment, framed once for all of them, and no presence', () => {
    const first = member(new FramingSocket(), 'lobby', 'tornado');
    const second = member(new FramingSocket(), 'lobby', 'tornado');
    const json = member(new FramingSocket());
    events.next(messageEvent({ ...message, text: '<b>bold</b>' }));
    events.next(presence('join'));
    expect(first.frames).toHaveLength(1);
    expect(second.frames[0]).toBe(first.frames[0]);
    expect(first.frames[0].bytes.subarray(2).toString()).toBe(
      '<div class="message"><b>ann</b>: &lt;b&gt;bold&lt;/b&gt;</div>',
    );
    expect(json.frames).toHaveLength(2);
  });

  it('sends plain-text members raw HTML characters when textEscapeHtml is off', () => {
    fanout.onApplicationShutdown();
    fanout = new RoomFanout(registry, { events$: events.asObservable() } as unknown as ChatBus, {
      textEscapeHtml: false,
    });
    fanout.onModuleInit();
    const text = member(new FakeSocket(), 'lobby', 'text');
    const tornado = member(new FakeSocket(), 'lobby', 'tornado');
    events.next(messageEvent({ ...message, text: 'a < b' }));
    expect(text.texts).toEqual([chatLine({ ...message, text: 'a < b' }, false)]);
    expect(text.texts[0]).toMatch(/ ann say: a < b$/);
    // Fragments are HTML whatever the plain-text protocol does.
    expect(tornado.texts).toEqual(['<div class="message"><b>ann</b>: a &lt; b</div>']);
  });

  it('skips members that are not open and survives a socket that throws', () => {
    const closed = member(new FakeSocket());
    closed.readyState = 2;
    const broken = member(new FakeSocket());
    broken.send = () => {
      throw new Error('socket exploded');
    };
    const healthy = member(new FakeSocket());
    events.next(messageEvent());
    expect(closed.texts).toHaveLength(0);
    expect(healthy.texts).toHaveLength(1);
  });

  it('holds events for a joining member and releases only messages newer than its reply', () => {
    const socket = new FakeSocket();
    const connection = registry.register(socket, { id: 'j', name: 'j', remoteAddress: '', kind: 'json' });
    const membership = registry.join(connection, 'lobby')!;
    const older = { ...message, id: '4-0', text: 'old' };
    const newer = { ...message, id: '6-0', text: 'new' };
    events.next(messageEvent(older));
    events.next(presence('join'));
    events.next(messageEvent(newer));
    expect(socket.texts).toEqual([]);
    fanout.release(membership, '5-0');
    expect(socket.texts.map((t) => JSON.parse(t).data.text)).toEqual(['new']);
    events.next(messageEvent({ ...message, id: '7-0', text: 'live' }));
    expect(socket.texts.map((t) => JSON.parse(t).data.text)).toEqual(['new', 'live']);
  });

  it('does not deliver live a message the join reply already covered', () => {
    const socket = new FakeSocket();
    const connection = registry.register(socket, { id: 'r', name: 'r', remoteAddress: '', kind: 'json' });
    const membership = registry.join(connection, 'lobby')!;
    // The reply held everything up to 5-0; the bus delivers 4-0 and 5-0 only after the release.
    fanout.release(membership, '5-0');
    events.next(messageEvent({ ...message, id: '4-0', text: 'old' }));
    events.next(messageEvent({ ...message, id: '5-0', text: 'covered' }));
    events.next(presence('join'));
    events.next(messageEvent({ ...message, id: '6-0', text: 'new' }));
    events.next(messageEvent({ ...message, id: '7-0', text: 'newer' }));
    expect(socket.texts.map((t) => JSON.parse(t) as { event: string; data: { text?: string } })).toEqual([
      expect.objectContaining({ event: 'presence' }),
      expect.objectContaining({ data: expect.objectContaining({ text: 'new' }) }),
      expect.objectContaining({ data: expect.objectContaining({ text: 'newer' }) }),
    ]);
  });
});

describe('RoomFanout with the in-memory bus', () => {
  it('delivers a message once to a member that joined between its storing and its event', async () => {
    const bus = new InMemoryChatBus();
    const registry = new ConnectionRegistry();
    const fanout = new RoomFanout(registry, bus, { textEscapeHtml: true });
    fanout.onModuleInit();
    const options = resolveChatOptions({ rateLimit: false });
    const chat = new ChatService(
      options,
      bus,
      new LocalPresence(registry, options.memberListLimit),
      registry,
      fanout,
      new RoomAccess(options),
    );
    try {
      const socket = new FakeSocket();
      const ann = chat.connect(socket, { kind: 'json', name: 'ann', remoteAddress: 'a' });
      const posted = await bus.publish({ room: 'lobby', from: 'bob', text: 'in flight' });
      // Stored, its event not emitted yet (next turn); the join completes within this turn.
      let history: ChatMessage[] = [];
      await chat.join(ann, { room: 'lobby' }, (reply) => (history = reply.history.messages));
      expect(history).toEqual([posted]);
      await new Promise((resolve) => setImmediate(resolve));
      const live = socket.texts.map((t) => JSON.parse(t) as { event: string }).filter((e) => e.event === 'message');
      expect(live).toEqual([]);
      await bus.publish({ room: 'lobby', from: 'bob', text: 'after' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(
        socket.texts
          .map((t) => JSON.parse(t) as { event: string; data: { text?: string } })
          .filter((e) => e.event === 'message'),
      ).toEqual([expect.objectContaining({ data: expect.objectContaining({ text: 'after' }) })]);
    } finally {
      fanout.onApplicationShutdown();
      await bus.close();
    }
  });
});
