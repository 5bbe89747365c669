import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import type { TargetCommand, TargetMessage } from '../messages.js';

/**
 * The IPC side every target shares: announces its port, forces a full GC on request (so idle
 * memory is measured without garbage), and exits cleanly on request so `--cpu-prof` profiles
 * get written. With BENCH_HEAP_PROFILE set it also samples allocations, collected objects
 * included, and writes the sampling heap profile there on exit: where garbage comes from.
 */
declare const gc: (() => void) | undefined;

const HEAP_SAMPLING_INTERVAL = 4096;

function post(message: TargetMessage): void {
  process.send?.(message);
}

function inspectorCall<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))),
  );
}

async function startHeapSampling(): Promise<(() => Promise<void>) | undefined> {
  const file = process.env.BENCH_HEAP_PROFILE;
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await inspectorCall(session, 'HeapProfiler.startSampling', {
    samplingInterval: HEAP_SAMPLING_INTERVAL,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return async () => {
    const { profile } = await inspectorCall<{ profile: unknown }>(session, 'HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/** Call once the target listens on `port`. */
export async function serveTarget(port: number): Promise<void> {
  const stopHeapSampling = await startHeapSampling();
  let exiting = false;
  const exit = (): void => {
    if (exiting) return;
    exiting = true;
    const done = (): never => process.exit(0);
    if (stopHeapSampling === undefined) done();
    else
      stopHeapSampling().then(done, (error: unknown) => {
        console.error(error);
        done();
      });
  };
  process.on('message', (command: TargetCommand) => {
    if (command.type === 'gc') {
      if (typeof gc === 'function') {
        gc();
        gc();
      }
      post({ type: 'gc-done' });
    } else if (command.type === 'exit') {
      exit();
    }
  });
  process.on('SIGTERM', exit);
  process.on('disconnect', exit);
  post({ type: 'ready', port });
}

/** Reports a start-up failure to the coordinator and exits. */
export function failTarget(error: unknown): never {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  post({ type: 'failed', message });
  console.error(message);
  process.exit(1);
}
