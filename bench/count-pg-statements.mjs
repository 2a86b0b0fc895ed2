// Preload for a bench server (`node --import bench/count-pg-statements.mjs`): counts every
// statement the process sends to PostgreSQL. TypeORM and BullMQ's PostgreSQL backend both go
// through `pg`'s Client.prototype.query (its ES module build re-exports the same CommonJS module
// BullMQ requires), so patching it here, before the app loads, sees them all.
// `GET /` on 127.0.0.1:BENCH_PG_COUNT_PORT answers `{ "total": n, "byKind": { "SELECT": n } }`.
import http from 'node:http';
import pg from 'pg';

const port = Number(process.env.BENCH_PG_COUNT_PORT);
if (!Number.isInteger(port) || port <= 0) {
  throw new Error('count-pg-statements.mjs needs BENCH_PG_COUNT_PORT');
}

let total = 0;
const byKind = {};
const samples = [];
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, ...rest) {
  const text = typeof config === 'string' ? config : (config?.text ?? '');
  // The first keyword after any leading comments (BullMQ's statements start with one).
  const kind = /^(?:\s+|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? '?';
  if (kind === '?' && samples.length < 5) {
    samples.push(
      typeof config === 'string' ? config.slice(0, 120) : JSON.stringify(Object.keys(config ?? {})),
    );
  }
  total += 1;
  byKind[kind] = (byKind[kind] ?? 0) + 1;
  return query.call(this, config, ...rest);
};

const server = http.createServer((request, response) => {
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ total, byKind, samples }));
});
server.listen(port, '127.0.0.1');
// Never what keeps the app alive.
server.unref();
