// `node scripts/check-table-ownership.mjs [--root <dir>] [--map]`: every table belongs to the
// module whose entity maps it, and no other module's code names it in SQL or in a TypeORM call.
// A module may publish read-only views (PUBLISHED_VIEWS) that others read but never write.
// --map prints the table -> module map as a Markdown table (the README's copy).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Views a module offers other modules to JOIN on hot paths (created by a migration). */
export const PUBLISHED_VIEWS = {
  tenant_directory: 'tenants',
  account_directory: 'users',
  membership_directory: 'users',
};

// SQL is written with uppercase keywords (or starts with a lowercase statement verb); prose in
// messages ("join classes by code") is not read as SQL.
const SQL_SHAPE =
  /\b(SELECT|INSERT|UPDATE|DELETE|WITH|FROM|JOIN|USING)\b|^\s*(select|insert|update|delete|with)\b/;
const TABLE_AFTER_KEYWORD =
  /\b(DELETE\s+FROM|FROM|JOIN|INTO|UPDATE|USING|TRUNCATE|TABLE)\s+(?:ONLY\s+|IF\s+(?:NOT\s+)?EXISTS\s+)?(?:"?public"?\.)?"?([a-z_][a-z0-9_]*)"?/gi;
// A FROM clause kept in a constant: 'memberships m JOIN users u ...' or 'users u'.
const LEADING_TABLE =
  /^\s*"?([a-z_][a-z0-9_]*)"?\s+(?:AS\s+)?[a-z]{1,3}\s*(?:$|,|\bJOIN\b|\bWHERE\b)/i;
