import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { ChatModule } from './chat/chat.module.js';
import { chatConfig, serverConfig, websocketConfig } from './config/configuration.js';
import { loadEnvironment } from './config/environment.js';
import { EchoModule } from './echo/echo.module.js';
import { HealthModule } from './health/health.module.js';

/**
 * The service: chat on `/chat` and `/`, `/echo` unless disabled, all configured from the
 * environment (validated once, see config/environment.ts).
 */
@Module({})
export class AppModule {
  static forEnvironment(env: Record<string, string | undefined> = process.env): DynamicModule {
    const { ECHO_ENABLED } = loadEnvironment(env);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [serverConfig, websocketConfig, chatConfig],
          validate: (raw) => {
            loadEnvironment(raw);
            return raw;
          },
        }),
        ChatModule.forRootAsync({
          inject: [chatConfig.KEY],
          useFactory: (chat: ConfigType<typeof chatConfig>) => ({
            historySize: chat.historySize,
          }),
        }),
        HealthModule,
        ...(ECHO_ENABLED ? [EchoModule] : []),
      ],
    };
  }
}
