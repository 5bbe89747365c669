import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateGoals } from './goals.js';
import { recordRun, type BenchResults, type StormResult } from './results.js';
import { rejoinStormSection } from './storm-table.js';

function storm(oneRoomMs: number, roomsOfOneMs: number): StormResult {
  const result: StormResult = { clients: 10_000, spreadMs: 1000, oneRoom: {}, roomsOfOne: {} };
  recordRun(result.oneRoom, 'ours', {
    allJoinedMs: oneRoomMs,
    serverCpuSeconds: 3,
    presenceDeliveries: 20_000,
    errors: 0,
  });
  recordRun(result.roomsOfOne, 'ours', {
    allJoinedMs: roomsOfOneMs,
    serverCpuSeconds: 2,
    presenceDeliveries: 10_000,
    errors: 0,
  });
  return result;
}

describe('reconnect storm section', () => {
  it('shows both storms and their ratios', () => {
    const text = rejoinStormSection(storm(3000, 2000));
    assert.match(text, /\| one room \| 3,000 ms \| 3\.0 s \| 20,000 \| 0 \|/);
    assert.match(text, /\| 10,000 rooms of one \| 2,000 ms \| 2\.0 s \| 10,000 \| 0 \|/);
    assert.match(text, /\| one room \/ rooms of one \| 1\.5x \| 1\.5x \| 2\.0x \| \|/);
  });

  it('says why no run succeeded', () => {
    const result: StormResult = { clients: 10, spreadMs: 1000, oneRoom: {}, roomsOfOne: {} };
    recordRun(result.oneRoom, 'ours', '3 of 10 joined');
    assert.match(rejoinStormSection(result), /No successful run: 3 of 10 joined\./);
  });

  it('checks both goals against 2x', () => {
    const goals = evaluateGoals({
      echo: [],
      broadcast: [],
      idle: [],
      rejoinStorm: storm(5000, 2000),
    } as unknown as BenchResults);
    assert.deepEqual(
      goals.map(({ pass }) => pass),
      [false, true],
    );
  });
});
