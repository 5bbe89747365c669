import { readFile } from 'node:fs/promises';
import request from 'supertest';
import { PUBLIC_DIRECTORY } from '../src/chat/page/public-files.js';
import { chatLine } from '../src/chat/text-lines.js';
import { startChatApp, type ChatApp } from './helpers/chat-app.js';
import { JsonChatClient, LineChatClient } from './helpers/chat-clients.js';

describe('chat: REST API', () => {
  let server: ChatApp;
  const clients: Array<JsonChatClient | LineChatClient> = [];
  const http = () => request(server.app.getHttpServer());

  async function member(room: string, name: string): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(server.wsUrl);
    clients.push(client);
    await client.welcome();
    await client.join(room, { name });
    await client.next('presence');
    return client;
  }

  async function post(room: string, from: string, text: string) {
    const response = await http()
      .post(`/api/rooms/${encodeURIComponent(room)}/messages`)
      .send({ from, text })
      .expect(201);
    return response.body as { id: string; room: string; from: string; text: string; at: string };
  }

  beforeEach(async () => {
    server = await startChatApp({ rateLimit: false, historySize: 4, maxTextLength: 50 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  it('lists rooms with their member counts', async () => {
    await http().get('/api/rooms').expect(200).expect([]);
    const ann = await member('beta', 'ann');
    await member('alpha', 'bob');
    const cid = await member('beta', 'cid');
    await http()
      .get('/api/rooms')
      .expect(200)
      .expect([
        { room: 'alpha', members: 1 },
        { room: 'beta', members: 2 },
      ]);
    await cid.close();
    await ann.waitFor('presence', (p) => p.name === 'cid' && p.event === 'leave');
    await http()
      .get('/api/rooms')
      .expect(200)
      .expect([
        { room: 'alpha', members: 1 },
        { room: 'beta', members: 1 },
      ]);
  });

  it('stores a posted message and answers 201 with it', async () => {
    const stored = await post('news', 'deploy-bot', 'v2 is <live>');
    expect(stored).toEqual({
      id: expect.stringMatching(/^\d+-\d+$/),
      room: 'news',
      from: 'deploy-bot',
      fromId: 'api',
      text: 'v2 is <live>',
      at: expect.any(String),
    });
    await http().get('/api/rooms/news/messages').expect(200).expect([stored]);
  });

  it('delivers a posted message to the WebSocket members of the room on both protocols', async () => {
    const ann = await member('lobby', 'ann');
    const outsider = await member('elsewhere', 'eve');
    const lines = await LineChatClient.connect(server.wsUrl);
    clients.push(lines);
    await lines.nextLine();
    await ann.next('presence');

    const stored = await post('lobby', 'ops', 'maintenance at noon');
    expect(await ann.next('message')).toEqual(stored);
    expect(await lines.nextLine()).toBe(chatLine(stored));
    expect(await outsider.sync()).toEqual([]);
  });

  it('pages history: newest N without since, first N after since', async () => {
    const sent = [];
    for (let i = 1; i <= 4; i++) sent.push(await post('paged', 'bot', `p${i}`));
    const texts = (body: Array<{ text: string }>) => body.map((m) => m.text);
    expect(texts((await http().get('/api/rooms/paged/messages?limit=2').expect(200)).body)).toEqual(['p3', 'p4']);
    const after = await http().get(`/api/rooms/paged/messages?since=${sent[0].id}&limit=2`).expect(200);
    expect(texts(after.body)).toEqual(['p2', 'p3']);
    expect(after.headers['x-history-truncated']).toBeUndefined();
    expect(texts((await http().get(`/api/rooms/paged/messages?since=${sent[3].id}`).expect(200)).body)).toEqual([]);
    await http().get('/api/rooms/empty-room/messages').expect(200).expect([]);
  });

  it('flags a since older than the kept history', async () => {
    const first = await post('long', 'bot', 'l1');
    for (let i = 2; i <= 6; i++) await post('long', 'bot', `l${i}`);
    const response = await http().get(`/api/rooms/long/messages?since=${first.id}`).expect(200);
    expect(response.headers['x-history-truncated']).toBe('true');
    expect(response.body.map((m: { text: string }) => m.text)).toEqual(['l3', 'l4', 'l5', 'l6']);
  });

  it('answers 400 for a bad limit, since or room', async () => {
    for (const query of ['limit=0', 'limit=501', 'limit=ten', 'limit=1.5', 'since=yesterday', 'since=1-01']) {
      const response = await http().get(`/api/rooms/lobby/messages?${query}`).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: [expect.any(String)] });
    }
    expect((await http().get('/api/rooms/lobby/messages?limit=0').expect(400)).body.message).toEqual([
      'limit must be a whole number from 1 to 500, in plain decimal digits',
    ]);
    await http().get('/api/rooms/lobby/messages?limit=500').expect(200);
    await http()
      .get(`/api/rooms/${encodeURIComponent('two words')}/messages`)
      .expect(400);
  });

  it('answers 400 with a clear message for a bad post', async () => {
    const bad = async (body: unknown) =>
      (
        await http()
          .post('/api/rooms/lobby/messages')
          .send(body as object)
          .expect(400)
      ).body.message;
    expect(await bad({ text: 'no sender' })).toEqual(['from is required (or an authenticated request)']);
    expect(await bad({ from: 'bot', text: '' })).toEqual(['text must be a string of 1 to 50 characters']);
    expect(await bad({ from: 'bot', text: 'x'.repeat(51) })).toEqual(['text must be a string of 1 to 50 characters']);
    expect(await bad({ from: 'bot' })).toEqual(['text must be a string of 1 to 50 characters']);
    expect(await bad({ from: ' bot', text: 'x' })).toEqual([
      'from must be 1 to 32 printable characters, no spaces at either end',
    ]);
    await http().get('/api/rooms/lobby/messages').expect(200).expect([]);
  });
});

describe('chat: the browser page', () => {
  let server: ChatApp;
  const http = () => request(server.app.getHttpServer());

  beforeAll(async () => {
    server = await startChatApp();
  });
  afterAll(() => server.close());

  it('serves index.html at /', async () => {
    const response = await http().get('/').expect(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.text).toBe(await readFile(`${PUBLIC_DIRECTORY}index.html`, 'utf8'));
  });

  it('serves the files next to it under /assets/ with their content types', async () => {
    const script = await http().get('/assets/chat-client.js').expect(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    expect(script.text).toBe(await readFile(`${PUBLIC_DIRECTORY}chat-client.js`, 'utf8'));
  });

  it('answers 304 when the page has not changed', async () => {
    const first = await http().get('/').expect(200);
    await http().get('/').set('If-None-Match', first.headers.etag).expect(304);
  });

  it('answers 404 for files that are not there, and never leaves the directory', async () => {
    await http().get('/assets/missing.js').expect(404);
    await http().get('/assets/..%2F..%2Fpackage.json').expect(404);
    await http().get('/assets/../chat.module.ts').expect(404);
  });
});
