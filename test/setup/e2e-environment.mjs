// The e2e test environment: Jest's node environment plus `__importNative`, an import() that
// runs in Node's own module loader rather than Jest's sandbox (see test/support/compiled.ts).
import { TestEnvironment } from 'jest-environment-node';

export default class E2eEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__importNative = (url) => import(url);
  }
}
