/** Paths pino removes from every log line: credentials never reach the logs. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-market-api-key"]',
  'req.headers["x-service-api-key"]',
  'req.headers["stripe-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.api_key',
  '*.secret',
  '*.client_secret',
];

const SECRET_KEY = /pass(word)?|secret|token|api[_-]?key|authorization|cookie|signature|credential/i;

/** Deep copy with secret-looking keys replaced, for audit metadata and similar records. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 4) {
    return '[truncated]';
  }
  if (Array.isArray(value)) {
    return value.slice(0, 20).map((item) => redactSecrets(item, depth + 1));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
        key,
        SECRET_KEY.test(key) ? '[redacted]' : redactSecrets(inner, depth + 1),
      ]),
    );
  }
  if (typeof value === 'string' && value.length > 200) {
    return `${value.slice(0, 200)}…`;
  }
  return value;
}
