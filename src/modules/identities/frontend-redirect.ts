const MAX_REDIRECT_LENGTH = 512;
// Control characters and backslashes: browsers repair them in surprising ways (`/\evil.com`).
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

/**
 * The place on the web app to land after sign-in, as a path on FRONTEND_URL; undefined when
 * `redirect` is anything else (another host, a protocol-relative `//host`, a script URL).
 * The check runs on the normalised path (dot segments resolved, `%2e` included) and again on
 * its percent-decoded form, since the web app may decode it before navigating.
 */
export function frontendPath(redirect: string, frontendUrl: string): string | undefined {
  if (redirect.length === 0 || redirect.length > MAX_REDIRECT_LENGTH) {
    return undefined;
  }
  if (UNSAFE_CHARACTERS.test(redirect) || redirect.startsWith('//')) {
    return undefined;
  }
  if (!redirect.startsWith('/') && !redirect.startsWith(`${new URL(frontendUrl).origin}/`)) {
    return undefined;
  }
  const base = new URL(frontendUrl);
  const target = parseUrl(redirect, base);
  if (!target || !sameOriginPath(target, base)) {
    return undefined;
  }
  const decoded = safeDecode(target.pathname);
  if (decoded === undefined || UNSAFE_CHARACTERS.test(decoded)) {
    return undefined;
  }
  const reparsed = parseUrl(decoded, base);
  if (!reparsed || !sameOriginPath(reparsed, base)) {
    return undefined;
  }
  return `${target.pathname}${target.search}${target.hash}`;
}

function parseUrl(value: string, base: URL): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}

/** On the web app's origin, under its base path, and a path with exactly one leading slash. */
function sameOriginPath(target: URL, base: URL): boolean {
  const basePath = base.pathname.replace(/\/$/, '');
  const insideBase = target.pathname === basePath || target.pathname.startsWith(`${basePath}/`);
  const oneLeadingSlash = /^\/(?![/\\])/.test(target.pathname) || target.pathname === '/';
  return target.origin === base.origin && insideBase && oneLeadingSlash;
}

function safeDecode(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/**
 * A URL on the web app with query parameters and, optionally, fragment parameters (never a
 * token: those travel in bodies).
 */
export function frontendUrlFor(
  frontendUrl: string,
  path: string,
  params: Record<string, string | undefined>,
  fragment: Record<string, string | undefined> = {},
): string {
  const url = new URL(`${frontendUrl.replace(/\/$/, '')}${path}`);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) {
      url.searchParams.set(name, value);
    }
  }
  const hash = new URLSearchParams();
  for (const [name, value] of Object.entries(fragment)) {
    if (value !== undefined) {
      hash.set(name, value);
    }
  }
  url.hash = hash.toString();
  return url.toString();
}
