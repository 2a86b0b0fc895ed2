// Entry point of the TypeORM CLI (`npm run migration:*`), run from the compiled dist/ tree.
import path from 'node:path';
import { DataSource } from 'typeorm';
import { loadEnvironment } from '../../config/load-env.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { buildDataSourceOptions } from './typeorm-options.js';

const env = loadEnvironment();

let url = env.DATABASE_URL;
if (!url) {
  const embedded = await startEmbeddedPostgres({
    dataDir: env.EMBEDDED_PG_DIR,
    port: env.EMBEDDED_PG_PORT,
    database: 'dreamseed',
  });
  url = embedded.url;
  process.once('beforeExit', () => void embedded.stop());
}

export default new DataSource({
  ...buildDataSourceOptions({ url, poolSize: 2, runMigrations: false }),
  entities: [path.join(import.meta.dirname, '../../**/*.entity.js')],
});
