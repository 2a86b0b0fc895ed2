import { writeFile } from 'node:fs/promises';
import { it } from '@jest/globals';
import { startTestApp } from '../support/test-app.js';

it('dumps', async () => {
  const t = await startTestApp();
  const doc = await (await fetch(`${t.baseUrl}/docs-json`)).text();
  await writeFile(process.env.DUMP_TO ?? '/tmp/doc.json', doc);
  await t.close();
});
