import { JsonChatClient, LineChatClient } from './helpers/chat-clients.js';
import { startService, type ServiceApp } from './helpers/service-app.js';

interface Posted {
  status: number;
  retryAfter: string | null;
  body: { id?: string; code?: string };
}

describe('bounded rooms on the in-memory bus (CHAT_MAX_ROOMS, CHAT_ROOM_CREATE_PER_MINUTE)', () => {
  let service: ServiceApp;
  const clients: Array<JsonChatClient | LineChatClient> = [];

  async function post(room: string, text = 'x'): Promise<Posted> {
    const response = await fetch(`${service.httpUrl}/api/rooms/${encodeURIComponent(room)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'poster', text }),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as Posted['body'],
    };
  }

  async function member(room: string, name: string): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(service.wsUrl);
    clients.push(client);
    await client.welcome();
    await client.join(room, { name });
    return client;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await service.close();
  });

  it('refuses 1,000 POSTs to new rooms with 503 once the cap is reached, instead of wiping the history of lobby', async () => {
    service = await startService({
      CHAT_MAX_ROOMS: '50',
      CHAT_ROOM_CREATE_PER_MINUTE: '0',
      CHAT_REST_RATE_LIMIT_PER_SECOND: '0',
      ECHO_ENABLED: 'false',
    });
    const line = await LineChatClient.connect(service.wsUrl);
    clients.push(line);
    const first = await post('lobby', 'first words');
    await post('lobby', 'second words');
    await post('quiet', 'nobody here, but written just now');
    const outcomes: Posted[] = [];
    for (let batch = 0; batch < 20; batch++) {
      outcomes.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => post(`spam-${batch * 50 + i}`)))));
    }
    expect(outcomes.filter((outcome) => outcome.status === 201)).toHaveLength(48);
    const refused = outcomes.filter((outcome) => outcome.status !== 201);
    expect(refused).toHaveLength(952);
    for (const outcome of refused) {
      expect(outcome).toMatchObject({ status: 503, body: { code: 'too_many_rooms' } });
      expect(Number(outcome.retryAfter)).toBeGreaterThan(500);
    }
    const resumed = await fetch(`${service.httpUrl}/api/rooms/lobby/messages?since=${first.body.id}`);
    expect(resumed.headers.get('x-history-truncated')).toBeNull();
    expect(((await resumed.json()) as Array<{ text: string }>).map((message) => message.text)).toEqual([
      'second words',
    ]);
    const quiet = (await (await fetch(`${service.httpUrl}/api/rooms/quiet/messages`)).json()) as Array<{
      text: string;
    }>;
    expect(quiet.map((message) => message.text)).toEqual(['nobody here, but written just now']);
    // A WebSocket member of a new room is told too, and its connection stays open.
    const ann = await member('new-room', 'ann');
    ann.send('message', { room: 'new-room', text: 'hello?', ref: 7 });
    expect(await ann.waitFor('error')).toMatchObject({ code: 'too_many_rooms', ref: 7 });
    ann.send('message', { room: 'lobby', text: 'not a member' });
    expect(await ann.waitFor('error')).toMatchObject({ code: 'not_in_room' });
  }, 30_000);

  it('tells a plain-text client when lobby cannot get a history, and keeps it connected', async () => {
    service = await startService({
      CHAT_MAX_ROOMS: '1',
      CHAT_ROOM_CREATE_PER_MINUTE: '0',
      CHAT_REST_RATE_LIMIT_PER_SECOND: '0',
      ECHO_ENABLED: 'false',
    });
    expect((await post('elsewhere')).status).toBe(201);
    const line = await LineChatClient.connect(service.wsUrl);
    clients.push(line);
    await line.waitForLine((text) => text.startsWith('Welcome'), 'the welcome line');
    line.socket.send('hello lobby');
    expect(await line.nextLine('the refusal')).toMatch(/^Error: the chat keeps history for at most 1 rooms/);
    expect(line.socket.readyState).toBe(line.socket.OPEN);
  });

  it('limits the new rooms one REST client creates per minute (429 with Retry-After), not posts to existing rooms', async () => {
    service = await startService({ CHAT_ROOM_CREATE_PER_MINUTE: '3', ECHO_ENABLED: 'false' });
    for (const room of ['r1', 'r2', 'r3']) expect((await post(room)).status).toBe(201);
    const refused = await post('r4');
    expect(refused).toMatchObject({ status: 429, retryAfter: '20', body: { code: 'rate_limited' } });
    expect(
      (await fetch(`${service.httpUrl}/api/rooms/r4/messages`).then((response) => response.json())) as unknown[],
    ).toEqual([]);
    for (let i = 0; i < 10; i++) expect((await post('r1', `more ${i}`)).status).toBe(201);
    // A room with members is not new either.
    await member('occupied', 'ann');
    expect((await post('occupied')).status).toBe(201);
  });

  it('limits the new rooms one WebSocket connection creates per minute (rate_limited), joins of existing rooms pass', async () => {
    service = await startService({ CHAT_ROOM_CREATE_PER_MINUTE: '2', ECHO_ENABLED: 'false' });
    const ann = await member('a1', 'ann');
    await ann.join('a2');
    ann.send('join', { room: 'a3', ref: 'j3' });
    expect(await ann.waitFor('error')).toMatchObject({ code: 'rate_limited', ref: 'j3' });
    // Not joined: a message there is refused, and nobody is listed in it.
    ann.send('message', { room: 'a3', text: 'x' });
    expect(await ann.waitFor('error')).toMatchObject({ code: 'not_in_room' });
    // Rooms with history or members are not new: joined without a token.
    expect((await post('has-history')).status).toBe(201);
    expect((await ann.join('has-history')).room).toBe('has-history');
    const bob = await member('bobs-room', 'bob');
    expect((await ann.join('bobs-room')).members).toEqual(['bob', 'ann']);
    // Another connection has an allowance of its own.
    expect((await bob.join('b2')).room).toBe('b2');
  });
});
