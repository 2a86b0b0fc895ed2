import type { OpenAPIObject, ParameterObject, SchemaObject } from '@nestjs/swagger';
import { TENANT_ID_PATTERN } from '../validation/tenant-id.js';
import { requestExamplesOf } from './request-examples.js';

/** Every tag an operation uses, described (a test fails on a tag missing here). */
export const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: 'Registration, email verification, sign-in (password and Google), tokens, logout, password reset',
  users:
    'Your profile, password, sessions and linked accounts (/users/me...); member administration for school admins and teachers (/users)',
  classes: 'Classes, their members and join codes; your classes (/users/me/classes)',
  invitations: 'Invitations by mail into a school, accepted once',
  'api-keys': 'Service-account keys (X-API-Key) of a school or the platform, with their scopes',
  audit: 'The audit trail: who did what, as JSON pages or a CSV export',
  admin: 'Super admins and support: act as a user (impersonation)',
  'market-keys': 'Super admins: the Service Market keys (X-Market-API-Key)',
  market:
    "The Service Market's Standard API (/mt, X-Market-API-Key): tenant lifecycle, members, settings, limits, resources, usage events and statistics",
  'market (deprecated aliases)': 'The older /api/tenant/... routes of the Standard API; use /mt',
  lti: 'LTI 1.3: the LMS registrations of a school (/api/v1/lti), and the tool side an LMS talks to (/lti: login, launch, JWKS, Dynamic Registration)',
  status: 'A cheap public call: service name, version, time',
  health: 'Liveness and readiness probes',
};

const TENANT_ID_EXAMPLE = 'hallym_univ';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * What the decorators cannot say once for all routes: tag descriptions, the tenant id's format
 * on every `tenantId` path and `tenant_id` query parameter, and whole request examples.
 */
export function withDocumentDetails(document: OpenAPIObject): OpenAPIObject {
  const used = new Set<string>();
  for (const pathItem of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) {
        continue;
      }
      for (const tag of operation.tags ?? []) {
        used.add(tag);
      }
      for (const parameter of (operation.parameters ?? []) as ParameterObject[]) {
        describeTenantId(parameter);
      }
      const json =
        operation.requestBody && 'content' in operation.requestBody
          ? operation.requestBody.content['application/json']
          : undefined;
      const ref = json?.schema && '$ref' in json.schema ? json.schema.$ref : undefined;
      const examples = ref ? requestExamplesOf(ref.split('/').pop() ?? '') : undefined;
      if (json && examples) {
        json.examples = examples;
      }
    }
  }
  // Swagger UI shows the sections in this order: the list above first.
  const order = Object.keys(TAG_DESCRIPTIONS);
  const rank = (tag: string) => (order.includes(tag) ? order.indexOf(tag) : order.length);
  document.tags = [...used]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((name) => ({ name, description: TAG_DESCRIPTIONS[name] }));
  return document;
}

function describeTenantId(parameter: ParameterObject): void {
  const isTenantId =
    (parameter.in === 'path' && parameter.name === 'tenantId') ||
    (parameter.in === 'query' && parameter.name === 'tenant_id');
  if (!isTenantId) {
    return;
  }
  const schema = (parameter.schema ?? {}) as SchemaObject;
  parameter.schema = { ...schema, type: 'string', pattern: TENANT_ID_PATTERN.source };
  if (parameter.in === 'path') {
    parameter.example = TENANT_ID_EXAMPLE;
    parameter.description ??= 'The tenant (school) id: lower-case letters, digits, `_` and `-`';
  }
}
