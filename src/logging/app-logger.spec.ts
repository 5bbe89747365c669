import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createAppLogger, logLevelOf, type AppLogLevel, type LogFormat } from './app-logger.js';

/** A destination that keeps what the logger writes, and resolves once `count` lines are in. */
function capture(): { stream: Writable; lines: () => string[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const text = (): string => chunks.join('');
  return {
    stream,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line.length > 0),
  };
}

function loggerTo(format: LogFormat, level: AppLogLevel = 'info') {
  const out = capture();
  return { logger: createAppLogger(format, level, out.stream), ...out };
}

describe('createAppLogger', () => {
  it('writes one JSON object per line with the fields at the top level in json format', () => {
    const { logger, lines } = loggerTo('json');
    logger.log('WebSocket closed', { peer: '1.2.3.4:5', code: 1000 }, 'WebSocket');
    expect(lines()).toHaveLength(1);
    expect(JSON.parse(lines()[0])).toMatchObject({
      level: 'log',
      context: 'WebSocket',
      message: 'WebSocket closed',
      peer: '1.2.3.4:5',
      code: 1000,
    });
  });

  it("takes Nest's Logger calls: the context last, fields before it, errors with their stack", () => {
    const { logger, lines } = loggerTo('json');
    const named = new Logger('Bootstrap');
    Logger.overrideLogger(logger);
    try {
      named.log('listening');
      named.error('failed', new Error('boom').stack);
    } finally {
      Logger.overrideLogger(false);
    }
    const [listening, failed] = lines().map((line) => JSON.parse(line));
    expect(listening).toMatchObject({ level: 'log', context: 'Bootstrap', message: 'listening' });
    expect(failed).toMatchObject({ level: 'error', context: 'Bootstrap', message: 'failed' });
    expect(failed.stack).toContain('Error: boom');
  });

  it.each(['json', 'text'] as const)('never writes tokens or chat text given as fields (%s)', (format) => {
    const { logger, text } = loggerTo(format);
    logger.log('request', {
      access_token: 'tok-4711',
      headers: { authorization: 'Bearer tok-4711' },
      text: 'private',
    });
    expect(text()).toContain('[REDACTED]');
    expect(text()).not.toContain('tok-4711');
    expect(text()).not.toContain('private');
  });

  it('writes flat fields as the JSON of the fields in the text format, and a redacted flat field too', () => {
    const { logger, lines } = loggerTo('text');
    const fields = { peer: '127.0.0.1:5', via: 'q"uote', path: '/chat', code: 1000, ok: true, gone: undefined };
    logger.log('WebSocket closed', fields, 'WebSocket');
    logger.log('token', { token: 'tok-4711', peer: 'p' });
    logger.log('bare');
    expect(lines()[0].endsWith(`[WebSocket] WebSocket closed ${JSON.stringify(fields)}`)).toBe(true);
    expect(lines()[1].endsWith('token {"token":"[REDACTED]","peer":"p"}')).toBe(true);
    expect(lines()[2].endsWith('bare')).toBe(true);
  });

  it('keeps the text format on one line, without colours off a terminal, and honours the level', () => {
    const quiet = loggerTo('text', 'error');
    quiet.logger.log('hidden');
    expect(quiet.lines()).toEqual([]);
    const { logger, lines } = loggerTo('text');
    logger.log('WebSocket open', { peer: 'p', path: '/chat' }, 'WebSocket');
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toContain('[WebSocket] WebSocket open');
    expect(lines()[0]).toContain('"path":"/chat"');
    // eslint-disable-next-line no-control-regex
    expect(lines()[0]).not.toMatch(/\u001b\[/);
  });
});

describe("the service's stdout log", () => {
  it('hands the connection lines of a burst to stdout in one write, not one write(2) per line', async () => {
    const writes: string[] = [];
    const destination = jest
      .spyOn(pino, 'destination')
      .mockReturnValue({ write: (chunk: string) => writes.push(chunk) } as unknown as ReturnType<
        typeof pino.destination
      >);
    try {
      const logger = createAppLogger('text', 'info');
      for (let i = 0; i < 50; i++) logger.log('WebSocket open', { peer: `127.0.0.1:${i}`, path: '/echo' }, 'WebSocket');
      const json = createAppLogger('json', 'info');
      json.log('WebSocket closed', { peer: '127.0.0.1:1', path: '/echo', code: 1000 }, 'WebSocket');
      expect(writes).toEqual([]);
      const deadline = Date.now() + 2000;
      while (writes.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(writes).toHaveLength(1);
      const lines = writes[0].split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(51);
      expect(lines[49]).toContain('127.0.0.1:49');
      expect(JSON.parse(lines[50])).toMatchObject({ message: 'WebSocket closed', code: 1000 });
    } finally {
      destination.mockRestore();
    }
  });
});

describe('logLevelOf', () => {
  it("turns Nest's list of levels into the most verbose pino level of the list", () => {
    expect(logLevelOf(['error', 'warn'])).toBe('warn');
    expect(logLevelOf(['log', 'warn', 'error'])).toBe('info');
    expect(logLevelOf(['verbose', 'error'])).toBe('trace');
    expect(logLevelOf([])).toBe('silent');
  });
});
