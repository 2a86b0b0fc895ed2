import { describe, expect, it } from '@jest/globals';
import { validateEnv } from './env.schema.js';

describe('validateEnv', () => {
  it('should apply the documented defaults to an empty environment', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      DATABASE_MIGRATIONS_RUN: true,
      EMBEDDED_PG_DIR: './.data/postgres',
      RATE_LIMIT_ANONYMOUS_LIMIT: 100,
      RATE_LIMIT_AUTHENTICATED_LIMIT: 1000,
      TRUST_PROXY: false,
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('should convert numbers and booleans from strings', () => {
    const env = validateEnv({ PORT: '8080', TRUST_PROXY: 'true', DATABASE_MIGRATIONS_RUN: '0' });
    expect(env.PORT).toBe(8080);
    expect(env.TRUST_PROXY).toBe(true);
    expect(env.DATABASE_MIGRATIONS_RUN).toBe(false);
  });

  it('should name every bad variable in one error', () => {
    let message = '';
    try {
      validateEnv({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        TRUST_PROXY: 'maybe',
        LOG_LEVEL: 'loud',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid environment configuration/);
    for (const name of ['PORT', 'TRUST_PROXY', 'LOG_LEVEL']) {
      expect(message).toContain(`- ${name}:`);
    }
    expect(message).toContain('DATABASE_URL must be a postgres:// connection string');
  });

  it('should not echo secret values in the error', () => {
    expect(() => validateEnv({ SMTP_PORT: 'not-a-port', SMTP_PASSWORD: 'hunter2' })).toThrow(
      /^(?![\s\S]*hunter2)[\s\S]*SMTP_PORT/,
    );
  });

  it('should read TRUST_PROXY as Fastify takes it: a boolean, a hop count, or proxy addresses', () => {
    const parse = (value: string) => validateEnv({ TRUST_PROXY: value }).TRUST_PROXY;
    expect(parse('true')).toBe(true);
    expect(parse('off')).toBe(false);
    expect(parse('2')).toBe(2);
    expect(parse('0')).toBe(false);
    expect(parse('10.0.0.0/8, 192.168.1.7,::1,fd00::/8,loopback')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it.each(['maybe', '10.0.0.0/33', '300.1.1.1', '10.0.0.1,', 'fd00::/129', '-1', '1.5'])(
    'should refuse TRUST_PROXY=%s at boot with what is accepted',
    (value) => {
      expect(() => validateEnv({ TRUST_PROXY: value })).toThrow(
        /- TRUST_PROXY: TRUST_PROXY must be true, false, a hop count .* proxy addresses\/CIDRs/,
      );
    },
  );
});
