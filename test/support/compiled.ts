import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * e2e tests run the app as compiled by `nest build` (swagger plugin included) and load it with
 * Node's own module loader: Jest's loader cannot require() ES modules on Node 20, and some of
 * our CommonJS dependencies (@nestjs/throttler, nestjs-pino) require the ESM-only Nest core.
 * `npm test` builds this tree first (the pretest script).
 */
const TEST_DIST = path.resolve(import.meta.dirname, '../../.test-dist');

type NativeImport = (url: string) => Promise<unknown>;

export async function loadCompiled<T>(relativeSourcePath: string): Promise<T> {
  const importNative = (globalThis as { __importNative?: NativeImport }).__importNative;
  if (!importNative) {
    throw new Error('loadCompiled needs the e2e test environment (test/setup/e2e-environment.mjs)');
  }
  const compiled = path.join(TEST_DIST, relativeSourcePath.replace(/\.ts$/, '.js'));
  return (await importNative(pathToFileURL(compiled).href)) as T;
}
