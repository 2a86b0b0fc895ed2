import { describe, expect, it } from '@jest/globals';
import { generateJoinCode, JOIN_CODE_LENGTH } from './join-code.js';

describe('generateJoinCode', () => {
  it('should make 8 characters without ambiguous ones', () => {
    for (let i = 0; i < 200; i += 1) {
      const code = generateJoinCode();
      expect(code).toHaveLength(JOIN_CODE_LENGTH);
      expect(code).toMatch(/^[A-HJKMNP-Z2-9]+$/);
    }
  });

  it('should not repeat itself', () => {
    const codes = new Set(Array.from({ length: 500 }, generateJoinCode));
    expect(codes.size).toBe(500);
  });
});
