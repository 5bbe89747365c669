import { buildApp, startBuiltApp } from '../test/helpers/hardening-build.js';
import { numberOptions } from './cli-options.js';
import { Ledger } from './soak/ledger.js';
import { Member, newTotals } from './soak/member.js';
import { InspectorGc } from './soak/inspector-gc.js';
import { mb, sampleMemory, slopePerMinute, type MemorySample } from './soak/memory.js';

const USAGE = `Usage: npm run soak -- [options]
  Starts the built service (node main.js, in-memory bus) and drives /chat for a while:
  members chat in rooms, some drop their connection abruptly (TCP reset mid-frame) and
  come back with since. Reports messages sent, delivered and lost (must be 0) and the
  server's heap (after a full collection, through --inspect) and RSS over time; fails on any
  loss or duplicate, or when the heap grows over the second half of the load (run long enough
  for the rooms' histories to fill first: the default 180 s does).
  --seconds N     duration of the load (default 180)
  --clients N     members (default 3000; mind the 20,000 open files per process)
  --room-size N   members per room (default 10)
  --rate R        messages per member per second (default 0.5)
  --churn R       fraction of members reset per second (default 0.02)
  --resend        members never leave a send in doubt: each connects with a session key, sends
                  a message as its connection is reset, and resends every unacknowledged
                  message with its ref after any error and after resuming; fails unless every
                  send ends acknowledged and no ref is stored twice`;

