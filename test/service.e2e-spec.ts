import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import WebSocket from 'ws';
import { createApp } from '../src/app.factory.js';
import { firstJsonMessage, startService, upgradeOutcome, type ServiceApp } from './helpers/service-app.js';

describe('the service as npm start wires it (defaults)', () => {
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => service.close());

  it('serves the chat page at /', async () => {
    const res = await request(service.httpUrl).get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toMatch(/<html/i);
  });

  it('answers /health with status ok', async () => {
    const res = await request(service.httpUrl).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it('lists rooms as JSON', async () => {
    const res = await request(service.httpUrl).get('/api/rooms').expect(200);
    expect(Array.isArray(res.body)).toBe(true);
  });

  it('upgrades /chat, / and /echo and refuses unknown paths with 404', async () => {
    await expect(upgradeOutcome(`${service.wsUrl}/chat`)).resolves.toBe('open');
    await expect(upgradeOutcome(`${service.wsUrl}/`)).resolves.toBe('open');
    await expect(upgradeOutcome(`${service.wsUrl}/echo`)).resolves.toBe('open');
    await expect(upgradeOutcome(`${service.wsUrl}/nowhere`)).resolves.toBe(404);
  });

  it('greets /chat clients with welcome', async () => {
    const welcome = (await firstJsonMessage(`${service.wsUrl}/chat`)) as { event: string };
    expect(welcome.event).toBe('welcome');
  });

  it('accepts a POST to the REST API without a token in anonymous mode', async () => {
    await request(service.httpUrl)
      .post('/api/rooms/service-test/messages')
      .send({ from: 'ops', text: 'hello' })
      .expect(201);
  });
});

describe('the service with ECHO_ENABLED=false', () => {
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService({ ECHO_ENABLED: 'false' });
  });
  afterAll(() => service.close());

  it('does not serve /echo', async () => {
    await expect(upgradeOutcome(`${service.wsUrl}/echo`)).resolves.toBe(404);
    await expect(upgradeOutcome(`${service.wsUrl}/chat`)).resolves.toBe('open');
  });
});

describe('the service with WS_ALLOWED_ORIGINS and WS_MAX_CONNECTIONS=1', () => {
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService({
      WS_ALLOWED_ORIGINS: 'https://chat.example',
      WS_MAX_CONNECTIONS: '1',
    });
  });
  afterAll(() => service.close());

  it('refuses other origins with 403 and admits the listed one', async () => {
    await expect(upgradeOutcome(`${service.wsUrl}/chat`, { Origin: 'https://evil.example' })).resolves.toBe(403);
    await expect(upgradeOutcome(`${service.wsUrl}/chat`, { Origin: 'https://chat.example' })).resolves.toBe('open');
  });

  it('refuses upgrades beyond the connection limit with 503', async () => {
    const held = new WebSocket(`${service.wsUrl}/chat`, { headers: { Origin: 'https://chat.example' } });
    await new Promise<void>((resolve, reject) => {
      held.once('open', () => resolve());
      held.once('error', reject);
    });
    try {
      await expect(upgradeOutcome(`${service.wsUrl}/chat`, { Origin: 'https://chat.example' })).resolves.toBe(503);
    } finally {
      held.terminate();
    }
  });
});

describe('the service with AUTH_JWT_SECRET', () => {
  const secret = 'service-e2e-secret';
  const token = new JwtService({ secret }).sign({ sub: 'u-42', name: 'Dana' }, { expiresIn: '1h' });
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService({ AUTH_JWT_SECRET: secret });
  });
  afterAll(() => service.close());

  it('refuses upgrades without a valid token with 401', async () => {
    await expect(upgradeOutcome(`${service.wsUrl}/chat`)).resolves.toBe(401);
    await expect(upgradeOutcome(`${service.wsUrl}/chat`, { Authorization: 'Bearer nope' })).resolves.toBe(401);
  });

  it('upgrades with a bearer header or an access_token query', async () => {
    await expect(upgradeOutcome(`${service.wsUrl}/chat`, { Authorization: `Bearer ${token}` })).resolves.toBe('open');
    await expect(upgradeOutcome(`${service.wsUrl}/chat?access_token=${token}`)).resolves.toBe('open');
  });

  it('names the connection after the token', async () => {
    const welcome = (await firstJsonMessage(`${service.wsUrl}/chat?access_token=${token}`)) as {
      data: { name: string };
    };
    expect(welcome.data.name).toBe('Dana');
  });

  it('guards REST writes', async () => {
    await request(service.httpUrl).post('/api/rooms/secure/messages').send({ from: 'x', text: 'no token' }).expect(401);
    const posted = await request(service.httpUrl)
      .post('/api/rooms/secure/messages')
      .set('Authorization', `Bearer ${token}`)
      .send({ from: 'x', text: 'with token' })
      .expect(201);
    expect(posted.body.from).toBe('Dana');
  });

  it("stamps the token's sub as fromId, on the socket and on REST", async () => {
    const welcome = (await firstJsonMessage(`${service.wsUrl}/chat?access_token=${token}`)) as {
      data: { id: string; fromId: string };
    };
    expect(welcome.data.fromId).toBe('u-42');
    expect(welcome.data.id).not.toBe('u-42');
    const posted = await request(service.httpUrl)
      .post('/api/rooms/ids/messages')
      .set('Authorization', `Bearer ${token}`)
      .send({ text: 'signed' })
      .expect(201);
    expect(posted.body).toMatchObject({ from: 'Dana', fromId: 'u-42' });
  });
});

describe('invalid configuration', () => {
  it('stops the start naming the variable', async () => {
    await expect(createApp({ WS_MAX_PAYLOAD: 'lots' }, { logger: false })).rejects.toThrow(/WS_MAX_PAYLOAD="lots"/);
  });
});

describe('the service with CHAT_HISTORY_SIZE=2', () => {
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService({ CHAT_HISTORY_SIZE: '2' });
  });
  afterAll(() => service.close());

  it('keeps the newest two messages of a room', async () => {
    for (const text of ['one', 'two', 'three']) {
      await request(service.httpUrl).post('/api/rooms/small/messages').send({ from: 'ops', text }).expect(201);
    }
    const res = await request(service.httpUrl).get('/api/rooms/small/messages').expect(200);
    expect(res.body.map((message: { text: string }) => message.text)).toEqual(['two', 'three']);
  });
});
