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
    return { connectionString: settings.databaseUrl, schema: QUEUE_SCHEMA, migrate: true, max: 5 };
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
