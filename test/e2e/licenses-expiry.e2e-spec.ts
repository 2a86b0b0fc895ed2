import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type * as LicenseExpiryModule from '../../src/modules/licenses/license-expiry.service.js';
import { bearer, createUser, login, type TestUser, type Tokens } from '../factories/accounts.js';
import { createSchool } from '../factories/classes.js';
import { loadCompiled } from '../support/compiled.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const { LicenseExpiry } = await loadCompiled<typeof LicenseExpiryModule>(
  'src/modules/licenses/license-expiry.service.ts',
);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface License {
  id: string;
  status: string;
  used_seats: number;
  total_seats: number;
  expires_at: string;
}

describe('license expiry and reminders', () => {
  const clock = new ManualClock();
  let first: TestApp;
  let second: TestApp;
  let superAdminUser: TestUser;
  const api = (t: TestApp, path: string) => `${t.baseUrl}/api/v1${path}`;

  /** The job as both instances run it, at the same moment. */
  const runOnBoth = () =>
    Promise.all([first.app.get(LicenseExpiry).run(), second.app.get(LicenseExpiry).run()]);

  const superAdmin = async (): Promise<Tokens> => login(first, superAdminUser);

  const createLicense = async (tenant: string, expiresInMs: number, seats = 5) => {
    const created = await requestJson<License>(api(first, '/licenses'), {
      method: 'POST',
      headers: bearer((await superAdmin()).access_token),
      json: {
        tenant_id: tenant,
        total_seats: seats,
        expires_at: new Date(clock.nowMs() + expiresInMs).toISOString(),
      },
    });
    expect(created.status).toBe(201);
    return created.body;
  };

  const assignSeat = async (admin: Tokens, licenseId: string, userId: string) => {
    const assigned = await requestJson<{ assigned: number }>(
      api(first, `/licenses/${licenseId}/seats`),
      { method: 'POST', headers: bearer(admin.access_token), json: { user_id: userId } },
    );
    expect(assigned.status).toBeLessThan(300);
    expect(assigned.body.assigned).toBe(1);
  };

  const reminders = async (licenseId: string) =>
    query<{ days_before: number; expires_at: Date }>(
      first.databaseUrl,
      `SELECT days_before, expires_at FROM license_reminders WHERE license_id = $1
       ORDER BY expires_at, days_before DESC`,
      [licenseId],
    );

  const expiringEvents = async (licenseId: string) =>
    query<{ payload: Record<string, unknown> }>(
      first.databaseUrl,
      `SELECT payload FROM outbox_events WHERE type = 'license.expiring' AND aggregate_id = $1
       ORDER BY occurred_at`,
      [licenseId],
    );

  const myLicense = async (student: TestUser) =>
    requestJson<{ error_code?: string; license?: License }>(api(first, '/licenses/me'), {
      headers: bearer((await login(first, student)).access_token),
    });

  beforeAll(async () => {
    first = await startTestApp({ clock });
    second = await startTestApp({ databaseUrl: first.databaseUrl, clock });
    superAdminUser = await createUser(first, { superAdmin: true });
  });

  // Two apps with their queue workers shut down in turn.
  afterAll(async () => {
    await second?.close();
    await first?.close();
  }, 120_000);

  it('should schedule the check once for both instances, every LICENSE_EXPIRY_CHECK_INTERVAL_MINUTES', async () => {
    const queue = first.app.get<Queue>(getQueueToken('licenses-maintenance'), { strict: false });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toEqual([
      expect.objectContaining({ key: 'licenses-expiry', name: 'check-expiry', every: 60 * MINUTE }),
    ]);
  });

  it('should send the 30, 7 and 1 day reminders once each, with two instances running at once and again', async () => {
    const school = await createSchool(first);
    const license = await createLicense(school.tenant, 40 * DAY);
    await assignSeat(school.admin.tokens, license.id, school.student.user.id);

    await runOnBoth();
    expect(await reminders(license.id)).toEqual([]);

    clock.advance(10 * DAY + MINUTE); // 30 days less a minute left
    await runOnBoth();
    await runOnBoth();
    expect((await reminders(license.id)).map((r) => r.days_before)).toEqual([30]);

    clock.advance(23 * DAY); // 7 days less a minute
    await runOnBoth();
    await runOnBoth();
    expect((await reminders(license.id)).map((r) => r.days_before)).toEqual([30, 7]);

    clock.advance(6 * DAY + 12 * HOUR); // half a day
    await runOnBoth();
    await first.app.get(LicenseExpiry).run();
    await runOnBoth();
    expect((await reminders(license.id)).map((r) => r.days_before)).toEqual([30, 7, 1]);

    const events = await expiringEvents(license.id);
    expect(events.map((event) => event.payload.days_before)).toEqual([30, 7, 1]);
    for (const event of events) {
      expect(event.payload).toMatchObject({
        license_id: license.id,
        tenant_id: school.tenant,
        status: 'active',
        total_seats: 5,
        used_seats: 1,
        expires_at: license.expires_at,
      });
    }
    // Still live and granting until the term ends.
    expect((await myLicense(school.student.user)).status).toBe(200);
  });

  it('should send only the nearest reminder to a license found late', async () => {
    const school = await createSchool(first);
    const license = await createLicense(school.tenant, 5 * DAY);
    await runOnBoth();
    await runOnBoth();
    expect((await reminders(license.id)).map((r) => r.days_before)).toEqual([7]);
    expect((await expiringEvents(license.id)).map((e) => e.payload.days_before)).toEqual([7]);
  });

  it('should expire a license when its term ends, stop its seat granting, and grant again once renewed', async () => {
    const school = await createSchool(first);
    const license = await createLicense(school.tenant, 2 * HOUR);
    await assignSeat(school.admin.tokens, license.id, school.student.user.id);
    const before = await myLicense(school.student.user);
    expect(before.status).toBe(200);
    expect(before.body.license?.id).toBe(license.id);

    clock.advance(2 * HOUR + MINUTE);
    // The term is checked on each read: refused even before the job marks the license.
    const ended = await myLicense(school.student.user);
    expect(ended.status).toBe(403);
    expect(ended.body.error_code).toBe('LICENSE_SEAT_REQUIRED');

    await runOnBoth();
    await runOnBoth();
    const [row] = await query<{ status: string; used_seats: number }>(
      first.databaseUrl,
      `SELECT status, used_seats FROM school_licenses WHERE id = $1`,
      [license.id],
    );
    expect(row).toEqual({ status: 'expired', used_seats: 1 });
    const audits = await query<{ actor_type: string; tenant_id: string; metadata: unknown }>(
      first.databaseUrl,
      `SELECT actor_type, tenant_id, metadata FROM audit_logs
       WHERE action = 'license.expired' AND resource_id = $1`,
      [license.id],
    );
    expect(audits).toEqual([
      {
        actor_type: 'system',
        tenant_id: school.tenant,
        metadata: { from: 'active', to: 'expired', expires_at: license.expires_at },
      },
    ]);
    const expired = await myLicense(school.student.user);
    expect(expired.status).toBe(403);
    expect(expired.body.error_code).toBe('LICENSE_SEAT_REQUIRED');
    // Another student of the school cannot take a seat on it.
    const refused = await requestJson<{ error_code: string }>(
      api(first, `/licenses/${license.id}/seats`),
      {
        method: 'POST',
        headers: bearer((await login(first, school.admin.user)).access_token),
        json: { user_id: school.otherStudent.user.id },
      },
    );
    expect(refused.status).toBe(404);
    expect(refused.body.error_code).toBe('LICENSE_NOT_FOUND_OR_EXPIRED');

    const newEnd = new Date(clock.nowMs() + 30 * DAY).toISOString();
    const renewed = await requestJson<License>(api(first, `/licenses/${license.id}`), {
      method: 'PATCH',
      headers: bearer((await superAdmin()).access_token),
      json: { expires_at: newEnd },
    });
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ status: 'active', used_seats: 1, expires_at: newEnd });
    const again = await myLicense(school.student.user);
    expect(again.status).toBe(200);
    expect(again.body.license?.id).toBe(license.id);

    // The job leaves the renewed license alone, and its new term has reminders of its own.
    await runOnBoth();
    const [after] = await query<{ status: string }>(
      first.databaseUrl,
      `SELECT status FROM school_licenses WHERE id = $1`,
      [license.id],
    );
    expect(after?.status).toBe('active');
    const sent = await reminders(license.id);
    expect(sent.map((r) => [r.expires_at.toISOString(), r.days_before])).toEqual([[newEnd, 30]]);
  });

  it('should expire an over-allocated license and drop nothing a renewal needs', async () => {
    const school = await createSchool(first);
    const license = await createLicense(school.tenant, HOUR, 2);
    await assignSeat(school.admin.tokens, license.id, school.student.user.id);
    await assignSeat(school.admin.tokens, license.id, school.otherStudent.user.id);
    const shrunk = await requestJson<License>(api(first, `/licenses/${license.id}`), {
      method: 'PATCH',
      headers: bearer((await superAdmin()).access_token),
      json: { total_seats: 1 },
    });
    expect(shrunk.body.status).toBe('over_allocated');

    clock.advance(HOUR + MINUTE);
    await runOnBoth();
    const audits = await query<{ metadata: { from: string } }>(
      first.databaseUrl,
      `SELECT metadata FROM audit_logs WHERE action = 'license.expired' AND resource_id = $1`,
      [license.id],
    );
    expect(audits.map((a) => a.metadata.from)).toEqual(['over_allocated']);

    const renewed = await requestJson<License>(api(first, `/licenses/${license.id}`), {
      method: 'PATCH',
      headers: bearer((await superAdmin()).access_token),
      json: { expires_at: new Date(clock.nowMs() + DAY).toISOString(), total_seats: 2 },
    });
    expect(renewed.body).toMatchObject({ status: 'active', used_seats: 2, total_seats: 2 });
    expect((await myLicense(school.otherStudent.user)).status).toBe(200);
  });
});
