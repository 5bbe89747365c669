import { Body, Controller, Get, Module, Param, Post, Query, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Rfc6455Adapter } from '../src/adapter/index.js';
import { ChatModule, ChatServer, type DisconnectOptions } from '../src/chat/index.js';
import { chatLine } from '../src/chat/text-lines.js';
import { JsonChatClient, LineChatClient, within } from './helpers/chat-clients.js';

/** A host application's own controller, driving the chat through the injected ChatServer. */
@Controller('host')
class HostController {
  constructor(private readonly chat: ChatServer) {}

  @Post('rooms/:room/notice')
  notice(@Param('room') room: string, @Body() body: { text: string }) {
    return this.chat.post(room, body.text);
  }

  @Post('rooms/:room/as-user')
  asUser(@Param('room') room: string, @Body() body: { text: string; from: string; fromId: string }) {
    return this.chat.post(room, body.text, { from: body.from, fromId: body.fromId });
  }

  @Post('rooms/:room/once')
  once(@Param('room') room: string, @Body() body: { text: string; ref: string }) {
    return this.chat.post(room, body.text, undefined, { ref: body.ref });
  }

  @Get('rooms/:room/history')
  history(@Param('room') room: string, @Query('limit') limit?: string) {
    return this.chat.history(room, { limit: limit === undefined ? undefined : Number(limit) });
  }

  @Get('rooms/:room/presence')
  presence(@Param('room') room: string) {
    return this.chat.presenceOf(room);
  }

  @Get('rooms')
  rooms() {
    return this.chat.rooms();
  }

  @Get('connections')
  connections() {
    return this.chat
      .connections()
      .map(({ id, fromId, name, protocol, rooms }) => ({ id, fromId, name, protocol, rooms }));
  }

  @Post('users/:id/disconnect')
  disconnectUser(@Param('id') id: string, @Body() options: DisconnectOptions) {
    return { closed: this.chat.disconnectUser(id, options) };
  }

  @Post('connections/:id/disconnect')
  disconnectConnection(@Param('id') id: string, @Body() options: DisconnectOptions) {
    return { closed: this.chat.disconnectConnection(id, options) };
  }
}

@Module({ imports: [ChatModule.forRoot({ rateLimit: false })], controllers: [HostController] })
class HostModule {}

