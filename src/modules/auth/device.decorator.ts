import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { DeviceInfo } from './sessions.service.js';

/** The caller's user agent and IP (X-Forwarded-For only when TRUST_PROXY is set). */
export const Device = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const userAgent = request.headers['user-agent'];
  return { userAgent: userAgent ?? null, ip: request.ip } satisfies DeviceInfo;
});
