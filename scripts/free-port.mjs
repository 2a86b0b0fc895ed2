// A port to listen on, for tests, checks and benches that start servers of their own.
//
// Ports come from below the kernel's ephemeral range: a port the kernel picks for `listen(0)`
// and that is closed again can be taken as the source port of any outgoing connection (a
// database pool, an HTTP client) before the server listens on it, which failed CI with
// EADDRINUSE. Below that range only another listener can hold a port, and that is checked.
import { readFileSync } from 'node:fs';
import net from 'node:net';

const FIRST = 20_000;

function ephemeralStart() {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    const value = Number(low);
    return Number.isInteger(value) && value > FIRST + 1000 ? value : 32_768;
  } catch {
    return 32_768;
  }
}

const LAST = ephemeralStart() - 1;
// A different starting point per process, so that concurrent runs rarely probe the same ports.
let next = FIRST + ((process.pid * 7919 + Date.now()) % (LAST - FIRST));

function canListen(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** @returns {Promise<number>} a port nothing listens on, outside the ephemeral range */
export async function freePort() {
  for (let tries = 0; tries < 200; tries++) {
    const port = next;
    next = next >= LAST ? FIRST : next + 1;
    if (await canListen(port)) {
      return port;
    }
  }
  throw new Error(`no free port between ${FIRST} and ${LAST}`);
}
