import { createPostgresBackend, setDefaultBackendFactory } from 'bullmq';
import type { QueueBackend } from '../../config/app-config.service.js';

export const QUEUE_SCHEMA = 'bullmq';

interface QueueConnectionSettings {
  backend: QueueBackend;
  databaseUrl: string;
  redisUrl?: string;
}

/**
 * Chooses BullMQ's datastore. PostgreSQL (the default) keeps jobs in the `bullmq` schema of
 * our own database, so the embedded setup needs nothing else; Redis when configured.
 * BullMQ selects its backend process-wide, so this must run before any Queue is built.
 */
export function queueConnection(settings: QueueConnectionSettings): Record<string, unknown> {
  if (settings.backend === 'postgres') {
    setDefaultBackendFactory(createPostgresBackend);
    // Every Queue and Worker opens its own pool (and a worker one LISTEN connection besides):
    // 16 of them at 5 each let one instance hold about 90 connections under load, two
    // instances more than PostgreSQL's default max_connections of 100. One query connection
    // each is enough: a worker's LISTEN is separate, and jobs do their work on our own pool.
    return { connectionString: settings.databaseUrl, schema: QUEUE_SCHEMA, migrate: true, max: 1 };
  }
  if (!settings.redisUrl) {
    throw new Error('QUEUE_BACKEND=redis needs REDIS_URL');
  }
  setDefaultBackendFactory(undefined);
  return redisOptionsFromUrl(settings.redisUrl);
}

export function redisOptionsFromUrl(url: string): Record<string, unknown> {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number.parseInt(parsed.pathname.slice(1), 10) : 0;
  return {
    host: parsed.hostname,
    port: parsed.port ? Number.parseInt(parsed.port, 10) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}
