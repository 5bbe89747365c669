import { Rfc6455Adapter } from '../src/adapter/index.js';
import { ChatModule } from '../src/chat/index.js';
import { startApp, startChatApp, type ChatApp } from './helpers/chat-app.js';
import { JsonChatClient, within } from './helpers/chat-clients.js';

describe('chat: JSON protocol on /chat', () => {
  let server: ChatApp;
  const clients: JsonChatClient[] = [];

  async function connect(): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(server.wsUrl);
    clients.push(client);
    return client;
  }

  /** A connected client, welcomed, in `room` under `name`. */
  async function member(room: string, name: string): Promise<JsonChatClient> {
    const client = await connect();
    await client.welcome();
    await client.join(room, { name });
    return client;
  }

  beforeAll(async () => {
    server = await startChatApp({ rateLimit: false, maxTextLength: 100 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(() => server.close());

  it('welcomes every connection with a unique id and a guest name', async () => {
    const [a, b] = [await connect(), await connect()];
    const [wa, wb] = [await a.welcome(), await b.welcome()];
    expect(wa.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(wb.id).not.toBe(wa.id);
    expect(wa.name).toBe(`guest-${wa.id.slice(0, 8)}`);
  });

  it('answers join with the room, the client, the members and the history', async () => {
    const ann = await connect();
    const { id } = await ann.welcome();
    expect(await ann.join('join-room', { name: 'ann' })).toEqual({
      room: 'join-room',
      you: { id, name: 'ann', fromId: id },
      members: ['ann'],
      count: 1,
      history: [],
      truncated: false,
      earlier: false,
    });
    expect(await ann.next('presence')).toEqual({
      room: 'join-room',
      name: 'ann',
      event: 'join',
      members: ['ann'],
      count: 1,
    });
  });

  it('tells members who joins and who leaves, by leave and by disconnect', async () => {
    const ann = await member('presence-room', 'ann');
    await ann.next('presence');
    const bob = await member('presence-room', 'bob');
    expect(await ann.next('presence')).toEqual({
      room: 'presence-room',
      name: 'bob',
      event: 'join',
      members: ['ann', 'bob'],
      count: 2,
    });
    await bob.next('presence');
    const cid = await member('presence-room', 'cid');
    await ann.next('presence');
    await bob.next('presence');
    await cid.next('presence');

    bob.send('leave', { room: 'presence-room' });
    expect(await ann.next('presence')).toEqual({
      room: 'presence-room',
      name: 'bob',
      event: 'leave',
      members: ['ann', 'cid'],
      count: 2,
    });
    expect(await cid.next('presence')).toMatchObject({ name: 'bob', event: 'leave' });
    expect(await bob.sync()).toEqual([]);

    await cid.close();
    expect(await ann.next('presence')).toEqual({
      room: 'presence-room',
      name: 'cid',
      event: 'leave',
      members: ['ann'],
      count: 1,
    });
  });

  it('delivers a message to every member, sender included, and to no one else; the sender gets an ack', async () => {
    const ann = await member('msg-room', 'ann');
    const bob = await member('msg-room', 'bob');
    const outsider = await member('other-room', 'eve');
    await ann.waitFor('presence', (p) => p.name === 'bob');
    await bob.next('presence');
    await outsider.next('presence');

    ann.send('message', { room: 'msg-room', text: '<b>hi</b> & "bye"', ref: 'r1' });
    const ack = await ann.next('ack');
    const annCopy = await ann.next('message');
    const bobCopy = await bob.next('message');
    expect(ack).toEqual({ ref: 'r1', id: annCopy.id });
    const annId = (await ann.join('msg-room')).you.id;
    expect(annCopy).toEqual({
      id: ack.id,
      room: 'msg-room',
      from: 'ann',
      fromId: annId,
      text: '<b>hi</b> & "bye"',
      at: expect.any(String),
      ref: 'r1',
    });
    expect(new Date(annCopy.at).toISOString()).toBe(annCopy.at);
    // The ref is the sender's: the others' copy is the same message without it.
    const { ref: _ref, ...shared } = annCopy;
    expect(bobCopy).toEqual(shared);
    expect(await outsider.sync()).toEqual([]);
  });

  it('gives increasing ids to the messages of a room', async () => {
    const ann = await member('order-room', 'ann');
    await ann.next('presence');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ann.send('message', { room: 'order-room', text: `m${i}`, ref: i });
      ids.push((await ann.next('ack')).id);
      expect(await ann.next('message')).toMatchObject({ id: ids[i], text: `m${i}` });
    }
    const byNumber = (id: string) => id.split('-').map(BigInt);
    for (let i = 1; i < ids.length; i++) {
      const [msA, seqA] = byNumber(ids[i - 1]);
      const [msB, seqB] = byNumber(ids[i]);
      expect(msB > msA || (msB === msA && seqB > seqA)).toBe(true);
    }
  });

  it('lets a reconnecting client resume with since and miss nothing', async () => {
    const ann = await member('resume-room', 'ann');
    await ann.next('presence');
    let bob = await member('resume-room', 'bob');
    await bob.next('presence');
    await ann.next('presence');

    ann.send('message', { room: 'resume-room', text: 'before' });
    await ann.next('ack');
    const last = await bob.next('message');
    await bob.close();
    await ann.waitFor('presence', (p) => p.event === 'leave');

    const missed: string[] = [];
    for (const text of ['while away 1', 'while away 2', 'while away 3']) {
      ann.send('message', { room: 'resume-room', text });
      missed.push((await ann.next('ack')).id);
      await ann.next('message');
    }
    bob = await connect();
    await bob.welcome();
    const joined = await bob.join('resume-room', { name: 'bob', since: last.id });
    expect(joined.truncated).toBe(false);
    expect(joined.history.map((m: { id: string; text: string }) => [m.id, m.text])).toEqual([
      [missed[0], 'while away 1'],
      [missed[1], 'while away 2'],
      [missed[2], 'while away 3'],
    ]);
    // Nothing is repeated live after the reply.
    expect(await bob.next('presence')).toMatchObject({ name: 'bob', event: 'join' });
    expect((await bob.sync()).filter((f) => f.event === 'message')).toEqual([]);
  });

  it('returns the newest messages before `before` for history', async () => {
    const ann = await member('history-room', 'ann');
    await ann.next('presence');
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      ann.send('message', { room: 'history-room', text: `h${i}` });
      ids.push((await ann.next('ack')).id);
      await ann.next('message');
    }
    ann.send('history', { room: 'history-room', before: ids[3], limit: 2 });
    const page = await ann.next('history');
    expect(page.room).toBe('history-room');
    expect(page.messages.map((m: { text: string }) => m.text)).toEqual(['h2', 'h3']);
    // h1 is older still; nothing is older than h1.
    expect(page.earlier).toBe(true);
    ann.send('history', { room: 'history-room', before: ids[1], limit: 1 });
    expect(await ann.next('history')).toMatchObject({ messages: [{ text: 'h1' }], earlier: false });
  });

  it('applies a new nick to later messages', async () => {
    const ann = await member('nick-room', 'ann');
    await ann.next('presence');
    ann.send('nick', { name: 'Annie B' });
    ann.send('message', { room: 'nick-room', text: 'renamed' });
    await ann.next('ack');
    expect(await ann.next('message')).toMatchObject({ from: 'Annie B', text: 'renamed' });
  });

  it('answers bad payloads with an error event and keeps the connection open', async () => {
    const ann = await member('error-room', 'ann');
    await ann.next('presence');

    ann.send('join', { room: 'has space' });
    expect(await ann.next('error')).toEqual({
      code: 'invalid_payload',
      message: 'room must be 1 to 64 characters without spaces or control characters',
    });
    ann.send('message', { room: 'error-room', text: 'x'.repeat(101), ref: 9 });
    expect(await ann.next('error')).toEqual({
      code: 'invalid_payload',
      message: 'text must be a string of 1 to 100 characters',
      ref: 9,
    });
    ann.send('message', 'just a string');
    expect(await ann.next('error')).toMatchObject({ code: 'invalid_payload' });
    ann.sendText('this is not json');
    expect(await ann.next('error')).toMatchObject({
      code: 'invalid_payload',
      message: expect.stringContaining('JSON'),
    });
    ann.sendText('{"event": 7}');
    expect(await ann.next('error')).toMatchObject({ code: 'invalid_payload' });

    ann.send('message', { room: 'error-room', text: 'still here', ref: 10 });
    expect(await ann.next('ack')).toMatchObject({ ref: 10 });
  });

  it('answers an unknown event with unknown_event', async () => {
    const ann = await connect();
    await ann.welcome();
    ann.send('dance', { ref: 'd1' });
    expect(await ann.next('error')).toEqual({
      code: 'unknown_event',
      message: 'unknown event "dance"; expected one of join, message, leave, nick, history',
      ref: 'd1',
    });
    expect(await ann.join('after-unknown')).toMatchObject({ room: 'after-unknown' });
  });

  it('refuses to post to or leave a room the client is not in', async () => {
    const ann = await connect();
    await ann.welcome();
    ann.send('message', { room: 'nowhere', text: 'hello?', ref: 1 });
    expect(await ann.next('error')).toEqual({
      code: 'not_in_room',
      message: 'you are not in room "nowhere"; join it first',
      ref: 1,
    });
    ann.send('leave', { room: 'nowhere' });
    expect(await ann.next('error')).toMatchObject({ code: 'not_in_room' });
  });
});

describe('chat: limits on /chat', () => {
  let server: ChatApp;
  const clients: JsonChatClient[] = [];

  async function connect(): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(server.wsUrl);
    clients.push(client);
    await client.welcome();
    return client;
  }

  beforeAll(async () => {
    server = await startChatApp({
      historySize: 3,
      maxRoomsPerConnection: 2,
      rateLimit: { burst: 6, perSecond: 0.001 },
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(() => server.close());

  it('marks a resume from before the kept history as truncated and sends what is kept', async () => {
    const ann = await connect();
    await ann.join('small-room', { name: 'ann' });
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      ann.send('message', { room: 'small-room', text: `t${i}` });
      ids.push((await ann.waitFor('ack')).id);
    }
    const bob = await connect();
    const joined = await bob.join('small-room', { since: ids[0] });
    expect(joined.truncated).toBe(true);
    expect(joined.history.map((m: { text: string }) => m.text)).toEqual(['t3', 't4', 't5']);
  });

  it('limits the rooms one connection may be in', async () => {
    const ann = await connect();
    await ann.join('r1');
    await ann.join('r2');
    ann.send('join', { room: 'r3' });
    expect(await ann.waitFor('error')).toMatchObject({ code: 'too_many_rooms' });
  });

  it('answers rate_limited beyond the burst and keeps the connection open', async () => {
    const ann = await connect();
    // The join takes one of the six tokens, five history requests the rest.
    await ann.join('rl');
    await ann.next('presence');
    for (let i = 0; i < 5; i++) ann.send('history', { room: 'rl', limit: 1 });
    for (let i = 0; i < 5; i++) await ann.next('history');
    ann.send('history', { room: 'rl', limit: 1 });
    expect(await ann.next('error')).toEqual({ code: 'rate_limited', message: 'too many requests; slow down' });
    expect(ann.socket.readyState).toBe(ann.socket.OPEN);
  });

  it('closes with 1008 a client that goes on flooding past twice the burst of refusals', async () => {
    const ann = await connect();
    await ann.join('flood');
    await ann.next('presence');
    for (let i = 0; i < 5; i++) ann.send('history', { room: 'flood', limit: 1 });
    for (let i = 0; i < 5; i++) await ann.next('history');
    // closeAfter defaults to 2 * burst: 12 refusals are answered and the connection stays.
    for (let i = 0; i < 12; i++) ann.send('history', { room: 'flood', limit: 1 });
    for (let i = 0; i < 12; i++) expect(await ann.next('error')).toMatchObject({ code: 'rate_limited' });
    expect(ann.socket.readyState).toBe(ann.socket.OPEN);
    ann.send('history', { room: 'flood', limit: 1 });
    expect(await within(ann.closed, 'the 1008 close')).toEqual({ code: 1008, reason: 'rate limit exceeded' });
    expect(ann.unread).toEqual([]);
  });
});

describe('chat: authenticated connections on /chat', () => {
  let server: ChatApp;

  beforeAll(async () => {
    server = await startApp(
      [ChatModule.forRoot({ rateLimit: false })],
      (app) =>
        new Rfc6455Adapter(app, {
          // Stands in for the service's JWT check: the principal's `name` is the chat name.
          authorize: (req) => {
            const user = new URL(req.url ?? '/', 'http://x').searchParams.get('user');
            return user === null ? false : { sub: `id-${user}`, name: user };
          },
        }),
    );
  });
  afterAll(() => server.close());

  it('uses the name of the principal and does not let the client change it', async () => {
    const alice = await JsonChatClient.connect(server.wsUrl, '/chat?user=alice');
    expect(await alice.welcome()).toMatchObject({ name: 'alice' });
    const joined = await alice.join('auth-room', { name: 'mallory' });
    expect(joined.you.name).toBe('alice');
    alice.send('nick', { name: 'mallory' });
    expect(await alice.waitFor('error')).toMatchObject({ code: 'name_locked' });
    alice.send('message', { room: 'auth-room', text: 'signed' });
    expect(await alice.waitFor('message')).toMatchObject({ from: 'alice', fromId: 'id-alice', text: 'signed' });
    await alice.close();
  });
});
