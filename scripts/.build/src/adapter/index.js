export { defaultMessageParser, } from './adapter-options.js';
export { Rfc6455Adapter } from './rfc6455.adapter.js';
//# sourceMappingURL=index.js.map