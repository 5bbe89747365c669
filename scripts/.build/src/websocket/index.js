export { CloseCode, Opcode, ReadyState } from './constants.js';
export { HandshakeRejection, WebSocketError } from './errors.js';
export { WebSocketConnection } from './connection.js';
export { WebSocketServer } from './server.js';
export { UpgradeRouter } from './upgrade-router.js';
export { prepareFrame } from './frame-writer.js';
export { WebSocketStats } from './stats.js';
export { DEFAULT_HEARTBEAT_MS, Heartbeat } from './heartbeat.js';
//# sourceMappingURL=index.js.map