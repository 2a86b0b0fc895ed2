import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { AppException } from '../errors/app.exception.js';

type Queryable = DataSource | EntityManager;

/**
 * Distinct statement texts this process prepares at most; later ones run unnamed. The texts
 * come from the code, so this bounds a mistake (a value pasted into SQL), not normal use.
 */
export const MAX_PREPARED_STATEMENTS = 1000;
const statementNames = new Map<string, string>();
const unprepared = new WeakSet<DataSource>();

/**
 * Statements on `dataSource` go unnamed (`DATABASE_PREPARED_STATEMENTS=false`): for a pooler
 * that hands each transaction another server connection (PgBouncer's transaction mode before
 * 1.21), which cannot keep a connection's prepared statements.
 */
export function sendUnprepared(dataSource: DataSource): void {
  unprepared.add(dataSource);
}

/**
 * `*` in a result list (`SELECT *`, `RETURNING l.*`), not `count(*)`: such a statement's
 * columns follow the table, and a prepared one fails with "cached plan must not change result
 * type" once a migration adds a column under a running process.
 */
const STAR_COLUMNS = /(^|[\s,])(\w+\.)?\*/;

/**
 * The name a statement with parameters is prepared under on each connection, or undefined when
 * it goes unnamed: the text selects `*`, or the process already prepared its maximum. Parsing and planning a statement cost PostgreSQL more CPU than running a lookup by
 * key (0.43 ms against under 0.1 ms for the sign-in's account read): a named statement is parsed
 * once per connection, and after five runs PostgreSQL keeps a generic plan when it costs no more
 * than the custom ones. Statements without parameters go unnamed (they may hold several
 * commands, which a prepared statement cannot).
 */
export function preparedNameOf(sql: string): string | undefined {
  if (STAR_COLUMNS.test(sql)) {
    return undefined;
  }
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < MAX_PREPARED_STATEMENTS) {
    name = `ds_${createHash('sha256').update(sql).digest('base64url').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/** Rows of a raw query; TypeORM returns `[rows, count]` for UPDATE and DELETE, rows otherwise. */
export async function queryRows<T>(
  db: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const source = 'dataSource' in db ? db.dataSource : db;
  const name = params.length > 0 && !unprepared.has(source) ? preparedNameOf(sql) : undefined;
  // TypeORM hands the query to pg as it is, and pg takes a config object with a name. A new
  // object each time: pg writes the values into the one it is given.
  const query = name === undefined ? sql : ({ name, text: sql } as unknown as string);
  const result: unknown = await db.query(query, params);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}

export async function queryOne<T>(
  db: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<T | undefined> {
  const rows = await queryRows<T>(db, sql, params);
  return rows[0];
}

/** An ILIKE pattern matching `text` anywhere; `%`, `_` and backslashes in it match themselves. */
export const containsPattern = (text: string): string =>
  `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function pgErrorOf(error: unknown): { code?: string; constraint?: string } | undefined {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } })
    ?.driverError;
  return driverError ?? (error as { code?: string; constraint?: string });
}

/** A PostgreSQL unique violation, optionally on one named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pgError = pgErrorOf(error);
  return (
    pgError?.code === '23505' && (constraint === undefined || pgError.constraint === constraint)
  );
}

/** A PostgreSQL foreign key violation (the row names something that does not exist). */
export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  const pgError = pgErrorOf(error);
  return (
    pgError?.code === '23503' && (constraint === undefined || pgError.constraint === constraint)
  );
}

/**
 * The answer when a request field names a row that does not exist (a tenant_id of a super
 * admin's body, say): 400 with the field named, never the 500 of a foreign key violation.
 */
export function unknownReference(field: string, what: string): AppException {
  return new AppException('COMMON_VALIDATION_FAILED', undefined, {
    fields: [{ field, errors: [`${field} names no ${what}`] }],
  });
}

/** A deadlock or serialization failure: the whole statement may simply be tried again. */
export function isRetryableConflict(error: unknown): boolean {
  const code = pgErrorOf(error)?.code;
  return code === '40P01' || code === '40001';
}
