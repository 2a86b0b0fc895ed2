import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { APP_VERSION } from '../app-info.js';
import { PUBLIC_EXTENSION } from '../auth/access-policy.js';
import { ErrorEnvelope } from '../errors/error-envelope.dto.js';
import { documentErrorResponses } from './error-responses.js';
import { withDocumentDetails } from './document-details.js';

export const API_KEY_SCHEME = 'api-key';
export const MARKET_API_KEY_SCHEME = 'market-api-key';
export const BEARER_SCHEME = 'bearer';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('DreamSeed Platform API')
    .setDescription(
      'Backend of the DreamSeed education platform. Every error uses the ErrorEnvelope schema. ' +
        'Sign in with POST /api/v1/auth/login, then Authorize with the access_token (bearer). ' +
        'Operations without a lock are public.',
    )
    .setVersion(APP_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, API_KEY_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Market-API-Key' }, MARKET_API_KEY_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorEnvelope] });
  return withDocumentDetails(withErrorResponses(document));
}

/**
 * Every operation documents its error codes (see error-responses.ts) in the shared envelope;
 * every route not `@Access.public()` needs a bearer token (the global AccessGuard) and says so.
 */
function withErrorResponses(document: OpenAPIObject): OpenAPIObject {
  const envelopeRef = { $ref: '#/components/schemas/ErrorEnvelope' };
  for (const pathItem of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = pathItem[method];
      if (!operation) {
        continue;
      }
      const extensions = operation as unknown as Record<string, unknown>;
      const isPublic = extensions[PUBLIC_EXTENSION] === true;
      delete extensions[PUBLIC_EXTENSION];
      documentErrorResponses(document, method, operation);
      const responses: Record<string, string> = {};
      if (isPublic) {
        operation.security = [];
      } else {
        operation.security ??= [{ [BEARER_SCHEME]: [] }];
        responses['401'] =
          'No valid access token (AUTH_UNAUTHENTICATED, AUTH_TOKEN_*, AUTH_SESSION_REVOKED)';
        responses['403'] = 'Not allowed for this role, account or tenant (AUTH_FORBIDDEN, ...)';
      }
      for (const [status, description] of Object.entries(responses)) {
        if (!operation.responses[status]) {
          operation.responses[status] = {
            description,
            content: { 'application/json': { schema: envelopeRef } },
          };
        }
      }
    }
  }
  return document;
}

export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'DreamSeed Platform API',
    swaggerOptions: { persistAuthorization: true },
  });
}
