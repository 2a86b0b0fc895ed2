import { ApiProperty } from '@nestjs/swagger';

/** The body of every error the API returns. Named `ErrorEnvelope` in the OpenAPI document. */
export class ErrorEnvelope {
  @ApiProperty({ example: 'COMMON_VALIDATION_FAILED', description: 'Stable machine-readable code' })
  error_code!: string;

  @ApiProperty({ example: 'Request validation failed', description: 'Human-readable summary' })
  message!: string;

  @ApiProperty({
    nullable: true,
    description: 'Structured details, e.g. per-field validation errors',
    example: { fields: [{ field: 'email', errors: ['email must be an email'] }] },
    oneOf: [
      { type: 'object', additionalProperties: true },
      { type: 'array', items: { type: 'object' } },
    ],
  })
  details!: Record<string, unknown> | Array<Record<string, unknown>> | null;

  @ApiProperty({ example: '2026-11-24T10:00:00.000Z', format: 'date-time' })
  timestamp!: string;

  @ApiProperty({ example: '5b0c1c1e-7d0f-4a8e-9a4e-3f1c2b9d8e7a' })
  request_id!: string;
}
