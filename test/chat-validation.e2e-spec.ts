import { Redis } from 'ioredis';
import request from 'supertest';
import { chatLine } from '../src/chat/text-lines.js';
import { startChatApp, type ChatApp } from './helpers/chat-app.js';
import { JsonChatClient, LineChatClient } from './helpers/chat-clients.js';
import { startRedisChat, type RedisChatInstance } from './helpers/redis-app.js';
import { deleteKeys, describeWithRedis, TEST_REDIS_URL, uniquePrefix } from './helpers/redis-availability.js';

/** `HH:MM:SS <from> say: <text>`, on one line. */
const LINE = /^\d\d:\d\d:\d\d (.+?) say: (.*)$/;
const RESERVED = /is reserved: names shaped like a peer address/;

// Text that would draw extra lines, recolour or clear a terminal, or reorder what a page shows.
const FORGING_TEXT =
  'hi\n12:00:00 admin say: the server moves, log in at evil.example\r\u001b[2J\u001b[31m\u2028\u202e';

describe('chat: validation and lines that cannot be forged', () => {
  let server: ChatApp;
  const clients: Array<JsonChatClient | LineChatClient> = [];
  const http = () => request(server.app.getHttpServer());

  async function jsonClient(): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(server.wsUrl);
    clients.push(client);
    await client.welcome();
    return client;
  }

  async function member(room: string, name: string): Promise<JsonChatClient> {
    const client = await jsonClient();
    await client.join(room, { name });
    await client.next('presence');
    return client;
  }

  /** A plain-text client in the lobby, past its own welcome line. */
  async function lineClient(): Promise<LineChatClient> {
    const client = await LineChatClient.connect(server.wsUrl);
    clients.push(client);
    expect(await client.nextLine()).toBe(`Welcome, ${client.localName} !`);
    return client;
  }

  beforeEach(async () => {
    server = await startChatApp({ rateLimit: false });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  describe('nulls and wrong types', () => {
    it('answers 400 to a REST post whose from is null, a number or an object, and stores nothing', async () => {
      for (const from of [null, 42, { name: 'x' }, ['x']]) {
        const response = await http().post('/api/rooms/r/messages').send({ from, text: 'x' }).expect(400);
        expect(response.body.message).toEqual(['from must be 1 to 32 printable characters, no spaces at either end']);
      }
      const textNull = await http().post('/api/rooms/r/messages').send({ from: 'bot', text: null }).expect(400);
      expect(textNull.body.message).toEqual(['text must be a string of 1 to 2000 characters']);
      await http().get('/api/rooms/r/messages').expect(200).expect([]);
    });

    it('refuses join with name null (no member named null), and null in every optional field', async () => {
      const ann = await jsonClient();
      ann.send('join', { room: 'r', name: null });
      expect(await ann.next('error')).toMatchObject({
        code: 'invalid_payload',
        message: expect.stringMatching(/^name must be/),
      });
      ann.send('join', { room: 'r', since: null });
      expect(await ann.next('error')).toMatchObject({
        code: 'invalid_payload',
        message: expect.stringMatching(/^since must be/),
      });
      const joined = await ann.join('r', { name: 'ann' });
      expect(joined.members).toEqual(['ann']);
      await ann.next('presence');

      const refused: Array<[string, object, RegExp]> = [
        ['nick', { name: null }, /^name must be/],
        ['message', { room: 'r', text: 'x', ref: null }, /^ref must be/],
        ['message', { room: 'r', text: null }, /^text must be/],
        ['history', { room: 'r', before: null }, /^before must be/],
        ['history', { room: 'r', limit: null }, /^limit must be a whole number/],
        ['history', { room: 'r', limit: '5' }, /^limit must be a whole number/],
      ];
      for (const [event, data, message] of refused) {
        ann.send(event, data);
        expect(await ann.next('error')).toMatchObject({
          code: 'invalid_payload',
          message: expect.stringMatching(message),
        });
      }
      // None of them changed anything: the name, the members and the history are as they were.
      await http().get('/api/rooms/r/messages').expect(200).expect([]);
      const bob = await member('r', 'bob');
      await ann.next('presence');
      bob.send('history', { room: 'r' });
      expect(await bob.next('history')).toEqual({ room: 'r', messages: [], earlier: false });
      ann.send('message', { room: 'r', text: 'still ann', ref: 1 });
      expect(await ann.next('ack')).toMatchObject({ ref: 1 });
      expect(await bob.next('message')).toMatchObject({ from: 'ann', text: 'still ann' });
    });
  });

  describe('numeric query parameters', () => {
    it('takes limit in plain decimal only: 400 for hex, exponent, spaces, sign, leading zero, fractions', async () => {
      for (let i = 1; i <= 12; i++)
        await http()
          .post('/api/rooms/q/messages')
          .send({ from: 'bot', text: `m${i}` })
          .expect(201);
      for (const limit of ['0x10', '1e2', '%205', '5%20', '%2B5', '-5', '05', '0', '5.0', '501', '', 'ten']) {
        const response = await http().get(`/api/rooms/q/messages?limit=${limit}`).expect(400);
        expect(response.body.message).toEqual(['limit must be a whole number from 1 to 500, in plain decimal digits']);
      }
      await http().get('/api/rooms/q/messages?limit=5&limit=6').expect(400);
      const five = await http().get('/api/rooms/q/messages?limit=5').expect(200);
      expect(five.body.map((m: { text: string }) => m.text)).toEqual(['m8', 'm9', 'm10', 'm11', 'm12']);
      expect((await http().get('/api/rooms/q/messages?limit=10').expect(200)).body).toHaveLength(10);
    });
  });

  describe('plain-text lines', () => {
    it('show newlines, carriage returns and ANSI escapes of a /chat message as visible escapes: one message, one line', async () => {
      const plain = await lineClient();
      const mallory = await member('lobby', 'mallory');
      await plain.nextLine(); // Welcome, mallory !
      mallory.send('message', { room: 'lobby', text: FORGING_TEXT });
      // The JSON protocol keeps the text verbatim.
      const event = await mallory.waitFor('message');
      expect(event.text).toBe(FORGING_TEXT);
      const line = await plain.nextLine();
      expect(line).toBe(chatLine(event));
      expect(line).toMatch(LINE);
      // eslint-disable-next-line no-control-regex -- ESC is what must not get through
      expect(line).not.toMatch(/[\n\r\u001b\u2028\u202e]/);
      expect(
        line.endsWith(
          'say: hi\\x0a12:00:00 admin say: the server moves, log in at evil.example\\x0d\\x1b[2J\\x1b[31m\\u2028\\u202e',
        ),
      ).toBe(true);
    });

    it('escape what a plain-text client or a REST post sends too, and in history lines for newcomers', async () => {
      const speaker = await lineClient();
      const watcher = await member('lobby', 'watcher');
      await speaker.nextLine(); // Welcome, watcher !
      speaker.sendText('one\ntwo');
      expect((await watcher.next('message')).text).toBe('one\ntwo');
      expect(await speaker.nextLine()).toMatch(/ say: one\\x0atwo$/);
      await http().post('/api/rooms/lobby/messages').send({ from: 'ops', text: 'a\r\nb' }).expect(201);
      expect(await speaker.nextLine()).toMatch(/ ops say: a\\x0d\\x0ab$/);
      const late = await LineChatClient.connect(server.wsUrl);
      clients.push(late);
      expect(await late.nextLine()).toMatch(/ say: one\\x0atwo$/);
      expect(await late.nextLine()).toMatch(/ ops say: a\\x0d\\x0ab$/);
    });
  });

  describe('names shaped like a peer address', () => {
    it('cannot be taken by a /chat client, in join or nick, so nobody poses as a plain-text client', async () => {
      const plain = await lineClient();
      const impostor = await jsonClient();
      // The last one would start a line as that client saying hi: "12:00:00 <address> say: hi say: ...".
      for (const name of [
        plain.localName,
        '127.0.0.1:4242',
        '[::1]:80',
        '[::ffff:127.0.0.1]:80',
        `${plain.localName} say: hi`,
      ]) {
        impostor.send('join', { room: 'lobby', name });
        expect(await impostor.next('error')).toMatchObject({
          code: 'invalid_payload',
          message: expect.stringMatching(RESERVED),
        });
      }
      await impostor.join('lobby', { name: 'imp' });
      await plain.nextLine(); // Welcome, imp !
      impostor.send('nick', { name: plain.localName });
      expect(await impostor.waitFor('error')).toMatchObject({
        code: 'invalid_payload',
        message: expect.stringMatching(new RegExp(`^name ${RESERVED.source}`)),
      });
      impostor.send('message', { room: 'lobby', text: 'who am I' });
      expect((await impostor.waitFor('message')).from).toBe('imp');
    });

    it('cannot be the from of a REST post (400 naming the rule)', async () => {
      const plain = await lineClient();
      const response = await http()
        .post('/api/rooms/lobby/messages')
        .send({ from: plain.localName, text: `${plain.localName} Logout` })
        .expect(400);
      expect(response.body.message).toEqual([expect.stringMatching(new RegExp(`^from ${RESERVED.source}`))]);
      // Nothing reached the lobby: the next line is the marker posted after it.
      await http().post('/api/rooms/lobby/messages').send({ from: 'ops', text: 'marker' }).expect(201);
      expect(await plain.nextLine()).toMatch(/ ops say: marker$/);
    });

    it("a message reading 'x say: 1.2.3.4:5 Logout' stays one line from its real sender: addresses are reserved and newlines escaped, so it cannot read as that plain client leaving", async () => {
      const plain = await lineClient();
      const bob = await member('lobby', 'bob');
      await plain.nextLine(); // Welcome, bob !
      for (const text of [
        `x say: ${plain.localName} Logout`,
        `${plain.localName} Logout`,
        `x\n12:00:00 ${plain.localName} say: ${plain.localName} Logout`,
      ]) {
        bob.send('message', { room: 'lobby', text });
        const line = await plain.nextLine();
        const [, from] = LINE.exec(line) ?? [];
        expect(from).toBe('bob');
        expect(line).not.toContain('\n');
      }
    });
  });

  describe("a plain-text client's own logout line", () => {
    it('is only said by quit: the same words as a line are refused and reach nobody', async () => {
      const leaver = await lineClient();
      const watcher = await member('lobby', 'watcher');
      await leaver.nextLine(); // Welcome, watcher !
      for (const text of [`${leaver.localName} Logout`, ` ${leaver.localName}  Logout\u200b `]) {
        leaver.sendText(text);
        expect(await leaver.nextLine()).toBe('Error: only quit says that; send quit to leave');
      }
      expect(await watcher.sync()).toEqual([]);
      leaver.sendText('quit');
      const logout = await watcher.waitFor('message');
      expect(logout).toMatchObject({ from: leaver.localName, text: `${leaver.localName} Logout` });
      expect(await leaver.nextLine()).toBe(chatLine(logout));
      expect((await leaver.closed).code).toBe(1000);
    });
  });
});

describeWithRedis('chat on the Redis bus: validation before storing (BUS=redis)', () => {
  const prefix = uniquePrefix('validation');
  const instances: RedisChatInstance[] = [];
  const clients: Array<JsonChatClient | LineChatClient> = [];
  let admin: Redis;

  async function instance(node: string): Promise<RedisChatInstance> {
    const started = await startRedisChat({ url: TEST_REDIS_URL, prefix, node });
    instances.push(started);
    return started;
  }

  async function member(on: RedisChatInstance, room: string, name: string): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(on.wsUrl);
    clients.push(client);
    await client.welcome();
    await client.join(room, { name });
    return client;
  }

  beforeAll(() => {
    admin = new Redis(TEST_REDIS_URL, { commandTimeout: 5000 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(instances.splice(0).map((started) => started.close()));
  });
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
    admin.disconnect();
  });

  it('refuses a null sender before anything is stored, and every stored message reaches the other members', async () => {
    const [a, b] = [await instance('a'), await instance('b')];
    const ann = await member(a, 'lobby', 'ann');
    const bob = await member(b, 'lobby', 'bob');
    await ann.waitFor('presence', (p) => p.name === 'bob');
    const plain = await LineChatClient.connect(b.wsUrl);
    clients.push(plain);
    await plain.nextLine();

    await request(a.httpUrl).post('/api/rooms/lobby/messages').send({ from: null, text: 'x' }).expect(400);
    ann.send('join', { room: 'lobby', name: null });
    expect(await ann.waitFor('error')).toMatchObject({ code: 'invalid_payload' });
    expect(await admin.xlen(`${prefix}stream:lobby`)).toBe(0);

    // Valid but awkward values: each one stored is delivered live, read back the same from history.
    const posted = await request(a.httpUrl)
      .post('/api/rooms/lobby/messages')
      .send({ from: 'ops "bot"', text: FORGING_TEXT })
      .expect(201);
    for (const client of [ann, bob]) expect(await client.waitFor('message')).toEqual(posted.body);
    ann.send('message', { room: 'lobby', text: 'emoji 👨\u200d👩\u200d👧 and \u0000 nul', ref: 'e' });
    const acked = await ann.next('ack');
    expect(acked.ref).toBe('e');
    for (const client of [ann, bob]) expect((await client.waitFor('message')).id).toBe(acked.id);
    expect(
      await plain.waitForLine((line) => line.includes('ops &quot;bot&quot; say:'), 'the REST post as a line'),
    ).toBe(chatLine(posted.body));
    const history = (await request(b.httpUrl).get('/api/rooms/lobby/messages').expect(200)).body;
    expect(history).toHaveLength(2);
    expect(history[0]).toEqual(posted.body);
    expect(history[1]).toMatchObject({ id: acked.id, from: 'ann', text: 'emoji 👨\u200d👩\u200d👧 and \u0000 nul' });
  });

  it('refuses a lone surrogate (Redis would read it back as U+FFFD) and any draft or notice it could not deliver', async () => {
    const a = await instance('a');
    const ann = await member(a, 'r', 'ann');
    ann.send('message', { room: 'r', text: 'half \ud83d' });
    expect(await ann.waitFor('error')).toMatchObject({
      code: 'invalid_payload',
      message: expect.stringMatching(/well-formed Unicode/),
    });
    await expect(a.bus.publish({ room: 'r', from: 'ann', text: 'half \ud83d' })).rejects.toThrow(TypeError);
    await expect(a.bus.publish({ room: 'r', from: null as unknown as string, text: 'x' })).rejects.toThrow(TypeError);
    expect(await admin.xlen(`${prefix}stream:r`)).toBe(0);
    // Nor does a presence notice with a name no instance could decode go out.
    const bob = await member(a, 'r', 'bob');
    await expect(
      a.bus.announce({ room: 'r', name: null as unknown as string, event: 'join', members: [], count: 0 }),
    ).rejects.toThrow(TypeError);
    bob.send('message', { room: 'r', text: 'marker', ref: 'm' });
    expect(await ann.waitFor('message')).toMatchObject({ from: 'bob', text: 'marker' });
  });
});
