import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Found by walking up, since this file runs both from src/ (tests) and from dist/src/.
function findPackageJson(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error('package.json not found');
    }
    dir = parent;
  }
  return path.join(dir, 'package.json');
}

const packageJson = JSON.parse(readFileSync(findPackageJson(import.meta.dirname), 'utf8')) as {
  name: string;
  version: string;
};

export const APP_NAME = packageJson.name;
export const APP_VERSION = packageJson.version;
