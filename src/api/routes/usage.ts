import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import type { AppContext } from '../../app/context.js';
import { MaasError } from '../../errors/index.js';
import type { UsageRow } from '../../tenancy/index.js';

const DAY = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const ISO_TIME = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+Z)?$' });

const UsageQuerystring = Type.Object(
  {
    from: Type.Optional(DAY),
    to: Type.Optional(DAY),
    key: Type.Optional(Type.String({ maxLength: 64 })),
    model: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
type UsageQuerystring = Static<typeof UsageQuerystring>;

const AuditQuerystring = Type.Object(
  {
    from: Type.Optional(ISO_TIME),
    to: Type.Optional(ISO_TIME),
    actor: Type.Optional(Type.String({ maxLength: 64 })),
    // Query values are strings: the server does not coerce types.
    limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$' })),
  },
  { additionalProperties: false },
);
type AuditQuerystring = Static<typeof AuditQuerystring>;

/** Converts a usage row to the wire format of `GET /v1/usage`. */
export function toUsageResource(row: UsageRow): Record<string, unknown> {
  return {
    day: row.day,
    key: row.key_id,
    model: row.model,
    requests: row.requests,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    compute_ms: row.compute_ms,
    errors: row.errors,
  };
}

/**
 * `GET /v1/usage?from&to&key&model` returns usage per day, key and model. Any key may read its
 * own usage; reading another key's, or every key's, needs `admin`. `GET /v1/audit` lists the
 * audit log, newest first, for `admin` keys.
 */
export function registerUsageRoutes(app: FastifyInstance, context: AppContext): void {
  app.get<{ Querystring: UsageQuerystring }>(
    '/v1/usage',
    {
      schema: { querystring: UsageQuerystring },
      config: { scope: ['infer', 'train', 'admin'] },
    },
    async (request) => {
      const { from, to, model } = request.query;
      const key = request.tenant?.key ?? null;
      let keyId = request.query.key;
      if (key !== null && !key.scopes.includes('admin')) {
        if (keyId !== undefined && keyId !== key.id) {
          throw new MaasError(
            'MAAS_ERR_AUTH_SCOPE_MISSING',
            `reading the usage of another key needs the scope admin; key ${key.id} may read only its own`,
            { param: 'key' },
          );
        }
        keyId = key.id;
      }
      const rows = await context.tenancy.usage.query({
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(keyId === undefined ? {} : { keyId }),
        ...(model === undefined ? {} : { model }),
      });
      return { object: 'list', data: rows.map(toUsageResource) };
    },
  );

  app.get<{ Querystring: AuditQuerystring }>(
    '/v1/audit',
    { schema: { querystring: AuditQuerystring }, config: { scope: 'admin' } },
    async (request) => {
      const { limit, ...filter } = request.query;
      const entries = await context.tenancy.audit.list({
        ...filter,
        ...(limit === undefined ? {} : { limit: Number(limit) }),
      });
      return { object: 'list', data: entries };
    },
  );
}
