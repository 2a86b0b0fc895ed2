import { Controller, Get, Header, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator.js';
import { SkipAllThrottles } from '../throttling/skip-all-throttles.decorator.js';
import { MetricsService } from './metrics.service.js';

@ApiExcludeController()
// Scraped by Prometheus from inside the network; keep /metrics off the public ingress.
@Access.public()
@SkipAllThrottles()
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  render(): Promise<string> {
    return this.metrics.render();
  }
}
