import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { HEALTH_INDICATORS, type DependencyCheck } from './dependency-check.js';

/**
 * `GET /health`: liveness plus one entry per required dependency. Terminus answers 503 with
 * the failing dependency's reason when any check is down.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Optional() @Inject(HEALTH_INDICATORS) private readonly dependencies: DependencyCheck[] = [],
  ) {}

  @Get()
  @HealthCheck()
  check() {
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
