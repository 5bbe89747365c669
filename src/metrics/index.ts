export { FANOUT_RECORDER, FanoutMetrics, type FanoutRecorder } from './fanout-recorder.js';
export { MetricsController } from './metrics.controller.js';
export { exposition, METRICS_REGISTRY, processRegistry } from './metrics-registry.js';
export { MetricsModule } from './metrics.module.js';
export {
  statsOfAdapter,
  UNROUTED,
  WebSocketMetrics,
  type GatewayStats,
  type GatewayStatsSource,
} from './websocket-metrics.js';
