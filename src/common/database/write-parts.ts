/**
 * A data-modifying statement another module's statement can carry as one of its WITH
 * clauses: the owner of a table writes the SQL for it, the caller sends it along with its own
 * writes, so a change of several tables costs one round trip. Placeholders are `$1`… of the
 * part's own `params`; `withWriteParts` renumbers them.
 */
export interface WritePart {
  sql: string;
  params: unknown[];
}

/**
 * `sql` (which uses `$1`…`$n` of `params`) preceded by the parts as WITH clauses `part_1`…;
 * `sql` may itself start with its own WITH clauses, which follow the parts.
 */
export function withWriteParts(
  sql: string,
  params: unknown[],
  parts: WritePart[],
): { sql: string; params: unknown[] } {
  if (parts.length === 0) {
    return { sql, params };
  }
  const all = [...params];
  const clauses = parts.map((part, index) => {
    const offset = all.length;
    all.push(...part.params);
    const renumbered = part.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    return `part_${index + 1} AS (${renumbered})`;
  });
  const own = sql.trimStart();
  const rest = /^WITH\s/i.test(own) ? `, ${own.replace(/^WITH\s+/i, '')}` : ` ${own}`;
  return { sql: `WITH ${clauses.join(', ')}${rest}`, params: all };
}
