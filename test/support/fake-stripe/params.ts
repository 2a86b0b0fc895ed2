import { invalidRequest, parameterInvalid, parameterMissing } from './errors.js';
import type { FormObject, FormValue } from './form.js';

export type Metadata = Record<string, string>;

/** Typed reads of one request's parameters, failing the way Stripe does on bad input. */
export class Params {
  constructor(
    readonly values: FormObject,
    private readonly prefix = '',
  ) {}

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  /** Stripe refuses a parameter it does not know rather than ignoring it. */
  allowOnly(...names: string[]): this {
    const known = new Set([...names, 'expand']);
    const unknown = Object.keys(this.values).find((name) => !known.has(name));
    if (unknown !== undefined) {
      throw parameterInvalid(
        'parameter_unknown',
        this.name(unknown),
        `Received unknown parameter: ${this.name(unknown)}`,
      );
    }
    return this;
  }

  /** `undefined` when absent, `null` when sent empty (Stripe's way to unset). */
  text(name: string): string | null | undefined {
    const value = this.values[name];
    if (value === undefined) {
      return undefined;
    }
    if (typeof value !== 'string') {
      throw invalidRequest(`Invalid string: ${this.name(name)}`, this.name(name));
    }
    return value === '' ? null : value;
  }

  requiredText(name: string): string {
    const value = this.text(name);
    if (value === undefined || value === null) {
      throw parameterMissing(this.name(name));
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.text(name) ?? undefined;
    if (value === undefined) {
      return undefined;
    }
    if (!(allowed as readonly string[]).includes(value)) {
      throw invalidRequest(
        `Invalid ${this.name(name)}: must be one of ${allowed.join(', ')}`,
        this.name(name),
      );
    }
    return value as T;
  }

  integer(name: string): number | undefined {
    const value = this.text(name) ?? undefined;
    if (value === undefined) {
      return undefined;
    }
    if (!/^-?\d+$/.test(value)) {
      throw parameterInvalid(
        'parameter_invalid_integer',
        this.name(name),
        `Invalid integer: ${value}`,
      );
    }
    return Number(value);
  }

  requiredInteger(name: string): number {
    const value = this.integer(name);
    if (value === undefined) {
      throw parameterMissing(this.name(name));
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.text(name) ?? undefined;
    if (value === undefined) {
      return undefined;
    }
    if (value !== 'true' && value !== 'false') {
      throw parameterInvalid(
        'parameter_invalid_boolean',
        this.name(name),
        `Invalid boolean: ${value}`,
      );
    }
    return value === 'true';
  }

  nested(name: string): Params | undefined {
    const value = this.values[name];
    if (value === undefined || value === '') {
      return undefined;
    }
    if (typeof value === 'string' || Array.isArray(value)) {
      throw invalidRequest(`Invalid object: ${this.name(name)}`, this.name(name));
    }
    return new Params(value, this.name(name));
  }

  list(name: string): Params[] {
    const value = this.values[name];
    if (value === undefined || value === '') {
      return [];
    }
    if (!Array.isArray(value)) {
      throw invalidRequest(`Invalid array: ${this.name(name)}`, this.name(name));
    }
    return value.map((entry, index) => {
      if (typeof entry === 'string' || Array.isArray(entry)) {
        throw invalidRequest(`Invalid object: ${this.name(name)}[${index}]`);
      }
      return new Params(entry, `${this.name(name)}[${index}]`);
    });
  }

  /** Merges `metadata[key]` into `current`; an empty value removes the key, `metadata=` clears all. */
  metadata(current: Metadata = {}): Metadata {
    const value: FormValue | undefined = this.values.metadata;
    if (value === undefined) {
      return current;
    }
    if (value === '') {
      return {};
    }
    if (typeof value === 'string' || Array.isArray(value)) {
      throw invalidRequest('Invalid object: metadata', this.name('metadata'));
    }
    const merged = { ...current };
    for (const [key, entry] of Object.entries(value)) {
      if (typeof entry !== 'string') {
        throw invalidRequest(`Invalid metadata value for ${key}`, this.name('metadata'));
      }
      if (entry === '') {
        delete merged[key];
      } else {
        merged[key] = entry;
      }
    }
    return merged;
  }

  /** The parameter's full name as Stripe reports it, `items[0][price]`. */
  name(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}[${name}]`;
  }
}
