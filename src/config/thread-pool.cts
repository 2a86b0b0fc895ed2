// Password hashing (argon2id, bcrypt) runs on libuv's thread pool. More threads than cores only
// time-slice the CPU away from the event loop (measured: 4 threads on 2 cores signed in 15% fewer
// users than 2). libuv reads the size once, when something first queues work on the pool, and on
// Node 20 the ESM loader reads module files through the pool before any module body runs. So this
// is CommonJS: `src/entry.cts` (`npm start`, the image) and `node --require` (the bench) load it
// synchronously, before the first ES module is fetched.
import { availableParallelism } from 'node:os';

export const threadPoolSize = Math.max(2, availableParallelism());

process.env.UV_THREADPOOL_SIZE ??= String(threadPoolSize);
