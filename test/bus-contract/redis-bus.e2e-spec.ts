import { redisBusDriver } from '../../src/chat/bus/drivers/redis-bus.module.js';
import type { RedisChatBus } from '../../src/chat/bus/redis/redis-chat-bus.js';
import { RedisConnections } from '../../src/infrastructure/index.js';
import { deleteKeys, describeWithRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis-availability.js';
import { within } from '../helpers/waiting.js';
import { describeChatBusContract } from './chat-bus.contract.js';

describeWithRedis('the Redis bus on a real Redis', () => {
  describeChatBusContract('the Redis bus, two instances over one Redis', {
    instances: 2,
    // A stream keeps no record of the entries it trimmed: only the oldest one it still holds.
    truncation: 'conservative',
    presence: true,
    openStore: async () => {
      // A key prefix of its own for every test: a fresh, empty store.
      const prefix = uniquePrefix('contract');
      const opened: Array<{ bus: RedisChatBus; connections: RedisConnections }> = [];
      return {
        open: async (options, rooms) => {
          const node = `n${opened.length + 1}`;
          const connections = new RedisConnections({ url: TEST_REDIS_URL, connectionName: `${prefix}${node}` });
          const bus = redisBusDriver(connections, { prefix, node }).createBus(options, rooms) as RedisChatBus;
          opened.push({ bus, connections });
          await within(bus.ready(), `bus ${node} to be subscribed`, 5000);
          return bus;
        },
        close: async () => {
          for (const { bus } of opened) await bus.close();
          for (const { connections } of opened) await connections.close();
          await deleteKeys(TEST_REDIS_URL, prefix);
        },
      };
    },
  });
});
