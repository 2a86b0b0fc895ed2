import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { ErrorEnvelope } from '../errors/error-envelope.dto.js';

export const REQUIRED_FEATURE_KEY = 'auth:requiredFeature';

/** The route belongs to a plan feature: a tenant with it off gets 403 TENANT_FEATURE_DISABLED. */
export const RequiresFeature = (
  feature: 'rag' | 'chat' | 'quiz' | 'api_integration',
): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(REQUIRED_FEATURE_KEY, feature),
    ApiForbiddenResponse({
      type: ErrorEnvelope,
      description: `TENANT_FEATURE_DISABLED when the tenant's plan has \`${feature}\` off`,
    }),
  );
