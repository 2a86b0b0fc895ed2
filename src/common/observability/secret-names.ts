// A password or secret word anywhere in a name makes it secret: `password_confirmation`.
const ALWAYS_SECRET = new Set(['password', 'passwd', 'passphrase', 'secret']);
// These make a name secret as its last word: `refresh_token`, `x-api-key`. A word inside a
// name does not count, so counters such as `daily_tokens` or `max_tokens` and facts such as
// `token_type` stay readable.
const SECRET_WORDS = new Set([
  'pass',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'signature',
  'credential',
  'credentials',
  'otp',
]);
// `key` alone is key material (an API key as it is shown once), and so is a key these qualify:
// `api_key`, `private_key`; an `idempotency_key` or `sort_key` is not.
const KEY_QUALIFIERS = new Set(['api', 'private', 'secret', 'signing', 'encryption', 'client']);
// What is derived from a secret is one too: `key_hash`, `password_hash`, `token_digest`.
const DERIVED = new Set(['hash', 'digest', 'salt']);
const MAX_CACHED = 2000;
const verdicts = new Map<string, boolean>();

/**
 * Whether a field name holds a secret, matched on whole words (snake_case, kebab-case,
 * camelCase). `code` alone also counts: single-use codes (the sign-in hand-off, OAuth
 * callbacks) work like passwords until used.
 */
export function isSecretName(name: string): boolean {
  const known = verdicts.get(name);
  if (known !== undefined) {
    return known;
  }
  const verdict = judge(name);
  // Bounded: hostile bodies can bring any number of names.
  if (verdicts.size < MAX_CACHED) {
    verdicts.set(name, verdict);
  }
  return verdict;
}

function judge(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words.at(-1);
  if (last === undefined) {
    return false;
  }
  if (words.length === 1 && (last === 'code' || last === 'key')) {
    return true;
  }
  if (words.some((word) => ALWAYS_SECRET.has(word))) {
    return true;
  }
  if (isSecretWord(words, words.length - 1)) {
    return true;
  }
  return DERIVED.has(last) && words.slice(0, -1).some((_, index) => isSecretWord(words, index));
}

function isSecretWord(words: string[], index: number): boolean {
  const word = words[index] ?? '';
  if (SECRET_WORDS.has(word) || ALWAYS_SECRET.has(word)) {
    return true;
  }
  return word === 'key' && (index === 0 || KEY_QUALIFIERS.has(words[index - 1] ?? ''));
}
