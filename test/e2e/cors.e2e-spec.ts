import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/test-app.js';

const FRONTEND = 'http://localhost:5173';

function preflight(t: TestApp, origin: string, method = 'PATCH'): Promise<Response> {
  return fetch(`${t.baseUrl}/api/v1/users/me`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type',
    },
  });
}

describe('CORS', () => {
  describe('outside production without CORS_ORIGINS', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ env: { NODE_ENV: 'development', CORS_ORIGINS: '' } });
    });

    afterAll(async () => {
      await t.close();
    });

    it("should answer a preflight from FRONTEND_URL's origin with 204 and the CORS headers", async () => {
      const response = await preflight(t, FRONTEND);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(FRONTEND);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-allow-methods')).toContain('PATCH');
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
        'authorization',
      );
      expect(response.headers.get('vary')?.toLowerCase()).toContain('origin');
    });

    it('should let the web app read an answer and its request id', async () => {
      const response = await fetch(`${t.baseUrl}/api/v1/status`, { headers: { origin: FRONTEND } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(FRONTEND);
      expect(response.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    });

    it('should not allow another origin', async () => {
      const response = await preflight(t, 'http://evil.example');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const simple = await fetch(`${t.baseUrl}/api/v1/status`, {
        headers: { origin: 'http://localhost:3001' },
      });
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('with FRONTEND_URL on a path of another origin', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({
        env: {
          NODE_ENV: 'development',
          CORS_ORIGINS: '',
          FRONTEND_URL: 'https://app.test/school/',
        },
      });
    });

    afterAll(async () => {
      await t.close();
    });

    it('should allow its origin only', async () => {
      expect(
        (await preflight(t, 'https://app.test')).headers.get('access-control-allow-origin'),
      ).toBe('https://app.test');
      expect((await preflight(t, FRONTEND)).headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('with CORS_ORIGINS set', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({
        env: { NODE_ENV: 'development', CORS_ORIGINS: 'https://admin.test, https://other.test' },
      });
    });

    afterAll(async () => {
      await t.close();
    });

    it('should allow the listed origins instead of FRONTEND_URL', async () => {
      const listed = await preflight(t, 'https://other.test', 'DELETE');
      expect(listed.status).toBe(204);
      expect(listed.headers.get('access-control-allow-origin')).toBe('https://other.test');
      expect((await preflight(t, FRONTEND)).headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('in production without CORS_ORIGINS', () => {
    let t: TestApp;

    beforeAll(async () => {
      // Production refuses to generate a signing key, so it gets one.
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      t = await startTestApp({
        env: {
          NODE_ENV: 'production',
          CORS_ORIGINS: '',
          JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      });
    });

    afterAll(async () => {
      await t.close();
    });

    it('should allow no origin, FRONTEND_URL included', async () => {
      const response = await preflight(t, FRONTEND);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const simple = await fetch(`${t.baseUrl}/api/v1/status`, { headers: { origin: FRONTEND } });
      expect(simple.status).toBe(200);
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
