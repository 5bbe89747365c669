import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisBroadcastSection } from './redis-table.js';
import { recordRun, type RedisBroadcastResult, type RedisBroadcastRun } from './results.js';

function run(publishedPerSec: number, p50: number): RedisBroadcastRun {
  return {
    deliveriesPerSec: publishedPerSec * 1000,
    publishedPerSec,
    p50,
    p99: p50 * 4,
    lost: 0,
    duplicates: 0,
    instanceACpu: 40,
    instanceBCpu: 30,
    instanceACpuMicrosPerDelivery: 4,
    instanceBCpuMicrosPerDelivery: 3,
    loadCpu: 20,
    errors: 0,
  };
}

describe('redis broadcast section', () => {
  it('shows the medians of the runs, per instance', () => {
    const result: RedisBroadcastResult = { receivers: 1000, ratePerSec: 200, targets: {} };
    recordRun(result.targets, 'ours', run(200, 1000));
    recordRun(result.targets, 'ours', run(199, 3000));
    recordRun(result.targets, 'ours', run(198, 2000));
    const text = redisBroadcastSection(result);
    assert.match(text, /2 instances, 1,000 receivers, 200 msg\/s/);
    assert.match(
      text,
      /\| 199 \| 199,000 \| 2000 µs \| 8000 µs \| 0 \| 0 \| 40% \| 4\.00 \| 30% \| 3\.00 \| 20% \| 0 \|/,
    );
  });

  it('flags a publisher that fell behind the requested rate', () => {
    const result: RedisBroadcastResult = { receivers: 1000, ratePerSec: 200, targets: {} };
    recordRun(result.targets, 'ours', run(100, 1000));
    assert.match(redisBroadcastSection(result), /\| 100 \(behind\) \|/);
  });

  it('says why it was skipped, or why no run succeeded', () => {
    const skipped: RedisBroadcastResult = {
      receivers: 10,
      ratePerSec: 5,
      targets: {},
      skipped: 'Redis at redis://127.0.0.1:6379 does not answer (ECONNREFUSED)',
    };
    assert.match(redisBroadcastSection(skipped), /Skipped: Redis at .* does not answer \(ECONNREFUSED\)\./);
    const failed: RedisBroadcastResult = { receivers: 10, ratePerSec: 5, targets: {} };
    recordRun(failed.targets, 'ours', 'instance A: exited with code 1');
    assert.match(redisBroadcastSection(failed), /No successful run: instance A: exited with code 1\./);
  });
});
