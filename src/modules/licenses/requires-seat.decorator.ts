import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { RequiresSeatGuard } from './requires-seat.guard.js';

/**
 * A route serving licensed content: a student needs a seat on a live license of their school
 * (403 LICENSE_SEAT_REQUIRED otherwise). The module declaring the route imports LicensesModule.
 */
export const RequiresSeat = (): MethodDecorator & ClassDecorator =>
  applyDecorators(UseGuards(RequiresSeatGuard), ApiErrors('LICENSE_SEAT_REQUIRED'));
