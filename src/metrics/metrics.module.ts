import { Global, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { FANOUT_RECORDER, FanoutMetrics } from './fanout-recorder.js';
import { MetricsController } from './metrics.controller.js';
import { METRICS_REGISTRY } from './metrics-registry.js';
import { WebSocketMetrics } from './websocket-metrics.js';

/**
 * `GET /metrics` and the metric services. Global so that feature modules (the chat's
 * fan-out) find FANOUT_RECORDER without importing it. The WebSocket counters are read from
 * the adapter once the app has one:
 * `app.get(WebSocketMetrics).observe(statsOfAdapter(adapter))`.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    // One registry per application: tests run several apps in one process.
    { provide: METRICS_REGISTRY, useFactory: () => new Registry() },
    WebSocketMetrics,
    FanoutMetrics,
    { provide: FANOUT_RECORDER, useExisting: FanoutMetrics },
  ],
  exports: [METRICS_REGISTRY, WebSocketMetrics, FANOUT_RECORDER],
})
export class MetricsModule {}
