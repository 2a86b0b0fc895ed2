/**
 * What an API key may be granted. Routes accept keys with `@Access({ apiKeyScopes })`; the
 * every-route test fails when a scope here is accepted by no route.
 */
export const API_KEY_SCOPES = ['users:read', 'users:write', 'audit:read', 'lti:grades'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
