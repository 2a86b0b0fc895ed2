import pino, { type Logger } from 'pino';
import type { EnvVars } from '../../config/env.schema.js';
import { redactLogLine } from './log-redaction.js';
import { currentRequestId } from './request-context.js';

/**
 * The one pino instance: Nest's logger (nestjs-pino) and the request log write through it.
 * Every line written while a request is served carries its request_id (from the request
 * context, so no child logger is built per request).
 */
export function createRootLogger(env: Pick<EnvVars, 'LOG_LEVEL'>): Logger {
  return pino({
    level: env.LOG_LEVEL,
    formatters: { log: redactLogLine },
    serializers: { err: pino.stdSerializers.err },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId === undefined ? {} : { request_id: requestId };
    },
  });
}
