import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../../common/errors/app.exception.js';
import type { HeldSeat } from './licenses.repository.js';
import { SeatAccess } from './seat-access.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The seat the caller holds, once a seat check ran in this request (null: none). */
    seat?: HeldSeat | null;
  }
}

/**
 * Runs after the access guard: a student signed in to a school passes only with a seat on a
 * live license of that school. Teachers, admins and everyone not acting as a student pass.
 */
@Injectable()
export class RequiresSeatGuard implements CanActivate {
  constructor(private readonly seatAccess: SeatAccess) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = request.principal;
    if (principal?.kind !== 'user' || principal.role !== 'student' || !principal.tenantId) {
      return true;
    }
    if (request.seat === undefined) {
      request.seat = (await this.seatAccess.heldSeat(principal.userId, principal.tenantId)) ?? null;
    }
    if (!request.seat) {
      throw new AppException('LICENSE_SEAT_REQUIRED');
    }
    return true;
  }
}
