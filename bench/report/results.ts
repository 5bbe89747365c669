import type { MachineInfo } from '../machine.js';
import type { EchoCell } from '../options.js';
import { medianOf } from '../stats.js';
import type { TargetName } from '../targets.js';

/** The shape of docs/bench/results.json. Every rate is per second, every latency in µs. */

/** Runs of one target in one measurement, and their per-field medians. */
export interface TargetRuns<R> {
  runs: R[];
  median: R;
  /** Runs that could not be measured, with the reason. */
  failures: string[];
}

export type ByTarget<R> = Partial<Record<TargetName, TargetRuns<R>>>;

export interface EchoRun {
  messagesPerSec: number;
  megabytesPerSec: number;
  p50: number;
  p99: number;
  /** % of one core. */
  serverCpu: number;
  /** The kernel's part of serverCpu. */
  serverSystemCpu: number;
  loadCpu: number;
  serverCpuMicrosPerMessage: number;
  errors: number;
}

export interface EchoResult {
  cell: EchoCell;
  targets: ByTarget<EchoRun>;
}

/** The chat's one message in flight: round trips are the EchoRun's messages. */
export interface ChatRoundTripResult {
  /** Until the sender's `ack`, or until the other member of the room has the message. */
  measure: 'ack' | 'delivery';
  targets: ByTarget<EchoRun>;
}

export interface BroadcastRun {
  /** Max rate: broadcasts the server finished (acknowledged) x receivers, per second. */
  deliveriesPerSec: number;
  /** Max rate: deliveries the load generator read per second. */
  receivedPerSec: number;
  serverCpu: number;
  serverSystemCpu: number;
  loadCpu: number;
  serverCpuMicrosPerDelivery: number;
  /** Deliveries missing after the drain, max-rate phase. */
  maxRateLoss: number;
  /** Fixed-rate phase. */
  fixedRatePerSec: number;
  p50: number;
  p99: number;
  fixedRateServerCpu: number;
  fixedRateLoss: number;
  errors: number;
}

export interface BroadcastResult {
  receivers: number;
  targets: ByTarget<BroadcastRun>;
}

/** Issue 16's fan-out cell: one publisher at a fixed rate, N receivers. */
export interface ChatFanoutRun {
  /** Deliveries the receivers read per second. */
  deliveriesPerSec: number;
  /** End-to-end latency from the send time inside each message, µs. */
  p50: number;
  p99: number;
  serverCpu: number;
  serverSystemCpu: number;
  loadCpu: number;
  serverCpuMicrosPerDelivery: number;
  /** Deliveries missing after the drain. */
  lost: number;
  errors: number;
}

/** The service's chat room on `/chat` next to the bench app's and ws's `/broadcast`, same rate. */
export interface ChatFanoutResult {
  receivers: number;
  ratePerSec: number;
  targets: ByTarget<ChatFanoutRun>;
}

export interface IdleRun {
  rssPerConnectionKiB: number;
  rssMiB: number;
  baselineRssMiB: number;
}

export interface IdleResult {
  connections: number;
  targets: ByTarget<IdleRun>;
}

export interface HandshakeRun {
  handshakesPerSec: number;
  serverCpu: number;
  serverSystemCpu: number;
  loadCpu: number;
  serverCpuMicrosPerHandshake: number;
  errors: number;
}

/** Two instances of the real service over Redis (BUS=redis): one room, REST publisher on instance A. */
export interface RedisBroadcastRun {
  /** Unique deliveries read by all receivers per second. */
  deliveriesPerSec: number;
  /** Messages accepted (201) per second by the publishing instance. */
  publishedPerSec: number;
  /** End-to-end latency, publish request to delivery, µs. */
  p50: number;
  p99: number;
  /** Deliveries missing after the drain (published x receivers - received). */
  lost: number;
  /** Deliveries a receiver got more than once. */
  duplicates: number;
  /** Instance A publishes (REST + Redis) and serves half the receivers; B serves the other half. */
  instanceACpu: number;
  instanceBCpu: number;
  instanceACpuMicrosPerDelivery: number;
  instanceBCpuMicrosPerDelivery: number;
  loadCpu: number;
  /** Failed publish requests, receiver errors. */
  errors: number;
}

