import { ConsoleLogger, type LogLevel } from '@nestjs/common';

export type LogFormat = 'text' | 'json';

/**
 * Keys whose values never reach a log line, wherever they sit in a logged object: tokens,
 * and chat text (a log is not the place for what users say to each other).
 */
export const REDACTED_KEYS = ['access_token', 'authorization', 'token', 'password', 'secret', 'text'];

/**
 * The application's logger: Nest's ConsoleLogger, as JSON lines (one object per line,
 * structured fields at the top level) when LOG_FORMAT=json.
 */
export function createAppLogger(format: LogFormat, logLevels?: LogLevel[]): ConsoleLogger {
  return new ConsoleLogger({
    json: format === 'json',
    flattenParams: true,
    redact: REDACTED_KEYS,
    ...(logLevels === undefined ? {} : { logLevels }),
  });
}
