import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/index.js';
import { busModuleFor, healthModuleFor } from './app-bus.js';
import { type ChatFeatures, type ChatRuntimeOptions, resolveChatOptions } from './chat/chat-options.js';
import { ChatModule } from './chat/chat.module.js';
import { CHAT_CONFIG, type ChatConfig, chatConfigOf, configurationOf } from './config/configuration.js';
import { tokenVerifierOptionsOf } from './config/access-environment.js';
import { type Environment, environmentOf, type EnvironmentSource } from './config/environment.js';
import { EchoModule } from './echo/echo.module.js';
import { MetricsModule } from './metrics/index.js';

/** The chat module's options that come from the environment, whatever the bus. */
function chatLimitsOf(chat: ChatConfig): ChatRuntimeOptions {
  return {
    historySize: chat.historySize,
    maxRoomsPerConnection: chat.maxRoomsPerConnection,
    rateLimit: chat.rateLimit,
    restRateLimit: chat.restRateLimit,
    presenceBatch: chat.presenceBatch,
    maxRooms: chat.maxRooms,
    roomMinIdleMs: chat.roomMinIdleMs,
    roomTtlMs: chat.roomTtlMs,
    idempotency: chat.idempotency,
    roomCreatePerMinute: chat.roomCreatePerMinute,
    maxFrameBytes: chat.maxFrameBytes,
    textEscapeHtml: chat.textEscapeHtml,
    instance: chat.instance,
  };
}

/** Where the chat is served (structural: fixed when the module is defined). */
function chatPathsOf(environment: Environment): ChatFeatures {
  return { paths: chatConfigOf(environment).paths };
}

/**
 * The service: chat on `/chat`, `/` and `/tornado`, `/echo` unless disabled, all configured from the
 * Environment it is given (or an environment map, validated here: config/environment.ts). With `BUS=redis`
 * the chat runs on Redis (fan-out across instances, durable history, shared presence) and
 * /health reports Redis. `GET /metrics` serves Prometheus metrics.
 */
@Module({})
export class AppModule {
  static forEnvironment(env: EnvironmentSource = process.env): DynamicModule {
    const environment = environmentOf(env);
    const bus = busModuleFor(environment);
    // Token names follow the chat's name rules, at the chat's longest name.
    const auth = tokenVerifierOptionsOf(environment, resolveChatOptions().maxNameLength);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          ignoreEnvVars: true,
          load: configurationOf(environment),
        }),
        bus,
        ChatModule.forRootAsync({
          imports: [bus],
          inject: [CHAT_CONFIG],
          useFactory: chatLimitsOf,
          ...chatPathsOf(environment),
        }),
        healthModuleFor(bus),
        ...(auth ? [AuthModule.forRoot(auth, { prefixes: [environment.CHAT_REST_PREFIX] })] : []),
        MetricsModule,
        ...(environment.ECHO_ENABLED ? [EchoModule.forRoot({ paths: environment.ECHO_PATHS })] : []),
      ],
    };
  }
}
