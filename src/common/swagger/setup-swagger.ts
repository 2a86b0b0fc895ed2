import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { APP_NAME, APP_VERSION } from '../app-info.js';
import { ErrorEnvelope } from '../errors/error-envelope.dto.js';

export const API_KEY_SCHEME = 'api-key';
export const MARKET_API_KEY_SCHEME = 'market-api-key';
export const BEARER_SCHEME = 'bearer';

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'Invalid input (COMMON_VALIDATION_FAILED with per-field details, malformed JSON, ...)',
  '413': 'Request body too large',
  '415': 'Unsupported content type',
  '429': 'Rate limited (see Retry-After)',
  '500': 'Unexpected error (no internals are exposed)',
};

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('DreamSeed Platform API')
    .setDescription(
      'Backend of the DreamSeed education platform. Every error uses the ErrorEnvelope schema.',
    )
    .setVersion(APP_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, API_KEY_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Market-API-Key' }, MARKET_API_KEY_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorEnvelope] });
  return withErrorResponses(document);
}

/** Every operation documents the shared error envelope for the errors any route can return. */
function withErrorResponses(document: OpenAPIObject): OpenAPIObject {
  const envelopeRef = { $ref: '#/components/schemas/ErrorEnvelope' };
  for (const pathItem of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = pathItem[method];
      if (!operation) {
        continue;
      }
      for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
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
    customSiteTitle: `${APP_NAME} API`,
    swaggerOptions: { persistAuthorization: true },
  });
}
