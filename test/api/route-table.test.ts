import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { RouteEntry } from '../../src/api/route-access.js';
import type { AppContext } from '../../src/app/context.js';
import { SCOPES, type Scope } from '../../src/tenancy/index.js';
import {
  makeTempDir,
  openTestContext,
  removeTempDir,
  silentLogger,
} from '../helpers/sentiment-fixture.js';

/** The routes that need no key; every other route in the table must return 401 without one. */
const EXPECTED_OPEN = ['GET /healthz', 'HEAD /healthz', 'GET /readyz', 'HEAD /readyz'].concat([
  'GET /metrics',
  'HEAD /metrics',
  'OPTIONS *',
]);

/** Scope of every route; a route that loses or changes its scope fails here. */
const EXPECTED_SCOPES: Record<string, readonly Scope[]> = {
  'POST /v1/models/:ref/predict': ['infer'],
  'GET /v1/models': ['infer'],
  'GET /v1/models/:name': ['infer'],
  'POST /v1/models/:ref/load': ['admin'],
  'POST /v1/models/:ref/unload': ['admin'],
  'POST /v1/keys': ['admin'],
  'GET /v1/keys': ['admin'],
  'GET /v1/keys/:id': ['admin'],
  'DELETE /v1/keys/:id': ['admin'],
  'GET /v1/usage': ['infer', 'train', 'admin'],
  'GET /v1/audit': ['admin'],
  'POST /v1/chat/completions': ['infer'],
  'POST /v1/completions': ['infer'],
  'POST /v1/embeddings': ['infer'],
  'POST /v1/datasets': ['train'],
  'GET /v1/datasets': ['train'],
  'GET /v1/datasets/:id': ['train'],
  'DELETE /v1/datasets/:id': ['train'],
  'POST /v1/training-jobs': ['train'],
  'GET /v1/training-jobs': ['train'],
  'GET /v1/training-jobs/:id': ['train'],
  'POST /v1/training-jobs/:id/cancel': ['train'],
  'GET /v1/training-jobs/:id/events': ['train'],
  'POST /v1/route-without-scope': ['admin'],
};

let root: string;
let context: AppContext;
let server: Server;
const secrets = {} as Record<Scope, string>;

beforeAll(async () => {
  root = await makeTempDir('route-table');
  context = await openTestContext(root, {
    'auth.required': true,
    // Turns CORS on, so that its preflight route is in the table too.
    'cors.origins': 'https://console.example',
  });
  server = buildServer(context, silentLogger());
  // A route that declares no scope, as a later change might, must be admin-only.
  server.app.post('/v1/route-without-scope', async () => ({ ran: true }));
  await server.app.ready();
  for (const scope of SCOPES) {
    const created = await context.tenancy.keys.create({ name: `only-${scope}`, scopes: [scope] });
    secrets[scope] = created.secret;
  }
});

afterAll(async () => {
  await server?.app.close();
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

function routeName(route: RouteEntry): string {
  return `${route.method} ${route.url}`;
}

/** Returns a concrete URL for a route pattern: each `:param` and `*` becomes `x`. */
function concreteUrl(url: string): string {
  return url.replace(/:[A-Za-z_]+/g, 'x').replace(/\*/g, 'x');
}

function send(route: RouteEntry, secret?: string): Promise<LightMyRequestResponse> {
  const hasBody = !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(route.method);
  return server.app.inject({
    method: route.method as 'GET',
    url: concreteUrl(route.url),
    headers: {
      ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }),
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
    },
    ...(hasBody ? { payload: '{}' } : {}),
  });
}

function guardedRoutes(): RouteEntry[] {
  return server.routes.filter((route) => route.access !== 'open');
}

describe('route table', () => {
  it('lists every route once per method', () => {
    const names = server.routes.map(routeName);
    expect(names.length).toBeGreaterThan(10);
    expect(new Set(names).size).toBe(names.length);
    for (const name of Object.keys(EXPECTED_SCOPES)) expect(names).toContain(name);
  });

  it('opens only the explicit list', () => {
    const open = server.routes.filter((route) => route.access === 'open').map(routeName);
    expect(open.sort()).toEqual([...EXPECTED_OPEN].sort());
  });

  it('gives each known route its scope', () => {
    for (const route of guardedRoutes()) {
      const expected = EXPECTED_SCOPES[routeName(route)];
      if (expected !== undefined)
        expect([routeName(route), route.access]).toEqual([routeName(route), expected]);
    }
  });

  it('answers 401 without a key on every guarded route', async () => {
    for (const route of guardedRoutes()) {
      const response = await send(route);
      expect([routeName(route), response.statusCode]).toEqual([routeName(route), 401]);
      if (route.method !== 'HEAD') {
        expect(response.json().error.code).toBe('MAAS_ERR_AUTH_KEY_MISSING');
      }
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('answers 403 to a key without the scope', async () => {
    for (const route of guardedRoutes()) {
      const needed = route.access as readonly Scope[];
      const lacking = SCOPES.filter((scope) => !needed.includes(scope));
      expect(lacking.length, `${routeName(route)} is open to every scope`).toBeGreaterThanOrEqual(
        0,
      );
      for (const scope of lacking) {
        const response = await send(route, secrets[scope]);
        expect([routeName(route), scope, response.statusCode]).toEqual([
          routeName(route),
          scope,
          403,
        ]);
        if (route.method !== 'HEAD') {
          expect(response.json().error.code).toBe('MAAS_ERR_AUTH_SCOPE_MISSING');
        }
      }
    }
  });

  it('lets a key with the scope past the guard', async () => {
    for (const route of guardedRoutes()) {
      const needed = route.access as readonly Scope[];
      const response = await send(route, secrets[needed[0] as Scope]);
      expect([routeName(route), response.statusCode]).not.toEqual([routeName(route), 401]);
      expect([routeName(route), response.statusCode]).not.toEqual([routeName(route), 403]);
    }
  });

  it('keeps state-changing routes guarded', () => {
    const open = server.routes.filter(
      (route) => route.access === 'open' && !['GET', 'HEAD', 'OPTIONS'].includes(route.method),
    );
    expect(open.map(routeName)).toEqual([]);
  });

  it('serves the open list without a key', async () => {
    for (const route of server.routes.filter((entry) => entry.access === 'open')) {
      if (route.method === 'OPTIONS') continue;
      const response = await send(route);
      expect([routeName(route), response.statusCode]).not.toEqual([routeName(route), 401]);
    }
  });

  it('rejects an unknown scope at registration', async () => {
    const other = buildServer(context, silentLogger());
    expect(() =>
      other.app.get('/v1/typo', { config: { scope: 'inference' as Scope } }, async () => ({})),
    ).toThrow(/invalid scope "inference"/);
    await other.app.close();
  });
});
