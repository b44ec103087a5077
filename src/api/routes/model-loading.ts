import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';

const RefParams = Type.Object({ ref: Type.String() });
type RefParams = Static<typeof RefParams>;

/**
 * `POST /v1/models/{ref}/load` loads a version before its first request, and
 * `POST /v1/models/{ref}/unload` frees it; its next request loads it again. Both need `admin`.
 */
export function registerModelLoadingRoutes(app: FastifyInstance, context: AppContext): void {
  app.post<{ Params: RefParams }>(
    '/v1/models/:ref/load',
    { schema: { params: RefParams }, config: { scope: 'admin' } },
    async (request) => {
      const started = Date.now();
      const model = await context.pool.get(request.params.ref);
      (request as { modelReference?: string }).modelReference = model.reference;
      return { model: model.reference, loaded: true, elapsed_ms: Date.now() - started };
    },
  );

  app.post<{ Params: RefParams }>(
    '/v1/models/:ref/unload',
    { schema: { params: RefParams }, config: { scope: 'admin' } },
    async (request) => {
      const version = await context.registry.resolve(request.params.ref);
      const reference = `${version.name}@${version.version}`;
      const unloaded = await context.pool.unload(reference);
      request.log.info({ model: reference, unloaded }, 'model unload requested');
      return { model: reference, loaded: false, was_loaded: unloaded };
    },
  );
}
