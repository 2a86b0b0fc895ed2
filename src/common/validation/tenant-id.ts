import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/** A tenant id, as the tenants table's check constraint has it. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{1,62}$/;

/** The rule in words, for the messages of every place that takes a tenant id. */
export const TENANT_ID_RULE =
  '2–63 lower-case letters, digits, _ or -, starting with a letter or digit, such as hallym_univ';

export const tenantIdMessage = (field: string): string =>
  `${field} must be a tenant id: ${TENANT_ID_RULE}`;

/** A DTO field holding a tenant id (the OpenAPI document keeps its pattern). */
export function IsTenantId(): PropertyDecorator {
  return applyDecorators(
    Matches(TENANT_ID_PATTERN, { message: ({ property }) => tenantIdMessage(property) }),
    ApiProperty({ pattern: TENANT_ID_PATTERN.source }),
  );
}
