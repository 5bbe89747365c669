import { RedisChatBus } from '../../src/chat/bus/redis/redis-chat-bus.js';
import { healthModuleFor } from '../../src/app-bus.js';
import { CHAT_BUS, ChatModule, RedisBusModule, type ChatRuntimeOptions } from '../../src/chat/index.js';
import { RedisConnections } from '../../src/infrastructure/index.js';
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
  /** The WebSocket adapter (default: the chat's, without authorize). */
  createAdapter?: Parameters<typeof startApp>[1];
  /** Seed nodes of a Redis Cluster to run on instead of `url`. */
  clusterNodes?: ReadonlyArray<{ host: string; port: number }>;
}

/**
 * One instance of the chat service on the Redis bus, wired as the service wires it (the Redis
 * bus module, the chat module, /health with the driver's checks) but with the test's key prefix.
 * Resolves once the instance is subscribed and registered.
 */
export async function startRedisChat({
  url,
  prefix,
  node,
  presenceTtlMs,
  createAdapter,
  clusterNodes,
  ...chat
}: RedisChatInstanceOptions): Promise<RedisChatInstance> {
  const bus = RedisBusModule.forRoot({
    url,
    clusterNodes,
    connectionName: `${prefix}${node}`,
    prefix,
    node,
    presenceTtlMs,
  });
  const started = await startApp(
    [
      bus,
      ChatModule.forRootAsync({ imports: [bus], useFactory: () => ({ rateLimit: false, ...chat }) }),
      healthModuleFor(bus),
    ],
    createAdapter,
  );
  const redisBus = started.app.get<RedisChatBus>(CHAT_BUS);
  await within(redisBus.ready(), `instance ${node} to be subscribed and registered`, 5000);
  return { ...started, bus: redisBus, connections: started.app.get(RedisConnections) };
}
