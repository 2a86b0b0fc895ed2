/**
 * Checks on untrusted input that run before validation, without recursion: a deeply nested
 * body would overflow the stack of any recursive walk (class-transformer's included).
 */

/** Deeper JSON bodies are refused: no DTO of ours nests more than a few levels. */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests objects and arrays deeper than `maxDepth`, counted outside strings.
 * One pass that stops at the first level too deep, so a 100,000-level body costs next to
 * nothing; malformed text is left for the parser to refuse.
 */
export function jsonDepthExceeds(text: string, maxDepth: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === BACKSLASH) {
        index += 1;
      } else if (char === QUOTE) {
        inString = false;
      }
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      depth += 1;
      if (depth > maxDepth) {
        return true;
      }
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}

// The cheap test first; most strings contain neither a NUL nor any surrogate.
// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000\ud800-\udfff]/;
// eslint-disable-next-line no-control-regex
const INVALID = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A NUL character (PostgreSQL stores none in text or jsonb) or a UTF-16 surrogate without its
 * pair (not a character at all: jsonb refuses it, encodeURI throws on it).
 */
export function hasInvalidCharacters(text: string): boolean {
  return SUSPECT.test(text) && INVALID.test(text);
}

/**
 * The path (`tag.label`, `items[2]`, a key itself) of the first string or object key in `value`
 * with invalid characters, or undefined. Iterative, so depth is no danger.
 */
export function findInvalidText(value: unknown, root: string): string | undefined {
  const pending: Array<[unknown, string]> = [[value, root]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === 'string') {
      if (hasInvalidCharacters(item)) {
        return path;
      }
    } else if (Array.isArray(item)) {
      item.forEach((element, index) => pending.push([element, `${path}[${index}]`]));
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, element] of Object.entries(item)) {
        if (hasInvalidCharacters(key)) {
          // Named escaped, so the envelope itself stays storable and printable.
          return joinPath(path, JSON.stringify(key).slice(1, -1));
        }
        pending.push([element, joinPath(path, key)]);
      }
    }
  }
  return undefined;
}

function joinPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
