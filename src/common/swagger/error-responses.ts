import type { OpenAPIObject } from '@nestjs/swagger';
import { ERROR_CODES_EXTENSION } from '../errors/api-errors.decorator.js';
import { findErrorCode, type AppErrorCode } from '../errors/error-codes.js';

type PathItem = OpenAPIObject['paths'][string];
type Operation = NonNullable<PathItem['get']>;
type Parameter = { name: string; in: string };
type Schema = { $ref?: string; required?: string[]; properties?: Record<string, unknown> };

/** Every route may be rate limited, so 429 is documented everywhere. */
const EVERY_ROUTE: AppErrorCode[] = ['COMMON_RATE_LIMITED'];
/** What reading and validating a JSON body can refuse, before the route's own code runs. */
const BODY_CODES: AppErrorCode[] = [
  'COMMON_VALIDATION_FAILED',
  'COMMON_MALFORMED_JSON',
  'COMMON_JSON_TOO_DEEP',
  'COMMON_INVALID_CHARACTERS',
  'COMMON_PAYLOAD_TOO_LARGE',
  'COMMON_UNSUPPORTED_MEDIA_TYPE',
];
/** A body the route does not read is still parsed as JSON when one is sent. */
const BODY_PARSER_CODES: AppErrorCode[] = [
  'COMMON_MALFORMED_JSON',
  'COMMON_JSON_TOO_DEEP',
  'COMMON_PAYLOAD_TOO_LARGE',
  'COMMON_UNSUPPORTED_MEDIA_TYPE',
];
const QUERY_CODES: AppErrorCode[] = ['COMMON_VALIDATION_FAILED', 'COMMON_INVALID_CHARACTERS'];
/** The router refuses long and badly escaped parameters; the route's pipes validate the rest. */
const PATH_CODES: AppErrorCode[] = [
  'COMMON_VALIDATION_FAILED',
  'COMMON_INVALID_CHARACTERS',
  'COMMON_BAD_REQUEST',
  'COMMON_URI_TOO_LONG',
];
const METHODS_WITH_BODY = new Set(['post', 'put', 'patch', 'delete']);

const EXAMPLE_TIMESTAMP = '2026-11-24T10:00:00.000Z';
const EXAMPLE_REQUEST_ID = '5b0c1c1e-7d0f-4a8e-9a4e-3f1c2b9d8e7a';

/**
 * The error codes an operation documents: those its `@ApiErrors(...)` named, plus the
 * framework's own refusals that follow from its shape (a body, query or path parameters).
 */
export function operationErrorCodes(method: string, operation: Operation): AppErrorCode[] {
  const extensions = operation as unknown as Record<string, unknown>;
  const declared = (extensions[ERROR_CODES_EXTENSION] as AppErrorCode[] | undefined) ?? [];
  const parameters = (operation.parameters ?? []) as Parameter[];
  const codes = [...declared];
  if (operation.requestBody) {
    codes.push(...BODY_CODES);
  } else if (METHODS_WITH_BODY.has(method)) {
    codes.push(...BODY_PARSER_CODES);
  }
  if (parameters.some((parameter) => parameter.in === 'query')) {
    codes.push(...QUERY_CODES);
  }
  if (parameters.some((parameter) => parameter.in === 'path')) {
    codes.push(...PATH_CODES);
  }
  codes.push(...EVERY_ROUTE);
  return [...new Set(codes)];
}

/**
 * Replaces the `x-error-codes` extension by one response per status: the description lists
 * the codes with their messages, and each code has an example envelope. A response written by
 * hand for the same status keeps its description and examples, ahead of the codes.
 */
export function documentErrorResponses(
  document: OpenAPIObject,
  method: string,
  operation: Operation,
): void {
  const codes = operationErrorCodes(method, operation);
  delete (operation as unknown as Record<string, unknown>)[ERROR_CODES_EXTENSION];
  const byStatus = new Map<number, AppErrorCode[]>();
  for (const code of codes) {
    const definition = findErrorCode(code);
    if (!definition) {
      throw new Error(`@ApiErrors names ${code}, which no module registered`);
    }
    byStatus.set(definition.status, [...(byStatus.get(definition.status) ?? []), code]);
  }
  const statuses = [...byStatus.keys()].sort((a, b) => a - b);
  for (const status of statuses) {
    const statusCodes = byStatus.get(status) ?? [];
    const existing = operation.responses[String(status)] as
      { description?: string; content?: Record<string, { examples?: object }> } | undefined;
    const list = statusCodes
      .map((code) => `- \`${code}\`: ${findErrorCode(code)?.message ?? ''}`)
      .join('\n');
    const examples = Object.fromEntries(
      statusCodes.map((code) => [
        code,
        { summary: code, value: exampleEnvelope(code, document, operation) },
      ]),
    );
    operation.responses[String(status)] = {
      description: existing?.description ? `${existing.description}\n\n${list}` : list,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/ErrorEnvelope' },
          examples: { ...existing?.content?.['application/json']?.examples, ...examples },
        },
      },
    };
  }
}

function exampleEnvelope(code: AppErrorCode, document: OpenAPIObject, operation: Operation) {
  return {
    error_code: code,
    message: findErrorCode(code)?.message ?? '',
    details: exampleDetails(code, document, operation),
    timestamp: EXAMPLE_TIMESTAMP,
    request_id: EXAMPLE_REQUEST_ID,
  };
}

/** The details some codes carry; the others have none. */
const EXAMPLE_DETAILS: Partial<Record<AppErrorCode, object>> = {
  AUTH_ACCOUNT_LOCKED: { locked_until: '2026-11-24T10:15:00.000Z' },
  COMMON_RATE_LIMITED: { retry_after: 60 },
};

function exampleDetails(code: AppErrorCode, document: OpenAPIObject, operation: Operation) {
  if (code === 'COMMON_VALIDATION_FAILED') {
    return { fields: [exampleFieldError(document, operation)] };
  }
  return EXAMPLE_DETAILS[code] ?? null;
}

/** A field of this operation's own input, as the validation pipe reports it. */
function exampleFieldError(document: OpenAPIObject, operation: Operation) {
  const body = bodySchema(document, operation);
  const bodyField = body?.required?.[0] ?? Object.keys(body?.properties ?? {})[0];
  if (bodyField) {
    return { field: bodyField, errors: [`${bodyField} should not be empty`] };
  }
  const parameter = ((operation.parameters ?? []) as Parameter[]).find(
    (candidate) => candidate.in === 'query' || candidate.in === 'path',
  );
  const field = parameter?.name ?? 'id';
  return { field, errors: [`${field} is not valid`] };
}

function bodySchema(document: OpenAPIObject, operation: Operation): Schema | undefined {
  const requestBody = operation.requestBody as
    { content?: Record<string, { schema?: Schema }> } | undefined;
  const schema = requestBody?.content?.['application/json']?.schema;
  const name = schema?.$ref?.split('/').pop();
  const named: unknown = name ? document.components?.schemas?.[name] : schema;
  return named as Schema | undefined;
}
