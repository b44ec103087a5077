import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { MaasError } from '../../errors/index.js';
import { errorBody } from '../error-handler.js';

/** Tracks whether the bundled models have finished loading. */
export interface Readiness {
  ready: boolean;
  /** Reason the server is not ready yet; empty once it is. */
  reason: string;
}

/** `GET /healthz` (liveness: the process responds) and `GET /readyz` (models loaded). */
export function registerHealthRoutes(
  app: FastifyInstance,
  context: AppContext,
  readiness: Readiness,
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const loaded = await context.pool.loadedVersions();
    if (!readiness.ready) {
      const error = new MaasError('MAAS_ERR_NOT_READY', readiness.reason, { details: { loaded } });
      return reply.status(503).header('retry-after', '1').send(errorBody(error));
    }
    return { status: 'ready', models: loaded };
  });
}
