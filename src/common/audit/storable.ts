// NUL, or a UTF-16 surrogate: PostgreSQL stores neither NUL nor a lone surrogate in text or
// jsonb. Valid pairs match too, and the slow path below keeps them.
// eslint-disable-next-line no-control-regex -- NUL is what they look for
const SUSPECT = /[\u0000\ud800-\udfff]/;
// eslint-disable-next-line no-control-regex -- NUL is what they look for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const MAX_DEPTH = 8;

/**
 * Text PostgreSQL accepts: NUL and lone surrogates are written out as the escape text
 * `\u0000`, `\ud800` (what came in stays readable; nothing is silently dropped), cut to `max`
 * UTF-16 units without splitting a surrogate pair.
 */
export function storableText(text: string, max = Infinity): string {
  let clean = SUSPECT.test(text) ? text.replace(UNSTORABLE, escapeUnit) : text;
  if (clean.length > max) {
    clean = clean.slice(0, max);
    const last = clean.charCodeAt(clean.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      clean = clean.slice(0, -1);
    }
  }
  return clean;
}

export function storableTextOrNull(text: string | null | undefined, max: number): string | null {
  return typeof text === 'string' ? storableText(text, max) : null;
}

/**
 * A JSON value PostgreSQL's jsonb accepts: every string made storable, keys included; bigints
 * as text; anything deeper than a few levels cut. The input is returned as is when already fine.
 */
export function storableJson(value: unknown, depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      return storableText(value);
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object':
      break;
    case 'boolean':
    case 'undefined':
    case 'function':
    case 'symbol':
      return value;
  }
  if (value === null) {
    return null;
  }
  if (depth >= MAX_DEPTH) {
    return '[truncated]';
  }
  if (Array.isArray(value)) {
    let result: unknown[] | undefined;
    value.forEach((item: unknown, index) => {
      const clean = storableJson(item, depth + 1);
      if (clean !== item) {
        result ??= value.slice();
        result[index] = clean;
      }
    });
    return result ?? value;
  }
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === 'function') {
    return storableJson((json as () => unknown).call(value), depth + 1);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  let changed = false;
  const clean = entries.map(([key, item]): [string, unknown] => {
    const cleanKey = storableText(key);
    const cleanItem = storableJson(item, depth + 1);
    changed ||= cleanKey !== key || cleanItem !== item;
    return [cleanKey, cleanItem];
  });
  // fromEntries defines properties, so a `__proto__` key stays a plain key.
  return changed ? Object.fromEntries(clean) : value;
}

function escapeUnit(unit: string): string {
  return `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
