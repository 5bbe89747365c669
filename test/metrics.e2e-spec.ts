import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { upgradeRequestText } from './helpers/adapter-raw-http.js';
import { JsonChatClient, within } from './helpers/chat-clients.js';
import { eventually, gatewayServer, samplesOf, scrape, valueOf } from './helpers/hardening-app.js';
import { RawConnection } from './helpers/hardening-raw.js';
import { startService, upgradeOutcome, type ServiceApp } from './helpers/service-app.js';

function portOf(service: ServiceApp): number {
  return (service.app.getHttpServer().address() as AddressInfo).port;
}

function open(url: string): Promise<WebSocket> {
  // No compression: the byte counts below are those of plain frames.
  const socket = new WebSocket(url, { perMessageDeflate: false });
  return within(
    new Promise<WebSocket>((resolve, reject) => {
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    }),
    `a connection to ${url}`,
  );
}

describe('GET /metrics', () => {
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => service.close());

  it('answers in the Prometheus text format with the process metrics, event-loop lag included', async () => {
    const response = await fetch(`${service.httpUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^# HELP /m);
    for (const name of [
      'nodejs_eventloop_lag_seconds',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(samplesOf(text, name).length).toBeGreaterThan(0);
    }
    expect(text).toContain('# TYPE chat_fanout_duration_seconds histogram');
  });

  it('counts connections, upgrades, messages, bytes and close codes per path', async () => {
    const echo = await open(`${service.wsUrl}/echo`);
    const chat = await open(`${service.wsUrl}/chat`);
    const during = await scrape(service.httpUrl);
    expect(valueOf(during, 'ws_connections', { path: '/echo' })).toBe(1);
    expect(valueOf(during, 'ws_connections', { path: '/chat' })).toBe(1);

    const echoed = new Promise<void>((resolve) => {
      let count = 0;
      echo.on('message', () => {
        if (++count === 2) resolve();
      });
    });
    echo.send('hello');
    echo.send(Buffer.alloc(3000, 7));
    await within(echoed, 'two echoes');
    echo.close(1000);
    chat.close(4000);
    const echoServer = gatewayServer(service.app, '/echo');
    const chatServer = gatewayServer(service.app, '/chat');
    await eventually(() => echoServer.clients.size === 0 && chatServer.clients.size === 0, 'the closes');

    const text = await scrape(service.httpUrl);
    expect(valueOf(text, 'ws_connections', { path: '/echo' })).toBe(0);
    expect(valueOf(text, 'ws_upgrades_accepted_total', { path: '/echo' })).toBe(1);
    expect(valueOf(text, 'ws_upgrades_accepted_total', { path: '/chat' })).toBe(1);
    expect(valueOf(text, 'ws_messages_received_total', { path: '/echo' })).toBe(2);
    expect(valueOf(text, 'ws_messages_sent_total', { path: '/echo' })).toBe(2);
    // "hello": 2 header bytes (+4 mask in); 3000 bytes: 4 header bytes (+4 mask in); close 1000 in.
    expect(valueOf(text, 'ws_sent_bytes_total', { path: '/echo' })).toBe(5 + 2 + 3000 + 4);
    expect(valueOf(text, 'ws_received_bytes_total', { path: '/echo' })).toBe(5 + 6 + 3000 + 8 + 2 + 6);
    expect(valueOf(text, 'ws_closes_total', { path: '/echo', code: '1000' })).toBe(1);
    expect(valueOf(text, 'ws_closes_total', { path: '/chat', code: '4000' })).toBe(1);
    // /chat sent its welcome.
    expect(valueOf(text, 'ws_messages_sent_total', { path: '/chat' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'ws_slow_consumer_drops_total', { path: '/chat' })).toBe(0);
  });

  it('counts refused upgrades by status, those refused before routing too', async () => {
    await expect(upgradeOutcome(`${service.wsUrl}/nowhere`)).resolves.toBe(404);
    const raw = await RawConnection.open(portOf(service));
    try {
      raw.socket.write(upgradeRequestText({ path: '/chat', headers: { 'Sec-WebSocket-Version': '8' } }));
      await raw.waitClosed('the refused upgrade');
      expect(raw.status).toBe(426);
    } finally {
      raw.destroy();
    }
    const text = await scrape(service.httpUrl);
    expect(valueOf(text, 'ws_upgrades_rejected_total', { path: '(unrouted)', status: '404' })).toBe(1);
    expect(valueOf(text, 'ws_upgrades_rejected_total', { path: '/chat', status: '426' })).toBe(1);
  });

  it('reads the counters only when scraped: values follow the protocol layer', async () => {
    const before = valueOf(await scrape(service.httpUrl), 'ws_upgrades_accepted_total', { path: '/chat' }) ?? 0;
    const socket = await open(`${service.wsUrl}/chat`);
    socket.close(1000);
    const after = valueOf(await scrape(service.httpUrl), 'ws_upgrades_accepted_total', { path: '/chat' });
    expect(after).toBe(before + 1);
  });

  it('times each room broadcast and counts the copies written', async () => {
    const ann = await JsonChatClient.connect(service.wsUrl);
    const bob = await JsonChatClient.connect(service.wsUrl);
    try {
      await ann.welcome();
      await bob.welcome();
      await ann.join('metrics-room', { name: 'ann' });
      await bob.join('metrics-room', { name: 'bob' });
      // Every earlier broadcast (the joins' presence) has reached both members once this does.
      await ann.waitFor('presence', (p: { name: string }) => p.name === 'bob');
      await bob.waitFor('presence', (p: { name: string }) => p.name === 'bob');
      const before = await scrape(service.httpUrl);
      ann.send('message', { room: 'metrics-room', text: 'counted', ref: 'm1' });
      await ann.waitFor('message', (m: { text: string }) => m.text === 'counted');
      await bob.waitFor('message', (m: { text: string }) => m.text === 'counted');
      const after = await scrape(service.httpUrl);
      const count = (text: string) => valueOf(text, 'chat_fanout_duration_seconds_count') ?? 0;
      const copies = (text: string) => valueOf(text, 'chat_fanout_recipients_total') ?? 0;
      expect(count(after) - count(before)).toBe(1);
      expect(copies(after) - copies(before)).toBe(2);
      // Writing to two members is synchronous work: well under 100 ms even on a busy machine.
      const quick = (text: string) => valueOf(text, 'chat_fanout_duration_seconds_bucket', { le: '0.1' }) ?? 0;
      expect(quick(after) - quick(before)).toBe(1);
    } finally {
      await Promise.all([ann.close(), bob.close()]);
    }
  });
});
