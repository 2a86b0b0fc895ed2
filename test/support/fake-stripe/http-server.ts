import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StripeFailure } from './errors.js';
import { expanded } from './expand.js';
import type { FaultPlan } from './faults.js';
import { type FormObject, parseForm } from './form.js';
import { IdempotencyStore, type StoredResponse } from './idempotency.js';
import { newId } from './ids.js';
import { Params } from './params.js';
import type { Router } from './router.js';
import { API_VERSION, type StripeState } from './state.js';

export interface RecordedRequest {
  method: string;
  path: string;
  /** The decoded form body, or the decoded query of a GET or DELETE. */
  body: FormObject;
  idempotencyKey: string | undefined;
}

export interface ApiServerOptions {
  secretKey: string;
  router: Router;
  state: StripeState;
  faults: FaultPlan;
  requests: RecordedRequest[];
  /** Answers the pages a browser would open (checkout, portal, invoice), without the API key. */
  page: (path: string) => string | undefined;
}

/** Stripe's HTTP surface: authentication, idempotency, faults and the error envelope. */
export class ApiServer {
  private readonly server: Server;
  private readonly idempotency = new IdempotencyStore();

  constructor(private readonly options: ApiServerOptions) {
    this.server = createServer((request, response) => {
      // A client that hangs up mid-body gets nothing back.
      this.handle(request, response).catch(() => response.destroy());
    });
  }

  async listen(host: string): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://fake-stripe');
    const method = request.method ?? 'GET';
    const page = method === 'GET' ? this.options.page(url.pathname) : undefined;
    if (page !== undefined) {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    const encoded = method === 'POST' ? raw : url.search.slice(1);
    const idempotencyKey = header(request, 'idempotency-key');
    this.options.requests.push({
      method,
      path: url.pathname,
      body: parseForm(encoded),
      idempotencyKey,
    });
    const requestId = newId('req');
    const answer = this.answer(request, method, url.pathname, encoded, idempotencyKey, requestId);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Request-Id': requestId,
      'Stripe-Version': API_VERSION,
      ...answer.headers,
    };
    response.writeHead(answer.status, headers).end(answer.body);
  }

  private answer(
    request: IncomingMessage,
    method: string,
    path: string,
    encoded: string,
    idempotencyKey: string | undefined,
    requestId: string,
  ): StoredResponse & { headers?: Record<string, string> } {
    try {
      this.authenticate(request);
      const fault = this.options.faults.take(method, path);
      if (fault) {
        throw fault;
      }
      const fingerprint = `${method} ${path}\n${encoded}`;
      const replayable = method === 'POST' && idempotencyKey !== undefined;
      const replayed = replayable
        ? this.idempotency.replay(idempotencyKey, fingerprint)
        : undefined;
      if (replayed) {
        return { ...replayed, headers: { 'Idempotent-Replayed': 'true' } };
      }
      const response = this.route(method, path, encoded, { id: requestId, idempotencyKey });
      // Stripe keeps no result for a request that failed validation, so a fixed retry may succeed.
      if (replayable) {
        this.idempotency.remember(idempotencyKey, fingerprint, response);
      }
      return response;
    } catch (error) {
      const failure = error instanceof StripeFailure ? error : internalError(error);
      const retry: Record<string, string> =
        failure.status === 429 ? { 'Stripe-Should-Retry': 'true' } : {};
      return { status: failure.status, body: errorBody(failure), headers: retry };
    }
  }

  private route(
    method: string,
    path: string,
    encoded: string,
    request: { id: string; idempotencyKey: string | undefined },
  ): StoredResponse {
    const matched = this.options.router.match(method, path);
    if (!matched) {
      throw new StripeFailure(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${path}).`,
      });
    }
    const { state } = this.options;
    state.currentRequest = { id: request.id, idempotency_key: request.idempotencyKey ?? null };
    try {
      const params = new Params(parseForm(encoded));
      const result = matched.handler({ id: matched.id, params });
      return { status: 200, body: JSON.stringify(expanded(result, params.values.expand, state)) };
    } finally {
      state.currentRequest = { id: null, idempotency_key: null };
    }
  }

  private authenticate(request: IncomingMessage): void {
    const expected = `Bearer ${this.options.secretKey}`;
    if (header(request, 'authorization') !== expected) {
      throw new StripeFailure(401, {
        type: 'invalid_request_error',
        message: 'Invalid API Key provided.',
      });
    }
  }
}

/** A bug in the fake answers as Stripe's own 500, with the cause in the message. */
function internalError(error: unknown): StripeFailure {
  const message = error instanceof Error ? error.message : String(error);
  return new StripeFailure(500, { type: 'api_error', message: `Fake Stripe failed: ${message}` });
}

function errorBody(error: StripeFailure): string {
  return JSON.stringify({ error: error.body });
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
