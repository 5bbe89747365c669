import { type INestApplicationContext, Logger, type LoggerService } from '@nestjs/common';

export interface GracefulShutdownOptions {
  /** Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
  /** Exit with 1 if the shutdown has not finished by then. Default 15000. */
  timeoutMs?: number;
  logger?: LoggerService;
  /** How the process ends; process.exit unless a test replaces it. */
  exit?: (code: number) => void;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 15_000;

/**
 * On SIGTERM (or SIGINT) closes the application once and exits 0. `app.close()` runs Nest's
 * shutdown sequence: the WebSocket servers stop accepting upgrades (503) and close every
 * client with 1001, waiting for the closing handshakes (each bounded by closeTimeoutMs),
 * then the HTTP server closes, then the shutdown hooks run (the chat bus flushes and
 * disconnects). A shutdown that fails or overruns `timeoutMs` exits 1.
 *
 * Use it instead of `app.enableShutdownHooks()`, which ends the process by re-sending the
 * signal to itself (so it dies "killed by SIGTERM" rather than exiting 0).
 *
 * Returns a function that removes the signal listeners.
 */
export function installGracefulShutdown(
  app: INestApplicationContext,
  options: GracefulShutdownOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeoutMs = options.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const logger = options.logger ?? new Logger('Shutdown');
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started = false;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (started) {
      logger.warn?.(`${signal} received again: shutdown already in progress`);
      return;
    }
    started = true;
    logger.log(`${signal} received: closing (at most ${timeoutMs} ms)`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown did not finish within ${timeoutMs} ms`);
      exit(1);
    }, timeoutMs);
    // The deadline only matters while something else keeps the process alive.
    deadline.unref();
    app.close().then(
      () => {
        clearTimeout(deadline);
        logger.log('closed');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        logger.error(`shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        exit(1);
      },
    );
  };

  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
