import { WebSocketGateway } from '@nestjs/websockets';
import { Rfc6455Adapter } from '../src/adapter/index.js';
import { startApp, type RunningApp } from './helpers/adapter-app.js';
import { findFreePort } from './helpers/adapter-ports.js';
import { upgradeRequestText } from './helpers/adapter-raw-http.js';
import { expectSlowlorisDropped, RawConnection } from './helpers/hardening-raw.js';

// The adapter options alone, on an app created the plain way (Nest's own ExpressAdapter and
// HTTP server): what an embedding app gets without our LimitedExpressAdapter.
const TIMEOUT_MS = 600;
const MAX_HEADER_BYTES = 2048;

@WebSocketGateway({ path: '/limited' })
class AppPortGateway {}

function ownPortGateway(port: number): new () => unknown {
  @WebSocketGateway(port, { path: '/own' })
  class OwnPortGateway {}
  return OwnPortGateway;
}

async function statusOf(port: number, request: string): Promise<number | undefined> {
  const raw = await RawConnection.open(port);
  try {
    raw.socket.write(request);
    await raw.waitFor(() => raw.status !== undefined, 'a response');
    return raw.status;
  } finally {
    raw.destroy();
  }
}

describe('Rfc6455Adapter HTTP limits (handshakeTimeoutMs, maxHeaderBytes)', () => {
  let running: RunningApp;
  let appPort: number;
  let ownPort: number;

  beforeAll(async () => {
    ownPort = await findFreePort();
    running = await startApp(
      { providers: [AppPortGateway, ownPortGateway(ownPort)] },
      (app) => new Rfc6455Adapter(app, { handshakeTimeoutMs: TIMEOUT_MS, maxHeaderBytes: MAX_HEADER_BYTES }),
    );
    appPort = Number(new URL(running.baseUrl).port);
  });

  afterAll(() => running.close());

  it.each([
    ['the app port', () => appPort, '/limited'],
    ['a gateway port of its own', () => ownPort, '/own'],
  ])('drops a slowloris client on %s with 408 soon after the timeout', async (_name, port, path) => {
    await expectSlowlorisDropped(port(), upgradeRequestText({ path }), TIMEOUT_MS);
  });

  it.each([
    ['the app port', () => appPort, '/limited'],
    ['a gateway port of its own', () => ownPort, '/own'],
  ])('answers 431 on %s to an upgrade head over maxHeaderBytes, 101 under it', async (_name, port, path) => {
    const big = upgradeRequestText({ path, headers: { 'X-Padding': 'x'.repeat(MAX_HEADER_BYTES) } });
    expect(await statusOf(port(), big)).toBe(431);
    const small = upgradeRequestText({ path, headers: { 'X-Padding': 'x'.repeat(MAX_HEADER_BYTES / 2) } });
    expect(await statusOf(port(), small)).toBe(101);
  });

  it('refuses a negative handshakeTimeoutMs', () => {
    expect(() => new Rfc6455Adapter(undefined, { handshakeTimeoutMs: -1 })).toThrow(RangeError);
  });
});
