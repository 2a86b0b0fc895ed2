import { describe, expect, it } from '@jest/globals';
import { MAX_PREPARED_STATEMENTS, preparedNameOf } from './sql.js';

describe('preparedNameOf', () => {
  it('should give one statement text the same name every time and another text another', () => {
    const byEmail = preparedNameOf('SELECT id FROM users WHERE email = $1');
    expect(byEmail).toMatch(/^ds_[\w-]{24}$/);
    expect(preparedNameOf('SELECT id FROM users WHERE email = $1')).toBe(byEmail);
    expect(preparedNameOf('SELECT id FROM users WHERE id = $1')).not.toBe(byEmail);
  });

  it('should leave unnamed a statement whose columns come from * (they follow the table)', () => {
    expect(preparedNameOf('SELECT * FROM users WHERE id = $1')).toBeUndefined();
    expect(preparedNameOf('UPDATE licenses l SET seats = $2 WHERE id = $1 RETURNING l.*')).toBe(
      undefined,
    );
    expect(preparedNameOf('SELECT count(*) AS n FROM users WHERE tenant_id = $1')).toMatch(/^ds_/);
  });

  it('should stop naming new texts at the limit and keep the names it gave', () => {
    const first = preparedNameOf('SELECT 1 WHERE $1::int = 1');
    for (let i = 0; i < MAX_PREPARED_STATEMENTS; i += 1) {
      preparedNameOf(`SELECT ${i} WHERE $1::int = 1`);
    }
    expect(preparedNameOf(`SELECT 'one more' WHERE $1::int = 1`)).toBeUndefined();
    expect(preparedNameOf('SELECT 1 WHERE $1::int = 1')).toBe(first);
  });
});
