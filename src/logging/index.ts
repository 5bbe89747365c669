export { createAppLogger, REDACTED_KEYS, type LogFormat } from './app-logger.js';
export { ConnectionLog } from './connection-log.js';
export { loggablePath, MAX_LOGGED_PATH, peerOf } from './loggable-path.js';
