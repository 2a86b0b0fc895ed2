import type http from 'node:http';

/** Small helpers the provider-shaped test servers share: bodies, JSON answers, listening. */
export async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Query parameters and, for a form POST, the form fields (the form wins). */
export async function readParams(
  request: http.IncomingMessage,
  url: URL,
): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.searchParams);
  if (request.method === 'POST') {
    const type = request.headers['content-type'] ?? '';
    const body = await readBody(request);
    if (type.startsWith('application/x-www-form-urlencoded')) {
      for (const [key, value] of new URLSearchParams(body)) {
        params.set(key, value);
      }
    }
  }
  return params;
}

export function sendJson(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/json;charset=UTF-8',
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(JSON.stringify(body));
}

export function redirect(response: http.ServerResponse, location: URL | string): void {
  response.writeHead(302, { location: location.toString() });
  response.end();
}

export async function listen(server: http.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

export async function close(server: http.Server | undefined): Promise<void> {
  if (!server?.listening) {
    return;
  }
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The client credentials of a token call: HTTP Basic or form fields. */
export function clientCredentials(
  request: http.IncomingMessage,
  params: URLSearchParams,
): { clientId?: string; clientSecret?: string; method: 'basic' | 'post' | 'none' } {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon)),
      clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
      method: 'basic',
    };
  }
  return {
    clientId: params.get('client_id') ?? undefined,
    clientSecret: params.get('client_secret') ?? undefined,
    method: params.has('client_secret') ? 'post' : 'none',
  };
}
