import { Registry } from 'prom-client';
import { WebSocketStats } from '../websocket/index.js';
import { FanoutMetrics } from './fanout-recorder.js';
import { exposition } from './metrics-registry.js';
import { UNROUTED, WebSocketMetrics } from './websocket-metrics.js';

function line(text: string, prefix: string): string | undefined {
  return text.split('\n').find((candidate) => candidate.startsWith(prefix));
}

describe('WebSocketMetrics', () => {
  it('reads the counters of every source when scraped, labelled by path', async () => {
    const registry = new Registry();
    const metrics = new WebSocketMetrics(registry);
    const chat = new WebSocketStats();
    const unrouted = new WebSocketStats();
    let open = 2;
    metrics.observe(() => [
      { path: '/chat', stats: chat, connections: open },
      { path: UNROUTED, stats: unrouted },
    ]);
    const httpRefusals = new Map<number, number>();
    metrics.observeHttpRefusals(httpRefusals);

    chat.upgradesAccepted = 3;
    chat.messagesIn = 10;
    chat.bytesOut = 1234;
    chat.recordRejection(403);
    chat.recordClose(1000);
    unrouted.recordRejection(404);
    httpRefusals.set(431, 2);

    const first = await registry.metrics();
    expect(line(first, 'ws_connections{')).toBe('ws_connections{path="/chat"} 2');
    expect(first).not.toContain(`ws_connections{path="${UNROUTED}"}`);
    expect(line(first, 'ws_upgrades_accepted_total{path="/chat"}')).toBe('ws_upgrades_accepted_total{path="/chat"} 3');
    expect(line(first, 'ws_messages_received_total{path="/chat"}')).toBe('ws_messages_received_total{path="/chat"} 10');
    expect(line(first, 'ws_sent_bytes_total{path="/chat"}')).toBe('ws_sent_bytes_total{path="/chat"} 1234');
    expect(first).toContain('ws_upgrades_rejected_total{path="/chat",status="403"} 1');
    expect(first).toContain(`ws_upgrades_rejected_total{path="${UNROUTED}",status="404"} 1`);
    expect(first).toContain('ws_closes_total{path="/chat",code="1000"} 1');
    expect(first).toContain('http_rejected_requests_total{status="431"} 2');
    expect(first).toContain('# TYPE ws_messages_received_total counter');

    // Nothing was pushed to prom-client: the next scrape simply reads the new values.
    open = 0;
    chat.messagesIn = 11;
    const second = await registry.metrics();
    expect(line(second, 'ws_connections{')).toBe('ws_connections{path="/chat"} 0');
    expect(line(second, 'ws_messages_received_total{path="/chat"}')).toBe(
      'ws_messages_received_total{path="/chat"} 11',
    );
  });

  it('adds up servers that share a path', async () => {
    const registry = new Registry();
    const metrics = new WebSocketMetrics(registry);
    const a = new WebSocketStats();
    const b = new WebSocketStats();
    a.messagesOut = 1;
    b.messagesOut = 2;
    metrics.observe(() => [
      { path: '/x', stats: a, connections: 1 },
      { path: '/x', stats: b, connections: 4 },
    ]);
    const text = await registry.metrics();
    expect(text).toContain('ws_messages_sent_total{path="/x"} 3');
    expect(text).toContain('ws_connections{path="/x"} 5');
  });
});

describe('FanoutMetrics', () => {
  it('observes each fan-out duration and counts the copies written', async () => {
    const registry = new Registry();
    const fanout = new FanoutMetrics(registry);
    fanout.record(performance.now(), 3);
    fanout.record(performance.now() - 20, 0);
    const text = await registry.metrics();
    expect(text).toContain('chat_fanout_duration_seconds_count 2');
    expect(text).toContain('chat_fanout_recipients_total 3');
    // The 20 ms one lands above 10 ms.
    expect(text).toContain('chat_fanout_duration_seconds_bucket{le="0.01"} 1');
  });
});

describe('exposition', () => {
  it('adds the process metrics to the application registry, for several applications', async () => {
    const first = await exposition(new Registry());
    const second = await exposition(new Registry());
    for (const { body, contentType } of [first, second]) {
      expect(contentType).toMatch(/^text\/plain/);
      expect(body).toContain('nodejs_eventloop_lag_seconds');
      expect(body).toContain('process_cpu_user_seconds_total');
    }
  });
});
