import { TARGET_NAMES, type TargetName } from './targets.js';

export const SCENARIOS = [
  'echo',
  'chat-round-trip',
  'broadcast',
  'chat-fanout',
  'idle',
  'handshake',
  'micro',
  'redis-broadcast',
  'rejoin-storm',
  'redis-publish',
  'redis-cluster',
  'rest-publish',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface EchoCell {
  /** `/nest-echo` goes through @SubscribeMessage; `/echo` is the raw gateway. */
  path: '/nest-echo' | '/echo';
  connections: number;
  inFlight: number;
  size: number;
  /**
   * The client offers permessage-deflate and the cell needs it negotiated (`+deflate`): it
   * sends every message compressed, as browsers do, and the server compresses what its own
   * policy says (ws and ours: from 1 KiB up). Absent in results written before it existed.
   */
  deflate?: boolean;
}

export interface BenchOptions {
  quick: boolean;
  scenarios: ScenarioName[];
  targets: TargetName[];
  repeats: number;
  warmupMs: number;
  measureMs: number;
  outDir: string;
  /** Where `--cpu-prof` profiles of the targets go; off when undefined. */
  profileDir: string | undefined;
  /** Where allocation sampling profiles of the targets go; off when undefined. */
  allocationProfileDir: string | undefined;
  echoCells: EchoCell[];
  broadcastReceivers: number[];
  broadcastSize: number;
  /** Broadcasts kept unacknowledged at max rate. */
  broadcastWindow: number;
  /** Deliveries per second of the fixed-rate latency run (broadcasts/s = this / receivers). */
  broadcastFixedDeliveries: number;
  /** Receivers of the chat fan-out cell (the service's room, the others' broadcast). */
  chatFanoutReceivers: number;
  /** Messages per second its publisher posts. */
  chatFanoutRate: number;
  idleConnections: number[];
  handshakeWorkers: number;
  handshakeConcurrency: number;
  /** Most connections one load process opens (a process may hold at most 20,000 files). */
  connectionsPerWorker: number;
  microTimeMs: number;
  /** Receivers of the Redis scenario, split between its two instances. */
  redisReceivers: number;
  /** Messages per second the Redis scenario publishes. */
  redisRate: number;
  redisUrl: string;
  /** Clients of the rejoin storm (one room, and as many rooms of one). */
  stormClients: number;
  /** Rooms of redis-cluster (receivers spread over them, so that every shard holds some). */
  clusterRooms: number;
  /** redis-cluster's store capacity run: client connections, and publishes each keeps in flight. */
  capacityConnections: number;
  capacityInFlight: number;
}

const ECHO_SHAPES: Array<Omit<EchoCell, 'path'>> = [
  { connections: 1, inFlight: 1, size: 32 },
  { connections: 1, inFlight: 1, size: 1024 },
  { connections: 64, inFlight: 16, size: 32 },
  { connections: 64, inFlight: 16, size: 1024 },
  { connections: 16, inFlight: 16, size: 65_536 },
  // One message in flight with permessage-deflate negotiated (issue #16).
  { connections: 1, inFlight: 1, size: 32, deflate: true },
  { connections: 1, inFlight: 1, size: 1024, deflate: true },
];

const USAGE = `Usage: node bench/.build/bench/run.js [options]

  --quick                    a few seconds per scenario, one repeat (validation)
  --scenarios a,b            of ${SCENARIOS.join(', ')} (default: all)
  --targets a,b              of ${TARGET_NAMES.join(', ')} (default: all)
  --repeat N                 runs per measurement, medians reported (default 3, quick 1)
  --warmup S / --measure S   seconds per run (default 2 / 5, quick 0.5 / 1.5)
  --out DIR                  results.json, results.md, chart.svg (default docs/bench, quick bench/.results)
  --profile DIR              run the targets with --cpu-prof, profiles in DIR
  --alloc-profile DIR        sample the targets' allocations (collected objects included) into DIR;
                             slows them down, so measure without it
                             (read profiles with node bench/.build/bench/profile/summarize.js FILE)
  --echo-cells a,b           echo cells as PATH@CONNECTIONSxINFLIGHTxSIZE[+deflate], e.g. /echo@64x16x32;
                             +deflate negotiates permessage-deflate (messages sent compressed)
                             (default: 1x1x32, 1x1x1024, 64x16x32, 64x16x1024, 16x16x65536,
                             1x1x32+deflate, 1x1x1024+deflate on /nest-echo and /echo)
  --idle-connections a,b     (default 10000,19000; quick 2000,4000)
  --broadcast-receivers a,b  (default 1000,10000; quick 1000,4000)
  --broadcast-rate N         deliveries/s of the fixed-rate latency run (default 20000)
  --fanout-receivers N       receivers of chat-fanout (default 1000)
  --fanout-rate N            messages/s chat-fanout publishes (default 100)
  --redis-receivers N        receivers of redis-broadcast, half on each instance (default 1000)
  --redis-rate N             messages/s redis-broadcast publishes (default 200)
  --storm-clients N          clients of rejoin-storm (default 10000; quick 2000)
  --cluster-rooms N          rooms of redis-cluster, which starts its own Redis Cluster and Redis
                             (uses --redis-receivers and --redis-rate; default 32)
  --redis-url URL            Redis of redis-broadcast, skipped if it does not answer (default redis://127.0.0.1:6379)
  --help`;

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function numbers(name: string, value: string): number[] {
  const result = list(value).map(Number);
  if (result.length === 0 || result.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new Error(`${name} takes positive integers, got "${value}"`);
  }
  return result;
}

function echoCells(value: string): EchoCell[] {
  return list(value).map((item) => {
    const match = /^(\/nest-echo|\/echo)@(\d+)x(\d+)x(\d+)(\+deflate)?$/.exec(item);
    if (match === null)
      throw new Error(
        `--echo-cells: "${item}" is not PATH@CONNECTIONSxINFLIGHTxSIZE[+deflate] (PATH /echo or /nest-echo)`,
      );
    const [connections, inFlight, size] = [match[2], match[3], match[4]].map(Number);
    if (connections <= 0 || inFlight <= 0 || size <= 0)
      throw new Error(`--echo-cells: "${item}" needs positive numbers`);
    const cell: EchoCell = { path: match[1] as EchoCell['path'], connections, inFlight, size };
    if (match[5] !== undefined) cell.deflate = true;
    return cell;
  });
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} takes a positive number, got "${value}"`);
  return n;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T[] {
  const items = list(value);
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new Error(`${name}: unknown "${item}" (expected ${allowed.join(', ')})`);
  }
  return items as T[];
}

/** Parses the command line; throws with a message on bad input, returns undefined for --help. */
export function parseOptions(argv: readonly string[]): BenchOptions | undefined {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return undefined;
    if (arg === '--quick') {
      flags.set('quick', 'true');
      continue;
    }
    if (!arg.startsWith('--') || i + 1 >= argv.length) throw new Error(`unexpected argument "${arg}"\n\n${USAGE}`);
    flags.set(arg.slice(2), argv[++i]);
  }
  const quick = flags.has('quick');
  const known = new Set([
    'quick',
    'scenarios',
    'targets',
    'repeat',
    'warmup',
    'measure',
    'out',
    'profile',
    'alloc-profile',
    'echo-cells',
    'idle-connections',
    'broadcast-receivers',
    'broadcast-rate',
    'fanout-receivers',
    'fanout-rate',
    'redis-receivers',
    'redis-rate',
    'redis-url',
    'storm-clients',
    'cluster-rooms',
  ]);
  for (const flag of flags.keys()) if (!known.has(flag)) throw new Error(`unknown option --${flag}\n\n${USAGE}`);

  const get = (name: string): string | undefined => flags.get(name);
  const defaultCells: EchoCell[] = [];
  for (const path of ['/nest-echo', '/echo'] as const)
    for (const shape of ECHO_SHAPES) defaultCells.push({ path, ...shape });

  return {
    quick,
    scenarios: get('scenarios') ? oneOf('--scenarios', get('scenarios')!, SCENARIOS) : [...SCENARIOS],
    targets: get('targets') ? oneOf('--targets', get('targets')!, TARGET_NAMES) : [...TARGET_NAMES],
    repeats: get('repeat') ? numbers('--repeat', get('repeat')!)[0] : quick ? 1 : 3,
    warmupMs: (get('warmup') ? positive('--warmup', get('warmup')!) : quick ? 0.5 : 2) * 1000,
    measureMs: (get('measure') ? positive('--measure', get('measure')!) : quick ? 1.5 : 5) * 1000,
    outDir: get('out') ?? (quick ? 'bench/.results' : 'docs/bench'),
    profileDir: get('profile'),
    allocationProfileDir: get('alloc-profile'),
    echoCells: get('echo-cells') ? echoCells(get('echo-cells')!) : defaultCells,
    broadcastReceivers: get('broadcast-receivers')
      ? numbers('--broadcast-receivers', get('broadcast-receivers')!)
      : quick
        ? [1000, 4000]
        : [1000, 10_000],
    broadcastSize: 64,
    broadcastWindow: 64,
    broadcastFixedDeliveries: get('broadcast-rate') ? positive('--broadcast-rate', get('broadcast-rate')!) : 20_000,
    chatFanoutReceivers: get('fanout-receivers') ? numbers('--fanout-receivers', get('fanout-receivers')!)[0] : 1000,
    chatFanoutRate: get('fanout-rate') ? positive('--fanout-rate', get('fanout-rate')!) : 100,
    idleConnections: get('idle-connections')
      ? numbers('--idle-connections', get('idle-connections')!)
      : quick
        ? [2000, 4000]
        : [10_000, 19_000],
    handshakeWorkers: 2,
    handshakeConcurrency: 32,
    connectionsPerWorker: 5000,
    microTimeMs: quick ? 150 : 1000,
    redisReceivers: get('redis-receivers')
      ? Math.max(2, numbers('--redis-receivers', get('redis-receivers')!)[0])
      : 1000,
    redisRate: get('redis-rate') ? positive('--redis-rate', get('redis-rate')!) : 200,
    redisUrl: get('redis-url') ?? 'redis://127.0.0.1:6379',
    stormClients: get('storm-clients') ? numbers('--storm-clients', get('storm-clients')!)[0] : quick ? 2000 : 10_000,
    clusterRooms: get('cluster-rooms') ? numbers('--cluster-rooms', get('cluster-rooms')!)[0] : 32,
    capacityConnections: 4,
    capacityInFlight: 64,
  };
}

export { USAGE };
