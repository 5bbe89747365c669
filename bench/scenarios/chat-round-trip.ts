import type { BenchContext } from '../context.js';
import { LoadPool } from '../load-pool.js';
import type { BenchOptions } from '../options.js';
import { type ChatRoundTripResult, type EchoRun, recordRun } from '../report/results.js';
import type { TargetName } from '../targets.js';
import { closedLoopRun } from './echo.js';
import { measureWindow } from './measure.js';
import { type TargetSession, withTargets } from './targets-session.js';

const PATH = '/chat';
const ROOM = 'round-trip';
const MEASURES = ['ack', 'delivery'] as const;

/** The service's chat gateway, and the same modules on platform-ws. */
function chatTargets(options: BenchOptions): TargetName[] {
  return options.targets.filter((name) => name === 'service' || name === 'platform-ws');
}

export function chatRoundTripSteps(options: BenchOptions): number {
  return MEASURES.length * options.repeats * chatTargets(options).length;
}

/**
 * The chat's one message in flight, on the service and on its modules under platform-ws (both
 * without the per-client rate limit): a member of a two-member room sends a `message` with a
 * `ref` once the previous one is acknowledged and delivered; time until its `ack`, and until
 * the other member has it.
 */
export async function runChatRoundTrip(context: BenchContext): Promise<ChatRoundTripResult[]> {
  const { options } = context;
  const results: ChatRoundTripResult[] = MEASURES.map((measure) => ({ measure, targets: {} }));
  await withTargets(
    context,
    'chat',
    async (targets) => {
      for (const result of results) {
        for (let repeat = 1; repeat <= options.repeats; repeat++) {
          for (const name of chatTargets(options)) {
            context.progress.step(`chat round trip (${result.measure}) · ${name} · run ${repeat}/${options.repeats}`);
            recordRun(result.targets, name, await roundTripRun(context, targets, name, result.measure));
          }
        }
      }
    },
    true,
  );
  return results;
}

async function roundTripRun(
  context: BenchContext,
  targets: TargetSession,
  name: TargetName,
  measure: ChatRoundTripResult['measure'],
): Promise<EchoRun | string> {
  const { options, progress } = context;
  let pool: LoadPool | undefined;
  try {
    const target = await targets.get(name);
    const timeout = context.connectTimeoutMs(2);
    pool = await LoadPool.start(
      [
        {
          kind: 'chat-round-trip',
          endpoint: { host: '127.0.0.1', port: target.port, path: PATH },
          localAddress: context.sourceAddress(),
          connectTimeoutMs: timeout,
          room: ROOM,
          measure,
        },
      ],
      context.loadCpus,
      timeout,
    );
    pool.start();
    const window = await measureWindow([pool], target.pid, options, progress, 'msg');
    return closedLoopRun(window, progress, target.name);
  } catch (error) {
    const message = (error as Error).message;
    progress.log(`  ! ${name} chat round trip: ${message}`);
    return message;
  } finally {
    await pool?.close();
  }
}
