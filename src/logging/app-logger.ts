import type { LoggerService, LogLevel } from '@nestjs/common';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { LineBatch } from './line-batch.js';

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
const REDACTED = new Set(REDACTED_KEYS);

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

/** Where a record goes: pino (JSON lines) or a readable line (text). */
interface LogSink {
  enabled(level: Level): boolean;
  write(level: Level, record: Record<string, unknown>, message: string | undefined): void;
}

/**
 * Nest's LoggerService: Nest's calls (`log(message, ...fields, context)`,
 * `error(message, stack, context)`) become one structured record each, the objects among the
 * parameters merged into it at the top level. nestjs-pino's Logger hands such parameters to
 * pino as printf arguments, which drops them, and its module adds pino-http to every route;
 * neither suits the connection log, whose fields are the point.
 */
export class AppLogger implements LoggerService {
  constructor(private readonly sink: LogSink) {}

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
    if (!this.sink.enabled(level)) return;
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
      this.sink.write(level, record, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.sink.write(level, Object.assign(record, message), undefined);
    } else {
      this.sink.write(level, record, String(message));
    }
  }
}

class PinoSink implements LogSink {
  constructor(private readonly logger: Logger) {}

  enabled(level: Level): boolean {
    return this.logger.isLevelEnabled(level);
  }

  write(level: Level, record: Record<string, unknown>, message: string | undefined): void {
    if (message === undefined) this.logger[level](record);
    else this.logger[level](record, message);
  }
}

const TEXT_LABELS: Record<Level, string> = {
  fatal: 'FATAL',
  error: 'ERROR',
  warn: 'WARN ',
  info: 'LOG  ',
  debug: 'DEBUG',
  trace: 'VERBOSE',
};
const COLOURS: Record<Level, string> = {
  fatal: '\u001b[35m',
  error: '\u001b[31m',
  warn: '\u001b[33m',
  info: '\u001b[32m',
  debug: '\u001b[36m',
  trace: '\u001b[36m',
};
const RESET = '\u001b[39m';

function redact(key: string, value: unknown): unknown {
  if (REDACTED.has(key)) return '[REDACTED]';
  if (value instanceof Error) return { message: value.message, stack: value.stack };
  return value;
}

function isPlain(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** The record's fields but its context as JSON, redacted; undefined when it has none. */
function fieldsJson(record: Record<string, unknown>): string | undefined {
  let json = '';
  // The connection log's fields are flat strings and numbers: written here without the
  // replacer, which takes JSON.stringify off its fast path.
  for (const key in record) {
    if (key === 'context') continue;
    const value = record[key];
    if (value === undefined) continue;
    if (REDACTED.has(key) || !isPlain(value)) return nestedFieldsJson(record);
    json += `${json === '' ? '{' : ','}${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  return json === '' ? undefined : `${json}}`;
}

function nestedFieldsJson(record: Record<string, unknown>): string {
  const { context: _context, ...fields } = record;
  return JSON.stringify(fields, redact);
}

/**
 * One readable line per record, `time LEVEL [context] message {fields}`, written to pino's
 * asynchronous destination. Formatted here rather than by pino-pretty, which parses every JSON
 * line back: that was most of what a connection cost the service in logging.
 */
class TextSink implements LogSink {
  private readonly threshold: number;
  private readonly labels: Record<Level, string>;

  constructor(
    level: AppLogLevel,
    private readonly destination: DestinationStream,
    colours: boolean,
  ) {
    this.threshold = level === 'silent' ? Infinity : pino.levels.values[level];
    this.labels = { ...TEXT_LABELS };
    if (colours)
      for (const name of Object.keys(COLOURS) as Level[])
        this.labels[name] = `${COLOURS[name]}${TEXT_LABELS[name]}${RESET}`;
  }

  enabled(level: Level): boolean {
    return pino.levels.values[level] >= this.threshold;
  }

  write(level: Level, record: Record<string, unknown>, message: string | undefined): void {
    let line = `${new Date().toISOString()} ${this.labels[level]} `;
    const context = record.context;
    if (typeof context === 'string') line += `[${context}] `;
    if (message !== undefined) line += message;
    const fields = fieldsJson(record);
    if (fields !== undefined) line += ` ${fields}`;
    this.destination.write(`${line}\n`);
  }
}

let stdoutLines: LineBatch | undefined;

/**
 * The process's log stream on stdout, one for all its loggers: lines batched onto pino's
 * asynchronous destination. On exit pino writes out what its destination holds (its hook is
 * registered first, with the destination), then the lines still waiting are written here.
 */
function stdoutLog(): LineBatch {
  if (stdoutLines === undefined) {
    const batch = new LineBatch(pino.destination({ dest: 1, sync: false }));
    process.on('exit', () => {
      const rest = batch.take();
      if (rest !== '') pino.destination({ dest: 1, sync: true }).write(rest);
    });
    stdoutLines = batch;
  }
  return stdoutLines;
}

/**
 * The service's logger, writing asynchronously (a record costs a string append; the lines of
 * BATCH_DELAY_MS go out in one write(2); what is waiting is written on exit): JSON lines through pino with LOG_FORMAT=json,
 * one readable line per record otherwise, coloured only on a terminal. `destination` replaces
 * stdout (tests).
 */
export function createAppLogger(format: LogFormat, level: AppLogLevel, destination?: DestinationStream): AppLogger {
  const out = destination ?? stdoutLog();
  if (format === 'text') {
    return new AppLogger(new TextSink(level, out, destination === undefined && process.stdout.isTTY === true));
  }
  return new AppLogger(
    new PinoSink(
      pino(
        {
          level,
          messageKey: 'message',
          base: { pid: process.pid },
          redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
          formatters: { level: (label: string) => ({ level: NEST_LABELS[label] ?? label }) },
        },
        out,
      ),
    ),
  );
}
