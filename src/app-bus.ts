import type { DynamicModule } from '@nestjs/common';
import { CHAT_BUS_DRIVER, type ChatBusDriver } from './chat/bus/drivers/chat-bus-driver.js';
import { InMemoryBusModule } from './chat/bus/drivers/in-memory-bus.module.js';
import { RedisBusModule } from './chat/bus/drivers/redis-bus.module.js';
import type { Environment } from './config/environment.js';
import { HealthModule } from './health/health.module.js';
import { parseClusterNodes } from './infrastructure/redis/redis-options.js';

/** The bus module of each `BUS` value: the one place the service picks its bus driver. */
const BUS_MODULES: Record<Environment['BUS'], (environment: Environment) => DynamicModule> = {
  memory: () => InMemoryBusModule.forRoot(),
  redis: (environment) =>
    RedisBusModule.forRoot({
      url: environment.REDIS_URL,
      prefix: environment.REDIS_PREFIX,
      clusterNodes: parseClusterNodes(environment.REDIS_CLUSTER_NODES),
    }),
};

/** The bus driver's module selected by `BUS` (its connections, bus and health checks). */
export function busModuleFor(environment: Environment): DynamicModule {
  return BUS_MODULES[environment.BUS](environment);
}

/** /health reporting the dependencies of the bus driver `busModule` provides. */
export function healthModuleFor(busModule: DynamicModule): DynamicModule {
  return HealthModule.forRoot({
    imports: [busModule],
    inject: [CHAT_BUS_DRIVER],
    useFactory: (driver: ChatBusDriver) => [...driver.healthChecks],
  });
}
