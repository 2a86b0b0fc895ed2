import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfigService } from '../../config/app-config.service.js';
import { AppException } from '../errors/app.exception.js';
import { ROUTE_SWITCH_KEY, type RouteSwitch } from './off-unless.decorator.js';

/** Refuses the routes of a feature that is switched off (`@OffUnless`); registered before authentication. */
@Injectable()
export class RouteSwitchGuard implements CanActivate {
  private readonly decided = new WeakMap<object, boolean>();

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfigService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const switched = this.reflector.getAllAndOverride<RouteSwitch | undefined>(ROUTE_SWITCH_KEY, [
      handler,
      context.getClass(),
    ]);
    if (!switched) {
      return true;
    }
    let on = this.decided.get(handler);
    if (on === undefined) {
      on = switched.isOn(this.config);
      this.decided.set(handler, on);
    }
    if (!on) {
      throw new AppException(switched.code);
    }
    return true;
  }
}
