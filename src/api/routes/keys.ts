import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import type { AppContext } from '../../app/context.js';
import { SCOPES, type ApiKey, type Scope } from '../../tenancy/index.js';

const LIMIT = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]);

const CreateKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    scopes: Type.Array(Type.Union(SCOPES.map((scope) => Type.Literal(scope))), {
      minItems: 1,
      maxItems: SCOPES.length,
    }),
    models: Type.Optional(
      Type.Union([Type.Array(Type.String({ maxLength: 128 }), { maxItems: 1000 }), Type.Null()]),
    ),
    rpm: Type.Optional(LIMIT),
    tpm: Type.Optional(LIMIT),
    max_concurrent: Type.Optional(LIMIT),
    monthly_tokens: Type.Optional(LIMIT),
  },
  { additionalProperties: false },
);
type CreateKeyBody = Static<typeof CreateKeyBody>;

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
type IdParams = Static<typeof IdParams>;

/** Converts a key to the wire format of `/v1/keys`: snake_case fields, no secret or hash. */
export function toKeyResource(key: ApiKey): Record<string, unknown> {
  return {
    id: key.id,
    object: 'api_key',
    name: key.name,
    scopes: key.scopes,
    models: key.models,
    rpm: key.limits.rpm,
    tpm: key.limits.tpm,
    max_concurrent: key.limits.maxConcurrent,
    monthly_tokens: key.limits.monthlyTokens,
    created_at: key.createdAt,
    revoked_at: key.revokedAt,
  };
}

/**
 * `POST /v1/keys` creates a key and returns its secret once; `GET /v1/keys` lists keys,
 * `GET /v1/keys/{id}` shows one and `DELETE /v1/keys/{id}` revokes it. All need `admin`.
 */
export function registerKeyRoutes(app: FastifyInstance, context: AppContext): void {
  const keys = context.tenancy.keys;

  app.post<{ Body: CreateKeyBody }>(
    '/v1/keys',
    { schema: { body: CreateKeyBody }, config: { scope: 'admin' } },
    async (request, reply) => {
      const body = request.body;
      const { key, secret } = await keys.create({
        name: body.name,
        scopes: body.scopes as Scope[],
        models: body.models ?? null,
        limits: {
          rpm: body.rpm ?? null,
          tpm: body.tpm ?? null,
          maxConcurrent: body.max_concurrent ?? null,
          monthlyTokens: body.monthly_tokens ?? null,
        },
      });
      if (request.tenant !== null) request.tenant.auditTarget = key.id;
      request.log.info({ keyId: key.id, scopes: key.scopes }, 'API key created');
      return reply.status(201).send({ ...toKeyResource(key), secret });
    },
  );

  app.get('/v1/keys', { config: { scope: 'admin' } }, async () => {
    const list = await keys.list();
    return { object: 'list', data: list.map(toKeyResource) };
  });

  app.get<{ Params: IdParams }>(
    '/v1/keys/:id',
    { schema: { params: IdParams }, config: { scope: 'admin' } },
    async (request) => toKeyResource(await keys.get(request.params.id)),
  );

  app.delete<{ Params: IdParams }>(
    '/v1/keys/:id',
    { schema: { params: IdParams }, config: { scope: 'admin' } },
    async (request) => {
      const key = await keys.revoke(request.params.id);
      request.log.info({ keyId: key.id }, 'API key revoked');
      return toKeyResource(key);
    },
  );
}
