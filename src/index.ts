/**
 * The package's root entry (`import { ChatModule, Rfc6455Adapter } from 'nest-chat-gateway'`):
 * what a host Nest application needs to add the chat. The WebSocket protocol library has its
 * own entry, `nest-chat-gateway/websocket`. The standalone service (dist/main.js) is not part
 * of this graph, which must stay free of top-level await so that CommonJS hosts can require it.
 */
export * from './chat/index.js';
export * from './adapter/index.js';
export * from './auth/index.js';
export * from './infrastructure/index.js';
export { EchoGateway, type EchoClient } from './echo/echo.gateway.js';
export { EchoModule } from './echo/echo.module.js';
export { ConnectionLog } from './logging/index.js';
export {
  clientAddress,
  clientAddressResolver,
  installGracefulShutdown,
  LimitedExpressAdapter,
  trustFunctionOf,
  type ClientAddress,
  type GracefulShutdownOptions,
  type HttpLimits,
  type TrustProxy,
} from './http/index.js';
export { MetricsModule, statsOfAdapter, WebSocketMetrics } from './metrics/index.js';
