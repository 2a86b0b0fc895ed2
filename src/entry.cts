// The server's entry point (`npm start`, the Docker image): sizes libuv's thread pool first (see
// config/thread-pool.cts), then loads the ES module app.
import './config/thread-pool.cjs';

import('./main.js').catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
