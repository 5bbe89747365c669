import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatFanoutSection } from './fanout-table.js';
import { evaluateGoals } from './goals.js';
import { type BenchResults, type ChatFanoutResult, type ChatFanoutRun, recordRun } from './results.js';

function run(p99: number, cpuPerDelivery: number): ChatFanoutRun {
  return {
    deliveriesPerSec: 100_000,
    p50: p99 / 4,
    p99,
    serverCpu: 50,
    serverSystemCpu: 20,
    loadCpu: 60,
    serverCpuMicrosPerDelivery: cpuPerDelivery,
    lost: 0,
    errors: 0,
  };
}

function fanout(): ChatFanoutResult {
  const result: ChatFanoutResult = { receivers: 1000, ratePerSec: 100, targets: {} };
  for (const [p99, cpu] of [
    [900, 1],
    [1100, 3],
    [1000, 2],
  ])
    recordRun(result.targets, 'service', run(p99, cpu));
  recordRun(result.targets, 'platform-ws', run(4000, 8));
  recordRun(result.targets, 'ws', run(800, 1));
  return result;
}

describe('chat fan-out report', () => {
  it('shows the medians with p99 against ws and CPU per delivery against platform-ws', () => {
    const text = chatFanoutSection(fanout());
    assert.match(text, /## B2\. Chat fan-out \(1,000 receivers, 100 msg\/s\)/);
    assert.match(
      text,
      /\| service \| 100,000 \| 250 µs \| 1000 µs \| 50% \(20% sys\) \| 2\.000 \| 60% \| 0 \| 1\.25x \| 0\.25x \|/,
    );
  });

  it('holds the service to ws broadcast p99 and half the CPU per delivery of platform-ws', () => {
    const results = {
      echo: [],
      broadcast: [],
      idle: [],
      handshake: undefined,
      chatFanout: fanout(),
    } as unknown as BenchResults;
    const goals = evaluateGoals(results).filter((goal) => goal.goal.startsWith('service: /chat fan-out'));
    assert.deepEqual(
      goals.map((goal) => [goal.goal, goal.ratio, goal.pass]),
      [
        ['service: /chat fan-out to 1,000 at 100 msg/s: p99 vs ws broadcast', 1.25, false],
        ['service: /chat fan-out to 1,000 at 100 msg/s: server CPU per delivery vs platform-ws', 0.25, true],
      ],
    );
  });

  it('sets no goal without the service', () => {
    const result = fanout();
    delete result.targets.service;
    const results = {
      echo: [],
      broadcast: [],
      idle: [],
      handshake: undefined,
      chatFanout: result,
    } as unknown as BenchResults;
    assert.equal(evaluateGoals(results).filter((goal) => goal.goal.includes('fan-out')).length, 0);
  });
});
