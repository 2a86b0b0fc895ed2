import type * as RequestContextModule from '../../src/common/observability/request-context.js';
import { loadCompiled } from './compiled.js';

/** One SQL statement the app sent, and the request it belonged to (none: background work). */
export interface SentStatement {
  sql: string;
  requestId: string | undefined;
  /** Sent as a named (prepared) statement. */
  prepared: boolean;
}

interface PgClient {
  database?: string;
  connectionParameters?: { database?: string };
}
interface PgConfig {
  text?: string;
  name?: string;
}
type Query = (this: PgClient, config: unknown, ...rest: unknown[]) => unknown;
interface PgModule {
  Client: { prototype: { query: Query } };
}

const { requestContext } = await loadCompiled<typeof RequestContextModule>(
  'src/common/observability/request-context.ts',
);
const sinks = new Set<{ database: string; sent: SentStatement[] }>();
let patched = false;

/**
 * Records every statement the app sends to `databaseUrl`'s database, through any pool (TypeORM
 * and BullMQ both use `pg`'s Client), from `start()` until `stop()`. The app runs in Node's own
 * loader (test/support/compiled.ts), so the `pg` patched here is the one it uses.
 */
export async function statementCounter(databaseUrl: string): Promise<{
  start(): void;
  stop(): SentStatement[];
}> {
  if (!patched) {
    const importNative = (globalThis as { __importNative?: (url: string) => Promise<unknown> })
      .__importNative;
    const pg = ((await importNative?.('pg')) as { default: PgModule }).default;
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: PgClient, config: unknown, ...rest: unknown[]) {
      const database = this.connectionParameters?.database ?? this.database;
      for (const sink of sinks) {
        if (sink.database === database) {
          const { text, name } =
            typeof config === 'string' ? { text: config, name: undefined } : (config as PgConfig);
          sink.sent.push({
            sql: text ?? '',
            requestId: requestContext.getStore()?.requestId,
            prepared: name !== undefined,
          });
        }
      }
      return original.call(this, config, ...rest);
    };
    patched = true;
  }
  const sink = { database: new URL(databaseUrl).pathname.slice(1), sent: [] as SentStatement[] };
  return {
    start: () => {
      sink.sent = [];
      sinks.add(sink);
    },
    stop: () => {
      sinks.delete(sink);
      return sink.sent;
    },
  };
}
