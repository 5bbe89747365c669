import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuSeconds } from './proc.js';
import { infoCommandStat, redisBinariesProblem, RedisServers } from './redis-servers.js';

const STATS =
  '# Commandstats\r\ncmdstat_evalsha:calls=120,usec=900,usec_per_call=7.50\r\n' +
  'cmdstat_eval:calls=3,usec=60,usec_per_call=20.00\r\ncmdstat_spublish:calls=123,usec=40\r\n';

describe('redis INFO readings', () => {
  it('reads the calls of one command and the µs they took, 0 when never called', () => {
    assert.deepEqual(infoCommandStat(STATS, 'evalsha'), { calls: 120, usec: 900 });
    assert.deepEqual(infoCommandStat(STATS, 'eval'), { calls: 3, usec: 60 });
    assert.deepEqual(infoCommandStat(STATS, 'publish'), { calls: 0, usec: 0 });
  });
});

describe("the bench's own Redis servers", { skip: redisBinariesProblem() }, () => {
  it('starts a 3-primary cluster whose primaries share the rooms, and kills every process', async () => {
    const servers = await RedisServers.cluster(3, undefined);
    const pids = servers.pids;
    try {
      assert.equal(pids.length, 3);
      assert.match(servers.nodeList, /^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
      const rooms = Array.from({ length: 32 }, (_, i) => `bench-${i}`);
      const perServer = await servers.roomsPerServer(rooms);
      assert.equal(perServer.length, 3);
      assert.equal(
        perServer.reduce((a, b) => a + b, 0),
        32,
      );
      assert.ok(
        perServer.every((count) => count > 0),
        `rooms per primary: ${perServer.join('/')}`,
      );
    } finally {
      await servers.stop();
    }
    for (const pid of pids) assert.equal(cpuSeconds(pid), undefined, `redis-server ${pid} still runs`);
  });
});
