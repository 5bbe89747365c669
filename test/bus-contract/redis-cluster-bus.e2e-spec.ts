import { redisBusDriver } from '../../src/chat/bus/drivers/redis-bus.module.js';
import type { RedisChatBus } from '../../src/chat/bus/redis/redis-chat-bus.js';
import { RedisConnections } from '../../src/infrastructure/index.js';
import { uniquePrefix } from '../helpers/redis-availability.js';
import { RedisClusterProcesses } from '../helpers/redis-cluster.js';
import { describeWithRedisServer } from '../helpers/redis-server.js';
import { within } from '../helpers/waiting.js';
import { describeChatBusContract } from './chat-bus.contract.js';

describeWithRedisServer('the Redis bus on a Redis Cluster of three primaries', () => {
  let cluster: RedisClusterProcesses;

  beforeAll(async () => {
    cluster = await RedisClusterProcesses.start(3, 0);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  describeChatBusContract('the Redis bus on a Redis Cluster, two instances', {
    instances: 2,
    truncation: 'conservative',
    presence: true,
    follow: (bus, room) => (bus as RedisChatBus).followRoom(room),
    openStore: async () => {
      const prefix = uniquePrefix('cluster-contract');
      const opened: Array<{ bus: RedisChatBus; connections: RedisConnections }> = [];
      return {
        open: async (options, rooms) => {
          const node = `n${opened.length + 1}`;
          const connections = new RedisConnections({
            url: 'redis://127.0.0.1:6379',
            clusterNodes: cluster.seeds,
            connectionName: `${prefix}${node}`,
          });
          const bus = redisBusDriver(connections, { prefix, node }).createBus(options, rooms) as RedisChatBus;
          opened.push({ bus, connections });
          await within(bus.ready(), `bus ${node} to be ready on the cluster`, 10_000);
          return bus;
        },
        close: async () => {
          for (const { bus } of opened) await bus.close();
          for (const { connections } of opened) await connections.close();
          await cluster.deleteKeys(prefix);
        },
      };
    },
  });
});
