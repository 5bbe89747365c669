import { jest } from '@jest/globals';
import { createAppLogger } from './app-logger.js';

function captureStdout(run: () => void): string[] {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

describe('createAppLogger', () => {
  it('writes one JSON object per line with the fields at the top level in json format', () => {
    const logger = createAppLogger('json');
    const [line] = captureStdout(() => logger.log('WebSocket closed', { peer: '1.2.3.4:5', code: 1000 }, 'WebSocket'));
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trim()).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({
      level: 'log',
      context: 'WebSocket',
      message: 'WebSocket closed',
      peer: '1.2.3.4:5',
      code: 1000,
    });
  });

  it('never writes tokens or chat text given as fields', () => {
    const logger = createAppLogger('json');
    const [line] = captureStdout(() =>
      logger.log('request', {
        access_token: 'tok-4711',
        headers: { authorization: 'Bearer tok-4711' },
        text: 'private',
      }),
    );
    expect(line).toContain('[REDACTED]');
    expect(line).not.toContain('tok-4711');
    expect(line).not.toContain('private');
  });

  it('keeps the text format on one line and honours the levels', () => {
    const logger = createAppLogger('text', ['error']);
    expect(captureStdout(() => logger.log('hidden'))).toEqual([]);
    const verbose = createAppLogger('text');
    const [line] = captureStdout(() => verbose.log('WebSocket open', { peer: 'p', path: '/chat' }, 'WebSocket'));
    expect(line.trim()).not.toContain('\n');
    // eslint-disable-next-line no-control-regex
    expect(line.replace(/\u001b\[[0-9;]*m/g, '')).toContain("path: '/chat'");
  });
});
