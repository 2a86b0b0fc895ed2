// After the run: every error answer an e2e test saw must be documented on its route (the files
// test/support/error-response-log.ts wrote). Plain JS, like the rest of global setup/teardown.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const undocumented = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'undocumented-error-codes.json'), 'utf8'),
);
/** Codes whose documentation lands with the access policy (see the file's `why`). */
const DOCUMENTED_BY_ACCESS_POLICY = undocumented.DOCUMENTED_BY_ACCESS_POLICY.codes;
/** Codes no route documents, each with its reason there. */
const FRAMEWORK_ONLY = Object.keys(undocumented.FRAMEWORK_ONLY.codes);

export function errorLogDirectory() {
  return path.join(tmpdir(), `dreamseed-error-log-${process.env.DREAMSEED_TEST_RUN_ID ?? 'local'}`);
}

/** Throws when a route answered with a code its OpenAPI operation does not list. */
export function checkSeenErrorsAreDocumented() {
  const directory = errorLogDirectory();
  let files;
  try {
    files = readdirSync(directory);
  } catch {
    return;
  }
  const problems = new Set();
  for (const file of files) {
    const log = JSON.parse(readFileSync(path.join(directory, file), 'utf8'));
    for (const [operation, codes] of Object.entries(log.seen)) {
      const documented = log.documented[operation];
      for (const code of codes) {
        if (DOCUMENTED_BY_ACCESS_POLICY.includes(code) || FRAMEWORK_ONLY.includes(code)) {
          continue;
        }
        if (documented === null) {
          problems.add(
            `${operation} answered ${code} but is not in the OpenAPI document (${file})`,
          );
        } else if (!documented.includes(code)) {
          problems.add(
            `${operation} answered ${code}, which its @ApiErrors does not list (${file})`,
          );
        }
      }
    }
  }
  rmSync(directory, { recursive: true, force: true });
  if (problems.size > 0) {
    throw new Error(
      `Error responses seen in e2e tests but not documented on their route:\n  ${[...problems].sort().join('\n  ')}`,
    );
  }
}
