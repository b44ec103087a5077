import type { FastifyInstance, RouteOptions } from 'fastify';

import { isScope, type Scope } from '../tenancy/index.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Scope that an API key needs for this route; with a list, any one of them is enough. A
     * route with no scope that is not in {@link OPEN_ROUTES} needs `admin`.
     */
    scope?: Scope | readonly Scope[];
    /**
     * Shape of this route's error bodies: the native `{"error": {"code", "message", "param"}}`
     * (the default), or OpenAI's `{"error": {"message", "type", "param", "code"}}`.
     */
    errorShape?: 'native' | 'openai';
  }
}

/**
 * The only routes that need no API key, as `METHOD url` with the route's URL pattern. HEAD
 * counts as GET, and a pattern ending in `*` covers every URL it starts.
 */
export const OPEN_ROUTES: readonly string[] = [
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  // CORS preflight requests carry no credentials by the Fetch standard.
  'OPTIONS *',
];

/** Access rule of a route: no key (`open`), or a key with one of the scopes. */
export type RouteAccess = 'open' | readonly Scope[];

/** A registered route and the access it needs, as the route table lists it. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly access: RouteAccess;
}

/** Returns whether `method url` is in {@link OPEN_ROUTES}. */
export function isOpenRoute(method: string, url: string): boolean {
  const key = `${method === 'HEAD' ? 'GET' : method} ${url}`;
  return OPEN_ROUTES.some((entry) =>
    entry.endsWith('*') ? key.startsWith(entry.slice(0, -1)) : entry === key,
  );
}

/** Returns the access a route needs, from the open list and its `config.scope`. */
export function routeAccess(
  method: string,
  url: string,
  config: { scope?: Scope | readonly Scope[] } | undefined,
): RouteAccess {
  if (isOpenRoute(method, url)) return 'open';
  const scope = config?.scope;
  if (scope === undefined) return ['admin'];
  return typeof scope === 'string' ? [scope] : scope;
}

/**
 * Adds an `onRoute` hook that checks each route's `config.scope` and appends the route to the
 * returned table. Routes registered before the call are missing from it, so call it first.
 *
 * @throws Error at registration, for a scope that is not one of `infer`, `train`, `admin`.
 */
export function collectRouteTable(app: FastifyInstance): RouteEntry[] {
  const table: RouteEntry[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const scope = route.config?.scope;
    let scopes: readonly unknown[] = [];
    if (typeof scope === 'string') scopes = [scope];
    else if (scope !== undefined) scopes = scope;
    const invalid = scopes.find((name) => !isScope(name));
    if (invalid !== undefined || (Array.isArray(scope) && scope.length === 0)) {
      throw new Error(
        `route ${route.url} declares the invalid scope ${JSON.stringify(scope)}; use infer, train or admin`,
      );
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      table.push({ method, url: route.url, access: routeAccess(method, route.url, route.config) });
    }
  });
  return table;
}
