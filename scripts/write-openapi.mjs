// Writes openapi.json at the repository root from the built app (`npm run openapi` builds first).
// Refuses to write when @nestjs/swagger warned (e.g. two DTOs with one name: one schema would
// silently replace the other).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const { generateOpenApiDocument, canonicalJson } = await import(
  path.join(root, 'dist/src/bootstrap/openapi-document.js')
);

const { document, warnings } = await generateOpenApiDocument();
if (warnings.length > 0) {
  process.stderr.write(`OpenAPI document not written:\n${warnings.join('\n')}\n`);
  process.exit(1);
}
const target = path.join(root, 'openapi.json');
await writeFile(target, canonicalJson(document));
process.stdout.write(
  `wrote ${path.relative(process.cwd(), target) || target}: ${Object.keys(document.paths).length} paths\n`,
);
