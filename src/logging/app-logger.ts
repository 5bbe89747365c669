import type { LoggerService, LogLevel } from '@nestjs/common';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'text' | 'json';

/** LOG_LEVEL's values: pino's level names, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type AppLogLevel = (typeof LOG_LEVELS)[number];

/**
 * Keys whose values never reach a log line, at the top level or one object down: tokens, and
 * chat text (a log is not the place for what users say to each other).
 */
export const REDACTED_KEYS = ['access_token', 'authorization', 'token', 'password', 'secret', 'text'];
const REDACTED_PATHS = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`]);

/** Nest's level names, as the JSON lines have always spelt them. */
const NEST_LABELS: Record<string, string> = { info: 'log', trace: 'verbose' };
/** pino's level for each of Nest's, for an application's `logger: LogLevel[]`. */
const PINO_LEVEL: Record<LogLevel, AppLogLevel> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** The most verbose of Nest's `levels` as a pino level ('silent' for none). */
export function logLevelOf(levels: readonly LogLevel[]): AppLogLevel {
  let most = -1;
  for (const level of levels) most = Math.max(most, LOG_LEVELS.indexOf(PINO_LEVEL[level]));
  return most < 0 ? 'silent' : LOG_LEVELS[most];
}

const STACK = /\n\s+at /;

/**
 * Nest's LoggerService over pino: Nest's calls (`log(message, ...fields, context)`,
 * `error(message, stack, context)`) become one structured record each, the objects among the
 * parameters merged into it at the top level. nestjs-pino's Logger hands such parameters to
 * pino as printf arguments, which drops them, and its module adds pino-http to every route;
 * neither suits the connection log, whose fields are the point.
 */
export class AppLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const record: Record<string, unknown> = {};
    let count = params.length;
    // Nest's Logger passes its context last; a stack in last place is error()'s second argument.
    const last = params[count - 1];
    if (typeof last === 'string' && !STACK.test(last)) {
      record.context = last;
      count--;
    }
    for (let i = 0; i < count; i++) {
      const param = params[i];
      if (param instanceof Error) record.err = param;
      else if (typeof param === 'object' && param !== null) Object.assign(record, param);
      else if (typeof param === 'string') record.stack = param;
    }
    if (message instanceof Error) {
      record.err = message;
      this.pino[level](record, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level](Object.assign(record, message));
    } else {
      this.pino[level](record, String(message));
    }
  }
}

/**
 * The service's logger: pino writing asynchronously (a line costs a buffer append, not a
 * write(2)), as JSON lines with LOG_FORMAT=json or as one readable line per record otherwise,
 * coloured only on a terminal. `destination` replaces stdout (tests).
 */
export function createAppLogger(format: LogFormat, level: AppLogLevel, destination?: DestinationStream): AppLogger {
  const options = {
    level,
    messageKey: 'message',
    base: { pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
  };
  if (format === 'json') {
    const formatters = { level: (label: string) => ({ level: NEST_LABELS[label] ?? label }) };
    return new AppLogger(pino({ ...options, formatters }, destination ?? pino.destination({ dest: 1, sync: false })));
  }
  const text = pretty({
    colorize: destination === undefined && process.stdout.isTTY === true,
    destination: destination ?? 1,
    sync: false,
    singleLine: true,
    messageKey: 'message',
    ignore: 'pid,hostname,context',
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    messageFormat: '{if context}[{context}] {end}{message}',
  });
  return new AppLogger(pino(options, text));
}
