import { randomBytes } from 'node:crypto';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { bearer } from './accounts.js';

export interface LicenseView {
  id: string;
  tenant_id: string;
  total_seats: number;
  used_seats: number;
  available_seats: number;
  surplus_seats: number;
  status: string;
  source: string;
  expires_at: string;
  starts_at: string;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** A manual license made through the API by a super admin (default: a year from now). */
export async function createLicense(
  t: TestApp,
  superAdminToken: string,
  tenantId: string,
  totalSeats: number,
  overrides: Record<string, unknown> = {},
): Promise<LicenseView> {
  const response = await requestJson<LicenseView>(`${t.baseUrl}/api/v1/licenses`, {
    method: 'POST',
    headers: bearer(superAdminToken),
    json: {
      tenant_id: tenantId,
      total_seats: totalSeats,
      expires_at: new Date(Date.now() + YEAR_MS).toISOString(),
      ...overrides,
    },
  });
  if (response.status !== 201) {
    throw new Error(`license create failed: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

/**
 * `count` students of the tenant, written straight to the database (no password: they never
 * sign in here), in one statement. Returns their ids.
 */
export async function seedStudents(
  t: TestApp,
  tenantId: string,
  count: number,
  role: 'student' | 'teacher' | 'admin' = 'student',
): Promise<string[]> {
  const tag = randomBytes(4).toString('hex');
  const rows = await query<{ id: string }>(
    t.databaseUrl,
    `WITH made AS (
       INSERT INTO users (email, full_name, email_verified_at)
       SELECT 'seed-' || $2 || '-' || n || '@example.test', 'Pupil ' || n, now()
       FROM generate_series(1, $3::int) AS n RETURNING id)
     INSERT INTO memberships (user_id, tenant_id, role) SELECT id, $1, $4 FROM made
     RETURNING user_id AS id`,
    [tenantId, tag, count, role],
  );
  return rows.map((row) => row.id);
}

/** used_seats as stored, and the seat rows counted. */
export async function seatCounts(
  t: TestApp,
  licenseId: string,
): Promise<{ used: number; rows: number }> {
  const [row] = await query<{ used: number; rows: number }>(
    t.databaseUrl,
    `SELECT used_seats AS used,
       (SELECT count(*)::int FROM license_seats WHERE license_id = l.id) AS rows
     FROM school_licenses l WHERE id = $1`,
    [licenseId],
  );
  return row ?? { used: -1, rows: -1 };
}
