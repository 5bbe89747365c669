import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Rfc6455Adapter } from '../src/adapter/index.js';
import { EchoModule } from '../src/echo/echo.module.js';
import { startApp, type RunningApp } from './helpers/adapter-app.js';
import { type ConnectOptions, TestClient, UpgradeRefused } from './helpers/adapter-client.js';
import {
  closedByServer,
  SAMPLE_ACCEPT,
  SAMPLE_KEY,
  sendRaw,
  upgradeRequestText,
  type RawResponse,
  type UpgradeRequest,
} from './helpers/adapter-raw-http.js';
import { GatewayProbe } from './fixtures/gateway-probe.js';
import { ALLOWED_ORIGIN, HandshakeFixturesModule } from './fixtures/handshake.gateways.js';

/** The upgrade headers of a valid handshake, for supertest. */
const UPGRADE_HEADERS = {
  Upgrade: 'websocket',
  Connection: 'Upgrade',
  'Sec-WebSocket-Key': SAMPLE_KEY,
  'Sec-WebSocket-Version': '13',
};

describe('the WebSocket handshake on the app port', () => {
  let running: RunningApp;
  let port: number;
  const open: Array<TestClient | RawResponse> = [];

  beforeAll(async () => {
    running = await startApp({ imports: [EchoModule, HandshakeFixturesModule] }, (app) => new Rfc6455Adapter(app));
    port = (running.app.getHttpServer().address() as AddressInfo).port;
  });

  afterEach(async () => {
    for (const connection of open.splice(0)) {
      if (connection instanceof TestClient) await connection.close();
      else connection.socket.destroy();
    }
  });

  afterAll(async () => {
    await running?.close();
  });

  const server = (): Parameters<typeof request>[0] => running.app.getHttpServer();

  async function upgrade(changes: UpgradeRequest = {}): Promise<RawResponse> {
    const response = await sendRaw(port, upgradeRequestText(changes));
    open.push(response);
    return response;
  }

  /** Sends a handshake that must be refused; resolves with the status once the server has hung up. */
  async function refusedStatus(changes: UpgradeRequest): Promise<number> {
    const response = await upgrade(changes);
    await closedByServer(response.socket);
    return response.status;
  }

  async function connect(path: string, options: ConnectOptions = {}): Promise<TestClient> {
    const client = await TestClient.connect(`${running.baseUrl}${path}`, options);
    open.push(client);
    return client;
  }

  function refusal(path: string, options: ConnectOptions = {}): Promise<number> {
    return TestClient.connect(`${running.baseUrl}${path}`, options).then(
      () => {
        throw new Error(`the upgrade to ${path} was accepted`);
      },
      (error: unknown) => {
        if (error instanceof UpgradeRefused) return error.status;
        throw error;
      },
    );
  }

  describe('a valid handshake', () => {
    it('answers the sample key of RFC 6455 section 1.3 with its accept value', async () => {
      const response = await upgrade();
      expect(response.statusLine).toMatch(/^HTTP\/1\.1 101 /);
      expect(response.headers).toMatchObject({
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-accept': SAMPLE_ACCEPT,
      });
      expect(response.headers).not.toHaveProperty('sec-websocket-protocol');
    });

    it('accepts header values in any case and Connection as a token list', async () => {
      const response = await upgrade({
        headers: { Upgrade: 'WebSocket', Connection: 'keep-alive, upgrade' },
      });
      expect(response.status).toBe(101);
    });

    it('routes by pathname, ignoring the query string', async () => {
      expect((await upgrade({ path: '/echo?token=abc' })).status).toBe(101);
    });

    it('declines permessage-deflate offered by the client', async () => {
      const response = await upgrade({
        headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' },
      });
      expect(response.status).toBe(101);
      expect(response.headers).not.toHaveProperty('sec-websocket-extensions');
    });
  });

  describe('400 for a handshake that is not valid', () => {
    it('refuses a missing Sec-WebSocket-Key', async () => {
      const { 'Sec-WebSocket-Key': _key, ...headers } = UPGRADE_HEADERS;
      await request(server()).get('/echo').set(headers).expect(400);
    });

    it.each([
      ['not base64', 'not a base64 key!!!!!==='],
      ['15 bytes', Buffer.alloc(15, 1).toString('base64')],
      ['17 bytes', Buffer.alloc(17, 1).toString('base64')],
      ['empty', ''],
    ])('refuses a Sec-WebSocket-Key that is %s', async (_case, key) => {
      await request(server())
        .get('/echo')
        .set({ ...UPGRADE_HEADERS, 'Sec-WebSocket-Key': key })
        .expect(400);
    });

    it('refuses an upgrade to another protocol than websocket', async () => {
      await request(server())
        .get('/echo')
        .set({ ...UPGRADE_HEADERS, Upgrade: 'h2c' })
        .expect(400);
    });

    it('refuses a POST', async () => {
      expect(await refusedStatus({ method: 'POST', headers: { 'Content-Length': '0' } })).toBe(400);
    });

    it('refuses HTTP/1.0', async () => {
      expect(await refusedStatus({ httpVersion: '1.0' })).toBe(400);
    });

    it('refuses a request without Connection: Upgrade or without Upgrade on a WebSocket path', async () => {
      // Node raises 'upgrade' only when both headers are present; the adapter answers
      // such a request on a gateway's path like any other bad handshake.
      const noConnection = await request(server())
        .get('/echo')
        .set({ ...UPGRADE_HEADERS, Connection: 'keep-alive' })
        .expect(400);
      expect(noConnection.text).toBe('Missing or invalid Connection header');
      const { Upgrade: _upgrade, ...withoutUpgrade } = UPGRADE_HEADERS;
      const noUpgrade = await request(server()).get('/echo?x=1').set(withoutUpgrade).expect(400);
      expect(noUpgrade.text).toBe('Missing or invalid Upgrade header');
      await request(server()).get('/echo').set({ 'Sec-WebSocket-Key': SAMPLE_KEY }).expect(400);
    });

    it('leaves plain HTTP requests, and WebSocket headers on other paths, to the app', async () => {
      await request(server()).get('/echo').expect(404);
      await request(server()).get('/not-a-gateway').set({ 'Sec-WebSocket-Key': SAMPLE_KEY }).expect(404);
    });
  });

  describe('other refusals', () => {
    it('answers another version with 426 and Sec-WebSocket-Version: 13', async () => {
      const response = await request(server())
        .get('/echo')
        .set({ ...UPGRADE_HEADERS, 'Sec-WebSocket-Version': '8' })
        .expect(426);
      expect(response.headers['sec-websocket-version']).toBe('13');
    });

    it('answers 404 for a path without a gateway, and closes the connection', async () => {
      expect(await refusedStatus({ path: '/nowhere' })).toBe(404);
      await request(server()).get('/echo/deeper').set(UPGRADE_HEADERS).expect(404);
    });

    it('answers headers larger than the limit with 431', async () => {
      expect(await refusedStatus({ headers: { 'X-Padding': 'x'.repeat(20_000) } })).toBe(431);
    });
  });

  describe('allowedOrigins', () => {
    it('refuses another origin with 403', async () => {
      expect(await refusal('/origin', { origin: 'https://evil.example' })).toBe(403);
    });

    it('accepts an allowed origin', async () => {
      const client = await connect('/origin', { origin: ALLOWED_ORIGIN });
      expect((await client.nextJson()).event).toBe('welcome');
    });

    it('applies to its own gateway only', async () => {
      const client = await connect('/secure', {
        origin: 'https://evil.example',
        headers: { Authorization: 'Bearer alice' },
      });
      expect((await client.nextJson()).event).toBe('welcome');
    });
  });

  describe('maxConnections', () => {
    it('answers 503 beyond the limit and accepts again once a connection left', async () => {
      const probe = running.get(GatewayProbe);
      const first = await connect('/single');
      await first.nextJson();
      expect(await refusal('/single')).toBe(503);
      await first.close();
      await probe.waitFor((record) => record.gateway === 'single' && record.kind === 'disconnect');
      const again = await connect('/single');
      expect((await again.nextJson()).event).toBe('welcome');
    });
  });

  describe('authorize', () => {
    it('hands the principal it returned to handleConnection', async () => {
      const client = await connect('/secure', { headers: { Authorization: 'Bearer alice' } });
      expect(await client.nextJson()).toEqual({
        event: 'welcome',
        data: { principal: { user: 'alice' }, protocol: '' },
      });
    });

    it('answers 401 when it returns nothing', async () => {
      expect(await refusal('/secure')).toBe(401);
      expect(await refusal('/secure', { headers: { Authorization: 'Bearer mallory' } })).toBe(401);
    });

    it('answers the status of a HandshakeRejection it throws', async () => {
      expect(await refusal('/secure', { headers: { Authorization: 'Bearer banned' } })).toBe(403);
    });

    it('leaves gateways without authorize open', async () => {
      const client = await connect('/origin', { origin: ALLOWED_ORIGIN });
      expect(await client.nextJson()).toEqual({
        event: 'welcome',
        data: { principal: null, protocol: '' },
      });
    });
  });

  describe('subprotocols', () => {
    it('selects the protocol handleProtocols picks', async () => {
      const response = await upgrade({
        path: '/protocols',
        headers: { 'Sec-WebSocket-Protocol': 'chat.v1, chat.v2' },
      });
      expect(response.status).toBe(101);
      expect(response.headers['sec-websocket-protocol']).toBe('chat.v2');
    });

    it('tells the client and handleConnection the selected protocol', async () => {
      const client = await connect('/protocols', { protocols: ['chat.v1', 'chat.v2'] });
      expect(client.socket.protocol).toBe('chat.v2');
      expect(await client.nextJson()).toEqual({
        event: 'welcome',
        data: { principal: null, protocol: 'chat.v2' },
      });
      const without = await connect('/protocols');
      expect(await without.nextJson()).toEqual({
        event: 'welcome',
        data: { principal: null, protocol: '' },
      });
    });

    it('selects none when handleProtocols declines', async () => {
      const response = await upgrade({
        path: '/protocols',
        headers: { 'Sec-WebSocket-Protocol': 'chat.v1' },
      });
      expect(response.status).toBe(101);
      expect(response.headers).not.toHaveProperty('sec-websocket-protocol');
    });

    it('selects the first offered protocol on a gateway without handleProtocols, as ws does', async () => {
      const response = await upgrade({ headers: { 'Sec-WebSocket-Protocol': 'chat.v2, chat.v1' } });
      expect(response.status).toBe(101);
      expect(response.headers['sec-websocket-protocol']).toBe('chat.v2');
    });
  });
});
