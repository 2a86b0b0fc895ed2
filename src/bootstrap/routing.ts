import { VersioningType, type INestApplication } from '@nestjs/common';

/** Paths served outside `/api/v1`. */
const UNVERSIONED_PATHS = [
  'health/*path',
  'metrics',
  'mt/*path',
  '.well-known/*path',
  // The LTI tool's own URLs (what an LMS is given); /api/v1/lti/... is its administration.
  'lti/login',
  'lti/launch',
  'lti/jwks',
  'lti/register',
  'lti/config',
  'lti/storage.js',
];

/** The URL layout: the served app and the generated OpenAPI document share it. */
export function configureRouting(app: INestApplication): void {
  app.setGlobalPrefix('api', { exclude: UNVERSIONED_PATHS });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
}
