import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import type * as AfterCommitModule from '../../src/common/database/after-commit.js';
import { createTestDatabase } from '../setup/test-database.js';
import { loadCompiled } from '../support/compiled.js';
import { query } from '../support/database-client.js';

const { afterCommit } = await loadCompiled<typeof AfterCommitModule>(
  'src/common/database/after-commit.ts',
);

describe('afterCommit', () => {
  let database: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    await dataSource.query(`CREATE TABLE after_commit_probe (id int PRIMARY KEY)`);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  /** Whether another connection sees the row: it does only once the change committed. */
  const committed = async (id: number): Promise<boolean> =>
    (await query(database.url, `SELECT 1 FROM after_commit_probe WHERE id = $1`, [id])).length > 0;

  it('should run the callback once the transaction committed, before transaction() returns', async () => {
    const ran: string[] = [];
    let visibleWhenRun: Promise<boolean> | undefined;
    await dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO after_commit_probe (id) VALUES (1)`);
      afterCommit(manager, () => {
        ran.push('callback');
        visibleWhenRun = committed(1);
      });
      ran.push('still in the transaction');
    });
    ran.push('returned');
    expect(ran).toEqual(['still in the transaction', 'callback', 'returned']);
    expect(await visibleWhenRun).toBe(true);
  });

  it('should never run it when the transaction rolls back, nor in the next transaction of the connection', async () => {
    const ran: string[] = [];
    const runner = dataSource.createQueryRunner();
    try {
      await expect(
        runner.manager.transaction(async (manager) => {
          await manager.query(`INSERT INTO after_commit_probe (id) VALUES (2)`);
          afterCommit(manager, () => ran.push('rolled back'));
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      await runner.manager.transaction(async (manager) => {
        await manager.query(`INSERT INTO after_commit_probe (id) VALUES (4)`);
        afterCommit(manager, () => ran.push('committed'));
      });
    } finally {
      await runner.release();
    }
    expect(ran).toEqual(['committed']);
    expect(await committed(2)).toBe(false);
  });

  it('should wait for the outermost commit when a savepoint is released', async () => {
    const ran: string[] = [];
    await dataSource.transaction(async (outer) => {
      await outer.transaction(async (inner) => {
        await inner.query(`INSERT INTO after_commit_probe (id) VALUES (5)`);
        afterCommit(inner, () => ran.push('callback'));
      });
      ran.push('savepoint released');
    });
    expect(ran).toEqual(['savepoint released', 'callback']);
  });

  it('should run at once outside a transaction', () => {
    const ran: string[] = [];
    afterCommit(undefined, () => ran.push('no manager'));
    afterCommit(dataSource.manager, () => ran.push('no transaction'));
    expect(ran).toEqual(['no manager', 'no transaction']);
  });

  it('should not turn a committed change into an error when a callback throws', async () => {
    const ran: string[] = [];
    await dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO after_commit_probe (id) VALUES (3)`);
      afterCommit(manager, () => {
        throw new Error('callback failed');
      });
      afterCommit(manager, () => ran.push('next callback'));
    });
    expect(ran).toEqual(['next callback']);
    expect(await committed(3)).toBe(true);
  });
});
