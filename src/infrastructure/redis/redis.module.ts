import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { RedisConnections } from './redis-connections.js';
import type { RedisConnectionOptions } from './redis-options.js';

/**
 * Provides the instance's `RedisConnections` to the whole application. Global, so its
 * shutdown hook runs after those of the modules that use it (the chat bus deregisters its
 * presence over these connections while the application closes).
 *
 * ```ts
 * RedisModule.forRoot({ url: 'redis://127.0.0.1:6379' })
 * ```
 */
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(RedisConnections) private readonly connections: RedisConnections) {}

  static forRoot(options: RedisConnectionOptions): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [{ provide: RedisConnections, useFactory: () => new RedisConnections(options) }],
      exports: [RedisConnections],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connections.close();
  }
}
