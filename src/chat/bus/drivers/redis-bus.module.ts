import { Module, type DynamicModule } from '@nestjs/common';
import { RedisConnections } from '../../../infrastructure/redis/redis-connections.js';
import { RedisHealthCheck } from '../../../infrastructure/redis/redis-health.js';
import type { RedisConnectionOptions } from '../../../infrastructure/redis/redis-options.js';
import { RedisModule } from '../../../infrastructure/redis/redis.module.js';
import { redisChatBus, type RedisChatBusOptions } from '../redis/redis-chat-bus.js';
import { CHAT_BUS_DRIVER, type ChatBusDriver } from './chat-bus-driver.js';

/** The connection (`url`, timeouts) and what the bus takes beyond the chat module's sizes. */
export interface RedisBusModuleOptions
  extends RedisConnectionOptions, Pick<RedisChatBusOptions, 'prefix' | 'node' | 'presenceTtlMs' | 'drainTimeoutMs'> {}

/** The Redis bus on the instance's connections, and Redis as a dependency of /health. */
export function redisBusDriver(
  connections: RedisConnections,
  options: Pick<RedisChatBusOptions, 'prefix' | 'node' | 'presenceTtlMs' | 'drainTimeoutMs'> = {},
): ChatBusDriver {
  const busFor = redisChatBus(connections, options);
  return {
    name: 'redis',
    createBus: (chat) => busFor(chat),
    healthChecks: [new RedisHealthCheck(connections)],
  };
}

/**
 * The Redis bus driver (`BUS=redis`): the instance's two Redis connections (RedisModule, which
 * closes them after the chat module has closed its bus), the bus on them (RedisChatBus: fan-out
 * across instances, history in streams, shared presence) and the Redis health check.
 *
 * ```ts
 * const bus = RedisBusModule.forRoot({ url: 'redis://127.0.0.1:6379', prefix: 'chat:' });
 * ChatModule.forRootAsync({ imports: [bus], useFactory: () => ({ historySize: 200 }) })
 * HealthModule.forRoot({ imports: [bus], inject: [CHAT_BUS_DRIVER], useFactory: (driver) => [...driver.healthChecks] })
 * ```
 *
 * Global (as RedisModule is): a ChatModule anywhere in the application finds the driver.
 */
@Module({})
export class RedisBusModule {
  static forRoot(options: RedisBusModuleOptions): DynamicModule {
    const { prefix, node, presenceTtlMs, drainTimeoutMs, ...connection } = options;
    return {
      module: RedisBusModule,
      global: true,
      imports: [RedisModule.forRoot(connection)],
      providers: [
        {
          provide: CHAT_BUS_DRIVER,
          inject: [RedisConnections],
          useFactory: (connections: RedisConnections) =>
            redisBusDriver(connections, { prefix, node, presenceTtlMs, drainTimeoutMs }),
        },
      ],
      exports: [CHAT_BUS_DRIVER],
    };
  }
}
