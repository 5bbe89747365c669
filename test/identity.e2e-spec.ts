import type { INestApplication, LoggerService } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import WebSocket from 'ws';
import { createApp } from '../src/app.factory.js';
import { clientAddress } from '../src/http/index.js';
import { JwksServer, signToken, testKey, type TestKey } from './helpers/jwks-server.js';
import { eventually, within } from './helpers/waiting.js';

/** Log lines by level, for the warnings and the connection log. */
class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string; fields: unknown[] }> = [];
  log(message: unknown, ...fields: unknown[]) {
    this.lines.push({ level: 'log', message: String(message), fields });
  }
  warn(message: unknown, ...fields: unknown[]) {
    this.lines.push({ level: 'warn', message: String(message), fields });
  }
  error(message: unknown, ...fields: unknown[]) {
    this.lines.push({ level: 'error', message: String(message), fields });
  }
  debug() {}
  verbose() {}
  of(level: string) {
    return this.lines.filter((line) => line.level === level);
  }
}

interface Running {
  app: INestApplication;
  http: string;
  ws: string;
  logger: CapturingLogger;
}

async function start(env: Record<string, string>, before?: (app: INestApplication) => void): Promise<Running> {
  const logger = new CapturingLogger();
  const app = await createApp(env, { logger });
  before?.(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}`, logger };
}

type Outcome = { status: 'open'; firstFrame: string } | { status: number; body: string; challenge: string | undefined };

/** Opens `url` with `headers`: the first frame once open, or the refusal's status and body. */
function attempt(url: string, headers: Record<string, string> = {}): Promise<Outcome> {
  const outcome = new Promise<Outcome>((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('message', (data: Buffer) => {
      socket.close(1000);
      resolve({ status: 'open', firstFrame: data.toString('utf8') });
    });
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, challenge: res.headers['www-authenticate'] }));
    });
    socket.once('error', reject);
  });
  return within(outcome, `the outcome of an upgrade to ${url}`);
}

/**
 * Key generation (RSA above all) and an app start take well under a second on an idle machine
 * and several on a busy one: the hooks get room, the tests keep their bounded waits.
 */
const SETUP_MS = 30_000;

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('the service with AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE', () => {
  let rsa: TestKey;
  let ec: TestKey;
  let jwks: JwksServer;
  let service: Running;
  const claims = { sub: 'u-7', name: 'Erin', iss: 'https://id.example', aud: 'chat' };

  beforeAll(async () => {
    rsa = await testKey('rsa-1', 'RS256');
    ec = await testKey('ec-1', 'ES256');
    jwks = await JwksServer.start([rsa, ec]);
    service = await start({
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: 'https://id.example',
      AUTH_AUDIENCE: 'chat',
      AUTH_JWKS_COOLDOWN_MS: '0',
      AUTH_JWKS_TIMEOUT_MS: '1000',
    });
  }, SETUP_MS);
  afterAll(async () => {
    await service.app.close();
    await jwks.stop();
  });

  it('upgrades /chat with an RS256 or ES256 token and names the connection after it', async () => {
    for (const key of [rsa, ec]) {
      const outcome = await attempt(`${service.ws}/chat`, bearer(await signToken(key, claims)));
      expect(outcome.status).toBe('open');
      expect(JSON.parse((outcome as { firstFrame: string }).firstFrame)).toMatchObject({
        event: 'welcome',
        data: { name: 'Erin' },
      });
    }
  });

  it('accepts REST writes with a valid token, as the token name', async () => {
    const posted = await request(service.http)
      .post('/api/rooms/oidc/messages')
      .set(bearer(await signToken(ec, claims)))
      .send({ from: 'someone else', text: 'hi' })
      .expect(201);
    expect(posted.body.from).toBe('Erin');
  });

  const now = () => Math.floor(Date.now() / 1000);
  const failures: Array<[string, () => Promise<string>, RegExp]> = [
    ['an expired token', () => signToken(rsa, { ...claims, exp: now() - 120 }), /has expired/],
    ['a token not valid yet', () => signToken(rsa, { ...claims, nbf: now() + 600 }), /not valid yet/],
    ['a token without exp', () => signToken(rsa, { ...claims, exp: undefined }), /no expiry/],
    [
      'a bad signature',
      async () => signToken({ ...(await testKey('rsa-1', 'RS256')) }, claims),
      /signature is not valid/,
    ],
    ['a wrong issuer', () => signToken(rsa, { ...claims, iss: 'https://elsewhere.example' }), /issuer/],
    ['a wrong audience', () => signToken(rsa, { ...claims, aud: 'billing' }), /audience/],
    ['an unknown kid', async () => signToken(await testKey('stranger', 'RS256'), claims), /kid/],
    [
      'a name with an RTL override',
      () => signToken(rsa, { ...claims, name: `\u202e${'x'.repeat(499)}` }),
      /longer than 32/,
    ],
    ['a name with control characters', () => signToken(rsa, { ...claims, name: 'ann\nadmin say: hi' }), /control/],
  ];

  it.each(failures)('refuses %s with 401 and the reason, on upgrades and REST', async (_what, token, reason) => {
    const signed = await token();
    const outcome = await attempt(`${service.ws}/chat`, bearer(signed));
    expect(outcome).toMatchObject({ status: 401, body: expect.stringMatching(reason) });
    expect((outcome as { challenge?: string }).challenge).toMatch(/error="invalid_token"/);
    const refused = await request(service.http)
      .post('/api/rooms/oidc/messages')
      .set(bearer(signed))
      .send({ from: 'x', text: 'no' })
      .expect(401);
    expect(refused.body.message).toMatch(reason);
  });

  it('picks up a rotated signing key (new kid) without a restart', async () => {
    const next = await testKey('rsa-2', 'RS256');
    jwks.keys = [next, ec];
    const outcome = await attempt(`${service.ws}/chat`, bearer(await signToken(next, claims)));
    expect(outcome.status).toBe('open');
    jwks.keys = [rsa, ec];
  });

  it("warns nothing for refusals that are the token's fault", () => {
    expect(service.logger.of('warn').filter((line) => line.message.includes('Tokens are refused'))).toEqual([]);
  });
});

describe('the service when its JWKS cannot be reached', () => {
  let service: Running;
  let key: TestKey;
  let url: string;

  beforeAll(async () => {
    key = await testKey('k', 'ES256');
    const jwks = await JwksServer.start([key]);
    url = jwks.url;
    await jwks.stop();
    service = await start({ AUTH_JWKS_URL: url, AUTH_JWKS_TIMEOUT_MS: '500' });
  }, SETUP_MS);
  afterAll(() => service.app.close());

  it('answers 401 to every client, logs one warning, and keeps serving', async () => {
    const token = await signToken(key, { sub: 'u' });
    for (let i = 0; i < 3; i++) {
      expect(await attempt(`${service.ws}/chat`, bearer(token))).toMatchObject({
        status: 401,
        body: expect.stringMatching(/signing keys cannot be fetched/),
      });
    }
    await request(service.http)
      .post('/api/rooms/x/messages')
      .set(bearer(token))
      .send({ from: 'a', text: 'b' })
      .expect(401);
    const warnings = service.logger.of('warn').filter((line) => line.message.includes('Tokens are refused'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain(url);
    await request(service.http).get('/health').expect(200);
  });
});

describe('the service with AUTH_PUBLIC_KEY', () => {
  let service: Running;
  let key: TestKey;

  beforeAll(async () => {
    key = await testKey('pem', 'ES256');
    service = await start({ AUTH_PUBLIC_KEY: key.publicPem.trim().replace(/\n/g, '\\n'), AUTH_AUDIENCE: 'chat' });
  }, SETUP_MS);
  afterAll(() => service.app.close());

  it('upgrades with a token signed by the key and refuses one signed by another', async () => {
    expect(
      (await attempt(`${service.ws}/chat`, bearer(await signToken(key, { sub: 'pem-user', aud: 'chat' })))).status,
    ).toBe('open');
    const other = await testKey('pem', 'ES256');
    expect(
      await attempt(`${service.ws}/chat`, bearer(await signToken(other, { sub: 'pem-user', aud: 'chat' }))),
    ).toMatchObject({
      status: 401,
    });
  });
});

describe('TRUST_PROXY', () => {
  /** An endpoint on the Express app answering what REST code sees as the client. */
  const addressRoute = (app: INestApplication) => {
    type Handler = (req: IncomingMessage & { ip?: string }, res: ServerResponse) => void;
    const express = app.getHttpAdapter().getInstance() as { get(path: string, handler: Handler): void };
    express.get('/test-client-address', (req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ ip: req.ip, clientAddress: clientAddress(req).address }));
    });
  };
  const forwardedFor = { 'X-Forwarded-For': '6.6.6.6, 198.51.100.23' };

  describe('set to 1 (one proxy, as behind the compose nginx)', () => {
    let service: Running;
    beforeAll(async () => {
      service = await start({ TRUST_PROXY: '1' }, addressRoute);
    }, SETUP_MS);
    afterAll(() => service.app.close());

    it('names a plain-text client after the address the proxy added, without a port', async () => {
      const outcome = await attempt(`${service.ws}/`, forwardedFor);
      expect(outcome).toMatchObject({ status: 'open', firstFrame: 'Welcome, 198.51.100.23 !' });
    });

    it('logs the forwarded peer and the proxy it came through', async () => {
      await attempt(`${service.ws}/chat`, { 'X-Forwarded-For': '203.0.113.9' });
      await eventually(
        () =>
          service.logger.lines.some(
            (line) => line.message === 'WebSocket closed' && JSON.stringify(line.fields).includes('203.0.113.9'),
          ),
        'the connection log line of the forwarded client',
      );
      const open = service.logger.lines.find(
        (line) => line.message === 'WebSocket open' && JSON.stringify(line.fields).includes('203.0.113.9'),
      );
      expect(open!.fields[0]).toMatchObject({
        peer: '203.0.113.9',
        via: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        path: '/chat',
      });
    });

    it('gives REST the same client address (request.ip)', async () => {
      const res = await request(service.http).get('/test-client-address').set(forwardedFor).expect(200);
      expect(res.body).toEqual({ ip: '198.51.100.23', clientAddress: '198.51.100.23' });
    });
  });

  describe('off (the default)', () => {
    let service: Running;
    beforeAll(async () => {
      service = await start({}, addressRoute);
    }, SETUP_MS);
    afterAll(() => service.app.close());

    it('ignores X-Forwarded-For: the socket peer is the client, with its port', async () => {
      const outcome = await attempt(`${service.ws}/`, forwardedFor);
      expect(outcome).toMatchObject({
        status: 'open',
        firstFrame: expect.stringMatching(/^Welcome, 127\.0\.0\.1:\d+ !$/),
      });
      const res = await request(service.http).get('/test-client-address').set(forwardedFor).expect(200);
      expect(res.body).toEqual({ ip: '127.0.0.1', clientAddress: '127.0.0.1' });
    });
  });

  describe('set to a proxy list that does not include the peer', () => {
    let service: Running;
    beforeAll(async () => {
      service = await start({ TRUST_PROXY: '10.0.0.0/8' });
    }, SETUP_MS);
    afterAll(() => service.app.close());

    it('believes no X-Forwarded-For from an untrusted peer', async () => {
      const outcome = await attempt(`${service.ws}/`, forwardedFor);
      expect(outcome).toMatchObject({
        status: 'open',
        firstFrame: expect.stringMatching(/^Welcome, 127\.0\.0\.1:\d+ !$/),
      });
    });
  });
});
