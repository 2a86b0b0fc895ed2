import { availableParallelism } from 'node:os';

// Password hashing runs on libuv's thread pool. More threads than cores only time-slice the
// CPU away from the event loop (measured: 4 threads on 2 cores signed in 15% fewer users than
// 2). Imported first by entry points, before anything starts the pool.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, availableParallelism()));
