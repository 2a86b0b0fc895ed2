import { randomBytes } from 'node:crypto';
import { requestJson, type JsonResponse } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';

/** The key the test apps seed through MARKET_API_KEYS. */
export const MARKET_KEY = `market-test-key-${randomBytes(8).toString('hex')}`;

export const marketEnv = { MARKET_API_KEYS: MARKET_KEY };

/** A call as the Service Market (X-Market-API-Key). */
export function market<T = Record<string, unknown>>(
  t: TestApp,
  method: string,
  path: string,
  json?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  return requestJson<T>(`${t.baseUrl}${path}`, {
    method,
    json,
    headers: { 'x-market-api-key': MARKET_KEY, ...headers },
  });
}

export function marketTenantId(prefix = 'mt'): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Activates a fresh tenant through the Standard API; returns its id. */
export async function activateTenant(
  t: TestApp,
  body: Record<string, unknown> = {},
): Promise<string> {
  const id = marketTenantId();
  const response = await market(t, 'POST', `/mt/tenant/${id}/activate`, {
    name: `School ${id}`,
    plan: 'premium',
    ...body,
  });
  if (response.status !== 201) {
    throw new Error(`activate failed: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return id;
}
