export { RedisConnections } from './redis/redis-connections.js';
export { RedisHealthCheck } from './redis/redis-health.js';
export { RedisModule } from './redis/redis.module.js';
export {
  reconnectDelay,
  resolveRedisConnectionOptions,
  type RedisConnectionOptions,
  type ResolvedRedisConnectionOptions,
} from './redis/redis-options.js';
export { RedisSubscription, type SubscriptionListener } from './redis/redis-subscription.js';
