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
 * nothing; strings are skipped with a native search for their closing quote (most of a body is
 * strings), so an ordinary body costs a fraction of its JSON.parse. Malformed text is left for
 * the parser to refuse.
 */
export function jsonDepthExceeds(text: string, maxDepth: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (char === QUOTE) {
      index = closingQuote(text, index);
      if (index === -1) {
        return false;
      }
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

/** The index of the quote that ends the string opened at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let quote = text.indexOf('"', open + 1);
  while (quote !== -1 && isEscaped(text, quote)) {
    quote = text.indexOf('"', quote + 1);
  }
  return quote;
}

/** Preceded by an odd number of backslashes. */
function isEscaped(text: string, index: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(index - 1 - backslashes) === BACKSLASH) {
    backslashes += 1;
  }
  return backslashes % 2 === 1;
}

interface WellFormedString {
  // ES2024 (Node 20+); our lib setting is ES2023.
  isWellFormed(): boolean;
}

/**
 * A NUL character (PostgreSQL stores none in text or jsonb) or a UTF-16 surrogate without its
 * pair (not a character at all: jsonb refuses it, encodeURI throws on it). Both checks are
 * native scans: this runs on every string of every request.
 */
export function hasInvalidCharacters(text: string): boolean {
  return text.includes('\u0000') || !(text as unknown as WellFormedString).isWellFormed();
}

/**
 * The path (`tag.label`, `items[2]`, a key itself) of the first string or object key in `value`
 * with invalid characters, or undefined. Iterative, so depth is no danger; it runs on every
 * request, so the common case (nothing found) builds no paths.
 */
export function findInvalidText(value: unknown, root: string): string | undefined {
  return containsInvalidText(value) ? pathOfInvalidText(value, root) : undefined;
}

function containsInvalidText(value: unknown): boolean {
  if (typeof value === 'string') {
    return hasInvalidCharacters(value);
  }
  // Only containers are stacked; strings are checked where they are found.
  const pending: object[] = typeof value === 'object' && value !== null ? [value] : [];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (Array.isArray(item)) {
      for (const element of item as unknown[]) {
        if (invalidOrStacked(element, pending)) {
          return true;
        }
      }
    } else {
      for (const key of Object.keys(item)) {
        if (hasInvalidCharacters(key)) {
          return true;
        }
        if (invalidOrStacked((item as Record<string, unknown>)[key], pending)) {
          return true;
        }
      }
    }
  }
  return false;
}

function invalidOrStacked(element: unknown, pending: object[]): boolean {
  if (typeof element === 'string') {
    return hasInvalidCharacters(element);
  }
  if (typeof element === 'object' && element !== null) {
    pending.push(element);
  }
  return false;
}

function pathOfInvalidText(value: unknown, root: string): string | undefined {
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
