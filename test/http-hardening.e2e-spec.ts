import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { startChatApp, type ChatApp } from './helpers/chat-app.js';
import { JsonChatClient } from './helpers/chat-clients.js';
import { startService, type ServiceApp } from './helpers/service-app.js';

/** The directives of the page's Content-Security-Policy, by name. */
function cspDirectives(header: string | undefined): Map<string, string> {
  expect(header).toEqual(expect.any(String));
  const directives = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values.join(' '));
  }
  return directives;
}

function expectPageHeaders(headers: Record<string, string | undefined>): void {
  const csp = cspDirectives(headers['content-security-policy']);
  expect(csp.get('default-src')).toBe("'self'");
  expect(csp.get('script-src')).toBe("'self'");
  expect(csp.get('script-src-attr')).toBe("'none'");
  expect(csp.get('style-src')).toBe("'self'");
  expect(csp.get('connect-src')).toBe("'self'");
  expect(csp.get('object-src')).toBe("'none'");
  expect(csp.get('frame-ancestors')).toBe("'none'");
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(headers['x-powered-by']).toBeUndefined();
  expect(headers['strict-transport-security']).toBeUndefined();
}

describe('HTTP security headers', () => {
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => service.close());

  it('serves the page and its files with a CSP, no framing, nosniff and no X-Powered-By', async () => {
    for (const path of ['/', '/assets/app.js', '/assets/style.css']) {
      const response = await request(service.httpUrl).get(path).expect(200);
      expectPageHeaders(response.headers);
    }
  });

  it('sends the same headers on the API, health, metrics and errors', async () => {
    for (const [path, status] of [
      ['/api/rooms', 200],
      ['/api/rooms/lobby/messages', 200],
      ['/health', 200],
      ['/metrics', 200],
      ['/no-such-page', 404],
      ['/api/rooms/lobby/messages?limit=ten', 400],
    ] as const) {
      const response = await request(service.httpUrl).get(path).expect(status);
      expectPageHeaders(response.headers);
    }
  });
});

describe('HTTP security headers of an app embedding ChatModule (no app-wide helmet)', () => {
  let server: ChatApp;
  beforeAll(async () => {
    server = await startChatApp();
  });
  afterAll(() => server.close());

  it('still serves the page and its files with their own headers', async () => {
    for (const path of ['/', '/assets/chat-client.js']) {
      const response = await request(server.httpUrl).get(path).expect(200);
      expectPageHeaders(response.headers);
    }
    // Unchanged files still get the headers on a 304.
    const first = await request(server.httpUrl).get('/').expect(200);
    const revalidated = await request(server.httpUrl).get('/').set('If-None-Match', first.headers.etag).expect(304);
    expectPageHeaders(revalidated.headers);
  });
});

describe('REST writes take JSON only', () => {
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => service.close());

  const history = async (room: string) =>
    (await request(service.httpUrl).get(`/api/rooms/${room}/messages`).expect(200)).body as Array<{ text: string }>;

  it('answers 415 to what a cross-site HTML form can send, and stores nothing', async () => {
    const url = '/api/rooms/forms/messages';
    // <form method=post enctype=application/x-www-form-urlencoded>
    await request(service.httpUrl)
      .post(url)
      .set('Origin', 'https://attacker.example')
      .type('form')
      .send({ from: 'mallory', text: 'urlencoded' })
      .expect(415);
    // enctype=text/plain, shaped so the body reads as JSON
    await request(service.httpUrl)
      .post(url)
      .set('Content-Type', 'text/plain')
      .send('{"from":"mallory","text":"text/plain","x":"="}')
      .expect(415);
    // enctype=multipart/form-data
    await request(service.httpUrl).post(url).field('from', 'mallory').field('text', 'multipart').expect(415);
    // no Content-Type at all
    await request(service.httpUrl).post(url).send(Buffer.from('{"from":"m","text":"none"}')).expect(415);
    expect(await history('forms')).toEqual([]);
  });

  it('accepts application/json, with or without a charset', async () => {
    const url = '/api/rooms/json/messages';
    await request(service.httpUrl).post(url).send({ from: 'ops', text: 'plain json' }).expect(201);
    await request(service.httpUrl)
      .post(url)
      .set('Content-Type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ from: 'ops', text: 'with charset' }))
      .expect(201);
    expect((await history('json')).map((message) => message.text)).toEqual(['plain json', 'with charset']);
  });
});

