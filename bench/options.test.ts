import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions } from './options.js';

describe('parseOptions', () => {
  it('runs everything, three times, into docs/bench by default', () => {
    const options = parseOptions([])!;
    assert.deepEqual(options.scenarios, [
      'echo',
      'chat-round-trip',
      'broadcast',
      'chat-fanout',
      'idle',
      'handshake',
      'micro',
      'redis-broadcast',
      'rejoin-storm',
      'redis-publish',
      'redis-cluster',
      'rest-publish',
    ]);
    assert.equal(options.clusterRooms, 32);
    assert.equal(options.redisReceivers, 1000);
    assert.equal(options.redisRate, 200);
    assert.deepEqual(options.targets, ['ours', 'service', 'platform-ws', 'ws', 'raw']);
    assert.equal(options.repeats, 3);
    assert.equal(options.outDir, 'docs/bench');
    assert.deepEqual(options.idleConnections, [10_000, 19_000]);
    assert.deepEqual(options.broadcastReceivers, [1000, 10_000]);
  });

  it('covers the echo grid of the issues: 1x1 at 32 B and 1 KiB, 64x16 at 32 B and 1 KiB, 16x16 at 64 KiB, on both paths', () => {
    const cells = parseOptions([])!.echoCells.map((c) => `${c.path} ${c.connections}x${c.inFlight} ${c.size}`);
    for (const path of ['/nest-echo', '/echo']) {
      for (const shape of ['1x1 32', '1x1 1024', '64x16 32', '64x16 1024', '16x16 65536'])
        assert.ok(cells.includes(`${path} ${shape}`), `${path} ${shape}`);
    }
  });

  it('spreads redis-cluster over --cluster-rooms rooms', () => {
    assert.equal(parseOptions(['--cluster-rooms', '6'])!.clusterRooms, 6);
    assert.throws(() => parseOptions(['--cluster-rooms', '0']), /--cluster-rooms takes positive integers/);
  });

  it('makes --quick short, single-run and written outside docs', () => {
    const options = parseOptions(['--quick'])!;
    assert.equal(options.repeats, 1);
    assert.ok(options.warmupMs + options.measureMs <= 3000);
    assert.equal(options.outDir, 'bench/.results');
  });

  it('takes lists and numbers, and refuses what it does not know', () => {
    const options = parseOptions([
      '--scenarios',
      'echo,idle',
      '--targets',
      'ours,ws',
      '--repeat',
      '5',
      '--idle-connections',
      '100,200',
    ])!;
    assert.deepEqual(options.scenarios, ['echo', 'idle']);
    assert.deepEqual(options.targets, ['ours', 'ws']);
    assert.equal(options.repeats, 5);
    assert.deepEqual(options.idleConnections, [100, 200]);
    assert.throws(() => parseOptions(['--scenarios', 'echo,nope']), /unknown "nope"/);
    assert.throws(() => parseOptions(['--repeat', '0']), /positive integers/);
    assert.throws(() => parseOptions(['--frobnicate', '1']), /unknown option --frobnicate/);
    assert.equal(parseOptions(['--help']), undefined);
  });

  it('takes echo cells as PATH@CONNECTIONSxINFLIGHTxSIZE', () => {
    assert.deepEqual(parseOptions(['--echo-cells', '/echo@64x16x32,/nest-echo@1x1x100'])!.echoCells, [
      { path: '/echo', connections: 64, inFlight: 16, size: 32 },
      { path: '/nest-echo', connections: 1, inFlight: 1, size: 100 },
    ]);
    assert.throws(() => parseOptions(['--echo-cells', '/chat@1x1x1']), /not PATH@/);
  });

  it('takes +deflate on an echo cell: permessage-deflate negotiated', () => {
    assert.deepEqual(parseOptions(['--echo-cells', '/echo@1x1x32+deflate,/nest-echo@1x1x1024'])!.echoCells, [
      { path: '/echo', connections: 1, inFlight: 1, size: 32, deflate: true },
      { path: '/nest-echo', connections: 1, inFlight: 1, size: 1024 },
    ]);
    assert.throws(() => parseOptions(['--echo-cells', '/echo@1x1x32+gzip']), /not PATH@/);
    assert.throws(() => parseOptions(['--echo-cells', '/echo@1x1x32deflate']), /not PATH@/);
    assert.throws(() => parseOptions(['--echo-cells', '/echo+deflate@1x1x32']), /not PATH@/);
  });

  it('runs the 1x1 cells with permessage-deflate by default, on both paths, and no other with it', () => {
    const cells = parseOptions([])!.echoCells.filter((c) => c.deflate === true);
    assert.deepEqual(
      cells.map((c) => `${c.path} ${c.connections}x${c.inFlight} ${c.size}`),
      ['/nest-echo 1x1 32', '/nest-echo 1x1 1024', '/echo 1x1 32', '/echo 1x1 1024'],
    );
  });
});
