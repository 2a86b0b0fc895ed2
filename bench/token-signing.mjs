// Access-token signing and verifying cost, RS256 (RSA 2048) against ES256 (P-256), with
// jsonwebtoken as the app uses it (KeyObjects, our claims and options). CPU time per token,
// measured with process.cpuUsage around a loop, after a warm-up.
// Alone: `node bench/token-signing.mjs` (BENCH_TOKEN_ROUNDS, default 2000 per algorithm).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import jwt from 'jsonwebtoken';

const ROUNDS = Number(process.env.BENCH_TOKEN_ROUNDS ?? 2000);
const WARM_UP = 200;

const keys = {
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
};

const claims = () => ({
  sid: randomUUID(),
  tid: 'north_school',
  role: 'teacher',
  prole: null,
});

const options = (algorithm) => ({
  algorithm,
  keyid: 'bench-kid',
  subject: randomUUID(),
  jwtid: randomUUID(),
  expiresIn: 900,
  issuer: 'dreamseed-platform-api',
  audience: 'dreamseed-platform',
});

/** CPU milliseconds (user + system) per call of `fn`. */
function cpuMsPer(rounds, fn) {
  for (let i = 0; i < WARM_UP; i += 1) {
    fn(i);
  }
  const start = process.cpuUsage();
  const wallStart = performance.now();
  for (let i = 0; i < rounds; i += 1) {
    fn(i);
  }
  const used = process.cpuUsage(start);
  return {
    cpu: (used.user + used.system) / 1000 / rounds,
    wall: (performance.now() - wallStart) / rounds,
  };
}

const rows = [];
for (const [algorithm, { privateKey, publicKey }] of Object.entries(keys)) {
  const tokens = Array.from({ length: 64 }, () =>
    jwt.sign(claims(), privateKey, options(algorithm)),
  );
  const sign = cpuMsPer(ROUNDS, () => jwt.sign(claims(), privateKey, options(algorithm)));
  const verify = cpuMsPer(ROUNDS, (i) =>
    jwt.verify(tokens[i % tokens.length], publicKey, {
      algorithms: [algorithm],
      issuer: 'dreamseed-platform-api',
      audience: 'dreamseed-platform',
    }),
  );
  rows.push({
    algorithm,
    'sign ms (cpu)': sign.cpu.toFixed(3),
    'sign ms (wall)': sign.wall.toFixed(3),
    'verify ms (cpu)': verify.cpu.toFixed(3),
    'verify ms (wall)': verify.wall.toFixed(3),
    'token bytes': tokens[0].length,
  });
}

console.log(`${ROUNDS} rounds each, Node ${process.version}`);
console.table(rows);