const RESEND = '--resend';
const resend = process.argv.includes(RESEND);
const options = numberOptions(
  { seconds: 180, clients: 3000, roomSize: 10, rate: 0.5, churn: 0.02 },
  USAGE,
  process.argv.slice(2).filter((arg) => arg !== RESEND),
);
const TICK_MS = 100;
/** A live heap growing faster than this over the second half of the load fails the soak. */
const HEAP_GROWTH_LIMIT_BYTES_PER_MIN = 1 << 20;
const SAMPLE_EVERY_MS = 5000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(predicate: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

async function main(): Promise<void> {
  console.log(`building the service...`);
  const build = await buildApp();
  const server = await startBuiltApp(
    build,
    {
      LOG_FORMAT: 'json',
      // Small enough to be full early (then memory should stay flat), large enough to cover
      // what a room says while a member reconnects (about 10 messages).
      CHAT_HISTORY_SIZE: '200',
      WS_PERMESSAGE_DEFLATE: 'false',
    },
    20_000,
    ['--inspect=127.0.0.1:0'],
  );
  const httpUrl = `http://127.0.0.1:${server.port}`;
  const wsUrl = `ws://127.0.0.1:${server.port}/chat`;
  const started = performance.now();
  const gc = await InspectorGc.attach(server.output());
  const ledger = new Ledger();
  const totals = newTotals();
  const members: Member[] = [];
  const rooms = Math.max(1, Math.ceil(options.clients / options.roomSize));
  for (let i = 0; i < options.clients; i++) {
    members.push(new Member(`soak-${i}`, `room-${i % rooms}`, wsUrl, ledger, totals, resend));
  }

  try {
    console.log(`service on port ${server.port}; connecting ${options.clients} members in ${rooms} rooms...`);
    // A few hundred connections per second, like a fleet of browsers coming back.
    for (let i = 0; i < members.length; i += 100) {
      for (const member of members.slice(i, i + 100)) member.connect();
      await sleep(200);
    }
    if (!(await waitUntil(() => members.every((m) => m.joined), 30_000))) {
      throw new Error(`only ${members.filter((m) => m.joined).length} of ${members.length} members joined within 30 s`);
    }
    const samples: MemorySample[] = [await sampleMemory(httpUrl, started, gc)];
    console.log(
      `all joined; load for ${options.seconds} s (rate ${options.rate}/s per member, churn ${options.churn}/s)`,
    );

    const loadStarted = Date.now();
    let nextSample = Date.now() + SAMPLE_EVERY_MS;
    let nextReport = Date.now() + 30_000;
    while (Date.now() - loadStarted < options.seconds * 1000) {
      const tickStarted = Date.now();
      for (const member of members) if (Math.random() < (options.rate * TICK_MS) / 1000) member.send();
      const kills = options.churn * members.length * (TICK_MS / 1000);
      for (let k = Math.floor(kills) + (Math.random() < kills % 1 ? 1 : 0); k > 0; k--) {
        members[Math.floor(Math.random() * members.length)].killAbruptly();
      }
      if (Date.now() >= nextSample) {
        samples.push(await sampleMemory(httpUrl, started, gc));
        nextSample += SAMPLE_EVERY_MS;
      }
      if (Date.now() >= nextReport) {
        const last = samples[samples.length - 1];
        console.log(
          `  ${Math.round((Date.now() - loadStarted) / 1000)} s: sent ${totals.sent}, delivered ${totals.delivered}, ` +
            `resets ${totals.abruptDisconnects}, heap ${mb(last.heapUsed)}, rss ${mb(last.rss)}`,
        );
        nextReport += 30_000;
      }
      await sleep(Math.max(0, TICK_MS - (Date.now() - tickStarted)));
    }

    // Drain: everyone back in their room, every message delivered.
    const rejoined = await waitUntil(() => members.every((m) => m.joined), 30_000);
    const settled = await waitUntil(() => members.every((m) => m.received >= m.owed() && m.pending.size === 0), 15_000);
    const unresolved = members.reduce((sum, m) => sum + m.pending.size, 0);
    const end = await sampleMemory(httpUrl, started, gc);
    samples.push(end);
    const lost = members.reduce((sum, m) => sum + Math.max(0, m.owed() - m.received), 0);
    const owed = members.reduce((sum, m) => sum + m.owed(), 0);

    for (const member of members) member.stop();
    await waitUntil(() => members.every((m) => !m.connected), 10_000);
    await sleep(2000);
    const idle = await sampleMemory(httpUrl, started, gc);

    const loadSamples = samples.slice(1);
    // The rooms' histories fill up during the first minute or so: the trend is taken over
    // the second half of the load.
    const secondHalf = loadSamples.slice(Math.floor(loadSamples.length / 2));
    const first = samples[0];
    const heapTrend = slopePerMinute(secondHalf, (s) => s.heapUsed);
    const heapGrows = heapTrend > HEAP_GROWTH_LIMIT_BYTES_PER_MIN;
    const table = (map: Map<string | number, number>): string =>
      [...map].map(([key, count]) => `${key}: ${count}`).join(', ') || 'none';
    console.log(
      [
        '',
        `soak: ${options.seconds} s of load, ${options.clients} members in ${rooms} rooms`,
        `messages sent ${totals.sent}, acked ${ledger.acked}, in the rooms ${ledger.messages}`,
        `deliveries owed ${owed}, delivered ${totals.delivered}, lost ${lost}, duplicates ${totals.duplicates}, truncated resumes ${totals.truncatedResumes}`,
        `abrupt disconnects (TCP reset mid-frame) ${totals.abruptDisconnects}, reconnects ${totals.reconnects}, failed upgrades ${totals.connectFailures}`,
        `closes by the server: ${table(totals.serverCloses)}; chat errors: ${table(totals.errors)}`,
        resend
          ? `resend mode: sends resent with their ref ${totals.resent}, refs stored twice (duplicates) ${totals.refDuplicates}, sends never acknowledged ${unresolved}`
          : '',
        `server heap after a full collection: start ${mb(first.heapUsed)}, end ${mb(end.heapUsed)}, min ${mb(Math.min(...loadSamples.map((s) => s.heapUsed)))}, ` +
          `max ${mb(Math.max(...loadSamples.map((s) => s.heapUsed)))}, trend over the second half ${mb(heapTrend)}/min ` +
          (heapGrows ? `(GROWING: more than ${mb(HEAP_GROWTH_LIMIT_BYTES_PER_MIN)}/min)` : '(no growth trend)'),
        `server RSS: start ${mb(first.rss)}, end ${mb(end.rss)}, max ${mb(Math.max(...loadSamples.map((s) => s.rss)))}, trend over the second half ${mb(slopePerMinute(secondHalf, (s) => s.rss))}/min`,
        `after all members left: heap ${mb(idle.heapUsed)}, RSS ${mb(idle.rss)}, /chat connections ${idle.connections}`,
        rejoined && settled
          ? ''
          : `warning: ${rejoined ? '' : 'not every member rejoined; '}${settled ? '' : 'deliveries still missing at the end'}`,
      ].join('\n'),
    );
    const resendOk = !resend || (totals.refDuplicates === 0 && unresolved === 0);
    process.exitCode =
      lost === 0 && totals.duplicates === 0 && totals.truncatedResumes === 0 && !heapGrows && resendOk ? 0 : 1;
  } finally {
    gc.close();
    server.child.kill('SIGTERM');
    const exit = await Promise.race([server.exited, sleep(15_000).then(() => undefined)]);
    if (exit === undefined) server.child.kill('SIGKILL');
    else console.log(`service stopped with SIGTERM: exit code ${exit.code}`);
    await build.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
