import type { AddressInfo } from 'node:net';
import type { ChatMessage, MessageDraft } from '../src/chat/index.js';
import { ChatModule, InMemoryChatBus } from '../src/chat/index.js';
import { HealthModule } from '../src/health/health.module.js';
import { upgradeRequestText } from './helpers/adapter-raw-http.js';
import { startApp, type ChatApp } from './helpers/chat-app.js';
import { JsonChatClient, within } from './helpers/chat-clients.js';
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

/** An in-memory bus whose publishes wait until the test lets them through. */
class HeldBus extends InMemoryChatBus {
  private readonly held: Array<() => void> = [];
  private readonly arrivals: Array<() => void> = [];

  override async publish(draft: MessageDraft): Promise<ChatMessage> {
    await new Promise<void>((release) => {
      this.held.push(release);
      this.arrivals.shift()?.();
    });
    return super.publish(draft);
  }

  /** Resolves once a publish is held. */
  async nextHeld(): Promise<void> {
    if (this.held.length > 0) return;
    await within(new Promise<void>((arrived) => this.arrivals.push(arrived)), 'a publish reaching the bus');
  }

  releaseAll(): void {
    for (const release of this.held.splice(0)) release();
  }
}

describe('chat: messages in flight at shutdown', () => {
  it('acks what was on its way to the bus before the 1001, and refuses what comes after', async () => {
    const bus = new HeldBus();
    const server = await startApp([ChatModule.forRoot({ rateLimit: false, bus })]);
    const client = await JsonChatClient.connect(server.wsUrl);
    try {
      await client.welcome();
      await client.join('drain');
      client.send('message', { room: 'drain', text: 'before', ref: 'm1' });
      await bus.nextHeld();

      const closing = server.close();
      // Sent while the first message is still held: the instance is shutting down by then.
      await new Promise((resolve) => setImmediate(resolve));
      client.send('message', { room: 'drain', text: 'after', ref: 'm2' });
      const refusal = await client.waitFor('error', (error) => error.ref === 'm2');
      expect(refusal.code).toBe('unavailable');
      const posted = await fetch(`${server.httpUrl}/api/rooms/drain/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ from: 'backend', text: 'after, by REST' }),
      });
      expect(posted.status).toBe(503);
      expect(posted.headers.get('retry-after')).toBe('1');
      expect(await posted.json()).toMatchObject({ code: 'unavailable' });

      bus.releaseAll();
      const ack = await client.waitFor('ack', (data) => data.ref === 'm1');
      expect(ack.id).toEqual(expect.any(String));
      expect((await within(client.closed, 'the close of the shutdown')).code).toBe(1001);
      await within(closing, 'the shutdown');
      expect((await bus.history('drain', { limit: 10 })).messages.map((message) => message.text)).toEqual(['before']);
    } finally {
      bus.releaseAll();
      await server.close();
    }
  });
});
