import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchContext } from './context.js';
import { describeMachine, machineLine, pinSelf } from './machine.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { Progress } from './progress.js';
import { renderChart } from './report/chart.js';
import { evaluateGoals } from './report/goals.js';
import type { BenchResults } from './report/results.js';
import { renderMarkdown } from './report/table.js';
import { broadcastSteps, runBroadcast } from './scenarios/broadcast.js';
import { chatFanoutSteps, runChatFanout } from './scenarios/chat-fanout.js';
import { chatRoundTripSteps, runChatRoundTrip } from './scenarios/chat-round-trip.js';
import { echoSteps, runEcho } from './scenarios/echo.js';
import { handshakeSteps, HANDSHAKE_PATH, runHandshake } from './scenarios/handshake.js';
import { idleSteps, runIdle } from './scenarios/idle.js';
import { runMicroScenario } from './scenarios/micro.js';
import { redisBroadcastSteps, runRedisBroadcast } from './scenarios/redis-broadcast.js';
import { redisPublishSteps, runRedisPublish } from './scenarios/redis-publish.js';
import { redisClusterSteps, runRedisCluster } from './scenarios/redis-cluster.js';
import { rejoinStormSteps, runRejoinStorm } from './scenarios/rejoin-storm.js';
import { restPublishSteps, runRestPublish } from './scenarios/rest-publish.js';

/**
 * `npm run bench`: starts each target server pinned to one CPU, drives it from load processes
 * pinned to the other(s), and writes results.json, results.md and chart.svg.
 */
const PROJECT_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

function totalSteps(options: BenchOptions): number {
  const { scenarios } = options;
  return (
    (scenarios.includes('echo') ? echoSteps(options) : 0) +
    (scenarios.includes('chat-round-trip') ? chatRoundTripSteps(options) : 0) +
    (scenarios.includes('broadcast') ? broadcastSteps(options) : 0) +
    (scenarios.includes('chat-fanout') ? chatFanoutSteps(options) : 0) +
    (scenarios.includes('idle') ? idleSteps(options) : 0) +
    (scenarios.includes('handshake') ? handshakeSteps(options) : 0) +
    (scenarios.includes('micro') ? 1 : 0) +
    (scenarios.includes('redis-broadcast') ? redisBroadcastSteps(options) : 0) +
    (scenarios.includes('rejoin-storm') ? rejoinStormSteps(options) : 0) +
    (scenarios.includes('redis-publish') ? redisPublishSteps(options) : 0) +
    (scenarios.includes('redis-cluster') ? redisClusterSteps(options) : 0) +
    (scenarios.includes('rest-publish') ? restPublishSteps(options) : 0)
  );
}

async function main(options: BenchOptions): Promise<void> {
  const machine = await describeMachine();
  if (machine.pinning !== null && !pinSelf(machine.pinning.load)) machine.pinning = null;
  const results: BenchResults = {
    version: 1,
    date: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    repeats: options.repeats,
    warmupSeconds: options.warmupMs / 1000,
    measureSeconds: options.measureMs / 1000,
    machine,
    echo: [],
    broadcast: [],
    idle: [],
    handshake: undefined,
    micro: [],
    goals: [],
  };
  const context = new BenchContext(options, machine, new Progress(totalSteps(options)));
  context.progress.log(`${machineLine(machine)}; ${results.mode} mode`);
  if (machine.pinning === null)
    context.progress.log('  ! no CPU pinning (needs taskset and 2 CPUs): server and load share the CPUs');
  if (machine.sourceAddresses.length === 1) context.progress.log('  ! only 127.0.0.1 is usable as a source address');

  const { scenarios } = options;
  if (scenarios.includes('micro')) results.micro = await runMicroScenario(context);
  if (scenarios.includes('echo')) results.echo = await runEcho(context);
  if (scenarios.includes('chat-round-trip')) results.chatRoundTrip = await runChatRoundTrip(context);
  if (scenarios.includes('broadcast')) results.broadcast = await runBroadcast(context);
  if (scenarios.includes('chat-fanout')) results.chatFanout = await runChatFanout(context);
  if (scenarios.includes('idle')) results.idle = await runIdle(context);
  if (scenarios.includes('handshake'))
    results.handshake = { path: HANDSHAKE_PATH, targets: await runHandshake(context) };
  if (scenarios.includes('redis-broadcast')) results.redisBroadcast = await runRedisBroadcast(context);
  if (scenarios.includes('rejoin-storm')) results.rejoinStorm = await runRejoinStorm(context);
  if (scenarios.includes('redis-publish')) results.redisPublish = await runRedisPublish(context);
  if (scenarios.includes('redis-cluster')) results.redisCluster = await runRedisCluster(context);
  if (scenarios.includes('rest-publish')) results.restPublish = await runRestPublish(context);
  results.goals = evaluateGoals(results);
  context.progress.done();

  const outDir = resolve(PROJECT_ROOT, options.outDir);
  mkdirSync(outDir, { recursive: true });
  const markdown = renderMarkdown(results);
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, 'results.md'), markdown);
  writeFileSync(join(outDir, 'chart.svg'), renderChart(results));
  process.stdout.write(`\n${markdown}\nWritten to ${outDir}: results.json, results.md, chart.svg\n`);
}

let options: BenchOptions | undefined;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
if (options === undefined) {
  console.log(USAGE);
} else {
  await main(options);
}
