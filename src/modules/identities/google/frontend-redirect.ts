const MAX_REDIRECT_LENGTH = 512;
// Control characters and backslashes: browsers repair them in surprising ways (`/\evil.com`).
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

/**
 * The place on the web app to land after sign-in, as a path on FRONTEND_URL; undefined when
 * `redirect` is anything else (another host, a protocol-relative `//host`, a script URL).
 */
export function frontendPath(redirect: string, frontendUrl: string): string | undefined {
  if (redirect.length === 0 || redirect.length > MAX_REDIRECT_LENGTH) {
    return undefined;
  }
  if (UNSAFE_CHARACTERS.test(redirect) || redirect.startsWith('//')) {
    return undefined;
  }
  const base = new URL(frontendUrl);
  let target: URL;
  try {
    target = new URL(redirect, base);
  } catch {
    return undefined;
  }
  const basePath = base.pathname.replace(/\/$/, '');
  const insideBase = target.pathname === basePath || target.pathname.startsWith(`${basePath}/`);
  if (target.origin !== base.origin || !insideBase) {
    return undefined;
  }
  if (!redirect.startsWith('/') && !redirect.startsWith(`${base.origin}/`)) {
    return undefined;
  }
  return `${target.pathname}${target.search}${target.hash}`;
}

/** A URL on the web app with query parameters (never a token: those travel in bodies). */
export function frontendUrlFor(
  frontendUrl: string,
  path: string,
  params: Record<string, string | undefined>,
): string {
  const url = new URL(`${frontendUrl.replace(/\/$/, '')}${path}`);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) {
      url.searchParams.set(name, value);
    }
  }
  return url.toString();
}
