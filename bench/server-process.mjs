// One bench server (bench/server.mjs) as a child process, resolved once it prints READY <port>.
import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * Starts `server.mjs <mode>` with `env` over this process's environment; BENCH_NODE_FLAGS
 * (e.g. `--cpu-prof`) go to its node. Resolves `{ pid, base, stop }`.
 */
export function startServer(mode, env = {}) {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      path.join(import.meta.dirname, 'server.mjs'),
      mode,
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
