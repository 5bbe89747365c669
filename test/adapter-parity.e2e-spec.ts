import type { INestApplication, WebSocketAdapter } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { Rfc6455Adapter } from '../src/adapter/index.js';
import { startApp, type RunningApp } from './helpers/adapter-app.js';
import { TestClient, withTimeout } from './helpers/adapter-client.js';
import { findFreePort } from './helpers/adapter-ports.js';
import { GatewayProbe } from './fixtures/gateway-probe.js';
import { ParityModule } from './fixtures/parity.module.js';

type ParsedMessage = { event: string; data: unknown } | void;
type AdapterClass = new (
  app: INestApplication,
  options?: { messageParser?: (data: string | Buffer) => ParsedMessage },
) => WebSocketAdapter;

/**
 * The same expectations run against @nestjs/platform-ws and our adapter: a
 * gateway written for platform-ws must behave identically on ours.
 */
const ADAPTERS: Array<[string, AdapterClass]> = [
  ['platform-ws', WsAdapter as unknown as AdapterClass],
  ['rfc6455', Rfc6455Adapter],
];

describe.each(ADAPTERS)('a platform-ws gateway on the %s adapter', (_name, Adapter) => {
  let running: RunningApp;
  let ownPort: number;
  let probe: GatewayProbe;
  const open: TestClient[] = [];

  async function connect(path = '/parity', base = running.baseUrl): Promise<TestClient> {
    const client = await TestClient.connect(`${base}${path}`);
    open.push(client);
    return client;
  }

  /** Connects to the parity gateway and consumes its `hello`. */
  async function connectParity(query = ''): Promise<{ client: TestClient; id: number }> {
    const client = await connect(`/parity${query}`);
    const hello = await client.nextJson();
    expect(hello.event).toBe('hello');
    return { client, id: (hello.data as { id: number }).id };
  }

  beforeAll(async () => {
    ownPort = await findFreePort();
    running = await startApp({ imports: [ParityModule.register(ownPort)] }, (app) => new Adapter(app));
    probe = running.get(GatewayProbe);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
  });

  afterAll(async () => {
    await running?.close();
  });

  describe('lifecycle hooks', () => {
    it('calls afterInit with the server that tracks the clients', async () => {
      const init = await probe.waitFor((record) => record.kind === 'init');
      expect(init.detail).toEqual({ hasClientSet: true, isInjectedServer: true });
    });

    it('calls handleConnection with the client and the upgrade request', async () => {
      const client = await connect('/parity?room=lobby');
      expect(await client.nextJson()).toEqual({
        event: 'hello',
        data: { id: expect.any(Number), url: '/parity?room=lobby', tracked: true },
      });
    });

    it('calls handleDisconnect once the client has left server.clients', async () => {
      const { client, id } = await connectParity();
      await client.close();
      const record = await probe.waitFor((entry) => entry.kind === 'disconnect' && entry.detail.id === id);
      expect(record.detail).toEqual({ id, tracked: false });
    });

    it('hands @ConnectedSocket the connected client', async () => {
      const { client, id } = await connectParity();
      expect(await client.request('whoami')).toEqual({ event: 'whoami', data: { id, open: true } });
    });

    it('selects the first subprotocol the client offers', async () => {
      const client = await TestClient.connect(`${running.baseUrl}/second`, {
        protocols: ['chat.v1', 'chat.v2'],
      });
      open.push(client);
      expect(client.socket.protocol).toBe('chat.v1');
    });

    it('exposes the connected clients through @WebSocketServer', async () => {
      const count = (kind: string): number =>
        probe.records.filter((entry) => entry.kind === kind && entry.gateway === 'parity').length;
      // Clients of earlier tests must be gone from the server too, or they would skew the count.
      await probe.waitFor(() => count('connect') === count('disconnect'));
      const first = await connectParity();
      const second = await connectParity();
      const before = (await first.client.request('clients')).data as number;
      await second.client.close();
      await probe.waitFor((entry) => entry.kind === 'disconnect' && entry.detail.id === second.id);
      const after = (await first.client.request('clients')).data as number;
      expect(before).toBe(2);
      expect(after).toBe(1);
    });
  });

  describe('message dispatch', () => {
    it('answers a returned WsResponse as {event, data}', async () => {
      const { client } = await connectParity();
      expect(await client.request('ping', { n: 1 })).toEqual({ event: 'pong', data: { n: 1 } });
    });

    it('sends any other return value as JSON, as it is', async () => {
      const { client } = await connectParity();
      expect(await client.request('plain', [1, 'two'])).toEqual({ plain: [1, 'two'] });
    });

    it('awaits async handlers and returned promises', async () => {
      const { client } = await connectParity();
      expect(await client.request('delayed', 'a')).toEqual({ event: 'delayed', data: 'a' });
      expect(await client.request('promised', 'b')).toEqual({ event: 'promised', data: 'b' });
    });

    it('sends every value of a returned Observable', async () => {
      const { client } = await connectParity();
      client.emit('stream', 3);
      const ticks = [await client.nextJson(), await client.nextJson(), await client.nextJson()];
      expect(ticks).toEqual([1, 2, 3].map((data) => ({ event: 'tick', data })));
    });

    it('sends nothing when the handler returns nothing', async () => {
      const { client } = await connectParity();
      client.emit('nothing');
      expect(await client.request('ping', 'after')).toEqual({ event: 'pong', data: 'after' });
    });

    it('answers messages in the order they arrived', async () => {
      const { client } = await connectParity();
      for (let n = 0; n < 50; n++) client.emit('ping', n);
      const answers: unknown[] = [];
      for (let n = 0; n < 50; n++) answers.push((await client.nextJson()).data);
      expect(answers).toEqual(Array.from({ length: 50 }, (_, n) => n));
    });

    it('ignores invalid JSON, non-objects and unknown events, and stays open', async () => {
      const { client } = await connectParity();
      const ignored = ['not json', '', '42', 'null', '"text"', '[1,2]', '{"event":"unknown"}', '{"data":1}'];
      for (const text of ignored) client.socket.send(text);
      expect(await client.request('ping', 'still here')).toEqual({ event: 'pong', data: 'still here' });
    });

    it('dispatches JSON that arrives in a binary frame', async () => {
      const { client } = await connectParity();
      client.socket.send(Buffer.from(JSON.stringify({ event: 'ping', data: 'bin' })));
      expect(await client.nextJson()).toEqual({ event: 'pong', data: 'bin' });
    });
  });

  describe('exceptions', () => {
    it('sends a WsException as an exception event with its cause', async () => {
      const { client } = await connectParity();
      expect(await client.request('fail', { x: 1 })).toEqual({
        event: 'exception',
        data: { status: 'error', message: 'nope', cause: { pattern: 'fail', data: { x: 1 } } },
      });
    });

    it('sends an object WsException error as the exception data', async () => {
      const { client } = await connectParity();
      expect(await client.request('fail-object', 7)).toEqual({
        event: 'exception',
        data: { code: 'E_CUSTOM', detail: 7 },
      });
    });

    it('reports a rejected async handler the same way', async () => {
      const { client } = await connectParity();
      expect(await client.request('fail-async')).toMatchObject({
        event: 'exception',
        data: { status: 'error', message: 'later' },
      });
    });

    it('hides unknown errors behind "Internal server error" and stays open', async () => {
      const { client } = await connectParity();
      expect(await client.request('crash', 'x')).toEqual({
        event: 'exception',
        data: { status: 'error', message: 'Internal server error', cause: { pattern: 'crash', data: 'x' } },
      });
      expect(await client.request('ping', 1)).toEqual({ event: 'pong', data: 1 });
    });

    it('routes exceptions through a gateway exception filter', async () => {
      const { client } = await connectParity();
      expect(await client.request('filtered')).toEqual({
        event: 'caught',
        data: { error: 'filtered', pattern: 'filtered' },
      });
    });
  });

  describe('guards, pipes and interceptors', () => {
    it('runs the handler when the guard allows it', async () => {
      const { client } = await connectParity();
      expect(await client.request('guarded', { token: 'secret' })).toEqual({
        event: 'granted',
        data: 'secret',
      });
    });

    it('answers "Forbidden resource" when the guard refuses', async () => {
      const { client } = await connectParity();
      expect(await client.request('guarded', { token: 'wrong' })).toMatchObject({
        event: 'exception',
        data: { status: 'error', message: 'Forbidden resource' },
      });
    });

    it('hands the handler a validated, transformed DTO', async () => {
      const { client } = await connectParity();
      expect(await client.request('create', { room: 'lobby', size: 3 })).toEqual({
        event: 'created',
        data: { room: 'lobby', size: 3, isDto: true },
      });
    });

    it('rejects an invalid payload through the ValidationPipe', async () => {
      const { client } = await connectParity();
      expect(await client.request('create', { room: '', size: 1000 })).toEqual({
        event: 'exception',
        data: { status: 'invalid', fields: ['room', 'size'] },
      });
    });

    it('sends what the interceptor made of the result', async () => {
      const { client } = await connectParity();
      expect(await client.request('intercepted', 21)).toEqual({
        event: 'wrapped',
        data: { pattern: 'intercepted', value: 42 },
      });
    });
  });

  describe('several gateways', () => {
    it('routes each path of the shared port to its own gateway', async () => {
      const second = await connect('/second');
      const { client } = await connectParity();
      expect(await second.request('ping', 'x')).toEqual({
        event: 'pong',
        data: { from: 'second', data: 'x' },
      });
      expect(await client.request('ping', 'y')).toEqual({ event: 'pong', data: 'y' });
    });

    it('applies a maxPayload given in the gateway options', async () => {
      const limited = await connect('/limited');
      expect(await limited.request('ping', 'small')).toEqual({
        event: 'pong',
        data: { from: 'limited', data: 'small' },
      });
      limited.emit('ping', 'x'.repeat(100));
      expect((await limited.closed()).code).toBe(1009);
    });

    it('serves a gateway on a port of its own', async () => {
      const own = await connect('/own', `ws://127.0.0.1:${ownPort}`);
      expect(await own.request('ping', 'z')).toEqual({
        event: 'pong',
        data: { from: 'own', data: 'z' },
      });
    });
  });

  describe('shutdown', () => {
    it('closes every client and the own-port server on app.close()', async () => {
      const { client } = await connectParity();
      const own = await connect('/own', `ws://127.0.0.1:${ownPort}`);
      await withTimeout(running.close(), 6000, 'app.close()');
      await client.closed();
      await own.closed();
      await expect(TestClient.connect(`ws://127.0.0.1:${ownPort}/own`)).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
    });
  });
});

describe.each(ADAPTERS)('a custom messageParser on the %s adapter', (_name, Adapter) => {
  let running: RunningApp;
  const open: TestClient[] = [];

  /** Reads `[event, data]` arrays; anything else is dropped by returning nothing. */
  const arrayParser = (raw: string | Buffer): ParsedMessage => {
    const text = raw.toString();
    if (!text.startsWith('[')) return;
    const [event, data] = JSON.parse(text) as [string, unknown];
    return { event, data };
  };

  beforeAll(async () => {
    running = await startApp(
      { imports: [ParityModule.register()] },
      (app) => new Adapter(app, { messageParser: arrayParser }),
    );
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
  });

  afterAll(async () => {
    await running?.close();
  });

  it('dispatches what the parser returns and drops what it does not', async () => {
    const client = await TestClient.connect(`${running.baseUrl}/second`);
    open.push(client);
    client.emit('ping', 'ignored: not an array');
    client.socket.send(JSON.stringify(['ping', 'parsed']));
    expect(await client.nextJson()).toEqual({
      event: 'pong',
      data: { from: 'second', data: 'parsed' },
    });
  });
});
