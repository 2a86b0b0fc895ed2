import { createServer } from 'node:net';

/** Why the HTTP port cannot be used, naming the variable; undefined for other errors. */
export function portProblem(error: unknown, port: number, host: string): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return `PORT ${port} is already in use on ${host}: stop the process listening there, or set PORT to a free port`;
  }
  if (code === 'EACCES') {
    return `PORT ${port} cannot be opened on ${host} (permission denied): set PORT to a port above 1023`;
  }
  if (code === 'EADDRNOTAVAIL') {
    return `HOST ${host} is not an address of this machine (PORT ${port}): set HOST to one of its interfaces`;
  }
  return undefined;
}

/**
 * Binds and releases the HTTP port before anything starts (the embedded database, the app,
 * whose initialisation logs "successfully started"), so a taken port stops the start with a
 * message naming PORT. main.ts still maps a failed listen the same way: another process can
 * take the port in between.
 */
export async function assertPortAvailable(port: number, host: string): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) =>
      reject(new Error(portProblem(error, port, host) ?? String(error))),
    );
    probe.listen({ port, host, exclusive: true }, () => resolve());
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
