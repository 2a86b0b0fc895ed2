import http from 'node:http';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';

export interface DeepLinkReturn {
  /** The verified payload, or why it did not verify. */
  payload?: JWTPayload & Record<string, unknown>;
  header?: Record<string, unknown>;
  error?: string;
  /** Every form field the browser posted (JWT included). */
  fields: Record<string, string>;
  contentType: string | undefined;
}

/**
 * An LMS's deep-linking return endpoint: it takes the form the tool's page posts, and verifies
 * the `JWT` field as a platform must (Deep Linking 2.0 §4.5): RS256, signed by a key of the
 * tool's published JWKS, `iss` the tool's client_id, `aud` the platform, not expired.
 */
export class DeepLinkReturnEndpoint {
  readonly received: DeepLinkReturn[] = [];
  private server?: http.Server;
  private readonly keySet: ReturnType<typeof createRemoteJWKSet>;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly options: {
      port: number;
      toolJwksUrl: string;
      clientId: string;
      audience: string;
    },
  ) {
    this.keySet = createRemoteJWKSet(new URL(options.toolJwksUrl), { cacheMaxAge: 0 });
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}/deep-link/return`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      void this.handle(request, response);
    });
    await new Promise<void>((resolve) =>
      this.server!.listen(this.options.port, '127.0.0.1', resolve),
    );
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  /** Resolves once `count` posts have arrived in all. */
  async waitForCount(count: number, timeoutMs = 10_000): Promise<DeepLinkReturn> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`no deep-linking return within ${timeoutMs} ms`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.received[count - 1];
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const url = new URL(request.url ?? '/', this.url);
    if (request.method !== 'POST' || url.pathname !== '/deep-link/return') {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }
    const fields = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const entry: DeepLinkReturn = { fields, contentType: request.headers['content-type'] };
    try {
      const token = fields.JWT ?? '';
      entry.header = decodeProtectedHeader(token);
      const { payload } = await jwtVerify(token, this.keySet, {
        algorithms: ['RS256'],
        issuer: this.options.clientId,
        audience: this.options.audience,
        requiredClaims: ['iat', 'exp', 'nonce'],
      });
      entry.payload = payload;
    } catch (error) {
      entry.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    this.received.push(entry);
    for (const wake of this.waiters.splice(0)) {
      wake();
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><h1 id="done">${entry.error ? 'Refused' : 'Content added'}</h1>`);
  }
}
