interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

export interface Navigation {
  /** Every URL the browser was sent to, in order, including the last one. */
  visited: string[];
  /** Where it stopped: the first URL on `stopAt`, or the last response that was not a redirect. */
  finalUrl: URL;
  status: number;
}

/**
 * A browser in miniature: follows redirects itself, keeps cookies per origin (honouring Path,
 * Max-Age=0 and HttpOnly alike), and records each hop so a test can inspect every URL.
 */
export class RedirectBrowser {
  private readonly jar = new Map<string, StoredCookie[]>();

  constructor(private readonly stopAt: string) {}

  async navigate(
    url: string,
    init: { headers?: Record<string, string> } = {},
  ): Promise<Navigation> {
    const visited: string[] = [];
    let current = new URL(url);
    for (let hop = 0; hop < 20; hop += 1) {
      visited.push(current.toString());
      if (current.origin === new URL(this.stopAt).origin) {
        return { visited, finalUrl: current, status: 0 };
      }
      const response = await this.fetch(current.toString(), {
        headers: hop === 0 ? init.headers : undefined,
      });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        await response.arrayBuffer();
        return { visited, finalUrl: current, status: response.status };
      }
      current = new URL(location, current);
    }
    throw new Error(`too many redirects: ${visited.join(' -> ')}`);
  }

  /** One request with this browser's cookies, no redirect following. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookies = this.cookiesFor(target);
    if (cookies) {
      headers.set('cookie', cookies);
    }
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.store(target, response.headers.getSetCookie());
    return response;
  }

  cookieNames(origin: string): string[] {
    return (this.jar.get(origin) ?? []).map((cookie) => cookie.name);
  }

  private cookiesFor(url: URL): string {
    return (this.jar.get(url.origin) ?? [])
      .filter((cookie) => url.pathname.startsWith(cookie.path))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  private store(url: URL, setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      const pathAttribute = attributes.find((a) => a.toLowerCase().startsWith('path='));
      const path = pathAttribute ? pathAttribute.slice(5) : '/';
      const expired = attributes.some((a) => a.toLowerCase() === 'max-age=0');
      const cookies = (this.jar.get(url.origin) ?? []).filter(
        (cookie) => !(cookie.name === name && cookie.path === path),
      );
      if (!expired) {
        cookies.push({ name, value, path });
      }
      this.jar.set(url.origin, cookies);
    }
  }
}
