// One bench server (bench/server.mjs) as a child process, resolved once it prints READY <port>.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The node arguments that run `<tree>/bench/server.mjs <mode>` as `npm start` runs the app: the
 * thread pool sized by `dist/src/config/thread-pool.cjs`, loaded with `--require` before the
 * first ES module (on Node 20 an import inside server.mjs would be too late). A tree built before
 * that file existed runs without it.
 */
export function serverArgs(mode, tree = path.join(import.meta.dirname, '..')) {
  const threadPool = path.join(tree, 'dist/src/config/thread-pool.cjs');
  return [
    ...(existsSync(threadPool) ? ['--require', threadPool] : []),
    path.join(tree, 'bench/server.mjs'),
    mode,
  ];
}

/**
 * Starts `server.mjs <mode>` with `env` over this process's environment; BENCH_NODE_FLAGS
 * (e.g. `--cpu-prof`) and `nodeFlags` go to its node. Resolves `{ pid, base, stop }`.
 */
export function startServer(mode, env = {}, { nodeFlags = [] } = {}) {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      ...nodeFlags,
      ...serverArgs(mode),
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString();
      const match = /READY (\d+)/.exec(stderr);
      if (match) {
        resolve({
          pid: child.pid,
          base: `http://127.0.0.1:${match[1]}`,
          stop: () =>
            new Promise((done) => {
              child.once('exit', done);
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('exit', (code) => reject(new Error(`${mode} exited with ${code}: ${stderr}`)));
  });
}
