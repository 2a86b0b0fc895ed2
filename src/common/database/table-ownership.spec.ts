import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';

const SCRIPT = path.join(process.cwd(), 'scripts/check-table-ownership.mjs');

function check(root?: string, ...flags: string[]): { status: number | null; output: string } {
  const args = [SCRIPT, ...(root ? ['--root', root] : []), ...flags];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const dirs: string[] = [];

/** A small project: tenants and users own their tables and publish the views; `b` owns b_items. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ownership-'));
  dirs.push(root);
  const all: Record<string, string> = {
    'migrations/1-Init.ts': `export class Init {
      async up(q) {
        await q.query(\`CREATE TABLE "tenants" (id varchar)\`);
        await q.query(\`CREATE TABLE "users" (id uuid)\`);
        await q.query(\`CREATE TABLE "memberships" (id uuid)\`);
        await q.query(\`CREATE TABLE "b_items" (id uuid)\`);
        await q.query(\`CREATE TABLE "old_things" (id uuid)\`);
        await q.query(\`CREATE VIEW "tenant_directory" AS SELECT id FROM tenants\`);
        await q.query(\`CREATE VIEW "account_directory" AS SELECT id FROM users\`);
        await q.query(\`CREATE VIEW "membership_directory" AS SELECT id FROM memberships\`);
      }
      async down(q) {
        await q.query(\`DROP TABLE "b_items"\`);
      }
    }`,
    'migrations/2-DropOld.ts': `export class DropOld {
      async up(q) { await q.query(\`DROP TABLE "old_things"\`); }
      async down(q) { await q.query(\`CREATE TABLE "old_things" (id uuid)\`); }
    }`,
    'src/modules/tenants/tenant.entity.ts': `@Entity({ name: 'tenants' })\nexport class Tenant {}`,
    'src/modules/users/user.entity.ts': `@Entity({ name: 'users' })\n@Index(['id'])\nexport class User {}`,
    'src/modules/users/membership.entity.ts': `@Entity({ name: 'memberships' })\nexport class Membership {}`,
    'src/modules/b/b-item.entity.ts': `@Entity({ name: 'b_items' })\nexport class BItem {}`,
    ...files,
  };
  for (const [file, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

afterEach(() => {
  dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

describe('check-table-ownership', () => {
  it('should find no module querying another module’s table in this repository', () => {
    const { status, output } = check();
    expect(output).toMatch(/each queried by its module only/);
    expect(status).toBe(0);
  });

  it('should find the README’s table map current', () => {
    const readme = readFileSync(path.join(process.cwd(), 'README.md'), 'utf8');
    const shown = /<!-- table-ownership:start -->\n([\s\S]*?)\n<!-- table-ownership:end -->/.exec(
      readme,
    )?.[1];
    expect(shown).toBe(check(undefined, '--map').output.trimEnd());
  });

  it('should accept own tables, published views read, CTE names and prose', () => {
    const root = project({
      'src/modules/b/b.repository.ts': `
        const PART = \`SELECT id FROM b_items\`;
        export const reads = [
          \`\${PART} b JOIN tenant_directory t ON t.id = b.tenant_id WHERE b.id = $1\`,
          \`WITH users AS (SELECT user_id FROM b_items) SELECT * FROM users u\`,
          \`UPDATE b_items b SET x = 1 FROM tenant_directory t WHERE t.id = b.tenant_id\`,
          'Students join users by code, from tenants they belong to',
        ];
        // SELECT * FROM users in a comment is no query
        getRepository(BItem);`,
    });
    const { status, output } = check(root);
    expect(output).toMatch(/each queried by its module only/);
    expect(status).toBe(0);
  });

  it.each([
    ['FROM', 'SELECT id FROM users WHERE id = $1', 'FROM users'],
    [
      'JOIN',
      'SELECT b.id FROM b_items b JOIN memberships m ON m.user_id = b.user_id',
      'JOIN memberships',
    ],
    ['INSERT INTO', 'INSERT INTO tenants (id) VALUES ($1)', 'INTO tenants'],
    ['UPDATE', 'UPDATE users SET is_active = false WHERE id = $1', 'UPDATE users'],
    ['DELETE FROM', 'DELETE FROM memberships WHERE user_id = $1', 'DELETE FROM memberships'],
    ['USING', 'DELETE FROM b_items b USING users u WHERE u.id = b.user_id', 'USING users'],
    ['quoted, schema-qualified', 'SELECT 1 FROM public."tenants" WHERE id = $1', 'FROM tenants'],
    [
      'a FROM clause in a constant',
      'memberships m JOIN b_items b ON b.user_id = m.user_id',
      'FROM clause',
    ],
    [
      'a write to a published view',
      'UPDATE tenant_directory SET name = $2 WHERE id = $1',
      'UPDATE tenant_directory',
    ],
  ])('should refuse another module’s table named by %s', (_name, sql, how) => {
    const root = project({
      'src/modules/b/b.repository.ts': `export const q = (id: string) =>\n  \`${sql}\`;`,
    });
    const { status, output } = check(root);
    expect(output).toContain(`src/modules/b/b.repository.ts:2: ${how}`);
    expect(status).toBe(1);
  });

  it.each([
    ['getRepository', 'manager.getRepository(User).find()'],
    [
      'InjectRepository',
      'constructor(@InjectRepository(Membership) private readonly r: unknown) {}',
    ],
    ['forFeature', 'TypeOrmModule.forFeature([BItem, Tenant])'],
    ['a query builder from()', "qb.select('u.id').from(User, 'u')"],
    ['a query builder join on a table name', "qb.leftJoin('users', 'u', 'u.id = b.user_id')"],
  ])('should refuse another module’s entity or table used through %s', (_name, code) => {
    const root = project({ 'src/modules/b/b.repository.ts': `export class B {}\n${code};` });
    const { status, output } = check(root);
    expect(output).toMatch(
      /src\/modules\/b\/b\.repository\.ts:2: .*belongs to module (users|tenants)/,
    );
    expect(status).toBe(1);
  });

  it('should refuse a migrated table that no entity maps (it would have no owner)', () => {
    const root = project({
      'migrations/3-Orphan.ts': `export class Orphan {
        async up(q) { await q.query(\`CREATE TABLE IF NOT EXISTS "orphans" (id uuid)\`); }
        async down(q) { await q.query(\`DROP TABLE "orphans"\`); }
      }`,
    });
    const { status, output } = check(root);
    expect(output).toContain('table orphans (migrations) has no entity');
    expect(output).not.toContain('old_things');
    expect(status).toBe(1);
  });
});
