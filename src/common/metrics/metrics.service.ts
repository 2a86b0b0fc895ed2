import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

/**
 * The app's Prometheus registry. Each app instance owns one (tests run several in a process);
 * modules add their counters with `counter()` / `histogram()`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  private readonly httpSeries = new Map<
    string,
    ReturnType<MetricsService['httpRequestDuration']['labels']>
  >();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.httpRequestDuration = this.histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
  }

  counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    const existing = this.registry.getSingleMetric(config.name);
    if (existing) {
      return existing as Counter<L>;
    }
    return new Counter({ ...config, registers: [this.registry] });
  }

  histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    const existing = this.registry.getSingleMetric(config.name);
    if (existing) {
      return existing as Histogram<L>;
    }
    return new Histogram({ ...config, registers: [this.registry] });
  }

  gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    const existing = this.registry.getSingleMetric(config.name);
    if (existing) {
      return existing as Gauge<L>;
    }
    return new Gauge({ ...config, registers: [this.registry] });
  }

  observeHttpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    // Label sets are few (route templates, not URLs): keep each labelled child rather than
    // hashing the labels on every request.
    const key = `${method} ${route} ${statusCode}`;
    let child = this.httpSeries.get(key);
    if (!child) {
      child = this.httpRequestDuration.labels(method, route, String(statusCode));
      this.httpSeries.set(key, child);
    }
    child.observe(seconds);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
