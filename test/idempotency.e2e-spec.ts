import request from 'supertest';
import { startChatApp, type ChatApp } from './helpers/chat-app.js';
import { JsonChatClient, type ChatFrame } from './helpers/chat-clients.js';

const SESSION = 'a-session-secret-of-the-test-0001';

describe('chat: sending exactly once (ref, Idempotency-Key)', () => {
  let server: ChatApp;
  const clients: JsonChatClient[] = [];
  const http = () => request(server.app.getHttpServer());

  async function member(room: string, name: string, path = '/chat'): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(server.wsUrl, path);
    clients.push(client);
    await client.welcome();
    await client.join(room, { name });
    return client;
  }

  const messagesIn = (frames: ChatFrame[]) => frames.filter((frame) => frame.event === 'message').map((f) => f.data);

  beforeEach(async () => {
    server = await startChatApp({ rateLimit: false });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  it('acks a resend with the id of the first send and delivers the message once, its ref to the sender only', async () => {
    const ann = await member('once', 'ann');
    const bob = await member('once', 'bob');
    await ann.sync();
    ann.send('message', { room: 'once', text: 'hello', ref: 'r-1' });
    ann.send('message', { room: 'once', text: 'hello', ref: 'r-1' });
    ann.send('message', { room: 'once', text: 'after', ref: 'r-2' });
    // Each ack is written before the sync's reply; the room's copies may come later.
    const frames = await ann.sync();
    const acks = frames.filter((frame) => frame.event === 'ack').map((frame) => frame.data);
    expect(acks).toHaveLength(3);
    const [ack, resent, after] = acks;
    expect(resent).toEqual(ack);
    const seenBy = async (client: JsonChatClient, earlier: ChatFrame[]) => {
      const seen = messagesIn(earlier);
      if (!seen.some((message) => message.id === after.id))
        await client.waitFor('message', (message) => seen.push(message) > 0 && message.id === after.id);
      // Nothing more comes: the resend was not delivered.
      seen.push(...messagesIn(await client.sync()));
      return seen.map((message) => [message.id, message.text, message.ref]);
    };
    expect(await seenBy(ann, frames)).toEqual([
      [ack.id, 'hello', 'r-1'],
      [after.id, 'after', 'r-2'],
    ]);
    expect(await seenBy(bob, [])).toEqual([
      [ack.id, 'hello', undefined],
      [after.id, 'after', undefined],
    ]);
    // History too shows a ref to its sender only.
    bob.send('history', { room: 'once' });
    expect((await bob.waitFor('history')).messages.map((message: any) => 'ref' in message)).toEqual([false, false]);
    ann.send('history', { room: 'once' });
    expect((await ann.waitFor('history')).messages.map((message: any) => message.ref)).toEqual(['r-1', 'r-2']);
  });

  it('keeps an anonymous sender its identity and its keys across connections with ?session=', async () => {
    const first = await JsonChatClient.connect(server.wsUrl, `/chat?session=${SESSION}`);
    clients.push(first);
    const welcome = await first.welcome();
    await first.join('session');
    first.send('message', { room: 'session', text: 'sent before the drop', ref: 'k-1' });
    const ack = await first.waitFor('ack');
    await first.close();

    const again = await JsonChatClient.connect(server.wsUrl, `/chat?session=${SESSION}`);
    clients.push(again);
    const rewelcome = await again.welcome();
    expect(rewelcome.id).not.toBe(welcome.id);
    expect((rewelcome as any).fromId).toBe((welcome as any).fromId);
    const joined = await again.join('session', { since: '0-0' });
    expect(joined.history.map((message: any) => [message.id, message.ref])).toEqual([[ack.id, 'k-1']]);
    again.send('message', { room: 'session', text: 'sent before the drop', ref: 'k-1' });
    expect(await again.waitFor('ack')).toEqual(ack);

    // Another session (or none) is another sender: its ref is its own, and it sees no other's.
    const other = await member('session', 'eve', '/chat?session=another-secret-of-the-test-02');
    other.send('message', { room: 'session', text: 'mine', ref: 'k-1' });
    expect((await other.waitFor('ack')).id).not.toBe(ack.id);
    other.send('history', { room: 'session' });
    expect((await other.waitFor('history')).messages.map((message: any) => message.ref)).toEqual([undefined, 'k-1']);
  });

  it('answers a REST resend with the same Idempotency-Key with the message stored first, and refuses a bad key', async () => {
    const post = (key: string, text: string) =>
      http().post('/api/rooms/rest/messages').set('Idempotency-Key', key).send({ from: 'api-user', text });
    const first = await post('order-1', 'one').expect(201);
    expect(first.body).toMatchObject({ text: 'one', ref: 'order-1' });
    const again = await post('order-1', 'one').expect(201);
    expect(again.body).toEqual(first.body);
    await post('x'.repeat(65), 'too long a key').expect(400);
    const history = await http().get('/api/rooms/rest/messages').expect(200);
    expect(history.body).toEqual([first.body]);
    // A WebSocket member is another sender: the REST caller's ref is not shown to it.
    const ann = await member('rest', 'ann');
    const { ref: _ref, ...shared } = first.body as Record<string, unknown>;
    expect((await ann.join('rest')).history).toEqual([shared]);
  });
});
