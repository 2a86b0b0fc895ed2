// `npm run migration:generate -- <PascalCaseName>`: diff the entities against the database,
// write migrations/<timestamp>-<Name>.ts and list it in migrations/index.ts.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const name = process.argv[2];
if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
  console.error('usage: npm run migration:generate -- <PascalCaseName>');
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..');
const migrationsDir = path.join(root, 'migrations');
const before = new Set(readdirSync(migrationsDir));
const result = spawnSync(
  process.execPath,
  [
    path.join(root, 'node_modules/typeorm/cli.js'),
    'migration:generate',
    path.join('migrations', name),
    '-d',
    'dist/src/common/database/data-source.js',
    '--pretty',
  ],
  { cwd: root, stdio: 'inherit' },
);
if (result.status !== 0) {
  process.exit(result.status ?? 1);
}
const created = readdirSync(migrationsDir).find(
  (file) => !before.has(file) && file.endsWith('.ts'),
);
if (!created) {
  process.exit(0);
}
const timestamp = created.split('-')[0];
const className = `${name}${timestamp}`;
const indexFile = path.join(migrationsDir, 'index.ts');
const source = readFileSync(indexFile, 'utf8');
const importLine = `import { ${className} } from './${created.replace(/\.ts$/, '.js')}';\n`;
const afterImports = source.search(/\n(?!import )/) + 1;
const index = (source.slice(0, afterImports) + importLine + source.slice(afterImports)).replace(
  /,?\s*\];\s*$/,
  `, ${className}];\n`,
);
writeFileSync(indexFile, index);
console.log(
  `listed ${className} in migrations/index.ts; review the file, then run npx prettier --write migrations`,
);
