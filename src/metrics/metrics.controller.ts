import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Registry } from 'prom-client';
import { exposition, METRICS_REGISTRY } from './metrics-registry.js';

/** `GET /metrics`: Prometheus text format; the series are listed in the README ("Operating it"). */
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res({ passthrough: true }) response: unknown): Promise<string> {
    const { contentType, body } = await exposition(this.registry);
    this.adapterHost.httpAdapter.setHeader(response, 'Content-Type', contentType);
    return body;
  }
}
