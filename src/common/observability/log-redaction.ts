import { isSecretName } from './secret-names.js';

const CENSOR = '[redacted]';

/**
 * pino's log formatter: replaces secret-looking fields of a log line, at the top level and
 * one level down (e.g. `req.headers.authorization`, `body.password`). Request bodies are never
 * logged whole; this catches a credential handed to a logger by mistake. Returns the same
 * object when nothing matches, so the common line costs a key scan. (pino's path-based
 * redaction cloned every line: a tenth of the CPU of a cheap request, measured.)
 */
export function redactLogLine(line: Record<string, unknown>): Record<string, unknown> {
  let result = line;
  for (const key of Object.keys(line)) {
    const value = line[key];
    let replacement: unknown = value;
    if (isSecretName(key)) {
      replacement = CENSOR;
    } else if (
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      !(value instanceof Error)
    ) {
      replacement = redactOneLevel(value as Record<string, unknown>);
    }
    if (replacement !== value) {
      result = result === line ? { ...line } : result;
      result[key] = replacement;
    }
  }
  return result;
}

function redactOneLevel(value: Record<string, unknown>): Record<string, unknown> {
  let result = value;
  for (const key of Object.keys(value)) {
    const inner = value[key];
    if (isSecretName(key)) {
      result = result === value ? { ...value } : result;
      result[key] = CENSOR;
    } else if (key === 'headers' && inner && typeof inner === 'object') {
      const headers = redactOneLevel(inner as Record<string, unknown>);
      if (headers !== inner) {
        result = result === value ? { ...value } : result;
        result[key] = headers;
      }
    }
  }
  return result;
}

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
        isSecretName(key) ? CENSOR : redactSecrets(inner, depth + 1),
      ]),
    );
  }
  if (typeof value === 'string' && value.length > 200) {
    return `${value.slice(0, 200)}…`;
  }
  return value;
}

// OAuth callbacks also carry `state`, which binds the browser's flow.
const isSecretQueryKey = (name: string): boolean => name === 'state' || isSecretName(name);

/** A request URL for the log: values of secret-looking query parameters replaced. */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) {
    return url;
  }
  const query = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0] ?? '';
      return isSecretQueryKey(decodeURIComponentSafe(name)) ? `${name}=${CENSOR}` : pair;
    })
    .join('&');
  return `${url.slice(0, start)}?${query}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