const CTE_NAME =
  /(?:\bWITH(?:\s+RECURSIVE)?|,)\s*"?([a-z_][a-z0-9_]*)"?\s+AS\s*(?:NOT\s+MATERIALIZED\s*|MATERIALIZED\s*)?\(/gi;
const WRITE_KEYWORDS = new Set(['DELETE FROM', 'INTO', 'UPDATE', 'TRUNCATE', 'TABLE']);
const ENTITY_CALLS =
  '(?:getRepository|InjectRepository|forFeature|createQueryBuilder|from|\\w*[jJ]oin\\w*|find\\w*|save|insert|upsert|update|delete|softDelete|restore|count\\w*|exists\\w*|increment|decrement|sum|average|minimum|maximum)';
const STRING_TABLE_CALL =
  /\.(from|into|update|delete|\w*[jJ]oin\w*|getRepository|createQueryBuilder)\(\s*['"`]([a-z_][a-z0-9_]*)['"`]/g;

/** `src/modules/<x>/...` -> `<x>`, `src/common/<y>/...` -> `common/<y>`, else undefined. */
export function moduleOf(relativePath) {
  const parts = relativePath.split(path.sep).join('/').split('/');
  if (parts[0] !== 'src' || parts.length < 4) {
    return undefined;
  }
  if (parts[1] === 'modules') {
    return parts[2];
  }
  if (parts[1] === 'common') {
    return `common/${parts[2]}`;
  }
  return undefined;
}

function walk(dir) {
  let files = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      files = files.concat(walk(full));
    } else if (/\.ts$/.test(name) && !/\.(d|spec)\.ts$/.test(name)) {
      files.push(full);
    }
  }
  return files;
}

/**
 * Splits TypeScript source into code (strings and comments blanked) and its string literals,
 * each with the line it starts on; a template literal is one string, its `${}` parts as ` ? `.
 */
export function lex(source) {
  const strings = [];
  let code = '';
  let line = 1;
  let i = 0;
  // Open template literals, innermost last: their text so far and the brace depth of `${`.
  const templates = [];
  const readQuoted = (quote) => {
    let text = '';
    const start = line;
    i += 1;
    while (i < source.length && source[i] !== quote) {
      if (source[i] === '\\') {
        text += source[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (source[i] === '\n') {
        line += 1;
      }
      text += source[i];
      i += 1;
    }
    i += 1;
    strings.push({ text, line: start });
    code += quote + quote;
  };
  // Reads template text up to its end (the literal is done) or to `${` (it stays open).
  const readTemplate = (template) => {
    while (i < source.length) {
      const c = source[i];
      if (c === '\\') {
        template.text += source[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === '`') {
        i += 1;
        strings.push({ text: template.text, line: template.line });
        return;
      }
      if (c === '$' && source[i + 1] === '{') {
        i += 2;
        template.text += ' ? ';
        templates.push(template);
        return;
      }
      if (c === '\n') {
        line += 1;
      }
      template.text += c;
      i += 1;
    }
    strings.push({ text: template.text, line: template.line });
  };
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') {
        i += 1;
      }
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      line += (source.slice(i, stop).match(/\n/g) ?? []).length;
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      readQuoted(c);
      continue;
    }
    if (c === '`') {
      i += 1;
      code += '``';
      readTemplate({ text: '', line, depth: 0 });
      continue;
    }
    const open = templates[templates.length - 1];
    if (open && c === '{') {
      open.depth += 1;
    } else if (open && c === '}') {
      if (open.depth === 0) {
        templates.pop();
        i += 1;
        readTemplate(open);
        continue;
      }
      open.depth -= 1;
    }
    if (c === '\n') {
      line += 1;
    }
    code += c;
    i += 1;
  }
  return { code, strings };
}

/** The tables the migrations leave, in the order they run (CREATE, DROP, RENAME). */
export function migratedTables(root) {
  const dir = path.join(root, 'migrations');
  const tables = new Set();
  const views = new Set();
  const files = readdirSync(dir)
    .filter((name) => /^\d+-.+\.ts$/.test(name) && !name.endsWith('.spec.ts'))
    .sort();
  for (const name of files) {
    const source = readFileSync(path.join(dir, name), 'utf8');
    // Only `up` counts: `down` undoes it.
    const up = source.split(/\basync\s+down\s*\(/)[0];
    const statements =
      /\b(CREATE\s+TABLE|DROP\s+TABLE|CREATE\s+(?:OR\s+REPLACE\s+)?VIEW|DROP\s+VIEW)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(?:"?public"?\.)?"?([a-z_][a-z0-9_]*)"?|\bALTER\s+TABLE\s+(?:"?public"?\.)?"?([a-z_][a-z0-9_]*)"?\s+RENAME\s+TO\s+"?([a-z_][a-z0-9_]*)"?/gi;
    for (const match of up.matchAll(statements)) {
      if (match[3]) {
        tables.delete(match[3]);
        tables.add(match[4]);
        continue;
      }
      const verb = match[1].toUpperCase().replace(/\s+/g, ' ');
      const target = match[2];
      if (verb === 'CREATE TABLE') {
        tables.add(target);
      } else if (verb === 'DROP TABLE') {
        tables.delete(target);
      } else if (verb.startsWith('CREATE')) {
        views.add(target);
      } else {
        views.delete(target);
      }
    }
  }
  return { tables, views };
}

/** Table -> owning module, from the entities; entity class -> its table. */
export function tableOwners(root) {
  const owners = new Map();
  const entities = new Map();
  const problems = [];
  for (const file of walk(path.join(root, 'src'))) {
    const relative = path.relative(root, file);
    const source = readFileSync(file, 'utf8');
    const entity = /@Entity\(\{\s*name:\s*'([a-z_][a-z0-9_]*)'[\s\S]*?\bexport\s+class\s+(\w+)/g;
    for (const match of source.matchAll(entity)) {
      const owner = moduleOf(relative);
      if (!owner) {
        problems.push(`${relative}: entity ${match[2]} lives outside src/modules and src/common`);
        continue;
      }
      if (owners.has(match[1])) {
        problems.push(`${relative}: table ${match[1]} is mapped by two entities`);
      }
      owners.set(match[1], { owner, view: false, entity: match[2] });
      entities.set(match[2], match[1]);
    }
  }
  for (const [view, owner] of Object.entries(PUBLISHED_VIEWS)) {
    owners.set(view, { owner, view: true });
  }
  const migrated = migratedTables(root);
  for (const table of migrated.tables) {
    if (!owners.has(table)) {
      problems.push(`table ${table} (migrations) has no entity, so no owning module`);
    }
  }
  for (const view of migrated.views) {
    if (!Object.hasOwn(PUBLISHED_VIEWS, view)) {
      problems.push(`view ${view} (migrations) is not in PUBLISHED_VIEWS`);
    }
  }
  for (const [table, { view }] of owners) {
    const live = view ? migrated.views : migrated.tables;
    if (!live.has(table)) {
      problems.push(`${view ? 'view' : 'table'} ${table} is not created by the migrations`);
    }
  }
  return { owners, entities, problems };
}

/** Every place a file of one module names another module's table (or writes its view). */
export function findViolations(root, owners, entities) {
  const found = [];
  for (const file of walk(path.join(root, 'src'))) {
    const relative = path.relative(root, file);
    const module = moduleOf(relative);
    if (!module) {
      continue;
    }
    const { code, strings } = lex(readFileSync(file, 'utf8'));
    const report = (line, table, how) => {
      const entry = owners.get(table);
      found.push({ file: relative, line, table, owner: entry.owner, how });
    };
    const foreign = (table) => {
      const entry = owners.get(table);
      return entry !== undefined && entry.owner !== module;
    };
    for (const { text, line } of strings) {
      if (!SQL_SHAPE.test(text)) {
        continue;
      }
      const local = new Set([...text.matchAll(CTE_NAME)].map((match) => match[1].toLowerCase()));
      const lineOf = (index) => line + (text.slice(0, index).match(/\n/g) ?? []).length;
      for (const match of text.matchAll(TABLE_AFTER_KEYWORD)) {
        const table = match[2].toLowerCase();
        if (local.has(table) || !foreign(table)) {
          continue;
        }
        const keyword = match[1].toUpperCase().replace(/\s+/g, ' ');
        if (owners.get(table).view && !WRITE_KEYWORDS.has(keyword)) {
          continue;
        }
        report(lineOf(match.index), table, `${keyword} ${table}`);
      }
      const leading = LEADING_TABLE.exec(text);
      if (leading && foreign(leading[1].toLowerCase()) && !owners.get(leading[1]).view) {
        report(line, leading[1], `FROM clause "${text.trim().slice(0, 40)}"`);
      }
    }
    const codeLine = (index) => (code.slice(0, index).match(/\n/g) ?? []).length + 1;
    for (const [entity, table] of entities) {
      if (!foreign(table)) {
        continue;
      }
      const call = new RegExp(
        `\\b${ENTITY_CALLS}\\(\\s*\\[?\\s*(?:\\w+\\s*,\\s*)*${entity}\\b`,
        'g',
      );
      for (const match of code.matchAll(call)) {
        report(codeLine(match.index), table, `entity ${entity} in ${match[0].split('(')[0]}()`);
      }
    }
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(STRING_TABLE_CALL)) {
      const table = match[2];
      if (foreign(table) && !owners.get(table).view) {
        const line = (source.slice(0, match.index).match(/\n/g) ?? []).length + 1;
        report(line, table, `.${match[1]}('${table}')`);
      }
    }
  }
  return found;
}

/** The map as the README shows it: a Markdown table, its columns padded like prettier's. */
export function ownershipMarkdown(owners) {
  const rows = [...owners.entries()]
    .sort(([a, x], [b, y]) => x.owner.localeCompare(y.owner) || a.localeCompare(b))
    .map(([table, entry]) => [
      `\`${table}\``,
      `\`${entry.owner}\``,
      entry.view ? 'published read-only view' : `\`${entry.entity}\``,
    ]);
  const header = ['Table', 'Owning module', 'Entity'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

function main(argv) {
  const rootIndex = argv.indexOf('--root');
  const root = path.resolve(
    rootIndex === -1 ? path.join(import.meta.dirname, '..') : argv[rootIndex + 1],
  );
  const { owners, entities, problems } = tableOwners(root);
  if (argv.includes('--map')) {
    console.log(ownershipMarkdown(owners));
    return 0;
  }
  const violations = findViolations(root, owners, entities);
  for (const problem of problems) {
    console.error(`table ownership: ${problem}`);
  }
  for (const v of violations) {
    console.error(
      `${v.file}:${v.line}: ${v.how}: table ${v.table} belongs to module ${v.owner}; call its exported service or repository`,
    );
  }
  if (problems.length > 0 || violations.length > 0) {
    console.error(`table ownership: ${problems.length + violations.length} problem(s)`);
    return 1;
  }
  console.log(`table ownership: ${owners.size} tables and views, each queried by its module only`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = main(process.argv.slice(2));
}
