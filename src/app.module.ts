import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/index.js';
import { redisChatBus } from './chat/bus/redis/redis-chat-bus.js';
import type { ChatRuntimeOptions } from './chat/chat-options.js';
import { ChatModule } from './chat/chat.module.js';
import { CHAT_CONFIG, type ChatConfig, configurationOf } from './config/configuration.js';
import { loadEnvironment } from './config/environment.js';
import { EchoModule } from './echo/echo.module.js';
import { HealthModule } from './health/health.module.js';
import { RedisConnections, RedisHealthCheck, RedisModule } from './infrastructure/index.js';
import { MetricsModule } from './metrics/index.js';

/** The chat module's options that come from the environment, whatever the bus. */
function chatLimitsOf(chat: ChatConfig): ChatRuntimeOptions {
  return { historySize: chat.historySize, maxRoomsPerConnection: chat.maxRoomsPerConnection, rateLimit: chat.rateLimit, maxFrameBytes: chat.maxFrameBytes };
}

/**
 * The service: chat on `/chat` and `/`, `/echo` unless disabled, all configured from the
 * environment map it is given (validated once, see config/environment.ts). With `BUS=redis`
 * the chat runs on Redis (fan-out across instances, durable history, shared presence) and
 * /health reports Redis. `GET /metrics` serves Prometheus metrics.
 */
@Module({})
export class AppModule {
  static forEnvironment(env: Record<string, string | undefined> = process.env): DynamicModule {
    const environment = loadEnvironment(env);
    const redis = environment.BUS === 'redis';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          ignoreEnvVars: true,
          load: configurationOf(environment),
        }),
        ...(redis ? [RedisModule.forRoot({ url: environment.REDIS_URL })] : []),
        redis
          ? ChatModule.forRootAsync({
              inject: [CHAT_CONFIG, RedisConnections],
              useFactory: (chat: ChatConfig, connections: RedisConnections) => ({
                ...chatLimitsOf(chat),
                bus: redisChatBus(connections, { prefix: chat.redisPrefix }),
              }),
            })
          : ChatModule.forRootAsync({
              inject: [CHAT_CONFIG],
              useFactory: chatLimitsOf,
            }),
        redis
          ? HealthModule.forRoot({
              inject: [RedisConnections],
              useFactory: (connections: RedisConnections) => [new RedisHealthCheck(connections)],
            })
          : HealthModule,
        ...(environment.AUTH_JWT_SECRET ? [AuthModule.forSecret(environment.AUTH_JWT_SECRET)] : []),
        MetricsModule,
        ...(environment.ECHO_ENABLED ? [EchoModule] : []),
      ],
    };
  }
}
