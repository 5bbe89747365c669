import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateGoals } from './goals.js';
import { publishRatios, restPublishSection } from './rest-publish-table.js';
import { recordRun, type BenchResults, type PublishResult, type PublishRun } from './results.js';

function run(messagesPerSec: number, p99: number): PublishRun {
  return { messagesPerSec, p50: p99 / 4, p99, serverCpu: 50, serverCpuMicrosPerMessage: 100, loadCpu: 20, errors: 0 };
}

function publish(ws: PublishRun, rest: PublishRun | string, batch: PublishRun): PublishResult {
  const result: PublishResult = {
    bus: 'redis',
    publishers: { ws: 16, rest: 16, batch: 2 },
    batchSize: 8,
    paths: { ws: {}, rest: {}, batch: {} },
  };
  recordRun(result.paths.ws, 'ours', ws);
  recordRun(result.paths.rest, 'ours', rest);
  recordRun(result.paths.batch, 'ours', batch);
  return result;
}

describe('rest publish section and goals', () => {
  it('divides REST by WebSocket: throughput and p99', () => {
    const result = publish(run(1000, 2000), run(600, 3000), run(2000, 1000));
    assert.deepEqual(publishRatios(result, 'rest'), { throughput: 0.6, p99: 1.5 });
    assert.deepEqual(publishRatios(result, 'batch'), { throughput: 2, p99: 0.5 });
  });

  it('shows every path with its ratios, and why a path has no run', () => {
    const text = restPublishSection(publish(run(1000, 2000), 'ECONNRESET', run(2000, 1000)));
    assert.match(text, /BUS=redis/);
    assert.match(
      text,
      /\| WebSocket `message` \(ack\) \| 1\.00 k \| 500 µs \| 2000 µs \| 50% \| 100 µs \| 20% \| 1\.00x \/ 1\.00x \| 0 \|/,
    );
    assert.match(text, /\| REST `POST …\/messages` \(keep-alive\) \| no successful run: ECONNRESET \|/);
    assert.match(text, /\| REST `POST …\/messages\/batch` \| 2\.00 k \| .* \| 2\.00x \/ 0\.50x \| 0 \|/);
  });

  it('sets the Express floor beside the WebSocket path, or says why it has no run', () => {
    const result = publish(run(1000, 2000), run(600, 3000), run(2000, 1000));
    assert.doesNotMatch(restPublishSection(result), /Express alone/);
    result.expressFloor = {};
    recordRun(result.expressFloor, 'ours', {
      requestsPerSec: 5000,
      serverCpu: 90,
      serverCpuMicrosPerRequest: 180,
      loadCpu: 60,
      errors: 0,
    });
    assert.match(
      restPublishSection(result),
      /Express alone .* 5\.00 k requests\/s at 90% server CPU, 180 µs of CPU per request, 1\.80x the WebSocket path's 100 µs per message/,
    );
    const failed = publish(run(1000, 2000), run(600, 3000), run(2000, 1000));
    failed.expressFloor = {};
    recordRun(failed.expressFloor, 'ours', 'port in use');
    assert.match(restPublishSection(failed), /Reference, Express alone: no successful run: port in use/);
  });

  it('holds REST to at least 0.5x the WebSocket msg/s and at most 2x its p99', () => {
    const goals = evaluateGoals({
      echo: [],
      broadcast: [],
      idle: [],
      restPublish: publish(run(1000, 2000), run(400, 3000), run(2000, 5000)),
    } as unknown as BenchResults);
    assert.deepEqual(
      goals.map(({ goal, pass }) => [goal, pass]),
      [
        ['publish: REST post (keep-alive) msg/s vs WebSocket', false],
        ['publish: REST post (keep-alive) p99 vs WebSocket', true],
        ['publish: REST batch of 8 msg/s vs WebSocket', true],
        ['publish: REST batch of 8 p99 vs WebSocket', false],
      ],
    );
  });
});
