import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as OpenApiDocumentModule from '../../src/bootstrap/openapi-document.js';
import { loadCompiled } from '../support/compiled.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const { generateOpenApiDocument, canonicalJson } = await loadCompiled<typeof OpenApiDocumentModule>(
  'src/bootstrap/openapi-document.ts',
);

const COMMITTED = path.resolve(import.meta.dirname, '../../openapi.json');
const README = path.resolve(import.meta.dirname, '../../README.md');

interface OwnershipRow {
  prefix: string;
  modules: string[];
}

/** The README's "Who serves which path" table: `/prefix*` (any continuation) or an exact path. */
async function ownershipTable(): Promise<OwnershipRow[]> {
  const readme = await readFile(README, 'utf8');
  const section = readme.split('### Who serves which path')[1]?.split('\n\n|')[1] ?? '';
  const table = `|${section.split('\n\n')[0] ?? ''}`;
  return table
    .split('\n')
    .slice(2)
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .map(([, prefix = '', modules = '']) => ({
      prefix: prefix.replaceAll('`', ''),
      modules: [...modules.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? ''),
    }));
}

const matches = (prefix: string, documentedPath: string): boolean =>
  prefix.endsWith('*') ? documentedPath.startsWith(prefix.slice(0, -1)) : documentedPath === prefix;

/** The most specific row: the longest prefix that matches. */
const rowOf = (rows: OwnershipRow[], documentedPath: string): OwnershipRow | undefined =>
  rows
    .filter((row) => matches(row.prefix, documentedPath))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];

/** JSON pointers where two documents differ, to name what changed without a 400 KB diff. */
function differences(a: unknown, b: unknown, at = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) {
    return [];
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) =>
      differences(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
      ),
    );
  }
  return [at || '/'];
}

describe('the committed openapi.json', () => {
  let generated: Awaited<ReturnType<typeof generateOpenApiDocument>>;

  beforeAll(async () => {
    generated = await generateOpenApiDocument();
  });

  it('should be built without warnings from @nestjs/swagger (e.g. two DTOs sharing a name)', () => {
    expect(generated.warnings).toEqual([]);
  });

  it('should be current (run `npm run openapi` after changing a route or a DTO)', async () => {
    const committed = await readFile(COMMITTED, 'utf8').catch(() => '');
    const current = canonicalJson(generated.document);
    if (committed !== current) {
      const changed = committed
        ? differences(JSON.parse(committed), JSON.parse(current)).slice(0, 20)
        : ['(no openapi.json)'];
      throw new Error(
        `openapi.json is not current: run \`npm run openapi\` and commit it.\nDiffers at:\n  ${changed.join('\n  ')}`,
      );
    }
  });

  describe("the README's table of who serves which path", () => {
    it('should give every documented path a row', async () => {
      const rows = await ownershipTable();
      expect(rows.length).toBeGreaterThan(10);
      const withoutRow = Object.keys(generated.modulesByPath).filter(
        (documentedPath) => !rowOf(rows, documentedPath),
      );
      expect(withoutRow).toEqual([]);
    });

    it('should name in each row exactly the modules that serve its paths', async () => {
      const rows = await ownershipTable();
      const served = new Map<string, Set<string>>(rows.map((row) => [row.prefix, new Set()]));
      for (const [documentedPath, modules] of Object.entries(generated.modulesByPath)) {
        const row = rowOf(rows, documentedPath);
        for (const module of row ? modules : []) {
          served.get(row?.prefix ?? '')?.add(module);
        }
      }
      const actual = rows.map((row) => ({
        prefix: row.prefix,
        modules: [...(served.get(row.prefix) ?? [])].sort(),
      }));
      expect(actual).toEqual(rows.map((row) => ({ ...row, modules: [...row.modules].sort() })));
    });
  });

  describe('against the served document', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp();
    });

    afterAll(async () => {
      await t.close();
    });

    it('should be what /docs-json serves (the app with its database, configured as in tests)', async () => {
      const served: unknown = await (await fetch(`${t.baseUrl}/docs-json`)).json();
      expect(
        differences(
          JSON.parse(canonicalJson(served)),
          JSON.parse(canonicalJson(generated.document)),
        ),
      ).toEqual([]);
    });
  });
});