describe('REST write rate limit (CHAT_REST_RATE_LIMIT_BURST, CHAT_REST_RATE_LIMIT_PER_SECOND)', () => {
  const secret = 'rest-rate-limit-secret';
  const signer = new JwtService({ secret, signOptions: { expiresIn: '1h' } });

  it('refuses a client past its burst with 429 and Retry-After, stores nothing, and keeps reads open', async () => {
    // 3 at once, then one every 10 s: the fourth request in a row is refused.
    const service = await startService({ CHAT_REST_RATE_LIMIT_BURST: '3', CHAT_REST_RATE_LIMIT_PER_SECOND: '0.1' });
    try {
      const post = (text: string) =>
        request(service.httpUrl).post('/api/rooms/flood/messages').send({ from: 'bot', text });
      for (const text of ['1', '2', '3']) await post(text).expect(201);
      const refused = await post('4').expect(429);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(30);
      // A refused request is not counted: the client is still refused, not further behind.
      await post('5').expect(429);
      // Malformed bodies are refused by the limit too, before anything else looks at them.
      await request(service.httpUrl).post('/api/rooms/flood/messages').type('form').send('a=b').expect(429);
      const stored = await request(service.httpUrl).get('/api/rooms/flood/messages').expect(200);
      expect(stored.body.map((message: { text: string }) => message.text)).toEqual(['1', '2', '3']);
    } finally {
      await service.close();
    }
  });

  it('counts per token principal in auth mode, not per address', async () => {
    const service = await startService({
      AUTH_JWT_SECRET: secret,
      CHAT_REST_RATE_LIMIT_BURST: '2',
      CHAT_REST_RATE_LIMIT_PER_SECOND: '0.1',
    });
    try {
      const post = (token: string) =>
        request(service.httpUrl)
          .post('/api/rooms/bots/messages')
          .set('Authorization', `Bearer ${token}`)
          .send({ text: 'status' });
      const first = signer.sign({ sub: 'bot-1' });
      const second = signer.sign({ sub: 'bot-2' });
      await post(first).expect(201);
      await post(first).expect(201);
      await post(first).expect(429);
      // Same address, another principal: a budget of its own.
      await post(second).expect(201);
      await post(second).expect(201);
      await post(second).expect(429);
      // A new token of the same subject does not reset the count.
      await post(signer.sign({ sub: 'bot-1', name: 'renamed' })).expect(429);
    } finally {
      await service.close();
    }
  });

  it('is off with CHAT_REST_RATE_LIMIT_PER_SECOND=0', async () => {
    const service = await startService({ CHAT_REST_RATE_LIMIT_BURST: '1', CHAT_REST_RATE_LIMIT_PER_SECOND: '0' });
    try {
      for (let i = 0; i < 30; i++) {
        await request(service.httpUrl)
          .post('/api/rooms/free/messages')
          .send({ from: 'bot', text: `m${i}` })
          .expect(201);
      }
    } finally {
      await service.close();
    }
  });

  it('applies the module option restRateLimit to the chat routes only', async () => {
    const server = await startChatApp({ restRateLimit: { burst: 1, perSecond: 0.1 } });
    try {
      const post = () => request(server.httpUrl).post('/api/rooms/embedded/messages').send({ from: 'a', text: 'b' });
      await post().expect(201);
      await post().expect(429).expect('retry-after', /^\d+$/);
      for (let i = 0; i < 5; i++) await request(server.httpUrl).get('/api/rooms/embedded/messages').expect(200);
    } finally {
      await server.close();
    }
  });
});

describe('room content needs a token in auth mode (AUTH_JWT_SECRET)', () => {
  const secret = 'read-guard-secret';
  const token = new JwtService({ secret, signOptions: { expiresIn: '1h' } }).sign({ sub: 'u-1', name: 'Reader' });
  const forged = new JwtService({ secret: 'not-the-secret', signOptions: { expiresIn: '1h' } }).sign({ sub: 'u-1' });
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService({ AUTH_JWT_SECRET: secret });
    await request(service.httpUrl)
      .post('/api/rooms/private/messages')
      .set('Authorization', `Bearer ${token}`)
      .send({ text: 'for members only' })
      .expect(201);
  });
  afterAll(() => service.close());

  it.each(['/api/rooms', '/api/rooms/private/messages', '/api/rooms/private/messages?limit=1'])(
    'answers 401 to GET %s without a valid token',
    async (path) => {
      const missing = await request(service.httpUrl).get(path).expect(401);
      expect(JSON.stringify(missing.body)).not.toContain('for members only');
      await request(service.httpUrl).get(path).set('Authorization', `Bearer ${forged}`).expect(401);
      await request(service.httpUrl).get(path).set('Authorization', `Bearer ${token}`).expect(200);
    },
  );

  it('reads history with the access_token query too', async () => {
    const response = await request(service.httpUrl)
      .get(`/api/rooms/private/messages?access_token=${token}`)
      .expect(200);
    expect(response.body.map((message: { text: string }) => message.text)).toEqual(['for members only']);
  });

  it('leaves the page, /health and /metrics open', async () => {
    for (const path of ['/', '/assets/app.js', '/health', '/metrics']) {
      await request(service.httpUrl).get(path).expect(200);
    }
  });

  it('guards the REST API where CHAT_REST_PREFIX puts it, not only under /api', async () => {
    const moved = await startService({ AUTH_JWT_SECRET: secret, CHAT_REST_PREFIX: '/chat-api' });
    try {
      await request(moved.httpUrl).get('/chat-api/rooms').expect(401);
      await request(moved.httpUrl).post('/chat-api/rooms/r/messages').send({ from: 'mallory', text: 'x' }).expect(401);
      await request(moved.httpUrl).get('/chat-api/rooms').set('Authorization', `Bearer ${token}`).expect(200);
    } finally {
      await moved.close();
    }
  });
});

describe('WebSocket history needs membership of the room', () => {
  let service: ServiceApp;
  const clients: JsonChatClient[] = [];
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await service.close();
  });

  async function connect(): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(service.wsUrl);
    clients.push(client);
    await client.welcome();
    return client;
  }

  it('answers not_in_room to a history request from outside the room, and the history once joined', async () => {
    await request(service.httpUrl)
      .post('/api/rooms/kept/messages')
      .send({ from: 'ops', text: 'kept line' })
      .expect(201);
    const outsider = await connect();
    outsider.send('history', { room: 'kept', limit: 10 });
    expect(await outsider.next('error')).toMatchObject({ code: 'not_in_room' });
    await outsider.join('kept');
    await outsider.next('presence');
    outsider.send('history', { room: 'kept', limit: 10 });
    const page = await outsider.next('history');
    expect(page.messages.map((message: { text: string }) => message.text)).toEqual(['kept line']);
  });
});
