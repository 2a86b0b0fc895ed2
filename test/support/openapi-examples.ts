/**
 * What Swagger UI's "Try it out" fills in from an OpenAPI document: the first of a request
 * body's `examples`, else an object of every property's example (the way Swagger UI builds
 * one), and every parameter's example.
 */

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  example?: unknown;
  schema?: Schema;
}

export interface MediaType {
  schema?: Schema;
  examples?: Record<string, { summary?: string; value: unknown }>;
}

export interface Operation {
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, MediaType> };
}

export interface OpenApiDocument {
  paths: Record<string, Partial<Record<string, Operation>>>;
  components: { schemas: Record<string, Schema> };
  tags?: Array<{ name: string; description?: string }>;
}

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function operationsOf(
  document: OpenApiDocument,
): Array<{ method: string; path: string; operation: Operation }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ method: method.toUpperCase(), path, operation }] : [];
    }),
  );
}

export function resolveSchema(document: OpenApiDocument, schema: Schema | undefined): Schema {
  let current = schema ?? {};
  for (let hops = 0; current.$ref && hops < 10; hops += 1) {
    current = document.components.schemas[current.$ref.split('/').pop() ?? ''] ?? {};
  }
  const [only] = current.allOf ?? [];
  return current.allOf?.length === 1 && only ? resolveSchema(document, only) : current;
}

/** A value Swagger UI would generate rather than take from the document. */
const GENERATED = Symbol('generated');

/**
 * The body Swagger UI pre-fills from the schema, and the properties (as `a.b[0].c`) whose value
 * it would have to make up: strings and numbers with no example (booleans and enums it picks
 * validly by itself; formats such as email or uuid too).
 */
export function bodyFromProperties(
  document: OpenApiDocument,
  input: Schema | undefined,
  at = '',
): { value: unknown; madeUp: string[] } {
  const schema = resolveSchema(document, input);
  if (schema.example !== undefined) {
    return { value: schema.example, madeUp: [] };
  }
  if (schema.enum?.length) {
    return { value: schema.enum[0], madeUp: [] };
  }
  const variant = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (variant) {
    return bodyFromProperties(document, variant, at);
  }
  switch (schema.type ?? 'object') {
    case 'boolean':
      return { value: true, madeUp: [] };
    case 'array': {
      const item = bodyFromProperties(document, schema.items, `${at}[0]`);
      return { value: [item.value], madeUp: item.madeUp };
    }
    case 'string':
      return schema.format ? { value: GENERATED, madeUp: [] } : { value: GENERATED, madeUp: [at] };
    case 'integer':
    case 'number':
      return { value: GENERATED, madeUp: [at] };
    default: {
      const entries = Object.entries(schema.properties ?? {}).map(
        ([name, property]) =>
          [name, bodyFromProperties(document, property, at ? `${at}.${name}` : name)] as const,
      );
      return {
        value: Object.fromEntries(entries.map(([name, part]) => [name, part.value])),
        madeUp: entries.flatMap(([, part]) => part.madeUp),
      };
    }
  }
}

/** Replaces values Swagger UI would generate by ones of the right format. */
export function withFormats(
  document: OpenApiDocument,
  value: unknown,
  input: Schema | undefined,
  formats: Record<string, () => string>,
): unknown {
  const schema = resolveSchema(document, input);
  if (value === GENERATED) {
    return formats[schema.format ?? '']?.() ?? 'string';
  }
  if (Array.isArray(value)) {
    return value.map((item) => withFormats(document, item, schema.items, formats));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, part]) => [
        name,
        withFormats(document, part, schema.properties?.[name], formats),
      ]),
    );
  }
  return value;
}
