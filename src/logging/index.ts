export {
  AppLogger,
  createAppLogger,
  LOG_LEVELS,
  logLevelOf,
  REDACTED_KEYS,
  type AppLogLevel,
  type LogFormat,
} from './app-logger.js';
export { ConnectionLog } from './connection-log.js';
export { loggablePath, MAX_LOGGED_PATH, peerOf } from './loggable-path.js';
