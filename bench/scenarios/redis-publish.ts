import { redisBinariesProblem, RedisServers } from '../redis-servers.js';
import { Redis, type ChainableCommander } from 'ioredis';
import { resolveIdempotencyWindow } from '../../src/chat/bus/idempotency-window.js';
import { RedisChatStore, type StoreLimits } from '../../src/chat/bus/redis/redis-chat-store.js';
import { RedisKeys } from '../../src/chat/bus/redis/redis-keys.js';
import { messageEnvelope } from '../../src/chat/bus/redis/redis-wire.js';
import type { BenchContext } from '../context.js';
import { recordRun, type RedisPublishResult, type RedisPublishRun } from '../report/results.js';
import { commandCalls, keepInFlight, microsPerMessage, redisCpuSeconds } from './publish-cost.js';

const ROOM = 'bench';
const PREFIX = 'chat:';
/** The service's defaults: CHAT_HISTORY_SIZE, CHAT_ROOM_TTL, CHAT_IDEMPOTENCY_*. */
const LIMITS: StoreLimits = { maxLength: 100, ttlMs: 7 * 24 * 3600 * 1000, window: resolveIdempotencyWindow() };
const FROM_ID = 's-3q2Ebx0dQwqfXnB1fJkK9g';
/** Messages sent before each measurement, so every structure exists at its steady size. */
const WARM_UP = 2000;

export function redisPublishSteps(options: BenchContext['options']): number {
  return options.repeats;
}

/** What one message is made of, the same for every variant. */
function draftOf(i: number, keyed: boolean) {
  const draft = { room: ROOM, from: 'alice', fromId: FROM_ID, text: `message ${i} of the publish cost bench` };
  return keyed ? { ...draft, ref: `r-${i}` } : draft;
}

/**
 * Redis CPU per published message, measured in Redis alone (INFO cpu of a redis-server of its
 * own, one subscriber on the channel): a bare PUBLISH of the envelope, XADD (MAXLEN ~) +
 * PUBLISH in one MULTI, and the store as the Redis bus calls it (RedisChatStore.publish, the
 * service's limits), with and without an idempotency key, and one call per message. Every
 * variant keeps the same number of messages in flight. Skipped without redis-server.
 */
export async function runRedisPublish(context: BenchContext): Promise<RedisPublishResult> {
  const { options, progress } = context;
  const messages = options.quick ? 5000 : 20_000;
  const inFlight = 256;
  const result: RedisPublishResult = { messages, inFlight, targets: {} };
  const problem = redisBinariesProblem(false);
  if (problem !== undefined) {
    result.skipped = problem;
    progress.log(`  ! redis-publish skipped: ${problem}`);
    for (let repeat = 1; repeat <= options.repeats; repeat++) progress.step('redis publish cost · skipped');
    return result;
  }
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    progress.step(
      `redis publish cost, ${messages.toLocaleString('en-US')} messages per variant · run ${repeat}/${options.repeats}`,
    );
    let run: RedisPublishRun | string;
    try {
      run = await measureOnce(messages, inFlight, (what) => progress.update(what));
    } catch (error) {
      run = error instanceof Error ? error.message : String(error);
    }
    recordRun(result.targets, 'ours', run);
  }
  return result;
}

async function measureOnce(
  messages: number,
  inFlight: number,
  update: (what: string) => void,
): Promise<RedisPublishRun> {
  const server = await RedisServers.single(undefined);
  const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  const subscriber = new Redis(server.url, { maxRetriesPerRequest: 1 });
  const autoPipelined = new Redis(server.url, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
  try {
    const keys = new RedisKeys(PREFIX, false);
    const channel = keys.channel(ROOM);
    await subscriber.subscribe(channel);
    const batched = new RedisChatStore(redis, keys, 'bench');
    // One call per message: written to Redis a turn's worth at a time, as the baselines are.
    const onePerCall = new RedisChatStore(autoPipelined, keys, 'bench', 1);
    const envelopeOf = (i: number, keyed: boolean) => messageEnvelope('bench', draftOf(i, keyed));

    /** Redis CPU µs per message of `run` (which sends `count` messages), and messages per EVALSHA. */
    const measure = async (
      label: string,
      run: (count: number, first: number) => Promise<unknown>,
    ): Promise<[number, number]> => {
      update(label);
      await redis.flushall();
      await run(WARM_UP, -WARM_UP);
      await redis.config('RESETSTAT');
      const before = redisCpuSeconds(await redis.info('cpu'));
      await run(messages, 0);
      const after = redisCpuSeconds(await redis.info('cpu'));
      const calls = commandCalls(await redis.info('commandstats')).get('evalsha') ?? 0;
      return [microsPerMessage(before, after, messages), calls > 0 ? messages / calls : Number.NaN];
    };
    // The baselines at their cheapest: inFlight messages per pipeline, written at once.
    const pipelined =
      (add: (pipeline: ChainableCommander, i: number) => void) => async (count: number, first: number) => {
        for (let done = 0; done < count; done += inFlight) {
          const pipeline = redis.pipeline();
          for (let i = done; i < Math.min(count, done + inFlight); i++) add(pipeline, first + i);
          await pipeline.exec();
        }
      };
    const inFlightOf = (send: (i: number) => Promise<unknown>) => (count: number, first: number) =>
      keepInFlight(count, inFlight, (i) => send(first + i));

    const [barePublish] = await measure(
      'bare PUBLISH',
      pipelined((pipeline, i) => pipeline.publish(channel, envelopeOf(i, true))),
    );
    const [multiPair] = await measure(
      'XADD + PUBLISH in MULTI',
      pipelined((pipeline, i) => {
        const { from, text, fromId, ref } = draftOf(i, true) as ReturnType<typeof draftOf> & { ref: string };
        pipeline.call('MULTI');
        pipeline.xadd(
          keys.stream(ROOM),
          'MAXLEN',
          '~',
          LIMITS.maxLength,
          '*',
          'from',
          from,
          'text',
          text,
          'fromId',
          fromId,
          'ref',
          JSON.stringify(ref),
        );
        pipeline.publish(channel, envelopeOf(i, true));
        pipeline.call('EXEC');
      }),
    );
    const ours = (store: RedisChatStore, keyed: boolean) => (i: number) =>
      store.publish(draftOf(i, keyed), envelopeOf(i, keyed), LIMITS);
    const [oursKey, oursKeyPerCall] = await measure('ours, with a key', inFlightOf(ours(batched, true)));
    const [oursNoKey, oursNoKeyPerCall] = await measure('ours, without a key', inFlightOf(ours(batched, false)));
    const [oursKeyOnePerCall] = await measure(
      'ours, with a key, one call per message',
      inFlightOf(ours(onePerCall, true)),
    );
    return { barePublish, multiPair, oursKey, oursNoKey, oursKeyOnePerCall, oursKeyPerCall, oursNoKeyPerCall };
  } finally {
    redis.disconnect();
    subscriber.disconnect();
    autoPipelined.disconnect();
    await server.stop();
  }
}
