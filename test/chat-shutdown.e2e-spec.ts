import type { AddressInfo } from 'node:net';
import { ChatModule } from '../src/chat/index.js';
import { HealthModule } from '../src/health/health.module.js';
import { upgradeRequestText } from './helpers/adapter-raw-http.js';
import { startApp, type ChatApp } from './helpers/chat-app.js';
import { within } from './helpers/chat-clients.js';
import { RawConnection } from './helpers/hardening-raw.js';

const CLOSE_FRAME = 0x88;

/** True once a server close frame follows the 101 response (and the welcome). */
function hasCloseFrame(received: Buffer): boolean {
  const headEnd = received.indexOf('\r\n\r\n');
  return headEnd >= 0 && received.indexOf(CLOSE_FRAME, headEnd + 4) >= 0;
}

describe('chat: draining on shutdown', () => {
  let server: ChatApp;
  let raw: RawConnection | undefined;

  beforeEach(async () => {
    server = await startApp([ChatModule.forRoot({ rateLimit: false }), HealthModule]);
  });
  afterEach(async () => {
    raw?.destroy();
    await server.close();
  });

  it('answers /health with 503 shutting_down while the clients are being closed', async () => {
    expect((await fetch(`${server.httpUrl}/health`)).status).toBe(200);
    // A client that never answers the close frame holds the shutdown in its closing handshake.
    const port = (server.app.getHttpServer().address() as AddressInfo).port;
    raw = await RawConnection.open(port);
    raw.socket.write(upgradeRequestText({ path: '/chat' }));
    await raw.waitFor((received) => received.includes('"welcome"'), 'the welcome');

    const closing = server.close();
    await raw.waitFor(hasCloseFrame, 'the close frame of the shutdown');
    const response = await fetch(`${server.httpUrl}/health`, { headers: { connection: 'close' } });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'shutting_down',
      error: { process: { status: 'down', reason: 'the instance is shutting down' } },
    });

    raw.destroy();
    await within(closing, 'the shutdown once the client is gone');
  });
});
