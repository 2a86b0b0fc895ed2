import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A real day as YYYY-MM-DD: `2027-02-30` and `2027-13-45` are refused, not rolled over. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DAY.test(value)) {
    return false;
  }
  const parsed = new Date(`${value}T00:00:00Z`);
  // Date rolls 2027-02-30 over to March: the round trip catches impossible dates.
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

export const calendarDateMessage = (field: string): string =>
  `${field} must be a real date as YYYY-MM-DD`;

/** A DTO field holding a day (`format: date` in the OpenAPI document). */
export function IsCalendarDate(): PropertyDecorator {
  return applyDecorators(
    ValidateBy({
      name: 'isCalendarDate',
      validator: {
        validate: isCalendarDate,
        defaultMessage: (args) => calendarDateMessage(args?.property ?? 'date'),
      },
    }),
    ApiProperty({ format: 'date' }),
  );
}
