import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Rfc6455Adapter } from '../adapter/index.js';
import type { WebSocketStats } from '../websocket/index.js';
import { METRICS_REGISTRY } from './metrics-registry.js';

/** The counters of one WebSocket endpoint, labelled by its path. */
export interface GatewayStats {
  readonly path: string;
  readonly stats: WebSocketStats;
  /** Open connections; absent for a source that has none (refusals before routing). */
  readonly connections?: number;
}

export type GatewayStatsSource = () => Iterable<GatewayStats>;

/** The `path` label of upgrades refused before reaching any gateway (unknown path, ...). */
export const UNROUTED = '(unrouted)';

/** The gateways of an adapter, plus its refusals before routing, as a stats source. */
export function statsOfAdapter(adapter: Rfc6455Adapter): GatewayStatsSource {
  return function* () {
    for (const { path, server } of adapter.gatewayServers()) {
      yield { path, stats: server.stats, connections: server.clients.size };
    }
    yield { path: UNROUTED, stats: adapter.routingStats };
  };
}

type StatsReader = (stats: WebSocketStats) => number;

/**
 * Exposes the protocol layer's plain counters (one WebSocketStats per server) as Prometheus
 * metrics. Nothing happens per message: every metric reads the counters in its collect()
 * callback, i.e. only when /metrics is scraped.
 */
@Injectable()
export class WebSocketMetrics {
  private readonly sources: GatewayStatsSource[] = [];
  private readonly httpRefusals: Array<ReadonlyMap<number, number>> = [];

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const metrics = this;
    const registers = [registry];

    new Gauge({
      name: 'ws_connections',
      help: 'Open WebSocket connections',
      labelNames: ['path'],
      registers,
      collect() {
        this.reset();
        for (const gateway of metrics.gateways()) {
          if (gateway.connections !== undefined) this.inc({ path: gateway.path }, gateway.connections);
        }
      },
    });

    const perPath: Array<[string, string, StatsReader]> = [
      ['ws_upgrades_accepted_total', 'WebSocket upgrades answered with 101', (s) => s.upgradesAccepted],
      ['ws_messages_received_total', 'WebSocket data messages received', (s) => s.messagesIn],
      ['ws_messages_sent_total', 'WebSocket data messages sent', (s) => s.messagesOut],
      [
        'ws_received_bytes_total',
        'Bytes received on WebSocket connections (frames, after the handshake)',
        (s) => s.bytesIn,
      ],
      [
        'ws_sent_bytes_total',
        'Bytes of WebSocket frames written to sockets (after permessage-deflate; close frames aside)',
        (s) => s.bytesOut,
      ],
      [
        'ws_slow_consumer_drops_total',
        'Peers dropped with 1013: send buffer over WS_SEND_BUFFER_LIMIT',
        (s) => s.slowConsumerDrops,
      ],
      ['ws_heartbeat_timeouts_total', 'Peers dropped for not answering heartbeat pings', (s) => s.heartbeatTimeouts],
    ];
    for (const [name, help, read] of perPath) {
      new Counter({
        name,
        help,
        labelNames: ['path'],
        registers,
        collect() {
          this.reset();
          for (const gateway of metrics.gateways()) this.inc({ path: gateway.path }, read(gateway.stats));
        },
      });
    }

    const perPathByKey: Array<[string, string, string, (stats: WebSocketStats) => ReadonlyMap<number, number>]> = [
      ['ws_upgrades_rejected_total', 'WebSocket upgrades refused, by HTTP status', 'status', (s) => s.upgradesRejected],
      [
        'ws_closes_total',
        'WebSocket connections closed, by close code (1006: no close frame)',
        'code',
        (s) => s.closeCodes,
      ],
    ];
    for (const [name, help, label, read] of perPathByKey) {
      new Counter({
        name,
        help,
        labelNames: ['path', label],
        registers,
        collect() {
          this.reset();
          for (const { path, stats } of metrics.gateways()) {
            for (const [key, count] of read(stats)) this.inc({ path, [label]: String(key) }, count);
          }
        },
      });
    }

    new Counter({
      name: 'http_rejected_requests_total',
      help: 'Requests the HTTP layer refused before routing: 431 headers too large, 408 head not complete in time, 400 unparsable',
      labelNames: ['status'],
      registers,
      collect() {
        this.reset();
        for (const byStatus of metrics.httpRefusals) {
          for (const [status, count] of byStatus) this.inc({ status: String(status) }, count);
        }
      },
    });
  }

  /** Reads the counters of `source` on every scrape from now on. */
  observe(source: GatewayStatsSource): void {
    this.sources.push(source);
  }

  /** Reads HTTP-layer refusals (status -> count) on every scrape from now on. */
  observeHttpRefusals(byStatus: ReadonlyMap<number, number>): void {
    this.httpRefusals.push(byStatus);
  }

  private *gateways(): Iterable<GatewayStats> {
    for (const source of this.sources) yield* source();
  }
}
