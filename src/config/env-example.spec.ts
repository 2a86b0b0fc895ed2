import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const root = path.resolve(import.meta.dirname, '../..');

function declaredVariables(): string[] {
  const schema = readFileSync(path.join(import.meta.dirname, 'env.schema.ts'), 'utf8');
  return [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+)[?!]?[:=\s]/gm)]
    .map((match) => match[1] ?? '')
    .sort();
}

describe('configuration documentation', () => {
  it('should list every variable of the env schema in .env.example, and nothing else', () => {
    const example = readFileSync(path.join(root, '.env.example'), 'utf8');
    const listed = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)]
      .map((match) => match[1] ?? '')
      .sort();
    expect(listed).toEqual(declaredVariables());
  });

  it('should document every variable in the README configuration table', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const name of declaredVariables()) {
      expect(readme).toContain(`| \`${name}\``);
    }
  });
});
