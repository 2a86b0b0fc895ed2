import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RouteSwitchGuard } from './route-switch.guard.js';

/** Optional features' routes answer their "off" code first (see `@OffUnless`). */
@Module({ providers: [{ provide: APP_GUARD, useClass: RouteSwitchGuard }] })
export class SwitchesModule {}
