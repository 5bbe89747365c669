import request from 'supertest';
import type { ChatModuleOptions } from '../src/chat/index.js';
import { startChatApp, type ChatApp } from './helpers/chat-app.js';
import { JsonChatClient } from './helpers/chat-clients.js';

interface Stored {
  id: string;
  room: string;
  from: string;
  fromId: string;
  text: string;
  at: string;
  ref?: string | number;
}

describe('chat: REST batches (POST /api/rooms/:room/messages/batch)', () => {
  let server: ChatApp | undefined;
  const clients: JsonChatClient[] = [];

  async function start(options: ChatModuleOptions = {}): Promise<ChatApp> {
    server = await startChatApp({ rateLimit: false, restRateLimit: false, maxTextLength: 50, ...options });
    return server;
  }

  const batch = (room: string, body: unknown) =>
    request((server as ChatApp).app.getHttpServer())
      .post(`/api/rooms/${room}/messages/batch`)
      .send(body as object);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server?.close();
    server = undefined;
  });

  it('stores the messages in their order and delivers them in that order', async () => {
    const app = await start();
    const ann = await JsonChatClient.connect(app.wsUrl);
    clients.push(ann);
    await ann.welcome();
    await ann.join('ops', { name: 'ann' });
    await ann.next('presence');
    const texts = Array.from({ length: 30 }, (_, i) => `deploy step ${i}`);
    const response = await batch('ops', {
      from: 'ci-bot',
      messages: texts.map((text, i) => (i === 3 ? { text, from: 'release-bot' } : { text })),
    }).expect(201);
    const stored = response.body as Stored[];
    expect(stored.map((message) => message.text)).toEqual(texts);
    expect(stored[0]).toEqual({
      id: expect.any(String),
      room: 'ops',
      from: 'ci-bot',
      fromId: 'api',
      text: 'deploy step 0',
      at: expect.any(String),
    });
    expect(stored[3].from).toBe('release-bot');
    const received = [];
    for (let i = 0; i < texts.length; i++) received.push(await ann.next('message'));
    expect(received).toEqual(stored);
    const history = await request(app.httpUrl).get('/api/rooms/ops/messages?limit=100').expect(200);
    expect(history.body).toEqual(stored);
  });

  it('answers an item whose ref was stored before, in an earlier request or the same one, with the message stored first', async () => {
    const app = await start();
    const single = await request(app.httpUrl)
      .post('/api/rooms/refs/messages')
      .set('Idempotency-Key', 'k1')
      .send({ from: 'bot', text: 'one' })
      .expect(201);
    const first = await batch('refs', {
      from: 'bot',
      messages: [
        { text: 'one again', ref: 'k1' },
        { text: 'two', ref: 'k2' },
        { text: 'two again', ref: 'k2' },
        { text: 'three', ref: 3 },
        { text: 'no ref' },
      ],
    }).expect(201);
    const answers = first.body as Stored[];
    expect(answers.map((message) => message.text)).toEqual(['one', 'two', 'two', 'three', 'no ref']);
    expect(answers[0]).toEqual(single.body);
    expect(answers[2].id).toBe(answers[1].id);
    expect(answers[3].ref).toBe(3);
    // The whole batch resent (as after a maybe_stored): only the item without a ref is stored again.
    const again = await batch('refs', {
      from: 'bot',
      messages: [
        { text: 'one', ref: 'k1' },
        { text: 'two', ref: 'k2' },
        { text: 'three', ref: 3 },
      ],
    }).expect(201);
    expect((again.body as Stored[]).map((message) => message.id)).toEqual([
      answers[0].id,
      answers[1].id,
      answers[3].id,
    ]);
    const history = await request(app.httpUrl).get('/api/rooms/refs/messages?limit=100').expect(200);
    expect((history.body as Stored[]).map((message) => message.text)).toEqual(['one', 'two', 'three', 'no ref']);
  });

  it('answers 400 naming the item for a bad one, and stores nothing of that batch', async () => {
    const app = await start();
    const problems = async (body: unknown) =>
      ((await batch('bad', body).expect(400)).body as { message: string[] }).message;
    expect(await problems({ from: 'bot', messages: [{ text: 'fine' }, { text: 'x'.repeat(51) }] })).toEqual([
      'messages.1.text must be a string of 1 to 50 characters',
    ]);
    expect(await problems({ from: 'bot', messages: [{ text: 'fine' }, { text: 'ok', from: 'a b\u0000' }] })).toEqual([
      expect.stringMatching(/^messages\.1\.from /),
    ]);
    expect(await problems({ from: 'bot', messages: [{ text: 'fine', ref: { no: 1 } }] })).toEqual([
      expect.stringMatching(/^messages\.0\.ref must be a number or a string/),
    ]);
    expect(await problems({ messages: [{ text: 'fine', from: 'bot' }, { text: 'who?' }] })).toEqual([
      'messages.1.from is required (or a batch from, or an authenticated request)',
    ]);
    expect(await problems({ from: 'bot', messages: [] })).toEqual(['messages must contain at least 1 elements']);
    expect(
      await problems({ from: 'bot', messages: Array.from({ length: 101 }, (_, i) => ({ text: `m${i}` })) }),
    ).toEqual(['messages must contain no more than 100 elements']);
    expect(await problems({ from: 'bot', messages: 'hello' })).toEqual([expect.stringMatching(/^messages /)]);
    expect(await problems({ from: 'bot' })).toEqual([expect.stringMatching(/^messages /)]);
    await request(app.httpUrl).get('/api/rooms/bad/messages').expect(200).expect([]);
    await batch('bad', 'plain text').set('Content-Type', 'text/plain').expect(415);
  });

  it('counts every message of a batch in the REST rate limit', async () => {
    await start({ restRateLimit: { burst: 10, perSecond: 0.01 } });
    const messages = (count: number) => Array.from({ length: count }, (_, i) => ({ text: `m${i}` }));
    // A batch is admitted with a token left, and may leave the bucket in debt.
    await batch('limited', { from: 'bot', messages: messages(12) }).expect(201);
    const refused = await batch('limited', { from: 'bot', messages: messages(1) }).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(100);
  });

  it('asks canPost once per sender name of the batch', async () => {
    const asked: string[] = [];
    await start({
      canPost: (principal: unknown, room: string) => {
        const { name } = principal as { name: string };
        asked.push(`${name}@${room}`);
        return name !== 'intruder';
      },
    });
    await batch('guarded', {
      from: 'bot',
      messages: [{ text: 'a' }, { text: 'b' }, { text: 'c', from: 'other' }],
    }).expect(201);
    expect(asked).toEqual(['bot@guarded', 'other@guarded']);
    await batch('guarded', { from: 'bot', messages: [{ text: 'a' }, { text: 'b', from: 'intruder' }] }).expect(403);
    const history = await request((server as ChatApp).httpUrl)
      .get('/api/rooms/guarded/messages')
      .expect(200);
    expect((history.body as Stored[]).map((message) => message.text)).toEqual(['a', 'b', 'c']);
  });
});
