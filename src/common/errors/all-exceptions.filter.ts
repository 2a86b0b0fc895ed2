import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { resolveError } from './error-envelope.js';

/** Every error a route raises leaves the API through here, as the one envelope. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const resolved = resolveError(exception, String(request.id));
    if (resolved.unexpected) {
      this.logger.error(
        { err: exception, request_id: request.id, route: request.routeOptions.url },
        'unhandled error',
      );
    }
    void reply.status(resolved.status).headers(resolved.headers).send(resolved.envelope);
  }
}
