import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { AppException } from '../../common/errors/app.exception.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** 8–128 characters with an upper, a lower, a digit and a special; not the email's local part. */
export function passwordPolicyViolations(password: string, email?: string | null): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    problems.push(
      `password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`,
    );
  }
  if (!/\p{Lu}/u.test(password)) {
    problems.push('password must contain an uppercase letter');
  }
  if (!/\p{Ll}/u.test(password)) {
    problems.push('password must contain a lowercase letter');
  }
  if (!/\p{Nd}/u.test(password)) {
    problems.push('password must contain a digit');
  }
  if (!/[^\p{L}\p{Nd}\s]/u.test(password)) {
    problems.push('password must contain a special character');
  }
  const localPart = email?.split('@')[0]?.toLowerCase() ?? '';
  if (localPart.length >= 3 && password.toLowerCase().includes(localPart)) {
    problems.push(
      `password must not contain the email's local part (the part before @: "${localPart}")`,
    );
  }
  return problems;
}

/** Throws the same 400 envelope the validation pipe produces, for checks made in services. */
export function assertPasswordPolicy(field: string, password: string, email?: string | null): void {
  const problems = passwordPolicyViolations(password, email);
  if (problems.length > 0) {
    throw new AppException('COMMON_VALIDATION_FAILED', undefined, {
      fields: [{ field, errors: problems }],
    });
  }
}

/** DTO decorator; `emailProperty` names the sibling field holding the account's email. */
export function IsStrongPassword(
  emailProperty?: string,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isStrongPassword',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          const email = emailOf(args, emailProperty);
          return typeof value === 'string' && passwordPolicyViolations(value, email).length === 0;
        },
        defaultMessage(args: ValidationArguments): string {
          if (typeof args.value !== 'string') {
            return `${args.property} must be a string`;
          }
          return passwordPolicyViolations(args.value, emailOf(args, emailProperty)).join('; ');
        },
      },
    });
  };
}

function emailOf(args: ValidationArguments, emailProperty?: string): string | undefined {
  if (!emailProperty) {
    return undefined;
  }
  const value = (args.object as Record<string, unknown>)[emailProperty];
  return typeof value === 'string' ? value : undefined;
}