export interface RedisBroadcastResult {
  receivers: number;
  /** Messages published per second. */
  ratePerSec: number;
  targets: ByTarget<RedisBroadcastRun>;
  /** Why the scenario did not run (Redis not answering). */
  skipped?: string;
}

/** 'redis-publish': Redis CPU per published message (µs), in a redis-server of its own. */
export interface RedisPublishRun {
  barePublish: number;
  /** XADD (MAXLEN ~) + PUBLISH in one MULTI. */
  multiPair: number;
  /** RedisChatStore.publish as the bus calls it, with an idempotency key (ref) and TTL. */
  oursKey: number;
  oursNoKey: number;
  /** The same with one script call per message (no batching). */
  oursKeyOnePerCall: number;
  /** Messages per script call in the two batched runs. */
  oursKeyPerCall: number;
  oursNoKeyPerCall: number;
}

export interface RedisPublishResult {
  /** Measured per variant (after a warm-up). */
  messages: number;
  /** Messages kept unanswered. */
  inFlight: number;
  targets: ByTarget<RedisPublishRun>;
  /** Why the scenario did not run (no redis-server). */
  skipped?: string;
}

/** 'redis-cluster', end to end: two instances of the service, receivers spread over many rooms. */
export interface ClusterBroadcastRun {
  deliveriesPerSec: number;
  /** Messages accepted (201) per second by both instances. */
  publishedPerSec: number;
  /** Publish request to delivery, µs. */
  p50: number;
  p99: number;
  lost: number;
  duplicates: number;
  /** % of one core. */
  instanceACpu: number;
  instanceBCpu: number;
  /** Every Redis server's CPU added up, % of one core. */
  redisCpu: number;
  /** The busiest Redis server's CPU, % of one core. */
  busiestRedisCpu: number;
  /** Every Redis server's CPU per published message, µs. */
  redisMicrosPerMessage: number;
  loadCpu: number;
  errors: number;
}

/** 'redis-cluster', capacity: the store path (RedisChatStore.publish) driven by pipelined clients. */
export interface StoreCapacityRun {
  messagesPerSec: number;
  redisCpu: number;
  busiestRedisCpu: number;
  /** Every Redis server's CPU per message, µs. */
  redisMicrosPerMessage: number;
  /** The most any one server spent on each of its own messages, µs. */
  busiestMicrosPerMessage: number;
  /** Time Redis spent running the script per call (INFO commandstats usec), µs. */
  scriptMicrosPerMessage: number;
  /** The driving client (the bench process), % of one core. */
  clientCpu: number;
  errors: number;
}

/** 'redis-cluster': a Redis Cluster of its own against one Redis of its own. */
export interface RedisClusterResult {
  primaries: number;
  rooms: number;
  /** Of the rooms, how many each primary holds. */
  roomsPerShard: number[];
  receivers: number;
  ratePerSec: number;
  /** Publishes kept in flight by the capacity run (connections x each). */
  capacityConnections: number;
  capacityInFlight: number;
  endToEndCluster: ByTarget<ClusterBroadcastRun>;
  endToEndSingle: ByTarget<ClusterBroadcastRun>;
  capacityCluster: ByTarget<StoreCapacityRun>;
  capacitySingle: ByTarget<StoreCapacityRun>;
  /** Why the scenario did not run (no redis-server or redis-cli). */
  skipped?: string;
}

/** One reconnect storm: every client joins at once, into one room or each into its own. */
export interface StormRun {
  /** From the first join sent until every client has its `joined` reply, ms. */
  allJoinedMs: number;
  /** Server CPU from the first join until presence has settled, seconds. */
  serverCpuSeconds: number;
  /** `presence` frames received by all clients. */
  presenceDeliveries: number;
  errors: number;
}

