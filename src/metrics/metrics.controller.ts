import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { exposition, METRICS_REGISTRY } from './metrics-registry.js';

/** `GET /metrics`: Prometheus text format; the series are listed in the README ("Operating it"). */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(
    @Res({ passthrough: true }) response: { setHeader(name: string, value: string): unknown },
  ): Promise<string> {
    const { contentType, body } = await exposition(this.registry);
    response.setHeader('Content-Type', contentType);
    return body;
  }
}
