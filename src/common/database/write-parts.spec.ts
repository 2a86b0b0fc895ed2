import { describe, expect, it } from '@jest/globals';
import { withWriteParts } from './write-parts.js';

describe('withWriteParts', () => {
  it('should renumber each part after the statement and put it first among the WITH clauses', () => {
    const { sql, params } = withWriteParts(
      'WITH created AS (INSERT INTO a (x) VALUES ($1) RETURNING id) SELECT id FROM created',
      ['x'],
      [
        { sql: 'INSERT INTO b (y, z) VALUES ($1, $2)', params: ['y', 'z'] },
        { sql: 'INSERT INTO c (w) VALUES ($1)', params: ['w'] },
      ],
    );
    expect(sql).toBe(
      'WITH part_1 AS (INSERT INTO b (y, z) VALUES ($2, $3)), part_2 AS (INSERT INTO c (w) VALUES ($4)), ' +
        'created AS (INSERT INTO a (x) VALUES ($1) RETURNING id) SELECT id FROM created',
    );
    expect(params).toEqual(['x', 'y', 'z', 'w']);
  });

  it('should leave a statement without parts as it is', () => {
    expect(withWriteParts('SELECT $1', [1], [])).toEqual({ sql: 'SELECT $1', params: [1] });
  });

  it('should put the parts before a statement that has no WITH of its own', () => {
    expect(
      withWriteParts('UPDATE a SET x = $1', [1], [{ sql: 'DELETE FROM b', params: [] }]),
    ).toEqual({
      sql: 'WITH part_1 AS (DELETE FROM b) UPDATE a SET x = $1',
      params: [1],
    });
  });
});