/** 'rejoin-storm': N clients rejoin one room vs N rooms of one, within `spreadMs`. */
export interface StormResult {
  clients: number;
  spreadMs: number;
  oneRoom: ByTarget<StormRun>;
  roomsOfOne: ByTarget<StormRun>;
}

/** One way of publishing into rooms of one instance, closed loop: messages/s and publish-to-delivery latency. */
export interface PublishRun {
  /** Messages a member of the rooms received per second. */
  messagesPerSec: number;
  /** Publish (send of the request) to delivery to that member, µs. */
  p50: number;
  p99: number;
  /** % of one core, and per message. */
  serverCpu: number;
  serverCpuMicrosPerMessage: number;
  /** CPU of the bench process (publishers and receiver), % of one core. */
  loadCpu: number;
  /** Failed requests (error events, non-201 answers, connection errors such as ECONNRESET). */
  errors: number;
}

export type PublishPath = 'ws' | 'rest' | 'batch';

/** The REST publishers against Express alone (one bare POST route): the floor under any Nest REST route on Express. */
export interface ExpressFloorRun {
  requestsPerSec: number;
  /** % of one core, and per request. */
  serverCpu: number;
  serverCpuMicrosPerRequest: number;
  loadCpu: number;
  errors: number;
}

/** 'rest-publish': the WebSocket publish path against REST posts and REST batches, on one instance. */
export interface PublishResult {
  /** The instance's bus: `redis` when Redis answered, else `memory`. */
  bus: 'redis' | 'memory';
  /** Closed-loop publishers (one request in flight each) per path, and messages per request. */
  publishers: Record<PublishPath, number>;
  batchSize: number;
  paths: Record<PublishPath, ByTarget<PublishRun>>;
  /** Absent in results written before the reference existed. */
  expressFloor?: ByTarget<ExpressFloorRun>;
}

export interface MicroRow {
  group: string;
  name: string;
  size: number;
  megabytesPerSec: number;
  /** Relative margin of error of the mean, %. */
  rme: number;
}

export interface GoalResult {
  goal: string;
  /** Measured ratio (ours / reference), or for "at most" goals ours / reference as well. */
  ratio: number;
  /** Required: ratio >= min, or ratio <= max. */
  min?: number;
  max?: number;
  pass: boolean | null;
  detail: string;
}

export interface BenchResults {
  version: 1;
  date: string;
  mode: 'quick' | 'full';
  repeats: number;
  warmupSeconds: number;
  measureSeconds: number;
  machine: MachineInfo;
  echo: EchoResult[];
  broadcast: BroadcastResult[];
  idle: IdleResult[];
  handshake: { path: string; targets: ByTarget<HandshakeRun> } | undefined;
  micro: MicroRow[];
  /** Absent in results written before the scenario existed. */
  redisBroadcast?: RedisBroadcastResult;
  /** Absent in results written before the scenario existed. */
  chatRoundTrip?: ChatRoundTripResult[];
  /** Absent in results written before the scenario existed. */
  chatFanout?: ChatFanoutResult;
  rejoinStorm?: StormResult;
  redisPublish?: RedisPublishResult;
  redisCluster?: RedisClusterResult;
  restPublish?: PublishResult;
  goals: GoalResult[];
}

/** Adds a run (or a failure) to `byTarget[name]` and refreshes its medians. */
export function recordRun<R extends object>(byTarget: ByTarget<R>, name: TargetName, run: R | string): void {
  const entry = (byTarget[name] ??= { runs: [], median: {} as R, failures: [] });
  if (typeof run === 'string') entry.failures.push(run);
  else entry.runs.push(run);
  if (entry.runs.length > 0) {
    const keys = Object.keys(entry.runs[0]);
    entry.median = medianOf(entry.runs as unknown as Array<Record<string, number>>, keys) as unknown as R;
  }
}
