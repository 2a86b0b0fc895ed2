import { expect } from '@jest/globals';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import type { LaunchResult } from '../support/lti-platform.js';
import type { TestApp } from '../support/test-app.js';

export interface PlatformRegistration {
  issuer: string;
  clientId: string;
  authLoginUrl: string;
  tokenUrl?: string;
  jwksUrl: string;
  deploymentIds?: string[];
  status?: 'active' | 'awaiting_approval' | 'disabled';
}

/** A registration written straight to the database (the admin routes have their own tests). */
export async function registerPlatform(
  t: TestApp,
  tenantId: string,
  platform: PlatformRegistration,
): Promise<string> {
  const [row] = await query<{ id: string }>(
    t.databaseUrl,
    `INSERT INTO lti_platforms (tenant_id, issuer, client_id, auth_login_url, token_url, jwks_url,
       display_name, product, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'Test LMS', 'moodle', $7) RETURNING id`,
    [
      tenantId,
      platform.issuer,
      platform.clientId,
      platform.authLoginUrl,
      platform.tokenUrl ?? `${platform.issuer}/token`,
      platform.jwksUrl,
      platform.status ?? 'active',
    ],
  );
  for (const deploymentId of platform.deploymentIds ?? []) {
    await query(
      t.databaseUrl,
      `INSERT INTO lti_deployments (platform_id, deployment_id, status) VALUES ($1, $2, 'approved')`,
      [row.id, deploymentId],
    );
  }
  return row.id;
}

/** Rows an LTI launch creates, counted for one tenant: a refused launch must leave all at 0. */
export async function launchFootprint(
  t: TestApp,
  tenantId: string,
): Promise<
  Record<
    'users' | 'memberships' | 'classes' | 'class_members' | 'seats' | 'launches' | 'identities',
    number
  >
> {
  const [row] = await query<Record<string, number>>(
    t.databaseUrl,
    `SELECT
       (SELECT count(*)::int FROM users WHERE managed_by_tenant_id = $1) AS users,
       (SELECT count(*)::int FROM memberships WHERE tenant_id = $1) AS memberships,
       (SELECT count(*)::int FROM classes WHERE tenant_id = $1) AS classes,
       (SELECT count(*)::int FROM class_members cm JOIN classes c ON c.id = cm.class_id
          WHERE c.tenant_id = $1) AS class_members,
       (SELECT count(*)::int FROM license_seats s JOIN school_licenses l ON l.id = s.license_id
          WHERE l.tenant_id = $1) AS seats,
       (SELECT count(*)::int FROM lti_launches WHERE tenant_id = $1) AS launches,
       (SELECT count(*)::int FROM lti_identities i JOIN lti_platforms p ON p.id = i.platform_id
          WHERE p.tenant_id = $1) AS identities`,
    [tenantId],
  );
  return row;
}

/** What the web app gets for a launch's one-time code at POST /api/v1/auth/oauth/exchange. */
export interface LtiSignedIn {
  access_token: string;
  user: { id: string };
  lti_launch: { launch_id: string; class_id: string };
}

/** The launch's redirect to the web app, its code exchanged (both must succeed). */
export async function exchangeLaunch(t: TestApp, result: LaunchResult): Promise<LtiSignedIn> {
  expect(result.launchResponse.status).toBe(302);
  const code = new URL(result.launchResponse.location ?? '').searchParams.get('code');
  const response = await requestJson<LtiSignedIn>(`${t.baseUrl}/api/v1/auth/oauth/exchange`, {
    method: 'POST',
    json: { code },
  });
  expect(response.status).toBe(200);
  return response.body;
}
