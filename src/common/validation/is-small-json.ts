import { registerDecorator, type ValidationArguments } from 'class-validator';

/** The value serialises to at most `maxBytes` of JSON (keeps JSONB columns from growing unbounded). */
export function IsSmallJson(maxBytes: number): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isSmallJson',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate(value: unknown): boolean {
          return Buffer.byteLength(JSON.stringify(value ?? null)) <= maxBytes;
        },
        defaultMessage(args: ValidationArguments): string {
          return `${args.property} must be at most ${maxBytes} bytes of JSON`;
        },
      },
    });
  };
}
