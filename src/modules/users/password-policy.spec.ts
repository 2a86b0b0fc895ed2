import { describe, expect, it } from '@jest/globals';
import { passwordPolicyViolations } from './password-policy.js';

describe('password policy', () => {
  it('should accept a password with upper, lower, digit and special characters', () => {
    expect(passwordPolicyViolations('Seed-2026-garden', 'minji@school.test')).toEqual([]);
    expect(passwordPolicyViolations('Ünï-cødé-2026', undefined)).toEqual([]);
  });

  it.each([
    ['short', 'Ab1!'],
    ['too long', `Ab1!${'x'.repeat(125)}`],
    ['no uppercase', 'seed-2026-garden'],
    ['no lowercase', 'SEED-2026-GARDEN'],
    ['no digit', 'Seed-garden-pass'],
    ['no special character', 'Seed2026garden'],
  ])('should refuse a password that is %s', (_name, password) => {
    expect(passwordPolicyViolations(password)).not.toEqual([]);
  });

  it("should refuse a password containing the email's local part, whatever the case", () => {
    expect(passwordPolicyViolations('Minji-2026!', 'minji@school.test')).toContain(
      `password must not contain the email's local part (the part before @: "minji")`,
    );
    expect(passwordPolicyViolations('Xy-2026-abc!', 'ab@school.test')).toEqual([]);
  });
});
