import type { ExamplesObject } from '@nestjs/swagger';

export interface RequestExample<T> {
  summary: string;
  value: Partial<Record<keyof T, unknown>>;
}

const examplesBySchema = new Map<string, ExamplesObject>();

/**
 * Whole request bodies for Swagger UI's "Try it out", on a DTO whose fields are alternatives
 * (email or username) or only meaningful together: without them Swagger UI pre-fills every
 * property at once. The first example is the one pre-filled; the others are in its list.
 */
export function RequestExamples<T>(examples: Record<string, RequestExample<T>>): ClassDecorator {
  return (target) => {
    examplesBySchema.set(target.name, examples);
  };
}

/** The examples declared on the DTO whose schema has this name. */
export function requestExamplesOf(schemaName: string): ExamplesObject | undefined {
  return examplesBySchema.get(schemaName);
}
