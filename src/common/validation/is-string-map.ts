import { registerDecorator, type ValidationArguments } from 'class-validator';

export interface StringMapLimits {
  maxEntries: number;
  maxKeyLength: number;
  maxValueLength: number;
}

const KEY = /^[A-Za-z0-9_.-]+$/;

/** A plain object of string values (LTI custom parameters), bounded in size. */
export function IsStringMap(limits: StringMapLimits): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) {
            return false;
          }
          const entries = Object.entries(value);
          return (
            entries.length <= limits.maxEntries &&
            entries.every(
              ([key, entry]) =>
                key.length <= limits.maxKeyLength &&
                KEY.test(key) &&
                typeof entry === 'string' &&
                entry.length <= limits.maxValueLength,
            )
          );
        },
        defaultMessage(args: ValidationArguments): string {
          return `${args.property} must be an object of at most ${limits.maxEntries} string values (keys of letters, digits, _ . -, up to ${limits.maxKeyLength} characters; values up to ${limits.maxValueLength})`;
        },
      },
    });
  };
}
