import { readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { MIGRATIONS } from './index.js';

describe('the migrations index', () => {
  it('should list every migration file of the folder, in timestamp order', () => {
    const files = readdirSync(import.meta.dirname)
      .filter((file) => /^\d{13}-[A-Za-z0-9]+\.ts$/.test(file))
      .sort();
    const names = files.map((file) => {
      const [timestamp, name] = file.replace(/\.ts$/, '').split('-');
      return `${name}${timestamp}`;
    });
    expect(MIGRATIONS.map((migration) => migration.name)).toEqual(names);
  });
});
