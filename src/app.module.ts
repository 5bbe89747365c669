import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/index.js';
import { ChatModule } from './chat/chat.module.js';
import { CHAT_CONFIG, type ChatConfig, configurationOf } from './config/configuration.js';
import { loadEnvironment } from './config/environment.js';
import { EchoModule } from './echo/echo.module.js';
import { HealthModule } from './health/health.module.js';

/**
 * The service: chat on `/chat` and `/`, `/echo` unless disabled, all configured from the
 * environment map it is given (validated once, see config/environment.ts).
 */
@Module({})
export class AppModule {
  static forEnvironment(env: Record<string, string | undefined> = process.env): DynamicModule {
    const environment = loadEnvironment(env);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          ignoreEnvVars: true,
          load: configurationOf(environment),
        }),
        ChatModule.forRootAsync({
          inject: [CHAT_CONFIG],
          useFactory: (chat: ChatConfig) => ({ historySize: chat.historySize }),
        }),
        HealthModule,
        ...(environment.AUTH_JWT_SECRET ? [AuthModule.forSecret(environment.AUTH_JWT_SECRET)] : []),
        ...(environment.ECHO_ENABLED ? [EchoModule] : []),
      ],
    };
  }
}
