import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandCalls, keepInFlight, microsPerMessage, redisCpuSeconds } from './publish-cost.js';

const INFO_CPU = [
  '# CPU',
  'used_cpu_sys:1.250000',
  'used_cpu_user:2.500000',
  'used_cpu_sys_children:0.000000',
  'used_cpu_user_children:0.000000',
  'used_cpu_sys_main_thread:1.200000',
  'used_cpu_user_main_thread:2.400000',
  '',
].join('\r\n');

describe('publish cost readings', () => {
  it('adds user and system CPU of INFO cpu, not the children or main-thread lines', () => {
    assert.equal(redisCpuSeconds(INFO_CPU), 3.75);
    assert.throws(() => redisCpuSeconds('# CPU\r\nused_cpu_sys:1\r\n'), /used_cpu_user/);
  });

  it('reads calls per command from INFO commandstats', () => {
    const info = [
      '# Commandstats',
      'cmdstat_evalsha:calls=312,usec=9000,usec_per_call=28.85,rejected_calls=0,failed_calls=0',
      'cmdstat_publish:calls=20000,usec=12000,usec_per_call=0.60,rejected_calls=0,failed_calls=0',
      'cmdstat_client|setname:calls=1,usec=2,usec_per_call=2.00,rejected_calls=0,failed_calls=0',
      '',
    ].join('\r\n');
    const calls = commandCalls(info);
    assert.equal(calls.get('evalsha'), 312);
    assert.equal(calls.get('publish'), 20_000);
    assert.equal(calls.get('client|setname'), 1);
  });

  it('gives microseconds per message, NaN for none', () => {
    assert.equal(microsPerMessage(1, 1.5, 100_000), 5);
    assert.ok(Number.isNaN(microsPerMessage(1, 2, 0)));
  });

  it('sends every index once with at most inFlight unanswered', async () => {
    const seen: number[] = [];
    let open = 0;
    let most = 0;
    await keepInFlight(50, 4, async (i) => {
      seen.push(i);
      most = Math.max(most, ++open);
      await new Promise((resolve) => setImmediate(resolve));
      open--;
    });
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.equal(most, 4);
  });
});
