import { VersioningType, type INestApplication } from '@nestjs/common';

/** Paths served outside `/api/v1`. */
const UNVERSIONED_PATHS = ['health/*path', 'metrics', 'mt/*path', '.well-known/*path', 'lti/*path'];

/** The URL layout: the served app and the generated OpenAPI document share it. */
export function configureRouting(app: INestApplication): void {
  app.setGlobalPrefix('api', { exclude: UNVERSIONED_PATHS });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
}
