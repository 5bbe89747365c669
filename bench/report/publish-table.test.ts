import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateGoals } from './goals.js';
import { publishCostRatios, redisPublishSection } from './publish-table.js';
import { recordRun, type BenchResults, type RedisPublishResult, type RedisPublishRun } from './results.js';

const RUN: RedisPublishRun = {
  barePublish: 0.8,
  multiPair: 3,
  oursKey: 4.2,
  oursNoKey: 3.3,
  oursKeyOnePerCall: 12,
  oursKeyPerCall: 64,
  oursNoKeyPerCall: 63.5,
};

function result(run: RedisPublishRun | string): RedisPublishResult {
  const measured: RedisPublishResult = { messages: 20_000, inFlight: 256, targets: {} };
  recordRun(measured.targets, 'ours', run);
  return measured;
}

describe('publish cost section', () => {
  it('shows each variant with its ratio to the MULTI pair and its messages per call', () => {
    const text = redisPublishSection(result(RUN));
    assert.match(text, /## G\. Publish cost in Redis \(20,000 messages per variant, 256 in flight\)/);
    assert.match(text, /\| XADD \+ PUBLISH in MULTI \| 3\.00 \| 1\.00x \| 1 \|/);
    assert.match(text, /\| ours, with a key \(ref\) \| 4\.20 \| 1\.40x \| 64\.0 \|/);
    assert.match(text, /\| ours, without a key \| 3\.30 \| 1\.10x \| 63\.5 \|/);
    assert.match(text, /\| ours, with a key, one call per message \| 12\.00 \| 4\.00x \| 1 \|/);
    const ratios = publishCostRatios(RUN);
    assert.ok(Math.abs(ratios.key - 1.4) < 1e-9 && Math.abs(ratios.noKey - 1.1) < 1e-9);
  });

  it('says why it was skipped, or why no run succeeded', () => {
    const skipped: RedisPublishResult = { messages: 1, inFlight: 1, targets: {}, skipped: 'no redis-server at /x' };
    assert.match(redisPublishSection(skipped), /Skipped: no redis-server at \/x\./);
    assert.match(
      redisPublishSection(result('redis-server exited with 1')),
      /No successful run: redis-server exited with 1\./,
    );
  });

  it('checks ours with and without a key against 1.5x the MULTI pair', () => {
    const goals = evaluateGoals({
      echo: [],
      broadcast: [],
      idle: [],
      redisPublish: result({ ...RUN, oursKey: 4.8 }),
    } as unknown as BenchResults);
    assert.deepEqual(
      goals.map(({ pass, max }) => [pass, max]),
      [
        [false, 1.5],
        [true, 1.5],
      ],
    );
  });
});
