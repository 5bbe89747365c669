import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisClusterSection } from './cluster-table.js';
import { type ClusterBroadcastRun, recordRun, type RedisClusterResult, type StoreCapacityRun } from './results.js';

function result(): RedisClusterResult {
  return {
    primaries: 3,
    rooms: 32,
    roomsPerShard: [10, 11, 11],
    receivers: 1000,
    ratePerSec: 200,
    capacityConnections: 4,
    capacityInFlight: 32,
    endToEndCluster: {},
    endToEndSingle: {},
    capacityCluster: {},
    capacitySingle: {},
  };
}

function e2e(redisMicrosPerMessage: number): ClusterBroadcastRun {
  return {
    deliveriesPerSec: 6250,
    publishedPerSec: 200,
    p50: 1500,
    p99: 12_000,
    lost: 0,
    duplicates: 0,
    instanceACpu: 20,
    instanceBCpu: 18,
    redisCpu: 6,
    busiestRedisCpu: 2.5,
    redisMicrosPerMessage,
    loadCpu: 10,
    errors: 0,
  };
}

function capacity(busiestMicrosPerMessage: number): StoreCapacityRun {
  return {
    messagesPerSec: 20_000,
    redisCpu: 90,
    busiestRedisCpu: 40,
    redisMicrosPerMessage: 45,
    busiestMicrosPerMessage,
    scriptMicrosPerMessage: 6.5,
    clientCpu: 100,
    errors: 0,
  };
}

describe('redis cluster section', () => {
  it('shows end to end and capacity rows for the cluster and one Redis, with msg/s per core', () => {
    const data = result();
    recordRun(data.endToEndCluster, 'ours', e2e(300));
    recordRun(data.endToEndSingle, 'ours', e2e(250));
    recordRun(data.capacityCluster, 'ours', capacity(10));
    recordRun(data.capacitySingle, 'ours', capacity(8));
    const text = redisClusterSection(data, 2);
    assert.match(text, /machine of 2 cores/);
    assert.match(text, /32 rooms \(10 \/ 11 \/ 11 per primary\)/);
    assert.match(
      text,
      /\| cluster \| 200 \| 6,250 \| 1500 µs \| 12\.0 ms \| 0 \| 0 \| 20% \| 18% \| 6\.0% \| 2\.5% \| 300\.0 \| 0 \|/,
    );
    assert.match(text, /\| one Redis \| 200 \| 6,250 .* \| 250\.0 \| 0 \|/);
    assert.match(text, /\| cluster \| 20,000 \| 90% \| 40% \| 45\.0 \| 10\.0 \| 100,000 \| 6\.5 \| 100% \| 0 \|/);
    assert.match(text, /\| one Redis \| 20,000 .* \| 8\.0 \| 125,000 \|/);
  });

  it('flags publishers that fell behind the requested rate', () => {
    const data = result();
    recordRun(data.endToEndCluster, 'ours', { ...e2e(300), publishedPerSec: 150 });
    assert.match(redisClusterSection(data, 2), /\| cluster \| 150 \(behind\) \|/);
  });

  it('says why a measurement has no run, and why the scenario was skipped', () => {
    const data = result();
    recordRun(data.endToEndCluster, 'ours', 'starting Redis: redis-cli | exited\nwith 1');
    assert.match(
      redisClusterSection(data, 2),
      /\| cluster \| no successful run: starting Redis: redis-cli \/ exited with 1 \|/,
    );
    assert.match(redisClusterSection(data, 2), /\| one Redis \| no successful run: not run \|/);
    data.skipped = '/usr/bin/redis-cli not found';
    assert.match(redisClusterSection(data, 2), /Skipped: \/usr\/bin\/redis-cli not found\./);
  });
});
