import { applyDecorators, SetMetadata } from '@nestjs/common';
import type { AppConfigService } from '../../config/app-config.service.js';
import { ApiErrors } from '../errors/api-errors.decorator.js';
import type { AppErrorCode } from '../errors/error-codes.js';

export const ROUTE_SWITCH_KEY = 'app:routeSwitch';

export interface RouteSwitch {
  isOn: (config: AppConfigService) => boolean;
  /** What the route answers while it is off (a 404 code: the feature is not there). */
  code: AppErrorCode;
}

/**
 * The routes of an optional feature (payments without a Stripe key): while `isOn` is false they
 * answer `code` before anything else runs, signed in or not, and their OpenAPI operations say so.
 */
export const OffUnless = (
  isOn: RouteSwitch['isOn'],
  code: AppErrorCode,
): ClassDecorator & MethodDecorator =>
  applyDecorators(
    SetMetadata(ROUTE_SWITCH_KEY, { isOn, code } satisfies RouteSwitch),
    ApiErrors(code),
  );
