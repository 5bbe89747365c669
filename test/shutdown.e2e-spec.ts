import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { upgradeRequestText } from './helpers/adapter-raw-http.js';
import { JsonChatClient, within } from './helpers/chat-clients.js';
import { buildApp, startBuiltApp, type Build } from './helpers/hardening-build.js';
import { clientFrame, framesAfterUpgrade, RawConnection } from './helpers/hardening-raw.js';
import { startService, type ServiceApp } from './helpers/service-app.js';

const CLOSE = 0x8;

function closeCodeOf(payload: Buffer): number {
  return payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
}

function openWs(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  return within(
    new Promise<WebSocket>((resolve, reject) => {
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    }),
    `a connection to ${url}`,
  );
}

function closeCode(socket: WebSocket, ms = 5000): Promise<number> {
  return within(
    new Promise<number>((resolve) => socket.once('close', (code: number) => resolve(code))),
    'the close',
    ms,
  );
}

describe('app.close(): graceful shutdown', () => {
  let service: ServiceApp;
  let closing: Promise<void> | undefined;
  beforeAll(async () => {
    service = await startService();
  });
  // The test closes the app itself; this only matters when it failed before doing so.
  afterAll(() => closing ?? service.close());

  it('sends 1001 to every peer, refuses upgrades while peers finish, then closes the port', async () => {
    const port = (service.app.getHttpServer().address() as AddressInfo).port;
    const chatters = await Promise.all(Array.from({ length: 5 }, () => JsonChatClient.connect(service.wsUrl)));
    const echoes = await Promise.all([openWs(`${service.wsUrl}/echo`), openWs(`${service.wsUrl}/echo`)]);
    const echoCodes = echoes.map((echo) => closeCode(echo));
    // A raw peer that answers the close frame only when the test says so.
    const lingering = await RawConnection.open(port);
    lingering.socket.write(upgradeRequestText({ path: '/chat' }));
    await lingering.waitFor(() => lingering.status === 101, 'the 101');

    closing = service.app.close();
    let closed = false;
    void closing.then(() => (closed = true));

    for (const client of chatters) expect((await client.closed).code).toBe(1001);
    for (const code of echoCodes) expect(await code).toBe(1001);
    await lingering.waitFor(
      (received) => framesAfterUpgrade(received).some((frame) => frame.opcode === CLOSE),
      'a close frame',
    );
    const closeFrame = framesAfterUpgrade(lingering.received).find((frame) => frame.opcode === CLOSE)!;
    expect(closeCodeOf(closeFrame.payload)).toBe(1001);

    // Still waiting for the lingering peer: new upgrades are refused.
    expect(closed).toBe(false);
    const late = await RawConnection.open(port);
    late.socket.write(upgradeRequestText({ path: '/chat' }));
    await late.waitClosed('the late upgrade');
    expect(late.status).toBe(503);

    // The peer completes the closing handshake; the shutdown finishes without waiting for the
    // 5 s close timeout (the wait gives up before it would end).
    lingering.socket.write(clientFrame(CLOSE, Buffer.from([0x03, 0xe9])));
    await within(closing, 'app.close() before the close timeout', 4000);
    await lingering.waitClosed('the lingering peer');
    await expect(RawConnection.open(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('SIGTERM on the built service (node dist/main.js)', () => {
  let build: Build;
  beforeAll(async () => {
    build = await buildApp();
  }, 60_000);
  afterAll(() => build?.remove());

  it('closes every peer with 1001 and exits 0', async () => {
    const app = await startBuiltApp(build, { LOG_FORMAT: 'json' });
    try {
      const base = `ws://127.0.0.1:${app.port}`;
      const member = await JsonChatClient.connect(base);
      await member.welcome();
      await member.join('shutdown');
      member.send('message', { room: 'shutdown', text: 'before the end', ref: 'r1' });
      const ack = await member.waitFor('ack');
      expect(ack.ref).toBe('r1');
      const others = await Promise.all([openWs(`${base}/chat`), openWs(`${base}/echo`), openWs(`${base}/`)]);
      const otherCodes = others.map((other) => closeCode(other, 10_000));

      app.child.kill('SIGTERM');
      expect((await member.closed).code).toBe(1001);
      for (const code of otherCodes) expect(await code).toBe(1001);
      const exit = await within(app.exited, 'the process to exit', 15_000);
      expect(exit).toEqual({ code: 0, signal: null });
      const lines = app
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'));
      const messages = lines.map((line) => (JSON.parse(line) as { message: string }).message);
      expect(messages).toContain('SIGTERM received: closing (at most 15000 ms)');
      expect(messages).toContain('closed');
    } finally {
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
    }
  }, 30_000);
});
