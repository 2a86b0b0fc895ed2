import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as LtiToolKeysModule from '../../src/modules/lti/keys/lti-tool-keys.service.js';
import { createTestDatabase } from '../setup/test-database.js';
import { loadCompiled } from '../support/compiled.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const { LtiToolKeys, SIGNING_KEY_CACHE_MS } = await loadCompiled<typeof LtiToolKeysModule>(
  'src/modules/lti/keys/lti-tool-keys.service.ts',
);

const CLI = path.resolve(import.meta.dirname, '../../.test-dist/src/cli.js');
const run = promisify(execFile);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

interface Jwks {
  keys: Array<Record<string, string>>;
}

interface KeyRow {
  kid: string;
  status: string;
  private_key_sealed: string;
  retired_at: Date | null;
}

/** The private key in both shapes it could leak in: the PEM body and the JWK `d`. */
async function privateSecrets(keys: InstanceType<typeof LtiToolKeys>): Promise<string[]> {
  const { privateKey } = await keys.signingKey();
  const pemBody = privateKey
    .export({ format: 'pem', type: 'pkcs8' })
    .toString()
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'))
    .join('');
  const d = privateKey.export({ format: 'jwk' }).d ?? '';
  return [pemBody.slice(0, 64), d];
}

describe('LTI tool keys', () => {
  const encryptionKey = randomBytes(32).toString('hex');
  const clock = new ManualClock();
  let t: TestApp;
  let keys: InstanceType<typeof LtiToolKeys>;

  const rows = () =>
    query<KeyRow>(
      t.databaseUrl,
      `SELECT kid, status, private_key_sealed, retired_at FROM lti_tool_keys ORDER BY created_at`,
    );
  const jwks = () => requestJson<Jwks>(`${t.baseUrl}/lti/jwks`);

  beforeAll(async () => {
    t = await startTestApp({ env: { LTI_KEY_ENCRYPTION_KEY: encryptionKey }, clock });
    keys = t.app.get(LtiToolKeys);
  });

  afterAll(async () => {
    await t.close();
  });

  describe('GET /lti/jwks', () => {
    it('should publish the one RSA 2048 signing key made at start, public members only', async () => {
      const response = await jwks();
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=300');
      expect(response.body.keys).toHaveLength(1);
      const [key] = response.body.keys;
      expect(key).toEqual({
        kty: 'RSA',
        n: expect.any(String),
        e: 'AQAB',
        kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        alg: 'RS256',
        use: 'sig',
      });
      for (const member of PRIVATE_MEMBERS) {
        expect(key).not.toHaveProperty(member);
      }
      // 2048 bits: 256 bytes of modulus.
      expect(Buffer.from(key?.n ?? '', 'base64url')).toHaveLength(256);
      expect((await keys.signingKey()).kid).toBe(key?.kid);
    });

    it('should be public and outside /api/v1, apart from the access-token JWKS', async () => {
      const [lti, auth, prefixed] = await Promise.all([
        jwks(),
        requestJson<Jwks>(`${t.baseUrl}/.well-known/jwks.json`),
        requestJson(`${t.baseUrl}/api/v1/lti/jwks`),
      ]);
      expect(lti.status).toBe(200);
      expect(prefixed.status).toBe(404);
      const ltiKids = lti.body.keys.map((key) => key.kid);
      expect(auth.body.keys.some((key) => ltiKids.includes(key.kid ?? ''))).toBe(false);
    });
  });

  describe('rotation and removal', () => {
    it('should publish both keys after a rotation and sign with the new one', async () => {
      const before = await keys.signingKey();
      const kid = await keys.rotate();
      expect(kid).not.toBe(before.kid);
      expect((await keys.signingKey()).kid).toBe(kid);
      const response = await jwks();
      expect(response.body.keys.map((key) => key.kid)).toEqual([kid, before.kid]);
      const stored = await rows();
      expect(stored.map(({ kid: k, status }) => [k, status])).toEqual([
        [before.kid, 'published'],
        [kid, 'signing'],
      ]);
      expect(stored[0]?.retired_at).toBeInstanceOf(Date);
      expect(stored[1]?.retired_at).toBeNull();
      expect((await keys.list()).map((key) => key.status)).toEqual(['signing', 'published']);
    });

    it('should remove a published key and refuse to remove the signing key', async () => {
      const [signing, old] = await keys.list();
      await expect(keys.remove(signing?.kid ?? '')).rejects.toMatchObject({
        code: 'LTI_TOOL_KEY_SIGNING',
        status: 409,
      });
      await keys.remove(old?.kid ?? '');
      await expect(keys.remove(old?.kid ?? '')).rejects.toMatchObject({
        code: 'LTI_TOOL_KEY_NOT_FOUND',
        status: 404,
      });
      expect((await jwks()).body.keys.map((key) => key.kid)).toEqual([signing?.kid]);
      expect((await keys.signingKey()).kid).toBe(signing?.kid);
    });

    it('should store the private key sealed and never answer it', async () => {
      const secrets = await privateSecrets(keys);
      const stored = await rows();
      const published = JSON.stringify((await jwks()).body);
      for (const row of stored) {
        expect(row.private_key_sealed).not.toContain('PRIVATE KEY');
        for (const secret of secrets) {
          expect(row.private_key_sealed).not.toContain(secret);
        }
      }
      for (const secret of secrets) {
        expect(published).not.toContain(secret);
      }
      const publicJwks = await query<{ public_jwk: Record<string, unknown> }>(
        t.databaseUrl,
        `SELECT public_jwk FROM lti_tool_keys`,
      );
      for (const { public_jwk: jwk } of publicJwks) {
        for (const member of PRIVATE_MEMBERS) {
          expect(jwk).not.toHaveProperty(member);
        }
      }
    });
  });

  describe('npm run cli -- lti-rotate-key / lti-keys / lti-remove-key', () => {
    const cli = (args: string[]) =>
      run(process.execPath, [CLI, ...args], {
        env: {
          ...process.env,
          DATABASE_URL: t.databaseUrl,
          LTI_KEY_ENCRYPTION_KEY: encryptionKey,
          MAIL_OUTBOX_DIR: t.outboxDir,
          SUPERADMIN_EMAIL: '',
        },
      });

    // Five CLI processes, each starting Node and Nest: about 13 s on an idle machine.
    it('should rotate from another process; the running app signs with the new key after its cache', async () => {
      const before = (await keys.signingKey()).kid;
      const rotated = await cli(['lti-rotate-key']);
      const kid = /LTI tool key (\S+): signing/.exec(rotated.stdout)?.[1];
      expect(kid).toBeDefined();
      expect(kid).not.toBe(before);
      expect((await jwks()).body.keys.map((key) => key.kid)).toEqual([kid, before]);
      // The app trusts its copy for a while, then reads the new one.
      expect((await keys.signingKey()).kid).toBe(before);
      clock.advance(SIGNING_KEY_CACHE_MS + 1000);
      expect((await keys.signingKey()).kid).toBe(kid);

      const listed = await cli(['lti-keys']);
      const lines = listed.stdout.trim().split('\n');
      expect(lines.map((line) => line.split('\t').slice(0, 2))).toEqual([
        [kid, 'signing'],
        [before, 'published'],
      ]);
      expect(lines[0]?.split('\t')[2]).toMatch(/^\d{4}-\d\d-\d\dT/);

      const refused = cli(['lti-remove-key', `--kid=${kid ?? ''}`]);
      await expect(refused).rejects.toMatchObject({ code: 1 });
      await expect(refused).rejects.toMatchObject({ stderr: expect.stringMatching(/signs now/) });
      const removed = await cli(['lti-remove-key', `--kid=${before}`]);
      expect(removed.stdout).toContain(`LTI tool key ${before}: removed`);
      expect((await jwks()).body.keys.map((key) => key.kid)).toEqual([kid]);
      await expect(cli(['lti-remove-key'])).rejects.toMatchObject({ code: 1 });
    }, 90_000);
  });

  describe('instances starting together', () => {
    it('should end with one signing key when two apps bootstrap on an empty table', async () => {
      const database = await createTestDatabase();
      const env = { LTI_KEY_ENCRYPTION_KEY: encryptionKey };
      const apps = await Promise.all([
        startTestApp({ env, databaseUrl: database.url }),
        startTestApp({ env, databaseUrl: database.url }),
      ]);
      try {
        const stored = await query<KeyRow>(database.url, `SELECT kid, status FROM lti_tool_keys`);
        expect(stored).toHaveLength(1);
        expect(stored[0]?.status).toBe('signing');
        const kids = await Promise.all(
          apps.map(async (app) => (await app.app.get(LtiToolKeys).signingKey()).kid),
        );
        expect(kids).toEqual([stored[0]?.kid, stored[0]?.kid]);
      } finally {
        await Promise.all(apps.map((app) => app.close()));
        await database.drop();
      }
    });

    it('should keep one signing key when ensureSigningKey races itself after the key is gone', async () => {
      const [signing] = await keys.list();
      await query(t.databaseUrl, `DELETE FROM lti_tool_keys`);
      const kids = await Promise.all([keys.ensureSigningKey(), keys.ensureSigningKey()]);
      const stored = await query<KeyRow>(
        t.databaseUrl,
        `SELECT kid, status FROM lti_tool_keys WHERE status = 'signing'`,
      );
      expect(stored).toHaveLength(1);
      expect(kids).toEqual([stored[0]?.kid, stored[0]?.kid]);
      expect(stored[0]?.kid).not.toBe(signing?.kid);
    });
  });
});
