import {
  Controller,
  Get,
  Inject,
  Optional,
  ServiceUnavailableException,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { HEALTH_INDICATORS, type DependencyCheck } from './dependency-check.js';

const SHUTTING_DOWN = { status: 'down', reason: 'the instance is shutting down' } as const;

/**
 * `GET /health`: liveness plus one entry per required dependency. Terminus answers 503 with
 * the failing dependency's reason when any check is down. From the start of the shutdown
 * (before the WebSocket clients are closed and the HTTP server stops) it answers 503
 * `{status: 'shutting_down'}`, so load balancers stop sending new clients while it drains.
 */
@Controller('health')
export class HealthController implements BeforeApplicationShutdown {
  private shuttingDown = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Optional() @Inject(HEALTH_INDICATORS) private readonly dependencies: DependencyCheck[] = [],
  ) {}

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  @Get()
  @HealthCheck()
  check() {
    if (this.shuttingDown) {
      throw new ServiceUnavailableException({
        status: 'shutting_down',
        info: {},
        error: { process: SHUTTING_DOWN },
        details: { process: SHUTTING_DOWN },
      });
    }
    return this.health.check([
      () => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) }),
      ...this.dependencies.map((dependency) => async () => {
        const indicator = this.indicators.check(dependency.name);
        const problem = await dependency.check().catch((error: unknown) => `check failed: ${String(error)}`);
        return problem === undefined ? indicator.up() : indicator.down({ reason: problem });
      }),
    ]);
  }
}
