import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BenchContext } from '../context.js';
import { describeMachine } from '../machine.js';
import { parseOptions } from '../options.js';
import { Progress } from '../progress.js';
import { runBroadcast } from './broadcast.js';
import { runChatFanout } from './chat-fanout.js';
import { runChatRoundTrip } from './chat-round-trip.js';
import { runEcho } from './echo.js';
import { runHandshake } from './handshake.js';
import { runIdle } from './idle.js';
import { PUBLISH_PATHS, runRestPublish } from './rest-publish.js';

/**
 * End to end through real child processes: targets, load workers, IPC, /proc accounting.
 * Windows are tiny: this checks the plumbing, not the numbers.
 */
async function context(args: string[]): Promise<BenchContext> {
  const options = parseOptions(['--quick', '--warmup', '0.2', '--measure', '0.4', ...args])!;
  return new BenchContext(options, await describeMachine(), new Progress(0));
}

describe('scenarios', { timeout: 120_000 }, () => {
  it('runs an echo cell on the Nest app (our adapter) and on the raw echo server', async () => {
    const ctx = await context(['--targets', 'ours,raw', '--echo-cells', '/nest-echo@4x4x64,/echo@2x2x100000']);
    const [nest, large] = await runEcho(ctx);
    for (const cell of [nest, large]) {
      for (const name of ['ours', 'raw'] as const) {
        const entry = cell.targets[name]!;
        assert.deepEqual(entry.failures, [], `${name}: ${entry.failures.join('; ')}`);
        assert.ok(entry.median.messagesPerSec > 0, `${name} echoed`);
        assert.equal(entry.median.errors, 0);
        assert.ok(entry.median.p99 >= entry.median.p50);
      }
    }
  });

  it('negotiates permessage-deflate in +deflate cells on every target but the raw echo', async () => {
    const ctx = await context([
      '--targets',
      'ours,service,platform-ws,ws,raw',
      '--echo-cells',
      '/echo@1x1x1024+deflate,/nest-echo@1x1x32+deflate',
    ]);
    const [echo, nestEcho] = await runEcho(ctx);
    for (const [cell, names] of [
      [echo, ['ours', 'service', 'platform-ws', 'ws']],
      [nestEcho, ['ours', 'platform-ws', 'ws']],
    ] as const) {
      for (const name of names) {
        const entry = cell.targets[name]!;
        assert.deepEqual(entry.failures, [], `${name}: ${entry.failures.join('; ')}`);
        assert.ok(entry.median.messagesPerSec > 0, `${name} echoed`);
        assert.equal(entry.median.errors, 0, `${name}: no error (the first reply inflates to the message)`);
      }
      assert.equal(cell.targets.raw, undefined, 'the raw echo negotiates nothing');
    }
  });

  it('runs an echo cell and handshakes on the service started as the README does, not on paths it lacks', async () => {
    const ctx = await context(['--targets', 'service', '--echo-cells', '/echo@2x2x64,/nest-echo@1x1x32']);
    const [echo, nestEcho] = await runEcho(ctx);
    const entry = echo.targets.service!;
    assert.deepEqual(entry.failures, [], entry.failures.join('; '));
    assert.ok(entry.median.messagesPerSec > 0, 'the service echoed');
    assert.equal(entry.median.errors, 0);
    assert.equal(nestEcho.targets.service, undefined, 'the service has no /nest-echo');
    const handshakes = await runHandshake(ctx);
    assert.deepEqual(handshakes.service!.failures, []);
    assert.ok(handshakes.service!.median.handshakesPerSec > 0);
  });

  it('measures the chat round trip on the service and on its modules under platform-ws', async () => {
    // A chat round trip costs milliseconds on a busy machine: a window long enough for several.
    const ctx = await context(['--targets', 'service,platform-ws', '--warmup', '0.5', '--measure', '1']);
    const results = await runChatRoundTrip(ctx);
    assert.deepEqual(
      results.map((result) => result.measure),
      ['ack', 'delivery'],
    );
    for (const result of results) {
      for (const name of ['service', 'platform-ws'] as const) {
        const entry = result.targets[name]!;
        assert.deepEqual(entry.failures, [], `${name}: ${entry.failures.join('; ')}`);
        assert.ok(entry.median.messagesPerSec > 0, `${name} completed round trips`);
        assert.equal(entry.median.errors, 0);
      }
    }
  });

  it('broadcasts through platform-ws with no loss', async () => {
    const ctx = await context(['--targets', 'platform-ws', '--broadcast-receivers', '50', '--broadcast-rate', '2000']);
    const [result] = await runBroadcast(ctx);
    const entry = result.targets['platform-ws']!;
    assert.deepEqual(entry.failures, []);
    assert.ok(entry.median.deliveriesPerSec > 0);
    assert.equal(entry.median.maxRateLoss, 0);
    assert.equal(entry.median.fixedRateLoss, 0);
    assert.ok(entry.median.fixedRatePerSec > 0 && Number.isFinite(entry.median.p99));
  });

  it("fans out at a fixed rate through the service's chat room and through ws's broadcast, with no loss", async () => {
    const ctx = await context([
      '--targets',
      'service,ws',
      '--fanout-receivers',
      '40',
      '--fanout-rate',
      '50',
      '--warmup',
      '0.5',
      '--measure',
      '1',
    ]);
    const result = await runChatFanout(ctx);
    assert.equal(result.receivers, 40);
    for (const name of ['service', 'ws'] as const) {
      const entry = result.targets[name]!;
      assert.deepEqual(entry.failures, [], `${name}: ${entry.failures.join('; ')}`);
      assert.ok(entry.median.deliveriesPerSec > 0, `${name} delivered`);
      assert.equal(entry.median.lost, 0, `${name} lost nothing`);
      assert.equal(entry.median.errors, 0);
      assert.ok(entry.median.p99 >= entry.median.p50 && Number.isFinite(entry.median.serverCpuMicrosPerDelivery));
    }
  });

  it('publishes over WebSocket, REST and REST batches on one instance, without a failed request', async () => {
    // No Redis on port 1: the in-memory bus, whatever Redis the machine has.
    const ctx = await context(['--redis-url', 'redis://127.0.0.1:1', '--warmup', '0.3', '--measure', '0.6']);
    const result = await runRestPublish(ctx);
    assert.equal(result.bus, 'memory');
    for (const path of PUBLISH_PATHS) {
      const entry = result.paths[path].ours!;
      assert.deepEqual(entry.failures, [], `${path}: ${entry.failures.join('; ')}`);
      assert.ok(entry.median.messagesPerSec > 0, `${path} delivered`);
      assert.equal(entry.median.errors, 0, `${path} had failed requests`);
      assert.ok(entry.median.p99 >= entry.median.p50);
    }
  });

  it('measures idle memory and handshakes on bare ws', async () => {
    const ctx = await context(['--targets', 'ws', '--idle-connections', '100,300']);
    const idle = await runIdle(ctx);
    for (const result of idle) {
      const entry = result.targets.ws!;
      assert.deepEqual(entry.failures, []);
      assert.ok(entry.median.rssMiB > entry.median.baselineRssMiB * 0.5, 'RSS read from /proc');
    }
    const handshakes = await runHandshake(ctx);
    assert.deepEqual(handshakes.ws!.failures, []);
    assert.ok(handshakes.ws!.median.handshakesPerSec > 0);
    assert.equal(handshakes.ws!.median.errors, 0);
  });
});
