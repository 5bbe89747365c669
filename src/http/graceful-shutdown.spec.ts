import { jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { installGracefulShutdown } from './graceful-shutdown.js';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** SIGUSR2 stands in for SIGTERM: emitting it only calls the listeners. */
const SIGNAL = 'SIGUSR2' as const;

function fakeApp(close: () => Promise<void>): INestApplicationContext {
  return { close } as unknown as INestApplicationContext;
}

describe('installGracefulShutdown', () => {
  let uninstall: (() => void) | undefined;
  afterEach(() => {
    uninstall?.();
    uninstall = undefined;
    jest.useRealTimers();
  });

  it('closes the application once and exits 0', async () => {
    const close = jest.fn(() => Promise.resolve());
    const exited = new Promise<number>((resolve) => {
      uninstall = installGracefulShutdown(fakeApp(close), { signals: [SIGNAL], logger: quiet, exit: resolve });
    });
    process.emit(SIGNAL, SIGNAL);
    process.emit(SIGNAL, SIGNAL);
    expect(await exited).toBe(0);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('exits 1 when closing fails', async () => {
    const exited = new Promise<number>((resolve) => {
      uninstall = installGracefulShutdown(
        fakeApp(() => Promise.reject(new Error('stuck'))),
        {
          signals: [SIGNAL],
          logger: quiet,
          exit: resolve,
        },
      );
    });
    process.emit(SIGNAL, SIGNAL);
    expect(await exited).toBe(1);
  });

  it('exits 1 when closing takes longer than the timeout', () => {
    jest.useFakeTimers();
    const codes: number[] = [];
    uninstall = installGracefulShutdown(
      fakeApp(() => new Promise<void>(() => undefined)),
      {
        signals: [SIGNAL],
        timeoutMs: 1000,
        logger: quiet,
        exit: (code) => codes.push(code),
      },
    );
    process.emit(SIGNAL, SIGNAL);
    jest.advanceTimersByTime(999);
    expect(codes).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(codes).toEqual([1]);
  });

  it('removes its listeners when uninstalled', () => {
    const before = process.listenerCount(SIGNAL);
    const remove = installGracefulShutdown(
      fakeApp(() => Promise.resolve()),
      { signals: [SIGNAL], logger: quiet },
    );
    expect(process.listenerCount(SIGNAL)).toBe(before + 1);
    remove();
    expect(process.listenerCount(SIGNAL)).toBe(before);
  });
});