describe('chat: ChatServer, the API for the host application', () => {
  let app: INestApplication;
  let wsUrl: string;
  const clients: Array<JsonChatClient | LineChatClient> = [];
  const http = () => request(app.getHttpServer());

  /** `?user=<name>`: signed in as `id-<name>`; otherwise anonymous. */
  async function member(room: string, query = ''): Promise<{ client: JsonChatClient; id: string }> {
    const client = await JsonChatClient.connect(wsUrl, `/chat${query}`);
    clients.push(client);
    const { id } = await client.welcome();
    await client.join(room);
    return { client, id };
  }

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    app.useWebSocketAdapter(
      new Rfc6455Adapter(app, {
        authorize: (req: IncomingMessage) => {
          const user = new URL(req.url ?? '/', 'http://host').searchParams.get('user');
          return user === null ? true : { sub: `id-${user}`, name: user };
        },
      }),
    );
    await app.listen(0, '127.0.0.1');
    wsUrl = `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  it('posts a system notice that members of both protocols receive', async () => {
    const { client } = await member('lobby');
    const text = await LineChatClient.connect(wsUrl);
    clients.push(text);
    await text.waitForLine((line) => line.startsWith('Welcome, '), 'the welcome line');

    const response = await http().post('/host/rooms/lobby/notice').send({ text: 'maintenance at 18:00' }).expect(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^\d+-\d+$/),
      room: 'lobby',
      from: 'system',
      fromId: 'system',
      text: 'maintenance at 18:00',
      at: expect.any(String),
    });
    expect(await client.waitFor('message')).toEqual(response.body);
    expect(await text.waitForLine((line) => line.includes('maintenance'), 'the notice line')).toBe(
      chatLine(response.body),
    );
  });

  it('posts on behalf of a user, with the given name and fromId', async () => {
    const { client } = await member('ops');
    await http().post('/host/rooms/ops/as-user').send({ text: 'on my way', from: 'Ann', fromId: 'id-ann' }).expect(201);
    expect(await client.waitFor('message')).toMatchObject({
      room: 'ops',
      from: 'Ann',
      fromId: 'id-ann',
      text: 'on my way',
    });
  });

  it('posts once per ref: a repeated post answers with the message stored first', async () => {
    const { client } = await member('once');
    const first = await http().post('/host/rooms/once/once').send({ text: 'deploy started', ref: 'job-7' }).expect(201);
    const again = await http().post('/host/rooms/once/once').send({ text: 'deploy started', ref: 'job-7' }).expect(201);
    expect(again.body).toEqual(first.body);
    const other = await http().post('/host/rooms/once/once').send({ text: 'deploy done', ref: 'job-8' }).expect(201);
    expect(other.body.id).not.toBe(first.body.id);
    // Members get each message once: the repeat is not delivered again.
    const messages = (await client.sync()).filter((frame) => frame.event === 'message');
    expect(messages.map((frame) => frame.data.text)).toEqual(['deploy started', 'deploy done']);
  });

  it('refuses what a client could not send: a bad room, text or sender', async () => {
    const chat = app.get(ChatServer);
    expect(() => chat.post('two words', 'x')).toThrow(RangeError);
    expect(() => chat.post('ops', '')).toThrow(RangeError);
    expect(() => chat.post('ops', 'x', { from: ' padded ', fromId: 'id' })).toThrow(RangeError);
    expect(() => chat.post('ops', 'x', { from: 'Ann', fromId: '' })).toThrow(RangeError);
    expect(() => chat.post('ops', 'x', undefined, { ref: 'r'.repeat(65) })).toThrow(RangeError);
    expect(() => chat.post('ops', 'x', undefined, { ref: Number.NaN })).toThrow(RangeError);
    expect(() => chat.history('ops', { limit: 0 })).toThrow(RangeError);
  });

  it('reads history, presence and rooms', async () => {
    const sam = await member('reading', '?user=sam');
    await member('reading');
    sam.client.send('message', { room: 'reading', text: 'first' });
    await sam.client.waitFor('message');
    await http().post('/host/rooms/reading/notice').send({ text: 'second' }).expect(201);

    const history = await http().get('/host/rooms/reading/history?limit=1').expect(200);
    expect(history.body).toEqual({
      messages: [expect.objectContaining({ text: 'second', fromId: 'system' })],
      truncated: false,
    });
    const all = await http().get('/host/rooms/reading/history').expect(200);
    expect(all.body.messages.map((m: { fromId: string; text: string }) => [m.fromId, m.text])).toEqual([
      ['id-sam', 'first'],
      ['system', 'second'],
    ]);
    const presence = await http().get('/host/rooms/reading/presence').expect(200);
    expect(presence.body).toEqual({ room: 'reading', members: ['sam', expect.stringMatching(/^guest-/)], count: 2 });
    await http()
      .get('/host/rooms')
      .expect(200)
      .expect([{ room: 'reading', members: 2 }]);
    await http().get('/host/rooms/empty/presence').expect(200).expect({ room: 'empty', members: [], count: 0 });
  });

  it('hands a late joiner the history with each sender id', async () => {
    const sam = await member('late', '?user=sam');
    const guest = await member('late');
    sam.client.send('message', { room: 'late', text: 'signed' });
    await guest.client.waitFor('message', (m) => m.text === 'signed');
    guest.client.send('message', { room: 'late', text: 'anonymous' });
    await sam.client.waitFor('message', (m) => m.text === 'anonymous');
    const late = await member('elsewhere');
    const joined = await late.client.join('late');
    expect(joined.history.map((m: { fromId: string; text: string }) => [m.fromId, m.text])).toEqual([
      ['id-sam', 'signed'],
      [guest.id, 'anonymous'],
    ]);
    const rest = await http().get('/api/rooms/late/messages').expect(200);
    expect(rest.body).toEqual(joined.history);
  });

  it("disconnects every connection of a user, with the host's code and reason", async () => {
    const phone = await member('crew', '?user=sam');
    const laptop = await member('crew', '?user=sam');
    const other = await member('crew', '?user=ann');
    await other.client.sync();

    const response = await http()
      .post('/host/users/id-sam/disconnect')
      .send({ code: 4001, reason: 'banned' })
      .expect(201);
    expect(response.body).toEqual({ closed: 2 });
    expect(await within(phone.client.closed, "the phone's close")).toEqual({ code: 4001, reason: 'banned' });
    expect(await within(laptop.client.closed, "the laptop's close")).toEqual({ code: 4001, reason: 'banned' });
    // The room sees both leave; the other member stays.
    await other.client.waitFor('presence', (p) => p.event === 'leave' && p.count === 2);
    await other.client.waitFor('presence', (p) => p.event === 'leave' && p.count === 1);
    expect(other.client.socket.readyState).toBe(other.client.socket.OPEN);
    await http().post('/host/users/id-nobody/disconnect').send({}).expect(201).expect({ closed: 0 });
  });

  it('lists connections and disconnects one by its id, by default with 1008', async () => {
    const first = await member('pair', '?user=sam');
    const second = await member('pair', '?user=sam');
    const listed = await http().get('/host/connections').expect(200);
    expect(listed.body).toEqual(
      expect.arrayContaining([
        { id: first.id, fromId: 'id-sam', name: 'sam', protocol: 'json', rooms: ['pair'] },
        { id: second.id, fromId: 'id-sam', name: 'sam', protocol: 'json', rooms: ['pair'] },
      ]),
    );

    await http().post(`/host/connections/${first.id}/disconnect`).send({}).expect(201).expect({ closed: true });
    expect(await within(first.client.closed, 'the close')).toEqual({
      code: 1008,
      reason: 'disconnected by the server',
    });
    expect(await second.client.waitFor('presence', (p) => p.event === 'leave')).toMatchObject({ count: 1 });
    await http().post(`/host/connections/${first.id}/disconnect`).send({}).expect(201).expect({ closed: false });
  });

  it('refuses a close code the protocol does not allow, closing nothing', async () => {
    const { client, id } = await member('codes');
    const chat = app.get(ChatServer);
    expect(() => chat.disconnectConnection(id, { code: 1005 })).toThrow(TypeError);
    expect(() => chat.disconnectConnection(id, { reason: 'x'.repeat(124) })).toThrow(RangeError);
    client.send('history', { room: 'codes', limit: 1 });
    expect(await client.waitFor('history')).toMatchObject({ room: 'codes' });
  });
});
