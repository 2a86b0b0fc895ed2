import type { Params } from './params.js';

export interface RouteRequest {
  /** The `:id` of the path, when the route has one. */
  id: string;
  params: Params;
}

export type Handler = (request: RouteRequest) => object;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  get(path: string, handler: Handler): this {
    return this.add('GET', path, handler);
  }

  post(path: string, handler: Handler): this {
    return this.add('POST', path, handler);
  }

  delete(path: string, handler: Handler): this {
    return this.add('DELETE', path, handler);
  }

  match(method: string, path: string): { handler: Handler; id: string } | undefined {
    for (const route of this.routes) {
      const matched = route.method === method ? route.pattern.exec(path) : null;
      if (matched) {
        return { handler: route.handler, id: decodeURIComponent(matched[1] ?? '') };
      }
    }
    return undefined;
  }

  private add(method: string, path: string, handler: Handler): this {
    const pattern = new RegExp(`^${path.replace(':id', '([^/]+)')}$`);
    this.routes.push({ method, pattern, handler });
    return this;
  }
}
