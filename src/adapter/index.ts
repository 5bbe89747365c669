export {
  type ClientAddressResolver,
  type ConnectionWatcher,
  defaultMessageParser,
  jsonMessageParser,
  JsonTooDeepError,
  type MessageParser,
  type ParsedMessage,
  type Rfc6455AdapterOptions,
} from './adapter-options.js';
export { normalizeGatewayPath } from './gateway-path.js';
export { DEFAULT_MAX_JSON_DEPTH, exceedsJsonDepth } from './json-depth.js';
export { type GatewayOptions, type GatewayServer, Rfc6455Adapter } from './rfc6455.adapter.js';
