export { ClientErrorCounter, statusOfClientError } from './client-errors.js';
export { installGracefulShutdown, type GracefulShutdownOptions } from './graceful-shutdown.js';
export { httpServerOptions, tightenHeadTimeout, type HttpLimits } from './http-limits.js';
export { KeepAliveConnections } from './keep-alive.js';
export {
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  LimitedExpressAdapter,
  type LimitedHttpOptions,
} from './limited-express.adapter.js';
export {
  type ClientAddress,
  clientAddress,
  clientAddressResolver,
  rememberClientAddress,
  type TrustFunction,
  type TrustProxy,
  trustFunctionOf,
} from './client-address.js';
