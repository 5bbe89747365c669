import { RedisChatBus } from '../../src/chat/bus/redis/redis-chat-bus.js';
import { CHAT_BUS, ChatModule, redisChatBus, type ChatRuntimeOptions } from '../../src/chat/index.js';
import { HealthModule } from '../../src/health/health.module.js';
import { RedisConnections, RedisHealthCheck, RedisModule } from '../../src/infrastructure/index.js';
import { startApp, type ChatApp } from './chat-app.js';
import { within } from './chat-clients.js';

export interface RedisChatInstance extends ChatApp {
  bus: RedisChatBus;
  connections: RedisConnections;
}

export interface RedisChatInstanceOptions extends Omit<ChatRuntimeOptions, 'bus'> {
  url: string;
  /** The test run's own key prefix. */
  prefix: string;
  /** The instance's id on the bus (readable in failures). */
  node: string;
  presenceTtlMs?: number;
}

/**
 * One instance of the chat service on the Redis bus, wired as the service wires it (Redis
 * connections, chat module, /health with the Redis check) but with the test's key prefix.
 * Resolves once the instance is subscribed and registered.
 */
export async function startRedisChat({ url, prefix, node, presenceTtlMs, ...chat }: RedisChatInstanceOptions): Promise<RedisChatInstance> {
  const started = await startApp([
    RedisModule.forRoot({ url, connectionName: `${prefix}${node}` }),
    ChatModule.forRootAsync({
      inject: [RedisConnections],
      useFactory: (connections: RedisConnections) => ({
        rateLimit: false,
        ...chat,
        bus: redisChatBus(connections, { prefix, node, presenceTtlMs }),
      }),
    }),
    HealthModule.forRoot({
      inject: [RedisConnections],
      useFactory: (connections: RedisConnections) => [new RedisHealthCheck(connections)],
    }),
  ]);
  const bus = started.app.get<RedisChatBus>(CHAT_BUS);
  await within(bus.ready(), `instance ${node} to be subscribed and registered`, 5000);
  return { ...started, bus, connections: started.app.get(RedisConnections) };
}
