import type { IncomingMessage } from 'node:http';
import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfigService } from '../../config/app-config.service.js';
import { REDACTED_LOG_PATHS } from './log-redaction.js';

const QUIET_PATHS = /^\/(health|metrics)(\/|$|\?)/;

/** Structured JSON logs; every line of a request carries its request_id. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        // One catch-all: the default also adds the prefix-excluded paths, which Nest already
        // matches with the catch-all, so /health and /metrics were logged twice.
        forRoutes: [{ path: '{/*splat}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: config.get('LOG_LEVEL'),
          genReqId: (req: IncomingMessage) => String((req as IncomingMessage & { id?: string }).id),
          quietReqLogger: true,
          customAttributeKeys: { reqId: 'request_id' },
          redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
          autoLogging: {
            ignore: (req: IncomingMessage & { originalUrl?: string }) =>
              QUIET_PATHS.test(req.originalUrl ?? req.url ?? ''),
          },
          serializers: {
            req: (req: { method: string; url: string; remoteAddress?: string }) => ({
              method: req.method,
              url: req.url,
              remote_address: req.remoteAddress,
            }),
            res: (res: { statusCode: number }) => ({ status_code: res.statusCode }),
          },
        },
      }),
    }),
  ],
})
export class AppLoggerModule {}
