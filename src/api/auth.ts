import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { MaasError } from '../errors/index.js';
import {
  ANONYMOUS_KEY_ID,
  LimitError,
  isLoopbackHost,
  type ApiKey,
  type Scope,
  type Tenancy,
} from '../tenancy/index.js';
import type { TenantState } from './metering.js';
import { routeAccess } from './route-access.js';

/** Options of {@link installAuth}. */
export interface AuthOptions {
  readonly host: string;
  /** `auth.required`: keys are needed even before any exists. */
  readonly required: boolean;
}

const BEARER_PATTERN = /^bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Installs the hooks that authenticate, authorize, limit, meter and audit every request.
 * A route needs the scope in its `config.scope`, none if it is in the open list, and `admin`
 * otherwise. Auth is on when `auth.required` is set, the host is not loopback, or any key
 * exists. While it is off, requests are metered under the key id `anonymous`.
 */
export function installAuth(app: FastifyInstance, tenancy: Tenancy, options: AuthOptions): void {
  const alwaysOn = options.required || !isLoopbackHost(options.host);
  const authEnabled = async (): Promise<boolean> => alwaysOn || tenancy.keys.anyKeyExists();

  app.decorateRequest('tenant', null);

  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined) return;
    const access = routeAccess(request.method, url, request.routeOptions.config);
    if (access === 'open') return;

    if (!(await authEnabled())) {
      request.tenant = newTenantState(null, ANONYMOUS_KEY_ID, tenancy);
    } else {
      const key = await authenticate(request, tenancy);
      checkScope(key, access);
      request.tenant = newTenantState(key, key.id, tenancy);
    }
    const tenant = request.tenant;
    let closed = false;
    reply.raw.once('close', () => {
      closed = true;
      tenant.release();
      // A response that finishes also runs onResponse, which records it. Only a connection
      // closed before that is recorded here, as 499, after the finish events had their turn.
      setImmediate(() => void finishRequest(request, reply, tenancy, true));
    });
    if (tenant.key === null || tenant.limits === null) return;

    const admission = await tenancy.limiter.admit(tenant.key.id, tenant.limits);
    Object.assign(tenant.headers, admission.headers);
    tenant.release = admission.release;
    // The client may have gone while admission waited on the store.
    if (closed) admission.release();
  });

  app.addHook('preHandler', async (request) => {
    const allowed = request.tenant?.key?.models;
    if (allowed === null || allowed === undefined) return;
    for (const name of requestedModelNames(request)) {
      if (!allowed.includes(name)) {
        throw new MaasError(
          'MAAS_ERR_AUTH_MODEL_FORBIDDEN',
          `this API key may use only the models ${allowed.join(', ')}, not ${JSON.stringify(name)}`,
          { param: 'model' },
        );
      }
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const tenant = request.tenant;
    if (tenant !== null) void reply.headers(tenant.headers);
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    await finishRequest(request, reply, tenancy, false);
  });

  app.addHook('onError', async (request, reply, error) => {
    // Admission throws before the tenant's headers reach onSend.
    if (error instanceof LimitError) void reply.headers(error.headers);
    if (error instanceof MaasError && error.status === 401) {
      void reply.header('www-authenticate', 'Bearer');
    }
  });
}

/** Reads the key from `Authorization: Bearer <key>` (any scheme case) or `x-api-key`. */
function readSecret(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization !== '') {
    return BEARER_PATTERN.exec(authorization)?.[1] ?? '';
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header !== '' ? header.trim() : undefined;
}

async function authenticate(request: FastifyRequest, tenancy: Tenancy): Promise<ApiKey> {
  const secret = readSecret(request);
  if (secret === undefined) {
    throw new MaasError(
      'MAAS_ERR_AUTH_KEY_MISSING',
      'this route needs an API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"; maas keys create makes one',
    );
  }
  const key = secret === '' ? undefined : await tenancy.keys.authenticate(secret);
  if (key === undefined) {
    throw new MaasError(
      'MAAS_ERR_AUTH_KEY_INVALID',
      'the API key is invalid or revoked; an Authorization header must read "Bearer <key>"',
    );
  }
  return key;
}

function checkScope(key: ApiKey, needed: readonly Scope[]): void {
  if (needed.some((scope) => key.scopes.includes(scope))) return;
  throw new MaasError(
    'MAAS_ERR_AUTH_SCOPE_MISSING',
    `this route needs an API key with the scope ${needed.join(' or ')}; key ${key.id} has ${key.scopes.join(', ')}`,
    { details: { needed, scopes: key.scopes } },
  );
}

function newTenantState(key: ApiKey | null, keyId: string, tenancy: Tenancy): TenantState {
  const limits = key === null ? null : tenancy.limiter.effectiveLimits(key.limits);
  return {
    key,
    keyId,
    limits,
    headers: {},
    inputTokens: 0,
    outputTokens: 0,
    release: () => undefined,
    chargeTokens: async (tokens, kind) =>
      limits === null ? {} : tenancy.limiter.chargeTokens(keyId, limits, tokens, kind),
  };
}

/** Model names that the request names in `:ref`, `:name` or a body's `model` field. */
function requestedModelNames(request: FastifyRequest): string[] {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const body = request.body as Record<string, unknown> | null | undefined;
  const references = [params['ref'], params['name'], body?.['model']];
  return references
    .filter((reference): reference is string => typeof reference === 'string')
    .map((reference) => reference.split('@')[0] as string);
}

const recorded = new WeakSet<FastifyRequest>();

/**
 * Releases the request's concurrency slot and records its usage and, for requests that change
 * state on an admin-only route, its audit entry. It runs from onResponse or from the
 * connection's close event, whichever comes first, so that a client that disconnects also
 * frees its slot. Tokens metered after that point go to usage through `recordLateUsage`.
 */
async function finishRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  tenancy: Tenancy,
  aborted: boolean,
): Promise<void> {
  const tenant = request.tenant;
  if (tenant === null || recorded.has(request)) return;
  recorded.add(request);
  tenant.release();

  const status = aborted ? 499 : reply.statusCode;
  const model = request.modelReference?.split('@')[0] ?? '';
  tenancy.usage.record({
    keyId: tenant.keyId,
    model,
    requests: 1,
    inputTokens: tenant.inputTokens,
    outputTokens: tenant.outputTokens,
    computeMs: reply.elapsedTime,
    errors: status >= 400 ? 1 : 0,
  });
  tenant.recordLateUsage = ({ inputTokens, outputTokens }) =>
    tenancy.usage.record({ keyId: tenant.keyId, model, inputTokens, outputTokens });

  const url = request.routeOptions.url ?? '';
  const access = routeAccess(request.method, url, request.routeOptions.config);
  const adminOnly = access !== 'open' && access.length === 1 && access[0] === 'admin';
  if (adminOnly && request.method !== 'GET' && request.method !== 'HEAD') {
    const params = Object.values((request.params ?? {}) as Record<string, unknown>);
    try {
      await tenancy.audit.record({
        actor: tenant.keyId,
        action: `${request.method} ${url}`,
        target: tenant.auditTarget ?? (params.length > 0 ? params.join('/') : url),
        status,
      });
    } catch (error) {
      request.log.error({ err: error, action: `${request.method} ${url}` }, 'audit write failed');
    }
  }
}
