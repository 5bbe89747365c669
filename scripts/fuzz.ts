import { Logger } from '@nestjs/common';
import fc from 'fast-check';
import { checkConnection, checkParser, FrameFuzzCounts, fuzzedStream } from '../test/helpers/hardening-fuzz-frames.js';
import {
  checkRawHandshake,
  checkValidateHandshake,
  HandshakeFuzzCounts,
  handshakeRequest,
  HandshakeTarget,
  rawRequest,
} from '../test/helpers/hardening-fuzz-handshake.js';
import { numberOptions } from './cli-options.js';

const USAGE = `Usage: npm run fuzz -- [options]
  Runs the fuzz properties of test/hardening-fuzz.e2e-spec.ts at scale and prints counts.
  --frames N       client frames to generate for the parser (default 1000000)
  --connection N   frames for the connection property (default frames / 10)
  --headers N      header maps for validateHandshake (default 200000)
  --requests N     raw requests against a live server (default 3000)
  --seed S         fast-check seed (default: random, printed)`;

const options = numberOptions({ frames: 1_000_000, connection: -1, headers: 200_000, requests: 3000, seed: -1 }, USAGE);
const seed = options.seed >= 0 ? options.seed : Math.floor(Math.random() * 2 ** 31);
const connectionFrames = options.connection >= 0 ? options.connection : Math.floor(options.frames / 10);
const BATCH = 5000;

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function table(map: ReadonlyMap<number, number>): string {
  return (
    [...map]
      .sort(([a], [b]) => a - b)
      .map(([key, count]) => `${key}: ${count}`)
      .join(', ') || '-'
  );
}

function report(name: string, counts: FrameFuzzCounts, started: number): void {
  console.log(
    `${name}: ${counts.runs} streams, ${counts.frames} frames, ${(counts.bytes / 1e6).toFixed(1)} MB in ${counts.chunks} chunks, ${seconds(started)}\n` +
      `  outcomes: ${counts.messages} messages, ${counts.controlFrames} ping/pong, ${counts.closes} closes, ` +
      `errors by close code {${table(counts.errors)}}, ${counts.unfinished} streams left waiting for more bytes`,
  );
}

async function main(): Promise<void> {
  // The adapter logs peer errors at debug level: thousands of them here.
  Logger.overrideLogger(['error', 'warn']);
  console.log(`fuzz seed ${seed} (rerun with --seed ${seed})`);
  let batch = 0;

  let started = performance.now();
  const parser = new FrameFuzzCounts();
  while (parser.frames < options.frames) {
    fc.assert(
      fc.property(fuzzedStream, (stream) => checkParser(stream, parser)),
      { numRuns: BATCH, seed: seed + batch++ },
    );
  }
  report('parser', parser, started);

  started = performance.now();
  const connection = new FrameFuzzCounts();
  while (connection.frames < connectionFrames) {
    await fc.assert(
      fc.asyncProperty(fuzzedStream, (stream) => checkConnection(stream, connection)),
      {
        numRuns: BATCH / 5,
        seed: seed + batch++,
      },
    );
  }
  console.log(
    `connection: ${connection.runs} streams, ${connection.frames} frames, ${(connection.bytes / 1e6).toFixed(1)} MB in ${connection.chunks} chunks, ` +
      `${connection.closes} close frames sent, ${seconds(started)}`,
  );

  started = performance.now();
  const headers = new HandshakeFuzzCounts();
  fc.assert(
    fc.property(handshakeRequest, (request) => checkValidateHandshake(request, headers)),
    {
      numRuns: options.headers,
      seed: seed + batch++,
    },
  );
  console.log(
    `validateHandshake: ${headers.runs} header maps, outcomes {${table(headers.outcomes)}}, ${seconds(started)}`,
  );

  started = performance.now();
  const requests = new HandshakeFuzzCounts();
  const target = await HandshakeTarget.start();
  try {
    await fc.assert(
      fc.asyncProperty(rawRequest, (request) => checkRawHandshake(target, request, requests)),
      {
        numRuns: options.requests,
        seed: seed + batch++,
      },
    );
  } finally {
    await target.stop();
  }
  console.log(
    `raw handshakes: ${requests.runs} requests, outcomes by status {${table(requests.outcomes)}} (0: closed, no request began), ${seconds(started)}`,
  );
  console.log('no property failed');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
