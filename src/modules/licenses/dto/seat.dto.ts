import type { SeatAssignmentKind } from '../entities/license-seat.entity.js';
import type { SeatRow } from '../licenses.repository.js';
import { type LicenseDto } from './license.dto.js';

export class SeatDto {
  /** @example 0b8a2c1e-4f5d-4e6a-9b7c-8d9e0f1a2b3c */
  license_id!: string;
  /** @example 5b7f3c2e-9a41-4d7e-8f0a-1c2d3e4f5a6b */
  user_id!: string;
  assigned_at!: string;
  /** Who assigned it; null when taken at sign-in or launch, or once that account is gone */
  assigned_by!: string | null;
  /** admin (by an admin or teacher), class, auto (at sign-in) or lti (at a launch) */
  how!: SeatAssignmentKind;
}

export class SeatClassDto {
  id!: string;
  /** @example 3-B Science */
  name!: string;
}

export class SeatHolderDto extends SeatDto {
  /** @example Kim Minji */
  full_name!: string;
  /** The student's open classes in the school */
  classes!: SeatClassDto[];
}

export class SeatPageDto {
  items!: SeatHolderDto[];
  total!: number;
  limit!: number;
  offset!: number;
}

/** What an assignment did: the seats asked for (new and already held) and the license after. */
export class SeatAssignmentDto {
  /** Seats taken by this request */
  assigned!: number;
  /** Of those asked for, the students who already held a seat (counted once) */
  already_assigned!: number;
  seats!: SeatDto[];
  license!: LicenseDto;
}

export class MyLicenseDto {
  seat!: SeatDto;
  license!: LicenseDto;
}

export function mapSeat(row: SeatRow): SeatDto {
  return {
    license_id: row.license_id,
    user_id: row.user_id,
    assigned_at: row.assigned_at.toISOString(),
    assigned_by: row.assigned_by,
    how: row.how,
  };
}
