import { Module, type DynamicModule, type FactoryProvider, type ModuleMetadata } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HEALTH_INDICATORS, type DependencyCheck } from './dependency-check.js';
import { HealthController } from './health.controller.js';

export interface HealthModuleOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Providers handed to `useFactory`, e.g. `[RedisConnections]`. */
  inject?: FactoryProvider['inject'];
  /** The dependencies /health reports on; the service is down while any of them is. */
  useFactory: (...args: any[]) => DependencyCheck[];
}

/**
 * `GET /health`. Imported as is, it reports the process only; `forRoot` adds the dependencies
 * the instance cannot work without:
 *
 * ```ts
 * HealthModule.forRoot({ inject: [RedisConnections], useFactory: (redis) => [new RedisHealthCheck(redis)] })
 * ```
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
})
export class HealthModule {
  static forRoot(options?: HealthModuleOptions): DynamicModule {
    if (options === undefined) return { module: HealthModule };
    return {
      module: HealthModule,
      imports: options.imports ?? [],
      providers: [{ provide: HEALTH_INDICATORS, inject: options.inject ?? [], useFactory: options.useFactory }],
    };
  }
}
